// The outbox worker: delivers email rows written by services in their own transactions.
//
// Invariants (security.md, "Nothing lost"):
// - a row is marked sent only after the next hop accepted it (SMTP 250; for the dev mailbox, in
//   the transaction that stores it). A crash between acceptance and the mark means the row is
//   sent again after its lease runs out — with the same Message-ID, so the duplicate is
//   recognisable. Nothing is lost; at worst something arrives twice.
// - rows are claimed in batches with FOR UPDATE SKIP LOCKED and a lease, so any number of
//   workers (in-process or `npm run worker`) can share one outbox; the lease is renewed while a
//   row is being worked on, so only a worker that stopped renewing (killed, or cut off from the
//   database) loses its rows; a stuck SMTP conversation is ended by the transport's timeouts.
//   A transport that delivers inside the database (the dev mailbox) needs no lease: a batch is
//   one transaction that locks its rows (SKIP LOCKED), stores the emails and marks them sent.
// - transient failures (4xx, refused connections, timeouts) come back after an exponential
//   backoff; permanent ones (5xx to the message, an unrenderable payload) and rows that used up
//   maxAttempts are dead-lettered with last_error kept.
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Instance } from '../deps.ts';
import { startHousekeeping } from '../features/retention/retention.service.ts';
import { outboxSecretBox } from '../lib/secret-box.ts';
import { composeOutboxEmail, type ComposeContext } from './compose.ts';
import {
  claimDueEmails,
  lockDueEmails,
  markDead,
  markEmailsSent,
  releaseClaims,
  renewLeases,
  scheduleRetry,
  type Claim,
  type ClaimedEmail,
} from './outbox.repository.ts';
import { classifySendError, createMailTransport, DeliveryError, type MailTransport, type OutgoingEmail } from './transport.ts';

export interface WorkerDeps {
  config: Config;
  db: Kysely<Database>;
  instance: Instance;
  log: FastifyBaseLogger;
}

