// Runs pgbench with a custom script against a database and parses its summary. With
// `latencies: true` it also logs every transaction (-l) and computes p50/p99 from the log.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyShare, machineCpu, percentile } from './report.ts';

export interface PgbenchOptions {
  databaseUrl: string;
  script: string;
  clients: number;
  seconds: number;
  /** -j; capped at the client count. */
  threads?: number;
  mode?: 'simple' | 'extended' | 'prepared';
  latencies?: boolean;
}

export interface PgbenchResult {
  clients: number;
  tps: number;
  transactions: number;
  failed: number;
  latencyAvgMs: number;
  /** Share of the whole machine's CPU that was busy while pgbench ran (0–1; NaN without /proc). */
  machineBusy: number;
  /** Only with `latencies: true`. */
  p50?: number;
  p99?: number;
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function num(text: string, re: RegExp, what: string): number {
  const m = re.exec(text);
  if (!m?.[1]) throw new Error(`pgbench output has no ${what}:\n${text}`);
  return Number(m[1]);
}

export async function runPgbench(opts: PgbenchOptions): Promise<PgbenchResult> {
  const threads = Math.min(opts.threads ?? 2, opts.clients);
  const logDir = opts.latencies ? await mkdtemp(join(tmpdir(), 'tessera-pgbench-')) : null;
  try {
    const args = ['-n', '-M', opts.mode ?? 'prepared', '-f', opts.script, '-c', String(opts.clients), '-j', String(threads), '-T', String(opts.seconds)];
    if (logDir) args.push('-l', `--log-prefix=${join(logDir, 'tx')}`);
    args.push(opts.databaseUrl);
    const machine0 = machineCpu();
    const { code, stdout, stderr } = await run('pgbench', args);
    const machineBusy = busyShare(machine0, machineCpu());
    if (code !== 0) throw new Error(`pgbench exited with ${code}:\n${stderr}\n${stdout}`);
    const failed = /number of failed transactions: (\d+)/.exec(stdout)?.[1];
    const result: PgbenchResult = {
      clients: opts.clients,
      tps: num(stdout, /tps = ([\d.]+) \(without initial connection time\)/, 'tps'),
      transactions: num(stdout, /number of transactions actually processed: (\d+)/, 'transaction count'),
      failed: failed === undefined ? 0 : Number(failed),
      latencyAvgMs: num(stdout, /latency average = ([\d.]+) ms/, 'latency average'),
      machineBusy,
    };
    if (logDir) {
      // Each line: client_id transaction_no time_us script_no time_epoch time_us_part …
      const us: number[] = [];
      for (const f of await readdir(logDir)) {
        for (const line of (await readFile(join(logDir, f), 'utf8')).split('\n')) {
          const t = line.split(' ')[2];
          if (t !== undefined) us.push(Number(t) / 1000);
        }
      }
      us.sort((a, b) => a - b);
      result.p50 = percentile(us, 50);
      result.p99 = percentile(us, 99);
    }
    return result;
  } finally {
    if (logDir) await rm(logDir, { recursive: true, force: true });
  }
}
