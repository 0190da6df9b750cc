// P1: POST /v1/invitations over HTTP on PostgreSQL, against the physical limit (pgbench running
// the spec's invite transaction), at 8 and 32 connections/clients. Not a test: it prints figures
// and never fails because a run was slow.
//
//   npm run bench:create
//   env: BENCH_DATABASE_URL (maintenance connection, default postgres://postgres@127.0.0.1:5432/postgres),
//        BENCH_SECONDS (HTTP run length, default 10), BENCH_PGBENCH_SECONDS (default 12, as the spec),
//        BENCH_WORKER_OFF_RUN=0 to skip the second server run with TESSERA_IN_PROCESS_WORKER=false,
//        BENCH_SHAPE_RUN=0 to skip the diagnostic pgbench run of sql/tessera_tx.sql.
//
// Also POST /v1/organizations/{org}/invitations (worker on only; a new organization per server
// start, unique addresses), compared with the same pgbench invite_tx figure (the spec's reference
// is an organization invitation: it is measured once per client count, not twice).
//
// sql/tessera_tx.sql (a diagnostic) runs the server's own create statement through pgbench on a copy
// of the Tessera database, to split the gap into database work and everything above it.
//
// Order, for each client count: the server with its in-process worker (fresh start, warm-up,
// run, wait for the outbox to drain, stop), the server without it, then pgbench — one at a time,
// and each HTTP figure next to its reference so noise from elsewhere on the machine hits both.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withCleanup } from './lib/cleanup.ts';
import { ok2xx, runLoad, type LoadResult } from './lib/load.ts';
import { runPgbench, type PgbenchResult } from './lib/pgbench.ts';
import { copyDatabase, dropDatabase, recreateDatabase, runSqlFile, withClient } from './lib/postgres.ts';
import { envSeconds, heading, int, ms, pct, printMachine, ratio } from './lib/report.ts';
import { seedInvitations, seedOrganizationsWithPendingInvitations } from './lib/seed.ts';
import { normalizeSql, scriptStatements, serverCreateStatements } from './lib/server-queries.ts';
import { startServer, stopAllServers, whileRunning, type RunningServer } from './lib/server.ts';
import { createBenchOrganization } from './lib/organization.ts';

const SQL = join(dirname(fileURLToPath(import.meta.url)), 'sql');
const CLIENTS = [8, 32] as const;
const PRELOAD = 300_000;
/** Organizations the organization-invitation preload is spread over (the spec's reference: 300k rows over 1,000 organizations). */
const PRELOAD_ORGANIZATIONS = 1_000;
const SECONDS = envSeconds('BENCH_SECONDS', 10);
const WARMUP_SECONDS = 3;
const PGBENCH_SECONDS = envSeconds('BENCH_PGBENCH_SECONDS', 12);
const WORKER_OFF_RUN = process.env.BENCH_WORKER_OFF_RUN !== '0';
const SHAPE_RUN = process.env.BENCH_SHAPE_RUN !== '0';
const P1_RATIO_GOAL = 0.5;
const P1_RATIO_STRETCH = 0.65;
const P1_P99_GOAL_MS = 25;

const TESSERA_DB = 'tessera_bench_create';
const PGBENCH_DB = 'tessera_bench_create_pgbench';
/** A copy of the preloaded Tessera database for sql/tessera_tx.sql, so its rows never reach the server's outbox. */
const SHAPE_DB = 'tessera_bench_create_shape';

/** One counter for the whole process, so every request (warm-ups included) has its own address. */
let emailCounter = 0;
const nextBody = () => JSON.stringify({ email_address: `b${++emailCounter}@example.com` });

const nextOrgBody = () => JSON.stringify({ email_address: `o${++emailCounter}@example.com`, role: 'org:member' });

function createOrgLoad(server: RunningServer, orgId: string, connections: number, seconds: number): Promise<LoadResult> {
  return runLoad({
    baseUrl: server.baseUrl,
    method: 'POST',
    path: `/v1/organizations/${orgId}/invitations`,
    connections,
    seconds,
    headers: { authorization: `Bearer ${server.secretKey}`, 'content-type': 'application/json' },
    body: nextOrgBody,
    serverCpuSeconds: server.cpuSeconds,
  });
}


/**
 * POST /v1/organizations/{org}/invitations with the in-process worker on: one server start, a new
 * organization (max_allowed_memberships 0 = unlimited, the fast path), a warm-up and one measured run.
 */