export interface OutboxWorker {
  /** Wake up now: rows were just committed. */
  nudge(): void;
  /** Process due rows until none is left; returns how many were handled. */
  drainOnce(): Promise<number>;
  /** Stop polling and wait for the batch in flight. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Defaults to SMTP when config.smtpUrl is set, else the dev mailbox. A given one is not closed by stop(). */
  transport?: MailTransport;
  /** false: no polling loop; only drainOnce() delivers (tests). Default true. */
  poll?: boolean;
  /** Default config.workerPollMs. */
  pollMs?: number;
  /**
   * The polling loop starts a drain at most this often, however often it is nudged: under a steady
   * stream of creates the emails go out in batches every few tens of milliseconds instead of one
   * claim and one commit per email. After a quiet spell a nudge still starts a drain at once.
   */
  minDrainIntervalMs?: number;
  /** Rows per claim. */
  batchSize?: number;
  /** Emails in flight at once. */
  concurrency?: number;
  /** How long a claim holds a row without renewal. */
  leaseMs?: number;
  /** Claims per row before it is dead-lettered. */
  maxAttempts?: number;
  /** Delay after the first failure; doubled per attempt up to backoffMaxMs. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

/**
 * - lease 60 s, renewed every 20 s while a row is worked on: a killed worker's rows are due again
 *   within a minute, and one SMTP attempt (bounded by the transport's timeouts) fits easily;
 * - batches of 100 claimed, 50 in flight: claims amortise the UPDATE over many rows, and the next
 *   batch is claimed while the last one finishes, so the pipe stays full;
 * - backoff 5 s doubling to 30 min (with jitter), 20 attempts: retries span roughly 4–6 hours,
 *   long enough to ride out a mail server outage, short against an invitation's 30-day life;
 * - a drain started by the loop at most every 50 ms: at 1,000 creates/s that is batches of ~50
 *   rows (two commits for fifty emails, instead of two per email), and at most 50 ms more
 *   between commit and send.
 */
export const WORKER_DEFAULTS = {
  minDrainIntervalMs: 50,
  batchSize: 100,
  concurrency: 50,
  leaseMs: 60_000,
  maxAttempts: 20,
  backoffBaseMs: 5_000,
  backoffMaxMs: 30 * 60_000,
} as const;

/** Exponential, with jitter (50–100 %) so failures from one outage do not all come back at once. */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

interface PendingMark {
  row: ClaimedEmail;
  email: OutgoingEmail;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function startOutboxWorker(deps: WorkerDeps, opts: WorkerOptions = {}): OutboxWorker {
  const { db } = deps;
  const log = deps.log.child({ component: 'outbox-worker' });
  const batchSize = opts.batchSize ?? WORKER_DEFAULTS.batchSize;
  const concurrency = opts.concurrency ?? WORKER_DEFAULTS.concurrency;
  const leaseMs = opts.leaseMs ?? WORKER_DEFAULTS.leaseMs;
  const maxAttempts = opts.maxAttempts ?? WORKER_DEFAULTS.maxAttempts;
  const backoffBaseMs = opts.backoffBaseMs ?? WORKER_DEFAULTS.backoffBaseMs;
  const backoffMaxMs = opts.backoffMaxMs ?? WORKER_DEFAULTS.backoffMaxMs;
  const pollMs = opts.pollMs ?? deps.config.workerPollMs;
  const minDrainIntervalMs = opts.minDrainIntervalMs ?? WORKER_DEFAULTS.minDrainIntervalMs;
  if (!(Number.isFinite(minDrainIntervalMs) && minDrainIntervalMs >= 0)) throw new Error('outbox worker: minDrainIntervalMs must be a non-negative number');
  if (![batchSize, concurrency, leaseMs, maxAttempts].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('outbox worker: batchSize, concurrency, leaseMs and maxAttempts must be positive integers');
  }
  const transport = opts.transport ?? createMailTransport(deps.config);
  const ownsTransport = opts.transport === undefined;
  if (transport.name === 'dev-mailbox' && !deps.instance.isDevelopment) {
    // The dev mailbox is not readable on a production instance, so its email reaches nobody.
    log.warn('no SMTP_URL on a production (sk_live_) instance: emails go to the dev mailbox table and are not delivered');
  }
  const ctx: ComposeContext = { box: outboxSecretBox(deps.instance.secretKey), mailFrom: deps.config.mailFrom };

  let stopped = false;
  let nudged = false;
  let wake: (() => void) | null = null;
  /** Ends the wait between two drains, for stop() only (a nudge does not shorten it). */
  let wakeOnStop: (() => void) | null = null;
  /** Drains and flushes in progress; stop() waits for all of them. */
  const active = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    active.add(p);
    void p.finally(() => active.delete(p)).catch(() => {});
    return p;
  };

  // --- leases: every row this worker holds (claimed, not finished) is renewed on a timer ---
  const held = new Map<number, number>(); // id → attempts (the claim's fence)
  let renewing = false;
  const renewHeld = async () => {
    if (renewing || held.size === 0) return;
    renewing = true;
    try {
      await renewLeases(db, [...held].map(([id, attempts]) => ({ id, attempts })), leaseMs);
    } catch (err) {
      log.warn({ err }, 'could not renew outbox leases; rows may be delivered twice if this persists');
    } finally {
      renewing = false;
    }
  };
  const renewTimer = setInterval(() => void renewHeld(), Math.max(10, Math.floor(leaseMs / 3)));
  // The poll timer keeps a worker-only process alive; this one must not.
  renewTimer.unref();

  // --- marking sent: coalesced, so many acceptances share one UPDATE (group commit) ---
  const marks: PendingMark[] = [];
  let flushing = false;
  const flushMarks = async () => {
    flushing = true;
    try {
      while (marks.length > 0) {
        const items = marks.splice(0, 500);
        try {
          await markEmailsSent(db, items.map((m) => m.row.id));
          for (const m of items) m.resolve();
        } catch (err) {
          for (const m of items) m.reject(err);
        }
      }
    } finally {
      flushing = false;
    }
  };
  const markSent = (row: ClaimedEmail, email: OutgoingEmail) =>
    new Promise<void>((resolve, reject) => {
      marks.push({ row, email, resolve, reject });
      if (!flushing) void track(flushMarks());
    });

