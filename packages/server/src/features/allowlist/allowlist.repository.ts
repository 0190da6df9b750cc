// SQL for the sign-up allowlist.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Whether a canonical address is on the allowlist, itself or through `*@its-domain`. */
export async function isEmailAllowlisted(db: Db, email: string): Promise<boolean> {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const row = await db
    .selectFrom('allowlist_identifiers')
    .select('id')
    .where('identifier', 'in', [email, `*@${domain}`])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
