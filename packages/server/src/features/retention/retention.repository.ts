// The deletes of the housekeeping (retention.service.ts). Each removes at most `limit` rows, oldest
// first, and skips rows another process has locked, so several workers can prune side by side
// without waiting on each other or on the requests that use those rows.
//
// Outbox ids grow with time (an identity column), so that scan walks the primary key from the
// oldest row and stops at the first row created after the cut-off (nothing from there on can be
// old enough): an hourly run reads what is old, not the whole table, and needs no index of its own.
// Client ids are text, whose order depends on the database's collation, so that scan has no such
// bound: it reads the clients' primary key once an hour.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

const deleted = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);
const MAX_BIGINT = '9223372036854775807';

/** Emails sent before `before` (dev-mailbox ones included); pending and dead rows stay. */
export async function deleteSentEmails(db: Kysely<Database>, before: Date, limit: number): Promise<number> {
  const r = await sql`DELETE FROM outbox WHERE id IN (
      SELECT id FROM outbox
       WHERE id < coalesce((SELECT id FROM outbox WHERE created_at >= ${before} ORDER BY id LIMIT 1), ${MAX_BIGINT}::bigint)
         AND status = 'sent' AND sent_at < ${before}
       ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(db);
  return deleted(r);
}

/**
 * Clients (browsers) with nothing touched since `before`: no session, sign-in or sign-up updated
 * since, and no session still active. Their sessions, sign-ins and sign-ups go with them (the
 * foreign keys cascade); a browser that comes back with the old cookie is simply signed out.
 */
export async function deleteStaleClients(db: Kysely<Database>, before: Date, limit: number): Promise<number> {
  const r = await sql`DELETE FROM clients WHERE id IN (
      SELECT c.id FROM clients c
       WHERE c.updated_at < ${before}
         AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.client_id = c.id AND (s.updated_at >= ${before} OR (s.status = 'active' AND s.expire_at > now())))
         AND NOT EXISTS (SELECT 1 FROM sign_ins i WHERE i.client_id = c.id AND i.updated_at >= ${before})
         AND NOT EXISTS (SELECT 1 FROM sign_ups u WHERE u.client_id = c.id AND u.updated_at >= ${before})
       ORDER BY c.id LIMIT ${limit} FOR UPDATE OF c SKIP LOCKED)`.execute(db);
  return deleted(r);
}

/** Addresses added from the browser and left unverified since `before` (their codes are long dead). */
export async function deleteStalePendingEmailAddresses(db: Kysely<Database>, before: Date, limit: number): Promise<number> {
  const r = await sql`DELETE FROM pending_email_addresses WHERE id IN (
      SELECT id FROM pending_email_addresses WHERE updated_at < ${before} ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(db);
  return deleted(r);
}
