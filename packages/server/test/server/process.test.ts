// The server as its users run it: `node src/main.ts` (what `npm start` runs) in a child process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort, storeName } from '../helpers/app.ts';

const serverDir = join(import.meta.dirname, '..', '..');

interface Proc { child: ChildProcess; out: () => string; exited: Promise<number | null> }

function startServer(env: Record<string, string>): Proc {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function waitFor(proc: Proc, text: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!proc.out().includes(text)) {
    if (Date.now() > end || proc.child.exitCode !== null) throw new Error(`did not print "${text}":\n${proc.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`server process (${storeName})`, () => {
  let dataDir: string;
  let databaseUrl: string | null = null;
  let dbName: string | null = null;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-proc-'));
    if (process.env.DATABASE_URL) {
      dbName = `tessera_proc_${randomBytes(4).toString('hex')}`;
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`CREATE DATABASE ${dbName}`);
      await c.end();
      const u = new URL(process.env.DATABASE_URL);
      u.pathname = `/${dbName}`;
      databaseUrl = u.href;
    }
  });
  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (dbName) {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
  });

  const env = (port: number) => ({ PORT: String(port), TESSERA_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });

  it('starts, prints how to use it, generates and keeps a secret key, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const p = startServer(env(port));
    await waitFor(p, 'Authenticate with');
    const out = p.out();
    assert.match(out, new RegExp(`Tessera is running at http://127\\.0\\.0\\.1:${port}`));
    assert.match(out, databaseUrl ? /Database: +PostgreSQL/ : /Database: +embedded PGlite/);
    assert.match(out, /dev mailbox at http:\/\/localhost:\d+\/dev\/mailbox/);
    const key = /(sk_test_[0-9A-Za-z]+)/.exec(out)?.[1];
    assert.ok(key, 'the generated key is printed');
    const keyFile = join(dataDir, 'secret_key');
    assert.equal(readFileSync(keyFile, 'utf8').trim(), key);
    assert.equal(statSync(keyFile).mode & 0o077, 0, 'the key file is private to its owner');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200);
    const created = await fetch(`http://127.0.0.1:${port}/v1/invitations`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ email_address: 'proc@example.com' }),
    });
    assert.equal(created.status, 200);

    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);

    // Second start: same key, not printed again, data kept.
    const port2 = await freePort();
    const p2 = startServer(env(port2));
    await waitFor(p2, 'Authenticate with');
    assert.ok(!p2.out().includes(key!), 'the key is printed only once');
    const list = await fetch(`http://127.0.0.1:${port2}/v1/invitations?query=proc`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(((await list.json()) as unknown[]).length, 1);
    p2.child.kill('SIGINT');
    assert.equal(await p2.exited, 0);
  });

  it('finishes an in-flight request before exiting on SIGTERM', async () => {
    const port = await freePort();
    const p = startServer(env(port));
    await waitFor(p, 'Authenticate with');
    const key = readFileSync(join(dataDir, 'secret_key'), 'utf8').trim();
    const body = JSON.stringify({ email_address: 'inflight@example.com' });
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let response = '';
    sock.on('data', (d) => (response += String(d)));
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    // Send the headers and half the body, signal, then the rest: the request is in flight.
    sock.write(`POST /v1/invitations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    sock.write(body.slice(10));
    await closed;
    assert.match(response, /^HTTP\/1\.1 200/);
    assert.match(response, /"email_address":"inflight@example.com"/);
    assert.equal(await p.exited, 0);
  });

  it('refuses to start on a bad variable, naming it', async () => {
    const p = startServer({ ...env(await freePort()), PORT: 'abc' });
    assert.equal(await p.exited, 1);
    assert.match(p.out(), /PORT must be a whole number/);
  });

  it('runs migrations with npm run migrate (exit 0, idempotent)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-migrate-'));
    try {
      for (const expected of [/applied: 2026_11_22_0001_initial/, /up to date/]) {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/db/migrate.ts'], { cwd: serverDir, env: { PATH: process.env.PATH ?? '', TESSERA_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => (out += String(d)));
        child.stderr.on('data', (d) => (out += String(d)));
        const code = await new Promise<number | null>((r) => child.on('exit', r));
        assert.equal(code, 0, out);
        assert.match(out, expected);
      }
      assert.ok(existsSync(join(dir, 'pgdata')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
