// P9: the embedded PGlite default (no DATABASE_URL: what `npm start` runs). Not a test: it prints
// figures and never fails because a run was slow.
//
//   npm run bench:pglite
//   env: BENCH_SECONDS (length of each measured run, default 10).
//
// The real server (bench/lib/server.ts) with no DATABASE_URL, so it opens PGlite in its temporary
// data directory, with the in-process outbox worker delivering every email into the dev mailbox,
// rate limits off. At 8 connections: 3 s warm-up + BENCH_SECONDS of POST /v1/invitations (a unique
// address each), then the same for POST /v1/organizations/{org}/invitations into one organization
// (made through the API). Each run's 2xx count is checked against the invitations the API then
// lists (total_count). Goal (performance.md): P1's req/s on PGlite ≥ 500. PGlite runs one
// statement at a time in the server's own process, so there is no database process to compare
// with: the goal is absolute.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { withCleanup } from './lib/cleanup.ts';
import { ok2xx, runLoad, type LoadResult } from './lib/load.ts';
import { createBenchOrganization } from './lib/organization.ts';
import { envSeconds, heading, int, ms } from './lib/report.ts';
import { startServer, stopAllServers, whileRunning, type RunningServer } from './lib/server.ts';

const SECONDS = envSeconds('BENCH_SECONDS', 10);
const WARMUP_SECONDS = 3;
const CONNECTIONS = 8;
const GOAL_RPS = 500;

function describe(r: LoadResult): string {
  return (
    `${int(r.rps)} req/s (2xx), p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}, errors ${int(r.errors)}; ` +
    `CPU per request: server ${ms(r.serverCpuMsPerRequest)}, load generator ${ms(r.clientCpuMsPerRequest)}`
  );
}


async function totalCount(server: RunningServer, path: string): Promise<number> {
  const res = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${server.secretKey}` }, signal: AbortSignal.timeout(30_000) });
  const body = (await res.json()) as { total_count?: unknown };
  if (res.status !== 200 || typeof body.total_count !== 'number') throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.total_count;
}

interface Scenario {
  name: string;
  path: string;
  body: () => string;
  listPath: string;
}

async function measure(server: RunningServer, s: Scenario): Promise<LoadResult> {
  const headers = { authorization: `Bearer ${server.secretKey}`, 'content-type': 'application/json' };
  const run = (seconds: number) =>
    runLoad({ baseUrl: server.baseUrl, method: 'POST', path: s.path, connections: CONNECTIONS, seconds, headers, body: s.body, serverCpuSeconds: server.cpuSeconds });
  const before = await totalCount(server, s.listPath);
  const warm = await run(WARMUP_SECONDS);
  const r = await run(SECONDS);
  console.log(`${s.name} c=${CONNECTIONS}: ${describe(r)}`);
  // Requests still in flight when a run stopped complete on the server: wait for the count to settle.
  let after = await totalCount(server, s.listPath);
  for (let i = 0; i < 20; i++) {
    await new Promise((res) => setTimeout(res, 250));
    const again = await totalCount(server, s.listPath);
    if (again === after) break;
    after = again;
  }
  const ok = ok2xx(warm) + ok2xx(r);
  const created = after - before;
  const consistent = created >= ok && created - ok <= 2 * CONNECTIONS;
  console.log(`  check: ${int(ok)} answers 2xx (warm-up included), ${int(created)} invitations listed — ${consistent ? `consistent (${created - ok} in flight when the runs stopped)` : 'MISMATCH'}`);
  return r;
}

async function main(): Promise<void> {
  console.log(`bench:pglite (P9) — ${new Date().toISOString()}`);
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), load avg ${loadavg()[0]?.toFixed(2)}; node ${process.version}`);
  const results = new Map<string, LoadResult>();
  await withCleanup(async (defer) => {
    defer('stop any server still running', stopAllServers);
    const server = await startServer({ databaseUrl: null, inProcessWorker: true });
    await whileRunning(server, async () => {
      heading(`P9: embedded PGlite, worker on (dev mailbox), rate limits off, c=${CONNECTIONS}, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s per scenario`);
      let n = 0;
      results.set(
        'create-invitation',
        await measure(server, {
          name: 'create-invitation (PGlite)',
          path: '/v1/invitations',
          body: () => JSON.stringify({ email_address: `p${n++}@example.com` }),
          listPath: '/v1/invitations?limit=1&paginated=true',
        }),
      );
      const org = await createBenchOrganization(server);
      results.set(
        'create-organization-invitation',
        await measure(server, {
          name: 'create-organization-invitation (PGlite)',
          path: `/v1/organizations/${org}/invitations`,
          body: () => JSON.stringify({ email_address: `q${n++}@example.com`, role: 'org:member' }),
          listPath: `/v1/organizations/${org}/invitations?limit=1`,
        }),
      );
    });
  });
  heading(`summary (P9: P1's req/s on embedded PGlite ≥ ${GOAL_RPS})`);
  for (const [name, r] of results) {
    console.log(`${name} on PGlite c=${CONNECTIONS}: ${int(r.rps)} req/s, p99 ${ms(r.p99)}, 5xx ${int(r.status5xx)} (goal ≥ ${GOAL_RPS} req/s: ${r.rps >= GOAL_RPS ? 'met' : 'NOT MET'})`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:pglite failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
