// P7: the outbox drained to a local SMTP sink. Not a test: it prints figures and never fails
// because a run was slow.
//
//   npm run bench:drain
//   env: BENCH_DATABASE_URL (maintenance connection, default postgres://postgres@127.0.0.1:5432/postgres),
//        BENCH_SECONDS (length of the latency run, default 10),
//        BENCH_BACKLOG_SECONDS (how long the backlog is written, default 5),
//        BENCH_DRAIN_RATE (creates per second in the latency run, default 1000),
//        BENCH_CPU_PROF=<dir> to run the sending server with --cpu-prof (profile written there on stop).
//
// The real server (bench/lib/server.ts) on a fresh PostgreSQL database, rate limits off, and a real
// SMTP server in this process (lib/smtp-sink.ts, the `smtp-server` package) that accepts every
// message. The worker sends through SMTP (SMTP_URL) exactly as in production: pooled nodemailer
// connections, each row marked sent only after the sink's 250.
//
// 1. Throughput. A server WITHOUT its worker takes bulk creates of 10 application invitations at
//    c=8 for BENCH_BACKLOG_SECONDS: a backlog of pending outbox rows. It stops; a server WITH its
//    worker starts on the same database (same secret key, so the sealed links open) and drains
//    the backlog. Figure: emails accepted by the sink ÷ seconds from the server being ready to the
//    last 250. Goal (performance.md): ≥ 1,000 emails/s.
// 2. Latency. That server then takes single creates at a steady BENCH_DRAIN_RATE per second (the
//    goal's rate: one email each) over c=8 for BENCH_SECONDS while its worker sends. Figure: for
//    each email, the sink's 250 minus its outbox row's created_at (the transaction's start, so a
//    little more than commit → accepted), p50 / p99 / max. Goal: p99 ≤ 2 s. The same run without
//    a rate limit (creates as fast as they are answered) is printed too: on 2 cores the server
//    then creates faster than it can send, the queue grows for as long as the run lasts, and the
//    delay with it; that shows the capacity, not a latency.
// Afterwards every row must be sent: none pending, none dead, one accepted message per row.
import { randomBytes } from 'node:crypto';
import { withCleanup } from './lib/cleanup.ts';
import { ok2xx, runLoad } from './lib/load.ts';
import { dropDatabase, recreateDatabase, withClient } from './lib/postgres.ts';
import { envInt, envSeconds, heading, int, ms, pct, percentile, printMachine } from './lib/report.ts';
import { startServer, stopAllServers, whileRunning, type RunningServer } from './lib/server.ts';
import { startSmtpSink, type SmtpSink } from './lib/smtp-sink.ts';

const SECONDS = envSeconds('BENCH_SECONDS', 10);
const BACKLOG_SECONDS = envSeconds('BENCH_BACKLOG_SECONDS', 5);
const CONNECTIONS = 8;
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF?.trim() || null;
const RATE = envInt('BENCH_DRAIN_RATE', 1000, 1, 100_000);
const BULK = 10;
const RATE_GOAL = 1000;
const P99_GOAL_MS = 2000;
/** How long the sink may take to receive what is due before the bench gives up. */
const DRAIN_TIMEOUT_MS = 180_000;
const DB = 'tessera_bench_drain';

let counter = 0;
const address = () => `p7-${++counter}@example.com`;

interface OutboxCounts {
  pending: number;
  sent: number;
  dead: number;
}

async function outboxCounts(url: string): Promise<OutboxCounts> {
  return withClient(url, async (c) => {
    const r = await c.query<{ status: keyof OutboxCounts; n: number }>('SELECT status, count(*)::int AS n FROM outbox GROUP BY status');
    const by = Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
    return { pending: by.pending ?? 0, sent: by.sent ?? 0, dead: by.dead ?? 0 };
  });
}

const describeCounts = (o: OutboxCounts) => `outbox: ${int(o.sent)} sent, ${int(o.pending)} pending, ${int(o.dead)} dead`;

function createLoad(server: RunningServer, path: string, body: () => string, seconds: number, rate?: number) {
  return runLoad({
    ...(rate !== undefined ? { rate } : {}),
    baseUrl: server.baseUrl,
    method: 'POST',
    path,
    connections: CONNECTIONS,
    seconds,
    headers: { authorization: `Bearer ${server.secretKey}`, 'content-type': 'application/json' },
    body,
    serverCpuSeconds: server.cpuSeconds,
  });
}

/** Phase 1: the backlog, written by a server without a worker. Returns the number of emails due. */
async function writeBacklog(url: string, secretKey: string): Promise<number> {
  // With an SMTP_URL (never dialled: the worker is off) the emails wait in the outbox, as on a
  // production server; without one they would go to the dev mailbox at commit.
  const server = await startServer({ databaseUrl: url, inProcessWorker: false, secretKey, smtpUrl: 'smtp://127.0.0.1:9' });
  await whileRunning(server, async () => {
    const body = () => JSON.stringify(Array.from({ length: BULK }, () => ({ email_address: address() })));
    const r = await createLoad(server, '/v1/invitations/bulk', body, BACKLOG_SECONDS);
    console.log(`backlog: ${int(ok2xx(r))} bulk creates of ${BULK} in ${r.seconds.toFixed(1)} s (non-2xx ${int(r.non2xx)}), worker off`);
  });
  const o = await outboxCounts(url);
  console.log(`  ${describeCounts(o)}`);
  return o.pending;
}

