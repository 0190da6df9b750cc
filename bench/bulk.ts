// P6: a bulk create of 10 against one single create. Not a test: it prints figures and never fails
// because a run was slow.
//
//   npm run bench:bulk
//   env: BENCH_DATABASE_URL (maintenance connection, default postgres://postgres@127.0.0.1:5432/postgres),
//        BENCH_SECONDS (length of each measured run, default 10).
//
// The real server (bench/lib/server.ts) on a fresh PostgreSQL database, in-process outbox worker on
// (every email delivered into the dev mailbox, as in production), rate limits off. One connection
// (closed loop: the next request leaves when the previous one is answered), so a request's time is
// its latency with nothing queued in front of it. For application invitations, then organization
// invitations (one organization made through the API): 2 s warm-up + BENCH_SECONDS of single
// creates, then the same of bulk creates of 10 (`POST …/bulk`, all or nothing), every address
// unique. Figure: mean time of a bulk request ÷ mean time of a single create (p50s printed too).
// Goal (performance.md): ≤ 3×. Each run's 2xx answers are checked against the rows then stored
// (1 or 10 per answer).
import pg from 'pg';
import { withCleanup } from './lib/cleanup.ts';
import { ok2xx, runLoad, type LoadResult } from './lib/load.ts';
import { createBenchOrganization } from './lib/organization.ts';
import { dropDatabase, recreateDatabase, withClient } from './lib/postgres.ts';
import { envSeconds, heading, int, ms, printMachine, ratio } from './lib/report.ts';
import { startServer, stopAllServers, whileRunning, type RunningServer } from './lib/server.ts';

const SECONDS = envSeconds('BENCH_SECONDS', 10);
const WARMUP_SECONDS = 2;
const BULK = 10;
const GOAL = 3;
const DB = 'tessera_bench_bulk';

let counter = 0;
const address = () => `p6-${++counter}@example.com`;

interface Kind {
  name: string;
  path: string;
  item: () => Record<string, unknown>;
  table: 'invitations' | 'organization_invitations';
}

/** Mean time per answered request, in ms (1 connection: wall time ÷ requests). */
const meanMs = (r: LoadResult): number => (r.seconds * 1000) / Math.max(1, r.requests);

async function rows(c: pg.Client, table: Kind['table']): Promise<number> {
  return (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;
}

async function measure(server: RunningServer, url: string, kind: Kind, bulk: boolean): Promise<LoadResult> {
  const path = bulk ? `${kind.path}/bulk` : kind.path;
  const body = bulk ? () => JSON.stringify(Array.from({ length: BULK }, kind.item)) : () => JSON.stringify(kind.item());
  const run = (seconds: number) =>
    runLoad({
      baseUrl: server.baseUrl,
      method: 'POST',
      path,
      connections: 1,
      seconds,
      headers: { authorization: `Bearer ${server.secretKey}`, 'content-type': 'application/json' },
      body,
      serverCpuSeconds: server.cpuSeconds,
    });
  const before = await withClient(url, (c) => rows(c, kind.table));
  const warm = await run(WARMUP_SECONDS);
  const r = await run(SECONDS);
  // A request in flight when a run stopped (one per run at most) still completes on the server.
  await new Promise((res) => setTimeout(res, 500));
  const after = await withClient(url, (c) => rows(c, kind.table));
  const per = bulk ? BULK : 1;
  const expected = (ok2xx(warm) + ok2xx(r)) * per;
  const created = after - before;
  const consistent = created >= expected && created - expected <= 2 * per;
  console.log(
    `${kind.name}${bulk ? ` bulk of ${BULK}` : ', single'} c=1: ${int(r.rps)} req/s (2xx), mean ${ms(meanMs(r))}, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}; ` +
      `server CPU ${ms(r.serverCpuMsPerRequest)} per request; check: ${int(created)} rows for ${int(expected / per)} answers 2xx — ` +
      (consistent ? `consistent (${(created - expected) / per} in flight when the runs stopped)` : 'MISMATCH'),
  );
  return r;
}

async function main(): Promise<void> {
  await printMachine('bench:bulk (P6)');
  await withCleanup(async (defer) => {
    defer(`drop ${DB}`, () => dropDatabase(DB));
    defer('stop any server still running', stopAllServers); // runs first
    const url = await recreateDatabase(DB);
    const server = await startServer({ databaseUrl: url, inProcessWorker: process.env.BENCH_WORKER !== 'off' });
    const results: [string, LoadResult, LoadResult][] = [];
    await whileRunning(server, async () => {
      const orgId = await createBenchOrganization(server);
      const kinds: Kind[] = [
        { name: 'POST /v1/invitations', path: '/v1/invitations', item: () => ({ email_address: address() }), table: 'invitations' },
        {
          name: 'POST /v1/organizations/{org}/invitations',
          path: `/v1/organizations/${orgId}/invitations`,
          item: () => ({ email_address: address(), role: 'org:member' }),
          table: 'organization_invitations',
        },
      ];
      heading(`P6: single creates, then bulk creates of ${BULK}, c=1, worker on, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s each`);
      for (const kind of kinds) results.push([kind.name, await measure(server, url, kind, false), await measure(server, url, kind, true)]);
    });
    heading(`summary (P6: time of a bulk create of ${BULK} ÷ time of one single create ≤ ${GOAL})`);
    for (const [name, single, bulk] of results) {
      const q = meanMs(bulk) / meanMs(single);
      console.log(
        `${name}: single ${ms(meanMs(single))} (p50 ${ms(single.p50)}), bulk of ${BULK} ${ms(meanMs(bulk))} (p50 ${ms(bulk.p50)}); ` +
          `ratio ${ratio(q)} (p50s: ${ratio(bulk.p50 / single.p50)}) (goal ≤ ${GOAL}: ${q <= GOAL ? 'met' : 'NOT MET'}); ${ms(meanMs(bulk) / BULK)} per invitation in bulk`,
      );
    }
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:bulk failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
