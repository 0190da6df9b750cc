// SQL for users and their email addresses.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Which of these canonical addresses already belong to a user. */
export async function findClaimedEmails(db: Db, emails: string[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = await db.selectFrom('email_addresses').select('email').where('email', 'in', emails).execute();
  return rows.map((r) => r.email);
}
