// P2 and P3: accepting invitations through the Frontend API. Not a test: it prints figures and
// never fails because a run was slow.
//
//   npm run bench:accept
//   env: BENCH_DATABASE_URL (maintenance connection, default postgres://postgres@127.0.0.1:5432/postgres),
//        BENCH_SECONDS (length of each measured HTTP run, default 10),
//        BENCH_PGBENCH_SECONDS (default 12, as the spec),
//        BENCH_ACCEPT_TICKETS (organization-invitation tickets seeded for P2, default 60000),
//        BENCH_SIGN_UP_TICKETS (application-invitation tickets seeded for P3, default 10000),
//        BENCH_ACCEPT_ORGS (organizations the P2 invitations are spread over, default 1 — a
//        diagnostic: with a seat limit, every accept locks its organization's row until commit),
//        BENCH_CPU_PROF=<dir> to run the servers with --cpu-prof (profiles written there on stop),
//        BENCH_P2_CONNECTIONS (default 8, a diagnostic: the P2 run and its pgbench reference at N).
//
// P2 — an existing user accepts an organization invitation: POST /v1/client/sign_ins with
// strategy=ticket (claims the invitation, creates the membership, a client, a session and a
// sign-in row; no password hashing) at 8 connections, every request with a fresh ticket, against
// pgbench running sql/accept_tx.sql (conditional UPDATE of a pending invitation + membership upsert
// + audit row) at 8 clients on the spec's reference schema. Goal: req/s ÷ TPS ≥ 0.5.
//
// P3 — a new user signs up with a ticket and a password: POST /v1/client/sign_ups with
// strategy=ticket&password=… (argon2id m=19456 KiB, t=2, p=1, then the same kind of transaction)
// at 4 and 8 connections. Figure: accepts/s per core the server used (its CPU seconds ÷ wall
// seconds) ÷ (1 / argon2id hash time), the hash timed here in the bench process with the server's
// parameters (50 in a row, before and after the runs; its CPU time, as the server's side is CPU
// seconds too; the wall-clock figure is printed as well). Goal ≥ 0.8. Also printed per machine
// core, for honesty.
//
// The invitations, users and tickets are seeded straight in SQL with tickets the bench can
// rebuild (lib/accept-seed.ts). A used ticket answers 400, so every request takes the next unused
// one; after each warm-up the bench seeds more if the measured rate could use up what is left.
// Should a run still run out, the requests past the end reuse a spent ticket (400s), and the bench
// says the figure is void instead of printing a ratio.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import pg from 'pg';
import { seedApplicationInvitations, seededTicket, seedUsersWithOrganizationInvitations } from './lib/accept-seed.ts';
import { withCleanup } from './lib/cleanup.ts';
import { ok2xx, runLoad, type LoadResult } from './lib/load.ts';
import { createBenchOrganization } from './lib/organization.ts';
import { runPgbench, type PgbenchResult } from './lib/pgbench.ts';
import { dropDatabase, recreateDatabase, runSqlFile, withClient } from './lib/postgres.ts';
import { envInt, envSeconds, heading, int, ms, pct, printMachine, ratio } from './lib/report.ts';
import { ORG_MEMBER_ROLE_ID } from './lib/seed.ts';
import { startServer, stopAllServers, whileRunning, type RunningServer } from './lib/server.ts';

const SQL = join(dirname(fileURLToPath(import.meta.url)), 'sql');
const SECONDS = envSeconds('BENCH_SECONDS', 10);
const PGBENCH_SECONDS = envSeconds('BENCH_PGBENCH_SECONDS', 12);
const WARMUP_SECONDS = 3;
/** Connections of the P2 run (BENCH_P2_CONNECTIONS, a diagnostic; the goal is stated at 8, and pgbench runs with as many). */
const P2_CONNECTIONS = envInt('BENCH_P2_CONNECTIONS', 8, 1, 256);
const P3_CONNECTIONS = [4, 8] as const;
const P2_RATIO_GOAL = 0.5;
const P3_RATIO_GOAL = 0.8;
const HASHES = 50;
const PASSWORD = 'correct-horse-battery-staple';
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF?.trim() || null;

const TESSERA_DB = 'tessera_bench_accept';
const PGBENCH_DB = 'tessera_bench_accept_pgbench';

