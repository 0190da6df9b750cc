// P8: Tessera against Better Auth's organization plugin, on the same machine and the same
// PostgreSQL: creating an organization invitation (which sends its email), over HTTP, at the same
// connection count. Not a test: it prints figures and never fails because a run was slow.
//
//   npm run bench:compare
//   env: BENCH_DATABASE_URL (maintenance connection, default postgres://postgres@127.0.0.1:5432/postgres),
//        BENCH_SECONDS (each measured run, default 10), BENCH_COMPARE_CONNECTIONS (default 8),
//        BENCH_COMPARE_ORGS (organizations the invitations go to in turn, default 1,000),
//        BENCH_SMTP_DELAY_MS (the slow mail provider, default 50; 0: one round, without delay),
//        BENCH_CPU_PROF=<dir> (both servers run with --cpu-prof).
//
// Both servers send their invitation email through SMTP to the same local sink, which answers each
// message's DATA after a delay: 0 ms, then BENCH_SMTP_DELAY_MS. Tessera writes the email to its
// outbox in the create's transaction and its worker sends it after the commit; Better Auth sends it
// from its sendInvitationEmail hook, which it awaits inside the request. With the delay, Better
// Auth runs a third time with `advanced.backgroundTasks` (the email sent after the answer, from
// memory: not durable), as a diagnostic of what that option buys.
//
// Each system: one server start per run, a 3 s warm-up, then the measured run; every request has
// its own address, and the organizations take turns (one owner, admin of all of them), so no
// organization collects more than a few dozen pending invitations (Better Auth reads all of an
// organization's pending invitations at every invite, to apply its invitation limit).
import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { betterAuthVersion, ensureBetterAuthInstalled, startBetterAuth } from './lib/better-auth.ts';
import { withCleanup } from './lib/cleanup.ts';
import { ok2xx, runLoad, type LoadResult } from './lib/load.ts';
import { dropDatabase, recreateDatabase, withClient } from './lib/postgres.ts';
import { envInt, envSeconds, heading, int, ms, pct, printMachine, ratio } from './lib/report.ts';
import { startServer, stopAllServers, whileRunning, type RunningServer } from './lib/server.ts';
import { startSmtpSink, type SmtpSink } from './lib/smtp-sink.ts';

const SECONDS = envSeconds('BENCH_SECONDS', 10);
const WARMUP_SECONDS = 3;
const CONNECTIONS = envInt('BENCH_COMPARE_CONNECTIONS', 8, 1, 256);
const ORGS = envInt('BENCH_COMPARE_ORGS', 1_000, 1, 100_000);
const SMTP_DELAY_MS = envInt('BENCH_SMTP_DELAY_MS', 50, 0, 10_000);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF?.trim() || null;
const nodeArgs = (): string[] => (CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []);
const RATIO_GOAL = 1.0;
/** "Unaffected by the SMTP delay": Tessera's p50 rises by less than a tenth of the delay. */
const P50_SLACK = 0.1;

const TESSERA_DB = 'tessera_bench_compare';
const BA_DB = 'tessera_bench_compare_better_auth';
const OWNER_EMAIL = 'owner@example.com';
const OWNER_PASSWORD = 'correct-horse-battery-staple';

/** One counter for the whole process: every request of either system has its own address. */
let counter = 0;
const nextEmail = () => `p8-${++counter}@example.com`;
const orgOf = (orgs: readonly string[]) => orgs[counter % orgs.length]!;

async function call(url: string, init: RequestInit & { headers: Record<string, string> }): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Runs `make(i)` for i in 0..n-1, `width` at a time. */
async function inParallel<T>(n: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await make(i);
      }
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tessera: the Backend API with the secret key.

