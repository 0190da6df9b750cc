// SQL for the outbox. Rows are inserted inside the caller's transaction (the one that creates the
// invitation), so an email exists if and only if its cause was committed.
//
// A row is claimed by setting a lease (lease_until) and counting the attempt; `attempts` changes on
// every claim, so (id, attempts) names one claim. Every later write from the worker that claimed it
// (renew, retry, dead-letter) is fenced on that pair: a worker whose lease expired and whose row
// was claimed again elsewhere cannot overwrite the newer claim's outcome. All times are the
// database's now(), so workers on several hosts agree on what is due.
import { newId } from '../lib/ids.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.ts';
import type { TemplateName } from './templates.ts';

export interface EmailMessagePayload {
  /** Which template renders it (mail/templates.ts). */
  template: TemplateName;
  to: string;
  /** Template variables that are not secret. */
  vars: Record<string, string | number | null>;
  /** Secret template variables (the link), sealed with the outbox SecretBox; removed once sent. */
  sealed?: Record<string, string>;
}

type Db = Kysely<Database> | Transaction<Database>;

/**
 * A Message-ID fixed when the email is queued, so every (re)send of it carries the same one. Its
 * left part is a time-ordered id (lib/ids.ts: milliseconds, then 14 random bytes): unique as a
 * UUID is, and each new one lands at the end of the unique index on outbox.message_id instead of
 * on a random page of it.
 */
export function newMessageId(domain: string): string {
  return `<${newId('msg')}@${domain}>`;
}

/**
 * How an email's outbox row is written when it is delivered into the dev mailbox at commit (the
 * writing server has no SMTP_URL, transport.ts: deliversToMailbox): sent now, marked `mailbox`,
 * its link still sealed for the mailbox to render. Otherwise it is written pending, for the worker.
 */
const DELIVERED_TO_MAILBOX = { status: 'sent', sent_at: sql<Date>`now()`, mailbox: true } as const;
/** The same for a create statement's INSERT INTO outbox: its columns, and their values from `flag` (SQL of the item's boolean). */
export const OUTBOX_DELIVERY_COLUMNS = 'status, sent_at, mailbox';
export function outboxDeliveryValues(flag: string): string {
  return `CASE WHEN ${flag} THEN 'sent' ELSE 'pending' END, CASE WHEN ${flag} THEN now() END, ${flag}`;
}

/**
 * Queues the emails in the caller's transaction. `mailbox`: the writing server has no SMTP_URL, so
 * the emails are delivered into the dev mailbox by this very transaction (status 'sent', their
 * links still sealed: the mailbox renders them when read) and the worker has nothing to do.
 */
export async function enqueueEmails(trx: Db, messages: EmailMessagePayload[], messageDomain: string, mailbox: boolean): Promise<void> {
  if (messages.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      messages.map((m) => ({
        topic: 'email',
        payload: JSON.stringify(m),
        message_id: newMessageId(messageDomain),
        ...(mailbox ? DELIVERED_TO_MAILBOX : {}),
      })),
    )
    .execute();
}

/**
 * Delivers rows into the dev mailbox (the worker, for rows written by a server with SMTP, or
 * before delivery at commit): marked sent, their links kept sealed for the mailbox to render.
 */
export async function markDeliveredToMailbox(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ ...DELIVERED_TO_MAILBOX, lease_until: null })
    .where('id', '=', sql<number>`ANY(${[...ids]}::bigint[])`)
    .where('status', '<>', 'sent')
    .execute();
}

/** One claim of one outbox row. */
export interface ClaimedEmail {
  id: number;
  payload: Record<string, unknown>;
  message_id: string;
  /** Including this claim. */
  attempts: number;
  /** From an earlier attempt, if any. */
  last_error: string | null;
}

export type Claim = Pick<ClaimedEmail, 'id' | 'attempts'>;

const leaseEnd = (leaseMs: number) => sql<Date>`now() + (${Math.round(leaseMs)}::integer * interval '1 millisecond')`;

/**
 * Claims up to `limit` due email rows: pending, available, and not leased (or leased by a worker
 * that has not renewed it in time, e.g. one that was killed). SKIP LOCKED lets concurrent workers
 * take disjoint rows without waiting for each other; the lease keeps the rows theirs after this
 * statement commits, and a row whose lease runs out is simply due again.
 *
 * The due rows are read through outbox_due_idx in its order, stopping at `limit`, never with a
 * bitmap scan: every claim and every send leaves a dead row version behind whose entry stays in
 * that index until VACUUM, and a bitmap scan visits the heap for all of them on every claim (107 ms
 * per claim with 80k dead versions, measured), while an ordered index scan marks them dead in the
 * index on the first visit and skips them after that (0.6 ms). The planner picks the bitmap scan
 * whenever its statistics are stale, so it is switched off for this one statement's transaction.
 */
