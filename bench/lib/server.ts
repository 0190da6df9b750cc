// Starts the real Tessera server (packages/server/src/main.ts) as a child process on a free
// loopback port, waits for /readyz, and stops it with SIGTERM (SIGKILL after 10 s).
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages/server');

export interface ServerOptions {
  /** PostgreSQL; null: the embedded PGlite default, in the server's temporary data directory. */
  databaseUrl: string | null;
  inProcessWorker: boolean;
  /** DATABASE_POOL_SIZE; the server's default when omitted. */
  poolSize?: number;
  /** Extra node flags for the server process, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
  /** TESSERA_SECRET_KEY; a new sk_test_ key when omitted (outbox rows sealed by one server open only with its key). */
  secretKey?: string;
  /** Another checkout of packages/server to run (e.g. an unmodified copy for an A/B comparison); default this repository's. */
  serverDir?: string;
  /** TESSERA_WRITE_COALESCING; the server's default when omitted. */
  writeCoalescing?: number;
  /** SMTP_URL: the worker sends through SMTP instead of into the dev mailbox. */
  smtpUrl?: string;
}

export interface RunningServer {
  readonly baseUrl: string;
  readonly secretKey: string;
  /** Log lines at warn or above (pino level ≥ 40) seen so far. */
  warnings(): number;
  /** The last lines the server printed, for error reports. */
  tail(): string;
  /** CPU seconds (user + system) the server process has used so far; NaN where /proc is missing. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

/** Servers started and not yet stopped: stopped by stopAllServers(), killed if this process exits first. */
const live = new Set<RunningServer>();
const orphans = new Set<() => void>();
process.on('exit', () => {
  for (const kill of orphans) kill();
});

/** Stops every server still running (for cleanup after a failure or Ctrl-C). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr !== null && typeof addr === 'object' ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let clockTicks: number | undefined;
/** utime + stime of a Linux process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
async function processCpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/**
 * The environment a bench server starts from: this process's, without anything that would configure
 * it (the caller's TESSERA_* / SMTP_URL / REDIS_URL / DATABASE_* / PORT…): only what the bench chooses.
 */
export function benchChildEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(TESSERA_|SMTP_URL$|REDIS_URL$|DATABASE_|PORT$|HOST$|LOG_LEVEL$|NODE_ENV$|BA_)/.test(k)) env[k] = v;
  }
  return env;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const secretKey = opts.secretKey ?? `sk_test_bench${randomBytes(12).toString('hex')}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  const env = benchChildEnv();
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(opts.databaseUrl !== null ? { DATABASE_URL: opts.databaseUrl } : {}),
    TESSERA_SECRET_KEY: secretKey,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    TESSERA_IN_PROCESS_WORKER: String(opts.inProcessWorker),
    // The scenarios are measured with rate limits off (performance.md, P1).
    TESSERA_RATE_LIMITS: 'off',
    ...(opts.poolSize !== undefined ? { DATABASE_POOL_SIZE: String(opts.poolSize) } : {}),
    ...(opts.writeCoalescing !== undefined ? { TESSERA_WRITE_COALESCING: String(opts.writeCoalescing) } : {}),
    ...(opts.smtpUrl !== undefined ? { SMTP_URL: opts.smtpUrl } : {}),
  });

  return spawnServer({
    args: [...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'],
    cwd: opts.serverDir ?? SERVER_DIR,
    env,
    port,
    secretKey,
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  });
}

export interface SpawnOptions {
  /** Arguments of `node`. */
  args: string[];
  cwd: string;
  /** The child's whole environment. */
  env: Record<string, string>;
  /** The loopback port it listens on (given to it in `env`). */
  port: number;
  /** Answers 2xx once it is ready; default /readyz. */
  readyPath?: string;
  /** RunningServer.secretKey ('' for a server that has none). */
  secretKey: string;
  /** Runs once the process has exited (e.g. removes its data directory). */
  cleanup?: () => Promise<void>;
}

/**
 * Starts a Node.js server as a child process, waits until `readyPath` answers 2xx (60 s at most),
 * and gives the handle that stops it (SIGTERM, SIGKILL after 10 s; killed if this process exits).
 */
export async function spawnServer(o: SpawnOptions): Promise<RunningServer> {
  const child = spawn(process.execPath, o.args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let warnings = 0;
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      if (line.startsWith('{')) {
        try {
          const level = (JSON.parse(line) as { level?: unknown }).level;
          if (typeof level === 'number' && level >= 40) warnings++;
        } catch {
          // not a log record
        }
      }
      lines.push(line);
      if (lines.length > 40) lines.shift();
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = once(child, 'exit');
  const killNow = () => void child.kill('SIGKILL');
  orphans.add(killNow);

  let running: RunningServer | undefined;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      orphans.delete(killNow);
      if (running) live.delete(running);
      await o.cleanup?.();
    })());

  const baseUrl = `http://127.0.0.1:${o.port}`;
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error('the server exited before it was ready');
      if (Date.now() > deadline) throw new Error('the server was not ready within 60 s');
      try {
        const res = await fetch(`${baseUrl}${o.readyPath ?? '/readyz'}`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- server output ---\n${lines.join('\n')}`);
  }

  running = { baseUrl, secretKey: o.secretKey, warnings: () => warnings, tail: () => lines.join('\n'), cpuSeconds: () => processCpuSeconds(child.pid), stop };
  live.add(running);
  return running;
}

/**
 * Runs `fn` against a started server: then prints how many warn lines the server logged; if `fn`
 * throws, prints the server's last lines first. The server is stopped either way.
 */
export async function whileRunning<T>(server: RunningServer, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    console.log(`  server log lines at warn or above: ${server.warnings()}`);
    return result;
  } catch (err) {
    console.error(`--- server output ---\n${server.tail()}`);
    throw err;
  } finally {
    await server.stop();
  }
}
