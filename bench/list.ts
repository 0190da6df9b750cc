// P5: GET /v1/invitations with a status filter, a page of 20, at 10k and then 1M rows, against
// the same SQL run by pgbench. Two variants: paginated=true ({data,total_count}, what
// @clerk/backend sends: the page query plus the total_count queries) and the bare array (the page
// query only). Not a test: it prints figures and never fails because a run was slow.
//
//   npm run bench:list
//   env: BENCH_DATABASE_URL (maintenance connection, default postgres://postgres@127.0.0.1:5432/postgres),
//        BENCH_SECONDS (length of every HTTP and pgbench run, default 10).
//
// Also GET /v1/organizations/{org}/invitations?status=pending&limit=20 ({data,total_count}
// always) for ONE organization seeded with 10k and then 1M organization invitations (same mix),
// HTTP only; the queries the server sends for its total_count (countOrganizationInvitations:
// per-organization counters and the organization's pending rows past expiry) are timed with
// EXPLAIN ANALYZE to tell whether they stay flat.
//
// At each size: seed (straight SQL), start the server, let its expiry sweeper catch up (bounded
// wait: 10% of the seed is pending past expiry), VACUUM ANALYZE, EXPLAIN ANALYZE the server's
// queries, then HTTP paginated, pgbench paginated, HTTP bare, pgbench page — one at a time, each
// HTTP figure next to its reference, so a burst of noise from elsewhere hits both alike.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { withCleanup } from './lib/cleanup.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { runPgbench, type PgbenchResult } from './lib/pgbench.ts';
import { dropDatabase, recreateDatabase, withClient } from './lib/postgres.ts';
import { envSeconds, heading, int, ms, printMachine, ratio } from './lib/report.ts';
import { seedInvitations, seedOrganizationInvitations } from './lib/seed.ts';
import { createBenchOrganization } from './lib/organization.ts';
import { inlineParameters, normalizeSql, scriptStatements, serverListQueries, serverOrgCountQueries, type CompiledQuery } from './lib/server-queries.ts';
import { startServer, type RunningServer } from './lib/server.ts';

const SQL = join(dirname(fileURLToPath(import.meta.url)), 'sql');
const SIZES = [10_000, 1_000_000] as const;
const CONNECTIONS = 8;
const LIMIT = 20;
const SECONDS = envSeconds('BENCH_SECONDS', 10);
const WARMUP_SECONDS = 2;
const SWEEP_WAIT_SECONDS = 90;
const P5_P99_GOAL_MS = 20;
/** Our reading of "the cost stays flat": p99 at 1M at most this many times p99 at 10k. */
const FLAT_MAX = 1.5;
const DB = 'tessera_bench_list';
/** Pending rows past expiry, application and organization invitations (the server's sweeper rewrites both). */
const STALE_SQL = `SELECT (SELECT count(*) FROM invitations WHERE status = 'pending' AND expires_at <= now())
  + (SELECT count(*) FROM organization_invitations WHERE status = 'pending' AND expires_at <= now()) AS n`;

type Variant = 'paginated' | 'bare';
const PATHS: Record<Variant, string> = {
  paginated: `/v1/invitations?status=pending&limit=${LIMIT}&paginated=true`,
  bare: `/v1/invitations?status=pending&limit=${LIMIT}`,
};
const REFERENCE: Record<Variant, { script: string; label: string }> = {
  paginated: { script: 'list_paginated.sql', label: 'page + total_count queries' },
  bare: { script: 'list_page.sql', label: 'page SELECT' },
};

const orgPath = (orgId: string) => `/v1/organizations/${orgId}/invitations?status=pending&limit=${LIMIT}`;
/** The exact answer for total_count of the org list (status=pending), to check the server's (not what it runs). */
const ORG_EXACT_COUNT_SQL = `SELECT count(*) AS n FROM organization_invitations AS i WHERE i.organization_id = $1 AND (i.status = 'pending' AND i.expires_at > now())`;