async function benchOrgServer(databaseUrl: string, connections: number): Promise<LoadResult> {
  const server = await startServer({ databaseUrl, inProcessWorker: true });
  return whileRunning(server, async () => {
    const orgId = await createBenchOrganization(server);
    const warm = await createOrgLoad(server, orgId, connections, WARMUP_SECONDS);
    const r = await createOrgLoad(server, orgId, connections, SECONDS);
    console.log(`create-organization-invitation (worker on) c=${connections}: ${describeLoad(r)}`);
    await withClient(databaseUrl, async (c) => {
      const ok = ok2xx(warm) + ok2xx(r);
      const created = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM organization_invitations WHERE organization_id = $1', [orgId])).rows[0]?.n ?? 0;
      const consistent = created >= ok && created - ok <= 2 * connections;
      console.log(`  check: org ${orgId}: ${int(ok)} answers 2xx (warm-up included), ${int(created)} organization invitation rows — ${consistent ? `consistent (${created - ok} in flight when the runs stopped)` : 'MISMATCH'}`);
      console.log(`  ${await watchOutbox(c)}`);
    });
    return r;
  });
}

function createLoad(server: RunningServer, connections: number, seconds: number): Promise<LoadResult> {
  return runLoad({
    baseUrl: server.baseUrl,
    method: 'POST',
    path: '/v1/invitations',
    connections,
    seconds,
    headers: { authorization: `Bearer ${server.secretKey}`, 'content-type': 'application/json' },
    body: nextBody,
    serverCpuSeconds: server.cpuSeconds,
  });
}

/**
 * Says whether sql/tessera_tx.sql still holds what the server sends for one create: the file's
 * only freedoms are the JSON input built from pgbench variables, which stands for the server's $1,
 * and $2 (all or nothing) written as false.
 */
async function checkShapeScript(): Promise<void> {
  const server = await serverCreateStatements();
  if (!server) {
    console.log('sql/tessera_tx.sql: could not compile the server\'s create statement to compare (insertInvitationsIfFree changed?) — its figure may not reflect the server');
    return;
  }
  const file = scriptStatements(await readFile(join(SQL, 'tessera_tx.sql'), 'utf8')).map((st) => {
    const start = st.indexOf('jsonb_to_recordset(');
    const end = st.indexOf('::jsonb) AS x(');
    return start >= 0 && end > start ? `${st.slice(0, start + 'jsonb_to_recordset('.length)}$1${st.slice(end)}` : st;
  });
  // $2 (all or nothing) is written false in the file: the statement a coalesced batch runs.
  const want = server.map((q) => normalizeSql(q.sql).replace('$2::boolean', 'false::boolean'));
  const same = file.length === want.length && file.every((st, i) => st === want[i]);
  console.log(
    same
      ? `sql/tessera_tx.sql: matches the statement the server sends for a create (${want.length} statement${want.length === 1 ? '' : 's'})`
      : `sql/tessera_tx.sql: DIFFERS from what the server sends for a create now — update it:\n  server: ${want.join('; ')}\n  file:   ${file.join('; ')}`,
  );
}