/** Phase 2: a server with its worker drains the backlog into the sink. */
async function drain(server: RunningServer, sink: SmtpSink, due: number, readyAt: number): Promise<{ emails: number; seconds: number; firstToLast: number }> {
  await sink.waitFor(due, DRAIN_TIMEOUT_MS);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const t of sink.accepted.values()) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  const seconds = (last - readyAt) / 1000;
  console.log(
    `drain: ${int(due)} emails accepted by the sink ${seconds.toFixed(2)} s after the server was ready (first 250 after ${((first - readyAt) / 1000).toFixed(2)} s) → ` +
      `${int(due / seconds)} emails/s; server CPU ${ms(((await server.cpuSeconds()) * 1000) / due)} per email (start-up included)`,
  );
  return { emails: due, seconds, firstToLast: (last - first) / 1000 };
}

/** Phase 3: creates while the worker sends (at `rate` per second, or as fast as answered); commit → accepted per email. */
async function latency(server: RunningServer, url: string, sink: SmtpSink, rate: number | undefined): Promise<number[]> {
  const idBefore = await withClient(url, async (c) => (await c.query<{ id: string | null }>('SELECT max(id)::text AS id FROM outbox')).rows[0]?.id ?? '0');
  const r = await createLoad(server, '/v1/invitations', () => JSON.stringify({ email_address: address() }), SECONDS, rate);
  console.log(
    `creates while sending (${rate === undefined ? 'no rate limit' : `at most ${int(rate)}/s`}): ${int(r.rps)} req/s at c=${CONNECTIONS}, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, non-2xx ${int(r.non2xx)}, 5xx ${int(r.status5xx)}; machine busy ${pct(r.machineBusy)}`,
  );
  const rows = await withClient(url, async (c) =>
    (await c.query<{ message_id: string; created_ms: string }>('SELECT message_id, (extract(epoch FROM created_at) * 1000)::bigint::text AS created_ms FROM outbox WHERE id > $1::bigint', [idBefore])).rows,
  );
  await sink.waitForIds(rows.map((x) => x.message_id), DRAIN_TIMEOUT_MS);
  const delays = rows.map((x) => sink.accepted.get(x.message_id)! - Number(x.created_ms)).sort((a, b) => a - b);
  console.log(`  ${int(delays.length)} emails: commit → SMTP 250 p50 ${ms(percentile(delays, 50))}, p99 ${ms(percentile(delays, 99))}, max ${ms(delays.at(-1) ?? Number.NaN)}`);
  return delays;
}

async function main(): Promise<void> {
  await printMachine('bench:drain (P7)');
  await withCleanup(async (defer) => {
    defer(`drop ${DB}`, () => dropDatabase(DB));
    defer('stop any server still running', stopAllServers); // runs first
    const url = await recreateDatabase(DB);
    const secretKey = `sk_test_bench${randomBytes(12).toString('hex')}`;

    heading(`P7 throughput: a backlog of bulk creates (c=${CONNECTIONS}, ${BACKLOG_SECONDS} s, worker off), then a server with its worker drains it to a local SMTP sink`);
    const due = await writeBacklog(url, secretKey);
    if (due === 0) throw new Error('the backlog run wrote no outbox rows');
    const sink = await startSmtpSink();
    defer('close the SMTP sink', () => sink.close());
    const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [];
    const server = await startServer({ databaseUrl: url, inProcessWorker: true, secretKey, smtpUrl: sink.url, nodeArgs });
    const readyAt = Date.now();
    const { drained, delays, saturated } = await whileRunning(server, async () => {
      const drained = await drain(server, sink, due, readyAt);
      heading(`P7 latency: single creates, at most ${int(RATE)}/s over c=${CONNECTIONS}, for ${SECONDS} s while the worker sends; then the same with no rate limit`);
      const delays = await latency(server, url, sink, RATE);
      const saturated = await latency(server, url, sink, undefined);
      return { drained, delays, saturated };
    });
    const o = await outboxCounts(url);
    const consistent = o.pending === 0 && o.dead === 0 && o.sent === sink.accepted.size;
    console.log(`  ${describeCounts(o)}; the sink accepted ${int(sink.accepted.size)} distinct Message-IDs — ${consistent ? 'consistent' : 'MISMATCH'}`);

    heading(`summary (P7: ≥ ${int(RATE_GOAL)} emails/s; commit → SMTP accepted p99 ≤ ${P99_GOAL_MS / 1000} s)`);
    const rate = drained.emails / drained.seconds;
    const p99 = percentile(delays, 99);
    console.log(
      `outbox drain to a local SMTP sink (P7): ${int(drained.emails)} emails in ${drained.seconds.toFixed(2)} s → ${int(rate)} emails/s ` +
        `(goal ≥ ${int(RATE_GOAL)}: ${rate >= RATE_GOAL ? 'met' : 'NOT MET'}); first to last 250: ${int(drained.emails / drained.firstToLast)} emails/s`,
    );
    console.log(
      `commit → SMTP 250 while creating ${int(RATE)}/s (P7): p50 ${ms(percentile(delays, 50))}, p99 ${ms(p99)} (goal ≤ ${P99_GOAL_MS / 1000} s: ${p99 <= P99_GOAL_MS ? 'met' : 'NOT MET'}); ` +
        `with creates as fast as answered (more than the worker sends on this machine): p99 ${ms(percentile(saturated, 99))}`,
    );
    if (!consistent) throw new Error('outbox and sink disagree (see above)');
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:drain failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
