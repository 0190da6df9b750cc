// Better Auth, the comparison of bench:compare (P8): its server (bench/better-auth/server.ts) is a
// package of its own, installed on first use (`npm ci` in bench/better-auth, from its lockfile), so
// that neither the product's install nor CI carries it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchChildEnv, freePort, spawnServer, type RunningServer } from './server.ts';

export const BETTER_AUTH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../better-auth');

/** Installs bench/better-auth's packages when they are missing or older than its lockfile. */
export function ensureBetterAuthInstalled(): void {
  const marker = join(BETTER_AUTH_DIR, 'node_modules', '.package-lock.json');
  const lock = join(BETTER_AUTH_DIR, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs + 1000 >= statSync(lock).mtimeMs) return;
  console.log('bench:compare: installing Better Auth for the comparison (npm ci in bench/better-auth)…');
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: BETTER_AUTH_DIR, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm ci in bench/better-auth failed (exit ${r.status})`);
}

/** The version installed (its package.json; the package's exports do not include that file). */
export function betterAuthVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(BETTER_AUTH_DIR, 'node_modules', 'better-auth', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface BetterAuthOptions {
  databaseUrl: string;
  smtpUrl: string;
  /** advanced.backgroundTasks: the invitation email is sent after the answer, not awaited. */
  backgroundEmail: boolean;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
}

/** Starts bench/better-auth/server.ts (it creates its tables first) and waits until it answers. */
export async function startBetterAuth(o: BetterAuthOptions): Promise<RunningServer> {
  const port = await freePort();
  return spawnServer({
    args: [...(o.nodeArgs ?? []), '--import', 'tsx', 'server.ts'],
    cwd: BETTER_AUTH_DIR,
    env: {
      ...benchChildEnv(),
      // Better Auth's production behaviour (its origin check is off under NODE_ENV=test).
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: o.databaseUrl,
      SMTP_URL: o.smtpUrl,
      BA_BACKGROUND_EMAIL: o.backgroundEmail ? '1' : '0',
      BETTER_AUTH_TELEMETRY: '0',
    },
    port,
    readyPath: '/api/auth/ok',
    secretKey: '',
  });
}