const P2_TICKETS = envInt('BENCH_ACCEPT_TICKETS', 60_000, 100, 5_000_000);
const P3_TICKETS = envInt('BENCH_SIGN_UP_TICKETS', 10_000, 100, 5_000_000);
/** Organizations the P2 invitations are spread over (a diagnostic: every accept locks its organization's row). */
const P2_ORGANIZATIONS = envInt('BENCH_ACCEPT_ORGS', 1, 1, 1_000);

/** The run's secret: tickets are rebuilt from it (lib/accept-seed.ts), never read back. */
const SECRET = randomBytes(16).toString('hex');

/** Tickets of one kind: seeded 1..seeded, handed out in order, each once. */
class TicketPool {
  seeded = 0;
  used = 0;
  /** Requests that found no unused ticket (they reuse ticket 1, already spent: a 400). */
  exhausted = 0;
  constructor(readonly tag: 'oinv' | 'inv') {}
  next(): string {
    if (this.used >= this.seeded) {
      this.exhausted++;
      return seededTicket(SECRET, this.tag, 1);
    }
    return seededTicket(SECRET, this.tag, ++this.used);
  }
  get left(): number {
    return this.seeded - this.used;
  }
}
const orgTickets = new TicketPool('oinv');
const appTickets = new TicketPool('inv');

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const signInBody = () => `strategy=ticket&ticket=${orgTickets.next()}`;
const signUpBody = () => `strategy=ticket&ticket=${appTickets.next()}&password=${PASSWORD}`;

/** Cores the server kept busy during the run: its CPU seconds ÷ wall seconds. */
const serverCores = (r: LoadResult): number => (r.serverCpuMsPerRequest * r.requests) / 1000 / r.seconds;