export async function claimDueEmails(db: Kysely<Database>, opts: { limit: number; leaseMs: number }): Promise<ClaimedEmail[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_bitmapscan = off`.execute(trx);
    return claimDueEmailsIn(trx, opts);
  });
}

/** Pending email rows that are due and not leased (or whose lease ran out), oldest first. */
function dueEmails(db: Db, limit: number) {
  return db
    .selectFrom('outbox')
    .where('topic', '=', 'email')
    .where('status', '=', 'pending')
    .where('available_at', '<=', sql<Date>`now()`)
    .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<=', sql<Date>`now()`)]))
    .orderBy('available_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked();
}

async function claimDueEmailsIn(trx: Transaction<Database>, opts: { limit: number; leaseMs: number }): Promise<ClaimedEmail[]> {
  return trx
    .updateTable('outbox')
    .set({ lease_until: leaseEnd(opts.leaseMs), attempts: sql<number>`attempts + 1` })
    .where('id', 'in', dueEmails(trx, opts.limit).select('id'))
    .returning(['id', 'payload', 'message_id', 'attempts', 'last_error'])
    .execute();
}

/**
 * For a transport that delivers inside the database (the dev mailbox): up to `limit` due rows,
 * locked until the caller's transaction ends, which stores and marks them. Other workers skip
 * them meanwhile (SKIP LOCKED), as they skip a leased row; no lease is written, so a batch costs
 * no claim UPDATE, and a worker that dies mid-batch holds nothing once its transaction is rolled
 * back. `attempts` is the row's, unchanged. The same scan as claimDueEmails (bitmap scans off).
 */
export async function lockDueEmails(trx: Transaction<Database>, limit: number): Promise<ClaimedEmail[]> {
  await sql`SET LOCAL enable_bitmapscan = off`.execute(trx);
  return dueEmails(trx, limit).select(['id', 'payload', 'message_id', 'attempts', 'last_error']).execute();
}

function fenced(claims: readonly Claim[]) {
  return sql<boolean>`(id, attempts) IN (${sql.join(claims.map((c) => sql`(${c.id}::bigint, ${c.attempts}::integer)`))})`;
}

/** Extends the leases of rows still being worked on, so a slow batch is not claimed twice. */
export async function renewLeases(db: Kysely<Database>, claims: readonly Claim[], leaseMs: number): Promise<void> {
  if (claims.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ lease_until: leaseEnd(leaseMs) })
    .where('status', '=', 'pending')
    .where(fenced(claims))
    .execute();
}

/** Gives back claimed rows that were never tried (worker stopping): due again at once. */
export async function releaseClaims(db: Kysely<Database>, claims: readonly Claim[]): Promise<void> {
  if (claims.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ lease_until: null, attempts: sql<number>`attempts - 1` })
    .where('status', '=', 'pending')
    .where(fenced(claims))
    .execute();
}

/**
 * Marks rows sent after the next hop accepted them, and drops the sealed link from the payload so
 * it does not stay in the database. The ids go as one array (one statement text for any batch). Not fenced: if the message was accepted it was sent, whichever
 * claim did it; a row already 'sent' (a duplicate delivery) keeps its first sent_at.
 */
export async function markEmailsSent(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: sql<Date>`now()`, lease_until: null, payload: sql<string>`payload - 'sealed'` })
    .where('id', '=', sql<number>`ANY(${[...ids]}::bigint[])`)
    .where('status', '<>', 'sent')
    .execute();
}

/** A transient failure: due again after `delayMs`, with the error kept for operators. */
export async function scheduleRetry(db: Kysely<Database>, claim: Claim, delayMs: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      available_at: sql<Date>`now() + (${Math.round(delayMs)}::integer * interval '1 millisecond')`,
      lease_until: null,
      last_error: error,
    })
    .where('status', '=', 'pending')
    .where(fenced([claim]))
    .execute();
}

/**
 * A permanent failure, or too many attempts: status 'dead', never claimed again. The sealed link
 * stays (still sealed) so an operator can requeue the row after fixing the cause.
 */
export async function markDead(db: Db, claim: Claim, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'dead', lease_until: null, last_error: error })
    .where('status', '=', 'pending')
    .where(fenced([claim]))
    .execute();
}