  // --- one row ---
  const fail = async (row: ClaimedEmail, failure: DeliveryError): Promise<void> => {
    if (failure.permanent || row.attempts >= maxAttempts) {
      const why = failure.permanent ? failure.message : `gave up after ${row.attempts} attempts; last error: ${failure.message}`;
      await markDead(db, row, why);
      log.warn({ outboxId: row.id, messageId: row.message_id, attempts: row.attempts, error: why }, 'email dead-lettered');
    } else {
      const delay = backoffDelayMs(row.attempts, backoffBaseMs, backoffMaxMs);
      await scheduleRetry(db, row, delay, failure.message);
      log.info({ outboxId: row.id, messageId: row.message_id, attempts: row.attempts, retryInMs: delay, error: failure.message }, 'email delivery failed; will retry');
    }
  };

  const processRow = async (row: ClaimedEmail): Promise<void> => {
    try {
      if (row.attempts > maxAttempts) {
        // Claimed this many times without an outcome: the worker died mid-send each time.
        const why = `gave up after ${maxAttempts} attempts; last error: ${row.last_error ?? 'none recorded (the worker stopped mid-send)'}`;
        await markDead(db, row, why);
        log.warn({ outboxId: row.id, messageId: row.message_id, error: why }, 'email dead-lettered');
        return;
      }
      let email: OutgoingEmail;
      try {
        email = composeOutboxEmail(row, ctx);
        await transport.send(email);
      } catch (err) {
        await fail(row, classifySendError(err));
        return;
      }
      await markSent(row, email);
    } catch (err) {
      // A database error while recording the outcome: the row keeps its lease, which is no
      // longer renewed, so it is claimed again (and re-sent with its Message-ID) when it expires.
      log.error({ err, outboxId: row.id }, 'could not record an outbox outcome; the row will be retried when its lease expires');
    } finally {
      held.delete(row.id);
    }
  };

  // --- a transport that delivers inside the database (the dev mailbox): a batch is one transaction ---
  // The due rows are locked (lockDueEmails), rendered once to check that they render, and marked
  // delivered by the transport; the commit ends the lock: no lease, no claim UPDATE, one commit per
  // batch. Rendering is the only thing that can fail here, and it fails the same way every time
  // (compose.ts), so such a row is dead-lettered in the same transaction. untilEmpty as for drain.
  const deliverInDatabase = async (record: NonNullable<MailTransport['recordSent']>, untilEmpty: boolean): Promise<number> => {
    let handled = 0;
    while (!stopped) {
      // Yield to I/O between batches (embedded PGlite: see refill below).
      await new Promise<void>((resolve) => setImmediate(resolve));
      const dead: { outboxId: number; messageId: string; error: string }[] = [];
      const batch = await db.transaction().execute(async (trx) => {
        const rows = await lockDueEmails(trx, batchSize);
        const sent: number[] = [];
        for (const row of rows) {
          try {
            composeOutboxEmail(row, ctx);
            sent.push(row.id);
          } catch (err) {
            const why = classifySendError(err).message;
            await markDead(trx, row, why);
            dead.push({ outboxId: row.id, messageId: row.message_id, error: why });
          }
        }
        if (sent.length > 0) await record(trx, sent);
        return rows.length;
      });
      // Said once committed: a batch rolled back dead-lettered nothing.
      for (const d of dead) log.warn(d, 'email dead-lettered');
      handled += batch;
      if (batch === 0 || (!untilEmpty && batch < batchSize)) break;
    }
    return handled;
  };

