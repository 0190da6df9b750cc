// The proof that a limit is global: two real server processes (`node src/main.ts`, as `npm start`
// runs it) on one PostgreSQL database, with the same secret key, share one counter: requests
// alternated between them are refused at the limit, whichever process they reach. Once with the
// PostgreSQL store, once with Redis. Only with DATABASE_URL: two processes cannot share an embedded
// PGlite.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from '../helpers/app.ts';

const serverDir = join(import.meta.dirname, '..', '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET_KEY = `sk_test_rate_limit_processes_${randomBytes(8).toString('hex')}`;

interface Proc { child: ChildProcess; port: number; out: () => string; exited: Promise<number | null> }

async function startServer(env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', PORT: String(port), TESSERA_SECRET_KEY: SECRET_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const end = Date.now() + 30_000;
  while (!out.includes('Authenticate with')) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, out: () => out, exited };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null) return;
  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0, p.out());
}

let seq = 0;
async function createInvitation(p: Proc): Promise<{ status: number; retryAfter: string | null; code: string | undefined }> {
  const r = await fetch(`http://127.0.0.1:${p.port}/v1/invitations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email_address: `proc${++seq}@example.com`, notify: false }),
  });
  const body = (await r.json()) as { errors?: { code: string }[] };
  return { status: r.status, retryAfter: r.headers.get('retry-after'), code: body.errors?.[0]?.code };
}

describe('rate limits across server processes', { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL: two server processes cannot share an embedded PGlite' }, () => {
  let dataDir: string;
  let dbName: string;
  let databaseUrl: string;
  const running: Proc[] = [];
  const admin = () => new pg.Client({ connectionString: process.env.DATABASE_URL });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-rl-proc-'));
    dbName = `tessera_rl_${randomBytes(4).toString('hex')}`;
    const c = admin();
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/${dbName}`;
    databaseUrl = u.href;
  });
  after(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    const c = admin();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  });

  const cases: { store: string; banner: RegExp; env: () => Record<string, string> }[] = [
    { store: 'PostgreSQL', banner: /Rate limits: PostgreSQL/, env: () => ({}) },
    { store: 'Redis', banner: new RegExp(`Rate limits: Redis ${new URL(REDIS_URL).host.replace(/\./g, '\\.')}`), env: () => ({ REDIS_URL }) },
  ];
  for (const c of cases) {
    it(`limit 4/60s through ${c.store}: 2 requests to A and 2 to B pass, the next to either is 429`, async () => {
      const env = {
        DATABASE_URL: databaseUrl, TESSERA_DATA_DIR: dataDir, TESSERA_IN_PROCESS_WORKER: 'false',
        TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '4/60s', ...c.env(),
      };
      // One after the other: the first migrates and creates the instance, the second finds both.
      const a = await startServer(env);
      running.push(a);
      const b = await startServer(env);
      running.push(b);
      assert.match(a.out(), c.banner);
      assert.match(b.out(), c.banner);

      for (const p of [a, b, a, b]) assert.equal((await createInvitation(p)).status, 200);
      for (const p of [a, b, b, a]) {
        const r = await createInvitation(p);
        assert.equal(r.status, 429, `process on port ${p.port}`);
        assert.equal(r.code, 'too_many_requests');
        assert.match(r.retryAfter ?? '', /^\d+$/);
        const seconds = Number(r.retryAfter);
        assert.ok(seconds >= 1 && seconds <= 60, `Retry-After ${seconds}`);
      }
      // Reads are not the create limit, in either process.
      for (const p of [a, b]) {
        const list = await fetch(`http://127.0.0.1:${p.port}/v1/invitations`, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
        assert.equal(list.status, 200);
      }
      // And both close their store and exit cleanly.
      await stop(a);
      await stop(b);
    });
  }
});