async function setUpTessera(url: string, sinkUrl: string): Promise<string[]> {
  const server = await startServer({ databaseUrl: url, inProcessWorker: false, smtpUrl: sinkUrl });
  return whileRunning(server, async () => {
    const headers = { authorization: `Bearer ${server.secretKey}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown): Promise<string> => {
      const r = await call(`${server.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (r.status !== 200) throw new Error(`Tessera POST ${path} answered ${r.status}: ${r.text}`);
      return (JSON.parse(r.text) as { id: string }).id;
    };
    const owner = await post('/v1/users', { email_address: [OWNER_EMAIL], password: OWNER_PASSWORD });
    return inParallel(ORGS, CONNECTIONS, (i) => post('/v1/organizations', { name: `Org ${i + 1}`, slug: `org-${i + 1}`, created_by: owner }));
  });
}

async function runTessera(url: string, orgs: readonly string[], sink: SmtpSink): Promise<Run> {
  const server = await startServer({ databaseUrl: url, inProcessWorker: true, smtpUrl: sink.url, nodeArgs: nodeArgs() });
  return whileRunning(server, async () => {
    const load = (seconds: number) =>
      runLoad({
        baseUrl: server.baseUrl,
        method: 'POST',
        path: '/',
        connections: CONNECTIONS,
        seconds,
        headers: { authorization: `Bearer ${server.secretKey}`, 'content-type': 'application/json' },
        request: () => {
          const email = nextEmail();
          return { path: `/v1/organizations/${orgOf(orgs)}/invitations`, body: JSON.stringify({ email_address: email, role: 'org:member' }) };
        },
        serverCpuSeconds: server.cpuSeconds,
      });
    return measure('Tessera', url, sink, load, 'SELECT count(*)::int AS n FROM organization_invitations');
  });
}

// ---------------------------------------------------------------------------------------------
// Better Auth: its HTTP API with the owner's session cookie.

async function signIn(server: RunningServer, path: string, body: unknown): Promise<string> {
  const r = await call(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.baseUrl }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`Better Auth POST ${path} answered ${r.status}: ${r.text}`);
  // The session token, and the session cache cookie when its cache is on: sent back as a browser would.
  const cookies = r.headers.getSetCookie().map((c) => c.slice(0, c.indexOf(';') === -1 ? undefined : c.indexOf(';')));
  if (!cookies.some((c) => c.startsWith('better-auth.session_token='))) throw new Error(`Better Auth POST ${path} set no session cookie`);
  return cookies.join('; ');
}

async function setUpBetterAuth(url: string, sinkUrl: string): Promise<string[]> {
  const server = await startBetterAuth({ databaseUrl: url, smtpUrl: sinkUrl, backgroundEmail: false });
  return whileRunning(server, async () => {
    const cookie = await signIn(server, '/api/auth/sign-up/email', { email: OWNER_EMAIL, password: OWNER_PASSWORD, name: 'Owner' });
    const headers = { 'content-type': 'application/json', origin: server.baseUrl, cookie };
    return inParallel(ORGS, CONNECTIONS, async (i) => {
      const r = await call(`${server.baseUrl}/api/auth/organization/create`, { method: 'POST', headers, body: JSON.stringify({ name: `Org ${i + 1}`, slug: `org-${i + 1}` }) });
      if (r.status !== 200) throw new Error(`Better Auth POST /api/auth/organization/create answered ${r.status}: ${r.text}`);
      return (JSON.parse(r.text) as { id: string }).id;
    });
  });
}

async function runBetterAuth(url: string, orgs: readonly string[], sink: SmtpSink, backgroundEmail: boolean): Promise<Run> {
  const server = await startBetterAuth({ databaseUrl: url, smtpUrl: sink.url, backgroundEmail, nodeArgs: nodeArgs() });
  return whileRunning(server, async () => {
    // A session cookie of this server start (sessions are rows: any start's would do).
    const cookie = await signIn(server, '/api/auth/sign-in/email', { email: OWNER_EMAIL, password: OWNER_PASSWORD });
    const load = (seconds: number) =>
      runLoad({
        baseUrl: server.baseUrl,
        method: 'POST',
        path: '/api/auth/organization/invite-member',
        connections: CONNECTIONS,
        seconds,
        headers: { 'content-type': 'application/json', origin: server.baseUrl, cookie },
        request: () => {
          const email = nextEmail();
          return { path: '/api/auth/organization/invite-member', body: JSON.stringify({ email, role: 'member', organizationId: orgOf(orgs) }) };
        },
        serverCpuSeconds: server.cpuSeconds,
      });
    return measure(backgroundEmail ? 'Better Auth (emails in background)' : 'Better Auth', url, sink, load, 'SELECT count(*)::int AS n FROM invitation');
  });
}

// ---------------------------------------------------------------------------------------------

interface Run {
  label: string;
  load: LoadResult;
}