function describeLoad(r: LoadResult): string {
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}×${int(n)}`)
    .join(' ');
  return `${int(r.rps)} req/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}, errors ${int(r.errors)} (timeouts ${int(r.timeouts)}) [${codes}]; CPU per request: server ${ms(r.serverCpuMsPerRequest)}, load generator ${ms(r.clientCpuMsPerRequest)}; machine busy ${pct(r.machineBusy)} (all ${availableParallelism()} cores)`;
}

interface OutboxState {
  pending: number;
  sent: number;
  dead: number;
  devEmails: number;
}

async function outboxState(c: pg.Client): Promise<OutboxState> {
  const r = await c.query<{ status: string; n: number; mailbox: number }>('SELECT status, count(*)::int AS n, count(*) FILTER (WHERE mailbox)::int AS mailbox FROM outbox GROUP BY status');
  const by = Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  return { pending: by.pending ?? 0, sent: by.sent ?? 0, dead: by.dead ?? 0, devEmails: r.rows.reduce((n, x) => n + x.mailbox, 0) };
}

/**
 * After the load: is every email delivered? Without SMTP_URL (as here) the server delivers its
 * emails into the dev mailbox at commit; anything still pending would be the worker's. Bounded wait.
 */
async function watchOutbox(c: pg.Client): Promise<string> {
  const start = Date.now();
  const first = await outboxState(c);
  let last = first;
  let lastProgress = Date.now();
  while (last.pending > 0 && Date.now() - start < 30_000 && Date.now() - lastProgress < 3_000) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await outboxState(c);
    if (now.pending < last.pending) lastProgress = Date.now();
    last = now;
  }
  const secs = (Date.now() - start) / 1000;
  const drained = first.pending - last.pending;
  const verdict =
    last.sent === 0 && last.devEmails === 0
      ? 'NOTHING DELIVERED: the outbox worker did not send any email (is it implemented yet?)'
      : last.pending === 0
        ? `outbox drained (${int(drained)} more in ${secs.toFixed(1)} s after the load)`
        : `${int(last.pending)} still pending ${secs.toFixed(1)} s after the load`;
  return `outbox: ${int(last.sent)} sent, ${int(last.pending)} pending, ${int(last.dead)} dead; dev mailbox: ${int(last.devEmails)} emails — ${verdict}`;
}

/** One server start, a warm-up and one measured run at `connections`; the server is stopped after. */
async function benchServer(databaseUrl: string, inProcessWorker: boolean, connections: number): Promise<LoadResult> {
  const label = `worker ${inProcessWorker ? 'on' : 'off'}`;
  const server = await startServer({ databaseUrl, inProcessWorker });
  return whileRunning(server, async () => {
    const rowsBefore = await countRows(databaseUrl);
    const warm = await createLoad(server, connections, WARMUP_SECONDS);
    const r = await createLoad(server, connections, SECONDS);
    console.log(`create-invitation (${label}) c=${connections}: ${describeLoad(r)}`);
    await withClient(databaseUrl, async (c) => {
      // A run stops at its deadline with up to `connections` requests in flight: those commit
      // but their answers are not counted, so rows may exceed the 200s by at most that much.
      const ok = (warm.statusCodes['200'] ?? 0) + (r.statusCodes['200'] ?? 0);
      const created = (await countRows(databaseUrl)) - rowsBefore;
      const consistent = created >= ok && created - ok <= 2 * connections;
      console.log(`  check: ${int(ok)} answers 200 (warm-up included), ${int(created)} invitation rows created — ${consistent ? `consistent (${created - ok} in flight when the runs stopped)` : 'MISMATCH'}`);
      if (inProcessWorker) {
        console.log(`  ${await watchOutbox(c)}`);
      } else {
        // Nobody sends these; left in place, the next worker-on run would drain them mid-measurement.
        const left = await c.query('DELETE FROM outbox WHERE status = $1', ['pending']);
        console.log(`  outbox: ${int(left.rowCount ?? 0)} unsent rows deleted (no worker in this run)`);
      }
    });
    return r;
  });
}

async function countRows(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM invitations')).rows[0]?.n ?? 0);
}

/** The reference database: the spec's schema and 300k pending rows. Returns its URL. */
async function preparePgbench(): Promise<string> {
  const url = await recreateDatabase(PGBENCH_DB);
  const started = Date.now();
  await withClient(url, async (c) => {
    await runSqlFile(c, join(SQL, 'invite_schema.sql'));
    await runSqlFile(c, join(SQL, 'invite_preload.sql'));
    await c.query('VACUUM ANALYZE');
  });
  console.log(`reference database ${PGBENCH_DB}: spec schema + ${int(PRELOAD)} pending rows preloaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return url;
}

async function benchPgbench(url: string, script: string, label: string, clients: number): Promise<PgbenchResult> {
  const r = await runPgbench({ databaseUrl: url, script: join(SQL, script), clients, threads: 2, seconds: PGBENCH_SECONDS, mode: 'prepared' });
  console.log(`pgbench ${label} c=${clients}: ${int(r.tps)} TPS, latency avg ${ms(r.latencyAvgMs)}, failed ${int(r.failed)}; machine busy ${pct(r.machineBusy)}`);
  return r;
}