interface OrgMeasured {
  http: LoadResult;
  /** Database time of every query the server sends for total_count (EXPLAIN ANALYZE), summed. */
  countMs: number;
  counts: Explained[];
}

interface Measured {
  http: LoadResult;
  pg: PgbenchResult;
}

interface Explained {
  sql: string;
  execMs: number;
  plan: string[];
  /** Parallel workers the plan launched for this one execution (0 for a serial plan). */
  workers: number;
}

/** Says whether bench/sql still holds the SQL the server sends today (others edit the server). */
async function checkScripts(queries: Record<Variant, CompiledQuery[]>): Promise<boolean> {
  let allMatch = true;
  for (const variant of ['paginated', 'bare'] as const) {
    const file = REFERENCE[variant].script;
    const want = queries[variant].map((q) => normalizeSql(inlineParameters(q))).join('; ');
    const got = scriptStatements(await readFile(join(SQL, file), 'utf8')).join('; ');
    const match = got === want;
    allMatch &&= match;
    console.log(`bench/sql/${file}: ${match ? 'matches the SQL the server sends' : `DIFFERS from the SQL the server sends now — update it:\n  server: ${want}\n  file:   ${got}`}`);
  }
  return allMatch;
}

/** EXPLAIN ANALYZE with the session settings the server's connections have (db/open.ts: parallel query off). */
async function explain(c: pg.Client, q: CompiledQuery): Promise<Explained> {
  await c.query('BEGIN');
  await c.query('SET LOCAL max_parallel_workers_per_gather = 0');
  const r = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [...q.parameters]).finally(() => c.query('COMMIT'));
  const plan = r.rows.map((row) => row['QUERY PLAN']);
  const execMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? Number.NaN);
  const workers = plan.reduce((n, l) => n + Number(/Workers Launched: (\d+)/.exec(l)?.[1] ?? 0), 0);
  return { sql: normalizeSql(inlineParameters(q)), execMs, plan, workers };
}

function printPlan(label: string, e: Explained): void {
  console.log(`EXPLAIN ANALYZE ${label}: ${e.sql}\n${e.plan.map((l) => `    ${l}`).join('\n')}`);
}

async function staleRows(c: pg.Client): Promise<number> {
  return (await c.query<{ n: number }>(STALE_SQL)).rows[0]?.n ?? 0;
}