function describeLoad(r: LoadResult): string {
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}×${int(n)}`)
    .join(' ');
  return `${int(r.rps)} req/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}, errors ${int(r.errors)} [${codes}]; CPU per request: server ${ms(r.serverCpuMsPerRequest)}, load generator ${ms(r.clientCpuMsPerRequest)}; machine busy ${pct(r.machineBusy)} (all ${availableParallelism()} cores)`;
}

/**
 * Warm-up and measured run; then checks that every 2xx made its row and that every row's email
 * reached the sink (waiting for it: Tessera's worker may still be sending a backlog).
 */
async function measure(label: string, url: string, sink: SmtpSink, load: (seconds: number) => Promise<LoadResult>, countSql: string): Promise<Run> {
  const count = (c: pg.Client) => c.query<{ n: number }>(countSql).then((r) => r.rows[0]?.n ?? 0);
  const rowsBefore = await withClient(url, count);
  const emailsBefore = sink.accepted.size;
  const warm = await load(WARMUP_SECONDS);
  const r = await load(SECONDS);
  console.log(`${label} c=${CONNECTIONS}: ${describeLoad(r)}`);
  const ok = ok2xx(warm) + ok2xx(r);
  const started = Date.now();
  let rows = 0;
  try {
    // Rows first (requests in flight when the run stopped still commit), then their emails.
    await new Promise((res) => setTimeout(res, 500));
    rows = (await withClient(url, count)) - rowsBefore;
    await sink.waitFor(emailsBefore + rows, 120_000);
  } catch (err) {
    console.log(`  ${err instanceof Error ? err.message : String(err)}`);
  }
  const emails = sink.accepted.size - emailsBefore;
  const consistent = rows >= ok && rows - ok <= 2 * CONNECTIONS;
  console.log(
    `  check: ${int(ok)} answers 2xx (warm-up included), ${int(rows)} invitation rows — ${consistent ? `consistent (${rows - ok} in flight when the runs stopped)` : 'MISMATCH'}; ` +
      `${int(emails)} emails accepted by the SMTP sink${emails === rows ? `, the last ${((Date.now() - started) / 1000).toFixed(1)} s after the load` : ' — NOT ONE PER INVITATION'}`,
  );
  return { label, load: r };
}

async function main(): Promise<void> {
  await printMachine('bench:compare (P8)');
  ensureBetterAuthInstalled();
  console.log(`Better Auth ${betterAuthVersion()} (organization plugin), bench/better-auth/server.ts`);
  await withCleanup(async (defer) => {
    defer(`drop ${TESSERA_DB}`, () => dropDatabase(TESSERA_DB));
    defer(`drop ${BA_DB}`, () => dropDatabase(BA_DB));
    defer('stop any server still running', stopAllServers);
    const sink = await startSmtpSink();
    defer('close the SMTP sink', () => sink.close());

    const tesseraUrl = await recreateDatabase(TESSERA_DB);
    const baUrl = await recreateDatabase(BA_DB);
    const tesseraOrgs = await setUpTessera(tesseraUrl, sink.url);
    const baOrgs = await setUpBetterAuth(baUrl, sink.url);
    console.log(`both: one owner, admin of ${int(ORGS)} organizations; each invitation to a new address, the organizations in turn`);

    const results: { delay: number; runs: Run[] }[] = [];
    for (const delay of SMTP_DELAY_MS > 0 ? [0, SMTP_DELAY_MS] : [0]) {
      heading(`SMTP sink answers each message after ${delay} ms; c=${CONNECTIONS}, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s per run`);
      sink.setDelay(delay);
      const runs = [await runTessera(tesseraUrl, tesseraOrgs, sink), await runBetterAuth(baUrl, baOrgs, sink, false)];
      if (delay > 0) runs.push(await runBetterAuth(baUrl, baOrgs, sink, true));
      results.push({ delay, runs });
    }

    heading(`summary (P8: Tessera create req/s ÷ Better Auth's ≥ ${RATIO_GOAL}; Tessera's p50 unaffected by the SMTP delay)`);
    for (const { delay, runs } of results) {
      const [t, b, bg] = runs as [Run, Run, Run | undefined];
      const q = t.load.rps / b.load.rps;
      console.log(
        `SMTP delay ${delay} ms: Tessera ${int(t.load.rps)} req/s (p50 ${ms(t.load.p50)}), Better Auth ${int(b.load.rps)} req/s (p50 ${ms(b.load.p50)}); ` +
          `ratio ${ratio(q)} (goal ≥ ${RATIO_GOAL}: ${q >= RATIO_GOAL ? 'met' : 'NOT MET'})` +
          (bg ? `; diagnostic, Better Auth with emails in background: ${int(bg.load.rps)} req/s (p50 ${ms(bg.load.p50)}), ratio ${ratio(t.load.rps / bg.load.rps)}` : ''),
      );
    }
    if (results.length === 2) {
      const p0 = results[0]!.runs[0]!.load.p50;
      const p1 = results[1]!.runs[0]!.load.p50;
      const unaffected = p1 - p0 < P50_SLACK * SMTP_DELAY_MS;
      console.log(
        `Tessera p50: ${ms(p0)} without the SMTP delay, ${ms(p1)} with ${SMTP_DELAY_MS} ms (${p1 >= p0 ? '+' : ''}${ms(p1 - p0)}): ` +
          `${unaffected ? 'unaffected (met)' : 'AFFECTED (not met)'} — unaffected meaning it rose by less than ${P50_SLACK * 100}% of the delay`,
      );
    }
    if (CPU_PROF_DIR) console.log(`CPU profiles of the servers: ${CPU_PROF_DIR}`);
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:compare failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
