// SQL for the dev mailbox (the dev_emails table).
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DevEmailRow, DevEmailsTable } from '../../mail/outbox.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A re-sent outbox row carries the same Message-ID: it is stored once. */
export async function insertDevEmails(db: Db, emails: readonly Insertable<DevEmailsTable>[]): Promise<void> {
  if (emails.length === 0) return;
  await db
    .insertInto('dev_emails')
    .values([...emails])
    .onConflict((oc) => oc.column('message_id').doNothing())
    .execute();
}

export interface DevEmailFilter {
  /** Canonical address; dev_emails.to_address is stored canonical. */
  to?: string;
}

export async function listDevEmails(db: Db, filter: DevEmailFilter, page: { limit: number; offset: number }): Promise<DevEmailRow[]> {
  let q = db.selectFrom('dev_emails').selectAll();
  if (filter.to !== undefined) q = q.where('to_address', '=', filter.to);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
}

export async function countDevEmails(db: Db, filter: DevEmailFilter): Promise<number> {
  let q = db.selectFrom('dev_emails').select((eb) => eb.fn.countAll<number>().as('n'));
  if (filter.to !== undefined) q = q.where('to_address', '=', filter.to);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}