/** Waits (bounded) for the server's expiry sweeper to rewrite pending rows past expiry. */
async function awaitSweep(c: pg.Client, before: number, started: number): Promise<string> {
  const count = () => staleRows(c);
  let now = await count();
  let lastChange = Date.now();
  while (now > 0 && Date.now() - started < SWEEP_WAIT_SECONDS * 1000 && Date.now() - lastChange < 15_000) {
    await new Promise((r) => setTimeout(r, 1000));
    const n = await count();
    if (n !== now) lastChange = Date.now();
    now = n;
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  return now === 0
    ? `pending rows past expiry: ${int(before)} when seeded → 0 within ${secs} s of the server's start (its expiry sweeper rewrote them to 'expired')`
    : `pending rows past expiry: ${int(before)} when seeded → ${int(now)} ${secs} s after the server's start (not cleared; measured as they are)`;
}

function load(server: RunningServer, variant: Variant, seconds: number): Promise<LoadResult> {
  return runLoad({
    baseUrl: server.baseUrl,
    method: 'GET',
    path: PATHS[variant],
    connections: CONNECTIONS,
    seconds,
    headers: { authorization: `Bearer ${server.secretKey}` },
    serverCpuSeconds: server.cpuSeconds,
  });
}

/** One request of each variant, checked against the database, before any timing. */
async function checkAnswers(server: RunningServer, c: pg.Client): Promise<void> {
  const want = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM invitations WHERE status = 'pending' AND expires_at > now()`)).rows[0]?.n;
  const get = async (v: Variant): Promise<unknown> => {
    const res = await fetch(`${server.baseUrl}${PATHS[v]}`, { headers: { authorization: `Bearer ${server.secretKey}` } });
    if (res.status !== 200) throw new Error(`GET ${PATHS[v]} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const p = (await get('paginated')) as { data?: unknown[]; total_count?: number };
  const b = (await get('bare')) as unknown[];
  const ok = p.data?.length === LIMIT && p.total_count === want && Array.isArray(b) && b.length === LIMIT;
  console.log(
    `answers: paginated ${p.data?.length ?? '?'} rows, total_count ${int(p.total_count ?? Number.NaN)} (database: ${int(want ?? Number.NaN)}); ` +
      `bare ${Array.isArray(b) ? b.length : '?'} rows — ${ok ? 'correct' : 'WRONG'}`,
  );
}

function line(r: LoadResult, cpu = false): string {
  const base = `${int(r.rps)} req/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, non-2xx ${int(r.non2xx)}, errors ${int(r.errors)}`;
  return cpu ? `${base}; CPU per request: server ${ms(r.serverCpuMsPerRequest)}, load generator ${ms(r.clientCpuMsPerRequest)}` : base;
}

/** One org-list request checked against the database, then EXPLAIN ANALYZE of its total_count, then the load. */
async function benchOrgList(server: RunningServer, c: pg.Client, orgId: string, size: number): Promise<OrgMeasured> {
  const want = Number((await c.query<{ n: string }>(ORG_EXACT_COUNT_SQL, [orgId])).rows[0]?.n ?? Number.NaN);
  const res = await fetch(`${server.baseUrl}${orgPath(orgId)}`, { headers: { authorization: `Bearer ${server.secretKey}` } });
  if (res.status !== 200) throw new Error(`GET ${orgPath(orgId)} answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { data?: unknown[]; total_count?: number };
  const ok = body.data?.length === LIMIT && body.total_count === want;
  console.log(`org answer: ${body.data?.length ?? '?'} rows, total_count ${int(body.total_count ?? Number.NaN)} (database: ${int(want)}) — ${ok ? 'correct' : 'WRONG'}`);
  // What the server runs for total_count, compiled from its repository (countOrganizationInvitations).
  const counts: Explained[] = [];
  for (const q of await serverOrgCountQueries(orgId)) {
    const e = await explain(c, q);
    counts.push(e);
    printPlan('org total_count query (countOrganizationInvitations)', e);
  }
  const countMs = counts.reduce((sum, e) => sum + e.execMs, 0);
  const opts = {
    baseUrl: server.baseUrl,
    method: 'GET' as const,
    path: orgPath(orgId),
    connections: CONNECTIONS,
    headers: { authorization: `Bearer ${server.secretKey}` },
    serverCpuSeconds: server.cpuSeconds,
  };
  await runLoad({ ...opts, seconds: WARMUP_SECONDS });
  const http = await runLoad({ ...opts, seconds: SECONDS });
  console.log(`list organization invitations @${int(size)}: ${line(http, true)}`);
  return { http, countMs, counts };
}

async function main(): Promise<void> {
  await printMachine('bench:list (P5)');
  const { page, counts } = await serverListQueries(LIMIT);
  await checkScripts({ paginated: [page, ...counts], bare: [page] });

  const results = new Map<number, Record<Variant, Measured>>();
  const plans = new Map<number, { page: Explained; counts: Explained[] }>();
  const orgResults = new Map<number, OrgMeasured>();
  await withCleanup(async (defer) => {
    defer(`drop ${DB}`, () => dropDatabase(DB));
    const url = await recreateDatabase(DB);
    const first = await startServer({ databaseUrl: url, inProcessWorker: true }); // migrates
    let orgId: string;
    try {
      orgId = await createBenchOrganization(first);
    } finally {
      await first.stop();
    }
    console.log(`organization for the org list: ${orgId}`);

    let seeded = 0;
    for (const size of SIZES) {
      heading(`${int(size)} invitations (70% pending, 10% pending but past expiry, 10% accepted, 10% revoked), c=${CONNECTIONS}, ${SECONDS} s per run`);
      const { secs, orgSecs, stale } = await withClient(url, async (c) => {
        const s = await seedInvitations(c, seeded + 1, size - seeded, 'realistic');
        await c.query('VACUUM ANALYZE invitations');
        const o = await seedOrganizationInvitations(c, orgId, seeded + 1, size - seeded);
        await c.query('VACUUM ANALYZE organization_invitations');
        return { secs: s, orgSecs: o, stale: await staleRows(c) };
      });
      seeded = size;
      console.log(`seeded up to ${int(size)} rows in ${secs.toFixed(1)} s, and up to ${int(size)} organization invitations of ${orgId} in ${orgSecs.toFixed(1)} s, then VACUUM ANALYZE`);

      const serverStarted = Date.now();
      const server = await startServer({ databaseUrl: url, inProcessWorker: true });
      defer(`stop the server (${int(size)})`, () => server.stop());
      try {
        await withClient(url, async (c) => {
          console.log(await awaitSweep(c, stale, serverStarted));
          await c.query('VACUUM ANALYZE invitations');
          await c.query('VACUUM ANALYZE organization_invitations');
          await checkAnswers(server, c);
          const explained = { page: await explain(c, page), counts: [] as Explained[] };
          for (const q of counts) explained.counts.push(await explain(c, q));
          printPlan('page query', explained.page);
          explained.counts.forEach((e, i) => printPlan(`total_count query ${i + 1}/${explained.counts.length}`, e));
          plans.set(size, explained);
        });
        await load(server, 'paginated', WARMUP_SECONDS);
        const measured = {} as Record<Variant, Measured>;
        for (const variant of ['paginated', 'bare'] as const) {
          const http = await load(server, variant, SECONDS);
          console.log(`list ${variant} @${int(size)}: ${line(http, true)}`);
          const ref = REFERENCE[variant];
          const pgr = await runPgbench({ databaseUrl: url, script: join(SQL, ref.script), clients: CONNECTIONS, threads: 2, seconds: SECONDS, mode: 'prepared', latencies: true });
          console.log(`pgbench ${ref.label} @${int(size)}: ${int(pgr.tps)} TPS, p50 ${ms(pgr.p50 ?? Number.NaN)}, p99 ${ms(pgr.p99 ?? Number.NaN)}, failed ${int(pgr.failed)}`);
          measured[variant] = { http, pg: pgr };
        }
        results.set(size, measured);
        orgResults.set(size, await withClient(url, (c) => benchOrgList(server, c, orgId, size)));
        console.log(`server log lines at warn or above: ${server.warnings()}`);
      } finally {
        await server.stop();
      }
    }
  });

  heading(`summary (P5: p99 ≤ ${P5_P99_GOAL_MS} ms at 1M; flat from 10k to 1M, read here as 1M p99 ÷ 10k p99 ≤ ${FLAT_MAX})`);
  const [small, big] = SIZES;
  for (const variant of ['paginated', 'bare'] as const) {
    for (const size of SIZES) {
      const m = results.get(size)?.[variant];
      if (!m) continue;
      console.log(
        `list ${variant} @${int(size)}: ${line(m.http)}; pgbench ${REFERENCE[variant].label}: ${int(m.pg.tps)} TPS, p99 ${ms(m.pg.p99 ?? Number.NaN)}; ` +
          `ratio ${ratio(m.http.rps / m.pg.tps)} (req/s ÷ TPS)`,
      );
    }
    const a = results.get(small)?.[variant];
    const b = results.get(big)?.[variant];
    if (!a || !b) continue;
    const growth = b.http.p99 / a.http.p99;
    console.log(
      `list ${variant}: p99 at 1M ${ms(b.http.p99)} (goal ≤ ${P5_P99_GOAL_MS} ms: ${b.http.p99 <= P5_P99_GOAL_MS ? 'met' : 'NOT MET'}); ` +
        `1M p99 ÷ 10k p99 = ${ratio(growth)} — ${growth <= FLAT_MAX ? 'flat' : 'NOT FLAT'}`,
    );
  }

  // Organization invitations: one organization holding every row.
  for (const size of SIZES) {
    const m = orgResults.get(size);
    if (m) console.log(`list organization invitations @${int(size)}: ${line(m.http)}; total_count queries in the database ${ms(m.countMs)} (${m.counts.map((e) => ms(e.execMs)).join(' + ')})`);
  }
  const oa = orgResults.get(small);
  const ob = orgResults.get(big);
  if (oa && ob) {
    const growth = ob.http.p99 / oa.http.p99;
    console.log(
      `list organization invitations: p99 at 1M ${ms(ob.http.p99)} (goal ≤ ${P5_P99_GOAL_MS} ms: ${ob.http.p99 <= P5_P99_GOAL_MS ? 'met' : 'NOT MET'}); ` +
        `1M p99 ÷ 10k p99 = ${ratio(growth)} — ${growth <= FLAT_MAX ? 'flat' : 'NOT FLAT'}`,
    );
    const g = ob.countMs / oa.countMs;
    console.log(
      ob.countMs > 1 && g > FLAT_MAX
        ? `organization total_count is NOT FLAT: the queries countOrganizationInvitations sends take ${ms(oa.countMs)} at 10k → ${ms(ob.countMs)} at 1M (×${ratio(g)}) in the database alone; ` +
            ob.counts.map((e, i) => `query ${i + 1} ${ms(oa.counts[i]?.execMs ?? Number.NaN)} → ${ms(e.execMs)} (${e.sql.slice(0, 70)}…)`).join('; ')
        : `organization total_count in the database (countOrganizationInvitations, ${ob.counts.length} queries): ${ms(oa.countMs)} at 10k → ${ms(ob.countMs)} at 1M (×${ratio(g)}) — flat.`,
    );
  }

  // The database side, query by query: which one (if any) grows with the table.
  const pa = plans.get(small);
  const pb = plans.get(big);
  if (pa && pb) {
    const rows: [string, Explained, Explained | undefined][] = [['page query', pa.page, pb.page]];
    pa.counts.forEach((e, i) => rows.push([`total_count query ${i + 1} (${e.sql.slice(0, 70)}…)`, e, pb.counts[i]]));
    for (const [label, x, y] of rows) {
      if (!y) continue;
      const g = y.execMs / x.execMs;
      const parallel = y.workers > 0 ? `; at 1M it is a parallel plan: ${y.workers} worker processes launched for every execution` : '';
      console.log(`database time, ${label}: ${ms(x.execMs)} at 10k, ${ms(y.execMs)} at 1M (×${ratio(g)})${y.execMs > 1 && g > FLAT_MAX ? ' — GROWS WITH THE TABLE' : ''}${parallel}`);
    }
    const b = results.get(big)?.paginated;
    const a = results.get(small)?.paginated;
    const growing = pb.counts.filter((e, i) => e.execMs > 1 && e.execMs / (pa.counts[i]?.execMs ?? Number.NaN) > FLAT_MAX);
    if (a && b && b.http.p99 / a.http.p99 > FLAT_MAX) {
      console.log(
        growing.length > 0
          ? `paginated=true is NOT FLAT because of total_count: ${growing
              .map((e) => `"${e.sql}" takes ${ms(e.execMs)} at 1M${e.workers > 0 ? ` (parallel plan, ${e.workers} workers started per request)` : ''}`)
              .join('; ')}.`
          : 'paginated=true is NOT FLAT, yet no total_count query grows in EXPLAIN ANALYZE: look at the server (CPU per request above) and at noise (load avg).',
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:list failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