function describeLoad(r: LoadResult): string {
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}×${int(n)}`)
    .join(' ');
  return `${int(r.rps)} req/s (2xx), p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}, errors ${int(r.errors)} (timeouts ${int(r.timeouts)}) [${codes}]; CPU per request: server ${ms(r.serverCpuMsPerRequest)}, load generator ${ms(r.clientCpuMsPerRequest)}; server busy ${serverCores(r).toFixed(2)} cores; machine busy ${pct(r.machineBusy)} (all ${availableParallelism()} cores)`;
}

/** One request before the load: a wrong ticket scheme or a refused request must stop the bench, not make 400s. */
async function probe(server: RunningServer, path: string, body: string): Promise<void> {
  const res = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: FORM, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`probe POST ${path} answered ${res.status}: ${text.slice(0, 500)}`);
}

/** After a warm-up at `rate` 2xx/s: seeds more tickets if the measured run could use up what is left. */
async function topUp(pool: TicketPool, rate: number, seed: (first: number, n: number) => Promise<number>): Promise<void> {
  const need = Math.ceil(rate * SECONDS * 2) + 1_000;
  if (pool.left >= need) return;
  const n = need - pool.left;
  const secs = await seed(pool.seeded + 1, n);
  pool.seeded += n;
  console.log(`  ${int(n)} more tickets seeded in ${secs.toFixed(1)} s (the warm-up ran at ${int(rate)}/s; ${int(pool.left)} unused now)`);
}

function voidIfExhausted(pool: TicketPool, what: string): boolean {
  if (pool.exhausted === 0) return false;
  console.log(`  RAN OUT of ${what} tickets: ${int(pool.exhausted)} requests had no unused ticket (400s) — this figure is void; raise ${pool.tag === 'oinv' ? 'BENCH_ACCEPT_TICKETS' : 'BENCH_SIGN_UP_TICKETS'}`);
  return true;
}

const nodeArgs = (): string[] => (CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []);

/**
 * Samples pg_stat_activity of the server's connections every 100 ms while a run lasts, to show
 * where its transactions wait (a server that is not CPU-bound is waiting on something).
 */
async function startWaitSampler(url: string): Promise<{ stop(): Promise<string[]> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const samples: { kind: string; query: string }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await client.query<{ state: string | null; wtype: string | null; wevent: string | null; query: string }>(
        `SELECT state, wait_event_type AS wtype, wait_event AS wevent, left(regexp_replace(query, '\\s+', ' ', 'g'), 72) AS query
           FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      for (const row of r.rows) {
        const kind =
          row.state === 'active'
            ? row.wtype === null
              ? 'running in PostgreSQL'
              : row.wtype === 'Lock'
                ? `waiting for a lock (${row.wevent})`
                : `waiting on ${row.wtype}:${row.wevent}`
            : row.state === 'idle in transaction'
              ? 'in a transaction, waiting for Node.js to send the next statement'
              : 'idle in the pool (between transactions)';
        samples.push({ kind, query: row.query });
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  return {
    async stop(): Promise<string[]> {
      running = false;
      await loop;
      await client.end();
      const by = (key: (x: { kind: string; query: string }) => string, of: typeof samples) => {
        const m = new Map<string, number>();
        for (const x of of) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
        return [...m.entries()].sort((a, b) => b[1] - a[1]);
      };
      const pct = (n: number) => `${((100 * n) / Math.max(1, samples.length)).toFixed(0)}%`;
      const lines = by((x) => x.kind, samples).map(([k, n]) => `${pct(n)} ${k}`);
      const locks = samples.filter((x) => x.kind.startsWith('waiting for a lock'));
      const top = by((x) => x.query, locks).slice(0, 3).map(([q, n]) => `${pct(n)} ${q}…`);
      return [`${int(samples.length)} samples of the server's database sessions: ${lines.join('; ')}`, ...(top.length ? [`lock waits by statement: ${top.join('; ')}`] : [])];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// P2

interface P2Result {
  load: LoadResult;
  valid: boolean;
}

async function benchSignIn(url: string, orgIds: readonly string[]): Promise<P2Result> {
  const server = await startServer({ databaseUrl: url, inProcessWorker: true, nodeArgs: nodeArgs() });
  return whileRunning(server, async () => {
    const load = (seconds: number) =>
      runLoad({ baseUrl: server.baseUrl, method: 'POST', path: '/v1/client/sign_ins', connections: P2_CONNECTIONS, seconds, headers: FORM, body: signInBody, serverCpuSeconds: server.cpuSeconds });
    const before = await settled(url, p2Counts(orgIds));
    await probe(server, '/v1/client/sign_ins', signInBody());
    const warm = await load(WARMUP_SECONDS);
    await withClient(url, (c) => topUp(orgTickets, warm.rps, (first, n) => seedUsersWithOrganizationInvitations(c, { secret: SECRET, organizationIds: orgIds, roleId: ORG_MEMBER_ROLE_ID, first, count: n })));
    const exhaustedBefore = orgTickets.exhausted;
    const sampler = await startWaitSampler(url);
    const r = await load(SECONDS);
    const waits = await sampler.stop();
    console.log(`accept (sign-in with ticket) c=${P2_CONNECTIONS}: ${describeLoad(r)}`);
    for (const line of waits) console.log(`  ${line}`);
    const valid = orgTickets.exhausted === exhaustedBefore || !voidIfExhausted(orgTickets, 'organization-invitation');
    {
      const after = await settled(url, p2Counts(orgIds));
      const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
      const ok = 1 + ok2xx(warm) + ok2xx(r);
      const accepted = d('accepted');
      const consistent = accepted >= ok && accepted - ok <= 2 * P2_CONNECTIONS;
      console.log(
        `  check: ${int(ok)} answers 2xx (probe and warm-up included); ${int(accepted)} invitations accepted — ${consistent ? `consistent (${accepted - ok} in flight when the runs stopped)` : 'MISMATCH'}; ` +
          `${int(d('memberships'))} memberships, ${int(d('sessions'))} sessions, ${int(d('sign_ins'))} complete sign-ins, ${int(d('clients'))} clients created` +
          `${d('memberships') === accepted && d('sessions') === accepted && d('sign_ins') === accepted ? '' : ' — NOT ONE EACH PER ACCEPT'}; 5xx in the runs: ${int(warm.status5xx + r.status5xx)}`,
      );
    }
    console.log(`  tickets: ${int(orgTickets.used)} used of ${int(orgTickets.seeded)} seeded`);
    return { load: r, valid };
  });
}

type Counts = Record<string, number>;

/** One snapshot of several counts (one statement), so a commit cannot fall between two of them. */
async function snapshot(c: pg.Client, sql: string, params: unknown[] = []): Promise<Counts> {
  const row = (await c.query<Counts>(sql, params)).rows[0] ?? {};
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

/**
 * The counts once the requests still in flight when a run stopped have finished: autocannon stops
 * at its deadline, but the server completes (and commits) what it was doing. Polls until two
 * reads 500 ms apart agree, at most 15 s.
 */
async function settled(url: string, read: (c: pg.Client) => Promise<Counts>): Promise<Counts> {
  return withClient(url, async (c) => {
    const deadline = Date.now() + 15_000;
    let last = await read(c);
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await read(c);
      if (JSON.stringify(now) === JSON.stringify(last) || Date.now() > deadline) return now;
      last = now;
    }
  });
}

// Sessions, sign-ins and clients of the run only: the seeded earlier sign-ins are a week old.
const p2Counts = (orgIds: readonly string[]) => (c: pg.Client) =>
  snapshot(
    c,
    `SELECT (SELECT count(*) FROM organization_invitations WHERE organization_id = ANY($1::text[]) AND status = 'accepted') AS accepted,
            (SELECT count(*) FROM organization_memberships WHERE organization_id = ANY($1::text[])) AS memberships,
            (SELECT count(*) FROM sessions WHERE created_at > now() - interval '1 day') AS sessions,
            (SELECT count(*) FROM sign_ins WHERE status = 'complete' AND created_at > now() - interval '1 day') AS sign_ins,
            (SELECT count(*) FROM clients WHERE created_at > now() - interval '1 day') AS clients`,
    [orgIds],
  );

/** The reference database: the spec's schema + memberships, 300k pending invitations. Returns its URL. */
async function preparePgbench(): Promise<string> {
  const url = await recreateDatabase(PGBENCH_DB);
  const started = Date.now();
  await withClient(url, async (c) => {
    for (const f of ['invite_schema.sql', 'invite_preload.sql', 'accept_schema.sql', 'accept_preload.sql']) await runSqlFile(c, join(SQL, f));
    await c.query('VACUUM ANALYZE');
  });
  console.log(`reference database ${PGBENCH_DB}: spec schema + memberships, 300,000 pending invitations, 1,000 creator memberships, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return url;
}

// ---------------------------------------------------------------------------------------------
// P3

interface HashTiming {
  wallMs: number;
  cpuMs: number;
}

interface Argon2Params {
  type: 0 | 1 | 2;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}
const SPEC_PARAMS: Argon2Params = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * The server's own argon2id parameters (ARGON2ID_PARAMS of users/user.password.ts), imported
 * loosely so a change there does not break the type-check; the spec's when it cannot be read.
 */
async function serverArgon2Params(): Promise<{ params: Argon2Params; source: string }> {
  try {
    const mod = (await import(new URL('../packages/server/src/features/users/user.password.ts', import.meta.url).href)) as { ARGON2ID_PARAMS?: Partial<Argon2Params> };
    const p = mod.ARGON2ID_PARAMS;
    if (p && p.type === argon2.argon2id && typeof p.memoryCost === 'number' && typeof p.timeCost === 'number' && typeof p.parallelism === 'number') {
      return { params: { type: p.type, memoryCost: p.memoryCost, timeCost: p.timeCost, parallelism: p.parallelism }, source: "the server's ARGON2ID_PARAMS" };
    }
  } catch {
    // reported below
  }
  return { params: SPEC_PARAMS, source: "the spec's (could not read the server's ARGON2ID_PARAMS)" };
}

/**
 * `HASHES` argon2id hashes in this process, `parallel` at a time (1: one after the other): mean
 * wall and CPU time per hash (process CPU time: it includes libuv's pool threads, where argon2 runs).
 */
async function timeHashes(params: Argon2Params, parallel = 1): Promise<HashTiming> {
  for (let i = 0; i < 3; i++) await argon2.hash(`warm-up-${i}-${PASSWORD}`, params);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < HASHES) await argon2.hash(`${PASSWORD}-${next++}`, params);
    }),
  );
  const wallMs = (performance.now() - t0) / HASHES;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 / HASHES };
}

interface P3Run {
  connections: number;
  load: LoadResult;
  valid: boolean;
}

async function benchSignUp(url: string): Promise<P3Run[]> {
  const server = await startServer({ databaseUrl: url, inProcessWorker: true, nodeArgs: nodeArgs() });
  return whileRunning(server, async () => {
    await probe(server, '/v1/client/sign_ups', signUpBody());
    const runs: P3Run[] = [];
    for (const connections of P3_CONNECTIONS) {
      const load = (seconds: number) =>
        runLoad({ baseUrl: server.baseUrl, method: 'POST', path: '/v1/client/sign_ups', connections, seconds, headers: FORM, body: signUpBody, serverCpuSeconds: server.cpuSeconds });
      const before = await settled(url, p3Counts);
      const warm = await load(WARMUP_SECONDS);
      await withClient(url, (c) => topUp(appTickets, warm.rps, (first, n) => seedApplicationInvitations(c, { secret: SECRET, first, count: n })));
      const exhaustedBefore = appTickets.exhausted;
      const r = await load(SECONDS);
      console.log(`sign-up with ticket + password c=${connections}: ${describeLoad(r)}`);
      const valid = appTickets.exhausted === exhaustedBefore || !voidIfExhausted(appTickets, 'application-invitation');
      {
        const after = await settled(url, p3Counts);
        const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
        const ok = ok2xx(warm) + ok2xx(r);
        const users = d('users');
        const accepted = d('accepted');
        const consistent = users >= ok && users - ok <= 2 * connections && accepted === users && d('with_password') === users;
        console.log(
          `  check: ${int(ok)} answers 2xx (warm-up included); ${int(users)} users created, ${int(accepted)} invitations accepted, ${int(d('with_password'))} users with an argon2id digest — ` +
            `${consistent ? `consistent (${users - ok} in flight when the runs stopped)` : 'MISMATCH'}; 5xx in the runs: ${int(warm.status5xx + r.status5xx)}`,
        );
      }
      runs.push({ connections, load: r, valid });
    }
    console.log(`  tickets: ${int(appTickets.used)} used of ${int(appTickets.seeded)} seeded`);
    return runs;
  });
}

const p3Counts = (c: pg.Client) =>
  snapshot(
    c,
    `SELECT (SELECT count(*) FROM users) AS users,
            (SELECT count(*) FROM invitations WHERE status = 'accepted') AS accepted,
            (SELECT count(*) FROM users WHERE password_hasher = 'argon2id' AND password_digest LIKE '$argon2id$%') AS with_password`,
  );

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await printMachine('bench:accept (P2, P3)');
  await withCleanup(async (defer) => {
    defer(`drop ${TESSERA_DB}`, () => dropDatabase(TESSERA_DB));
    defer(`drop ${PGBENCH_DB}`, () => dropDatabase(PGBENCH_DB));
    defer('stop any server still running', stopAllServers); // runs first

    const url = await recreateDatabase(TESSERA_DB);
    // The first start migrates the schema; the organization (owner user, creator membership) is
    // made through the Backend API; the rest is seeded in SQL.
    const first = await startServer({ databaseUrl: url, inProcessWorker: false });
    const orgIds: string[] = [];
    try {
      for (let i = 0; i < P2_ORGANIZATIONS; i++) orgIds.push(await createBenchOrganization(first));
    } finally {
      await first.stop();
    }
    await withClient(url, async (c) => {
      const s2 = await seedUsersWithOrganizationInvitations(c, { secret: SECRET, organizationIds: orgIds, roleId: ORG_MEMBER_ROLE_ID, first: 1, count: P2_TICKETS });
      orgTickets.seeded = P2_TICKETS;
      const s3 = await seedApplicationInvitations(c, { secret: SECRET, first: 1, count: P3_TICKETS });
      appTickets.seeded = P3_TICKETS;
      await c.query('VACUUM ANALYZE');
      console.log(
        `Tessera database ${TESSERA_DB}: migrated; ${orgIds.length === 1 ? `organization ${orgIds[0]}` : `${orgIds.length} organizations`}; ${int(P2_TICKETS)} users with a verified address and a pending invitation (org:member) to ${orgIds.length === 1 ? 'it' : 'one of them'} in ${s2.toFixed(1)} s; ` +
          `${int(P3_TICKETS)} pending application invitations to new addresses in ${s3.toFixed(1)} s`,
      );
    });
    const pgbenchUrl = await preparePgbench();

    heading(`P2: POST /v1/client/sign_ins (strategy=ticket, existing user), c=${P2_CONNECTIONS}, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s; then pgbench accept_tx (${PGBENCH_SECONDS} s)`);
    const p2 = await benchSignIn(url, orgIds);
    const ref: PgbenchResult = await runPgbench({ databaseUrl: pgbenchUrl, script: join(SQL, 'accept_tx.sql'), clients: P2_CONNECTIONS, threads: 2, seconds: PGBENCH_SECONDS, mode: 'prepared' });
    console.log(`pgbench accept_tx (reference) c=${P2_CONNECTIONS}: ${int(ref.tps)} TPS, latency avg ${ms(ref.latencyAvgMs)}, failed ${int(ref.failed)}; machine busy ${pct(ref.machineBusy)}`);

    const { params, source } = await serverArgon2Params();
    heading(`P3: argon2id m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism} (${source}); POST /v1/client/sign_ups (strategy=ticket + password) at c=${P3_CONNECTIONS.join(', ')}, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s each`);
    const hashBefore = await timeHashes(params);
    console.log(`argon2id in the bench process, ${HASHES} hashes one after another: ${ms(hashBefore.wallMs)} per hash (CPU ${ms(hashBefore.cpuMs)})`);
    const hashParallel = await timeHashes(params, 4);
    console.log(`  diagnostic: ${HASHES} hashes 4 at a time (as in the server, whose libuv pool has 4 threads): CPU ${ms(hashParallel.cpuMs)} per hash`);
    const p3 = await benchSignUp(url);
    const hashAfter = await timeHashes(params);
    console.log(`argon2id again after the runs: ${ms(hashAfter.wallMs)} per hash (CPU ${ms(hashAfter.cpuMs)})`);
    const hashMs = (hashBefore.wallMs + hashAfter.wallMs) / 2;
    const hashCpuMs = (hashBefore.cpuMs + hashAfter.cpuMs) / 2;

    heading('summary (P2: req/s ÷ pgbench accept TPS ≥ 0.5; P3: accepts/s per core ≥ 0.8 × (1 / hash time))');
    {
      const r = p2.load;
      const q = r.rps / ref.tps;
      console.log(
        `accept via ticket, existing user (P2) c=${P2_CONNECTIONS}: ${int(r.rps)} req/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}, server CPU ${ms(r.serverCpuMsPerRequest)} per request; ` +
          `pgbench accept_tx c=${P2_CONNECTIONS}: ${int(ref.tps)} TPS; ` +
          (p2.valid ? `ratio ${ratio(q)} (goal ≥ ${P2_RATIO_GOAL}: ${q >= P2_RATIO_GOAL ? 'met' : 'NOT MET'})` : 'ratio void (ran out of tickets)'),
      );
    }
    // The figure divides accepts by the CPU seconds the server used, so the hash is measured in
    // CPU time too: on a busy machine the wall time of a hash also counts the time spent waiting
    // for a core (both are printed; on an idle machine they agree).
    const perHash = 1000 / hashCpuMs;
    const perHashWall = 1000 / hashMs;
    const cores = availableParallelism();
    console.log(
      `argon2id hash: CPU time ${ms(hashCpuMs)} (mean of the two timings) → 1 / hash time = ${perHash.toFixed(1)} hashes/s per core; ` +
        `wall time ${ms(hashMs)} (${perHashWall.toFixed(1)}/s)`,
    );
    for (const { connections, load: r, valid } of p3) {
      const used = serverCores(r);
      const perCore = r.rps / used;
      const q = perCore / perHash;
      const perMachineCore = r.rps / cores;
      console.log(
        `sign-up with ticket + password (P3) c=${connections}: ${int(r.rps)} accepts/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}; ` +
          `server CPU ${ms(r.serverCpuMsPerRequest)} per request, ${used.toFixed(2)} cores busy → ${perCore.toFixed(1)} accepts/s per core used; ` +
          (valid
            ? `ratio ${ratio(q)} (goal ≥ ${P3_RATIO_GOAL}: ${q >= P3_RATIO_GOAL ? 'met' : 'NOT MET'}; with the wall-clock hash time ${ratio(perCore / perHashWall)}); ` +
              `per machine core (${int(r.rps)} ÷ ${cores}): ${perMachineCore.toFixed(1)} accepts/s, ratio ${ratio(perMachineCore / perHash)}`
            : 'ratio void (ran out of tickets)'),
      );
    }
    if (CPU_PROF_DIR) console.log(`CPU profiles of the servers: ${CPU_PROF_DIR}`);
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:accept failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
