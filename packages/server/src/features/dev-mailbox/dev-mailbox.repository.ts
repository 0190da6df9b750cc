// SQL for the dev mailbox: the outbox rows delivered into it (outbox.mailbox), newest first.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface MailboxRow {
  id: number;
  message_id: string;
  payload: Record<string, unknown>;
  sent_at: Date | null;
}

export interface DevEmailFilter {
  /** Canonical address, as the payload holds it. */
  to?: string;
}

function mailbox(db: Db, filter: DevEmailFilter) {
  let q = db.selectFrom('outbox').where('mailbox', '=', true);
  if (filter.to !== undefined) q = q.where(sql<string>`payload ->> 'to'`, '=', filter.to);
  return q;
}

/** Newest first by outbox id (the order they were written), through the primary key. */
export async function listDevEmails(db: Db, filter: DevEmailFilter, page: { limit: number; offset: number }): Promise<MailboxRow[]> {
  return mailbox(db, filter).select(['id', 'message_id', 'payload', 'sent_at']).orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
}

export async function countDevEmails(db: Db, filter: DevEmailFilter): Promise<number> {
  const row = await mailbox(db, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