async function main(): Promise<void> {
  await printMachine('bench:create (P1)');
  if (SHAPE_RUN) await checkShapeScript();
  await withCleanup(async (defer) => {
    defer(`drop ${TESSERA_DB}`, () => dropDatabase(TESSERA_DB));
    defer(`drop ${PGBENCH_DB}`, () => dropDatabase(PGBENCH_DB));
    defer(`drop ${SHAPE_DB}`, () => dropDatabase(SHAPE_DB));
    defer('stop any server still running', stopAllServers); // runs first

    const url = await recreateDatabase(TESSERA_DB);
    // The first start migrates the schema; then the same preload as the reference gets.
    const migrate = await startServer({ databaseUrl: url, inProcessWorker: false });
    await migrate.stop();
    const secs = await withClient(url, async (c) => {
      const s = await seedInvitations(c, 1, PRELOAD, 'pending');
      const o = await seedOrganizationsWithPendingInvitations(c, PRELOAD_ORGANIZATIONS, PRELOAD / PRELOAD_ORGANIZATIONS);
      await c.query('VACUUM ANALYZE');
      return s + o;
    });
    console.log(
      `Tessera database ${TESSERA_DB}: migrated, ${int(PRELOAD)} pending invitations and ${int(PRELOAD_ORGANIZATIONS)} organizations with ` +
        `${int(PRELOAD / PRELOAD_ORGANIZATIONS)} pending invitations each preloaded in ${secs.toFixed(1)} s`,
    );
    const shapeUrl = SHAPE_RUN ? await copyDatabase(TESSERA_DB, SHAPE_DB) : null;
    const pgbenchUrl = await preparePgbench();

    const on = new Map<number, LoadResult>();
    const off = new Map<number, LoadResult>();
    const ref = new Map<number, PgbenchResult>();
    const shape = new Map<number, PgbenchResult>();
    const org = new Map<number, LoadResult>();
    for (const c of CLIENTS) {
      heading(`c=${c}: Tessera POST /v1/invitations and POST /v1/organizations/{org}/invitations (${WARMUP_SECONDS} s warm-up + ${SECONDS} s each), then pgbench (${PGBENCH_SECONDS} s); one at a time`);
      on.set(c, await benchServer(url, true, c));
      org.set(c, await benchOrgServer(url, c));
      if (WORKER_OFF_RUN) off.set(c, await benchServer(url, false, c));
      ref.set(c, await benchPgbench(pgbenchUrl, 'invite_tx.sql', 'invite_tx (reference)', c));
      if (shapeUrl) shape.set(c, await benchPgbench(shapeUrl, 'tessera_tx.sql', "tessera_tx (the server's own create statement, Tessera schema)", c));
    }

    heading('summary (P1: ratio ≥ 0.5, stretch 0.65, at c=8; p99 ≤ 25 ms at c=32; zero 5xx)');
    const lines: [string, Map<number, LoadResult>][] = [['create-invitation', on]];
    if (WORKER_OFF_RUN) lines.push(['create-invitation (worker off)', off]);
    lines.push(['create-organization-invitation', org]);
    for (const [name, runs] of lines) {
      for (const c of CLIENTS) {
        const r = runs.get(c);
        const p = ref.get(c);
        if (!r || !p) continue;
        const q = r.rps / p.tps;
        const goal = c === 8 ? ` (goal ≥ ${P1_RATIO_GOAL}, stretch ${P1_RATIO_STRETCH}: ${q >= P1_RATIO_STRETCH ? 'stretch met' : q >= P1_RATIO_GOAL ? 'met' : 'NOT MET'})` : '';
        console.log(
          `${name} c=${c}: ${int(r.rps)} req/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}, errors ${int(r.errors)}; ` +
            `pgbench invite_tx c=${c}: ${int(p.tps)} TPS; ratio ${ratio(q)}${goal}`,
        );
      }
      const r32 = runs.get(32);
      if (r32) console.log(`${name} p99 at c=32: ${ms(r32.p99)} (goal ≤ ${P1_P99_GOAL_MS} ms: ${r32.p99 <= P1_P99_GOAL_MS ? 'met' : 'NOT MET'})`);
      const fivexx = [...runs.values()].reduce((n, r) => n + r.status5xx, 0);
      console.log(`${name} 5xx responses: ${int(fivexx)} (goal 0: ${fivexx === 0 ? 'met' : 'NOT MET'})`);
    }
    // Where the gap comes from: the transaction's shape in PostgreSQL vs. everything above it.
    for (const c of CLIENTS) {
      const r = on.get(c);
      const p = ref.get(c);
      const t = shape.get(c);
      if (!r || !p || !t) continue;
      console.log(
        `breakdown c=${c}: tessera_tx ÷ invite_tx = ${ratio(t.tps / p.tps)} (the database work of the server's transaction); ` +
          `create-invitation ÷ tessera_tx = ${ratio(r.rps / t.tps)} (HTTP, Node.js, Kysely, pg on top of it)`,
      );
    }
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:create failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
