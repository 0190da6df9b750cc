// `npm run worker` as its own process, sharing the outbox through PostgreSQL. Only with
// DATABASE_URL: an embedded PGlite data directory can be opened by one process at a time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { startTestApp, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { createInvitation, linkInText, onlyOutboxRow, waitUntil } from './mail-helpers.ts';

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function exitOf(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('npm run worker (separate process, postgres)', { skip: process.env.DATABASE_URL ? false : 'needs DATABASE_URL' }, () => {
  let t: TestApp;
  let sink: SmtpSink;
  let child: ChildProcess | null = null;
  let dataDir: string;
  before(async () => {
    sink = await startSmtpSink();
    // The server process: no in-process worker, so only the separate process can deliver.
    t = await startTestApp({ env: { SMTP_URL: sink.url, TESSERA_IN_PROCESS_WORKER: 'false' } });
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-worker-'));
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t.close();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a queued email and exits 0 on SIGTERM', async () => {
    const inv = await createInvitation(t, 'separate@example.com');
    assert.equal((await onlyOutboxRow(t)).status, 'pending');

    // The test app lives in its own schema: hand the child the same one through libpq `options`.
    const schema = (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(t.database.db)).rows[0]!.s;
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${schema}`);

    let output = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'src/mail/worker.main.ts'], {
      cwd: serverDir,
      env: {
        ...process.env,
        DATABASE_URL: url.href,
        TESSERA_SECRET_KEY: TEST_SECRET_KEY,
        TESSERA_PUBLIC_URL: t.config.publicUrl,
        TESSERA_DATA_DIR: dataDir,
        TESSERA_APP_NAME: 'Acme Test',
        SMTP_URL: sink.url,
        TESSERA_WORKER_POLL_MS: '50',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));

    const [mail] = await sink.waitFor(1, 15_000).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nworker output:\n${output}`);
    });
    assert.equal(linkInText(mail!.text), inv.url);
    await waitUntil(async () => (await onlyOutboxRow(t)).status === 'sent', 'the worker process to mark the row sent', 5000);
    assert.equal(mail!.messageId, (await onlyOutboxRow(t)).message_id);

    child.kill('SIGTERM');
    const exit = await exitOf(child, 10_000);
    assert.deepEqual(exit, { code: 0, signal: null }, `worker output:\n${output}`);
  });
});
