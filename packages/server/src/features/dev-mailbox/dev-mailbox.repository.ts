// SQL for the dev mailbox (the dev_emails table).
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DevEmailRow, DevEmailsTable } from '../../mail/outbox.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * A re-sent outbox row carries the same Message-ID: it is stored once. The batch goes as one array
 * per column, so the statement's text is the same for every batch size (prepared once per
 * connection, db/open.ts) instead of a new VALUES list to parse and plan each time.
 */
export async function insertDevEmails(db: Db, emails: readonly Insertable<DevEmailsTable>[]): Promise<void> {
  if (emails.length === 0) return;
  const column = (k: 'message_id' | 'from_address' | 'to_address' | 'subject' | 'html' | 'text') => emails.map((e) => e[k]);
  await sql`
    INSERT INTO dev_emails (message_id, from_address, to_address, subject, html, text)
    SELECT * FROM unnest(${column('message_id')}::text[], ${column('from_address')}::text[], ${column('to_address')}::text[],
                         ${column('subject')}::text[], ${column('html')}::text[], ${column('text')}::text[])
    ON CONFLICT (message_id) DO NOTHING`.execute(db);
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