  // --- one drain: `concurrency` lanes pull from a local queue that is refilled by batch claims ---
  // untilEmpty: claim again until a claim finds nothing (drainOnce). Otherwise (the polling loop)
  // a claim that finds less than a full batch ends the drain once its rows are handled: the
  // backlog is gone, and rows committed meanwhile nudged the loop, which claims them in the next
  // drain, together with whatever else arrived by then.
  const drain = async (untilEmpty: boolean): Promise<number> => {
    if (transport.recordSent) return deliverInDatabase(transport.recordSent.bind(transport), untilEmpty);
    const queue: ClaimedEmail[] = [];
    let exhausted = false;
    let failure: unknown = null;
    let claiming: Promise<void> | null = null;
    let handled = 0;

    const refill = (): Promise<void> =>
      (claiming ??= (async () => {
        try {
          // Yield to I/O between batches: with embedded PGlite and the dev mailbox a drain can
          // otherwise run on microtasks alone and starve the HTTP server (and timers) until done.
          await new Promise<void>((resolve) => setImmediate(resolve));
          const rows = await claimDueEmails(db, { limit: batchSize, leaseMs });
          for (const r of rows) held.set(r.id, r.attempts);
          queue.push(...rows);
          if (rows.length === 0 || (!untilEmpty && rows.length < batchSize)) exhausted = true;
        } catch (err) {
          failure = err;
          exhausted = true;
        } finally {
          claiming = null;
        }
      })());

    const lane = async (): Promise<void> => {
      for (;;) {
        if (stopped) return;
        // Claim the next batch while this one is still in flight, so lanes never sit idle.
        if (queue.length < concurrency && !exhausted && claiming === null) void refill();
        const row = queue.shift();
        if (row !== undefined) {
          await processRow(row);
          handled += 1;
          continue;
        }
        if (claiming !== null) {
          await claiming;
          continue;
        }
        if (exhausted) return;
        await refill();
      }
    };

    await Promise.all(Array.from({ length: concurrency }, lane));
    if (claiming !== null) await claiming;
    if (queue.length > 0) {
      // Stopping: rows claimed but never tried go back, due at once for the next worker.
      const left: Claim[] = queue.splice(0).map((r) => ({ id: r.id, attempts: r.attempts }));
      try {
        await releaseClaims(db, left);
      } catch (err) {
        log.warn({ err }, 'could not release claimed outbox rows; they are retried when their lease expires');
      }
      for (const c of left) held.delete(c.id);
    }
    if (failure !== null) throw failure;
    return handled;
  };

  const drainOnce = (): Promise<number> => (stopped ? Promise.resolve(0) : track(drain(true)));

  const sleep = async (ms: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
    wake = null;
    clearTimeout(timer);
  };

  const loop = async (): Promise<void> => {
    let lastDrainStart = -Infinity;
    while (!stopped) {
      // At most one drain start per minDrainIntervalMs. Nudges during this wait are not lost:
      // `nudged` is only cleared below, and the drain claims every row committed before it starts.
      const gap = minDrainIntervalMs - (performance.now() - lastDrainStart);
      if (gap > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, gap);
          wakeOnStop = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeOnStop = null;
      }
      if (stopped) break;
      nudged = false;
      lastDrainStart = performance.now();
      let handled = 0;
      try {
        handled = await track(drain(false));
        if (handled > 0) log.debug({ handled }, 'outbox drained');
      } catch (err) {
        log.error({ err }, 'outbox drain failed; retrying after the poll interval');
      }
      if (stopped) break;
      // Nudged meanwhile, or rows were found (more may be arriving, e.g. from other processes,
      // which do not nudge this one): drain again after the interval. Else wait for a nudge or the poll.
      if (nudged || handled > 0) continue;
      await sleep(pollMs);
    }
  };
  const looping = opts.poll === false ? Promise.resolve() : loop();
  // The housekeeping rides along with a polling worker: one per worker process, as many as run.
  const housekeeping = opts.poll === false ? null : startHousekeeping({ db, retentionDays: deps.config.retentionDays, log: deps.log.child({ component: 'housekeeping' }) });

  return {
    nudge() {
      nudged = true;
      wake?.();
    },
    drainOnce,
    async stop() {
      if (stopped) return;
      stopped = true;
      wake?.();
      wakeOnStop?.();
      await Promise.all([looping, housekeeping?.stop()]);
      while (active.size > 0) await Promise.allSettled([...active]);
      clearInterval(renewTimer);
      if (ownsTransport) await transport.close();
    },
  };
}
