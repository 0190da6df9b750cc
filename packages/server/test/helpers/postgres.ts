// For PostgreSQL-only tests that play "another process": a second connection into the test app's
// own schema, and a wait until a request of the app is blocked by that connection's locks.
import assert from 'node:assert/strict';
import pg from 'pg';
import type { TestApp } from './app.ts';

export async function connectAsAnotherProcess(t: TestApp): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL, options: `-c search_path=${t.database.schema}` });
  await c.connect();
  return c;
}

/** Resolves once some backend waits on a lock that `holder` holds (10 s at most). */
export async function waitUntilBlockedBy(holder: pg.Client, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await holder.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))');
    if (r.rows[0].n > 0) return;
    assert.ok(Date.now() < deadline, `${what} never waited`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
