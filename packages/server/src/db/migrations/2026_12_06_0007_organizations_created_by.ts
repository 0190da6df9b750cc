// Frozen: never edit a migration that has landed; add a new one.
// An index on organizations.created_by, for the Frontend API's organization create: a user may
// create at most so many organizations from the browser (TESSERA_MAX_ORGANIZATIONS_PER_USER, or the
// user's create_organizations_limit), counted by creator. Partial: organizations made through the
// Backend API without a creator take no entry.
import { sql, type Kysely } from 'kysely';

export const INDEX = 'organizations_created_by_idx';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX ${sql.ref(INDEX)} ON organizations (created_by) WHERE created_by IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX ${sql.ref(INDEX)}`.execute(db);
}
