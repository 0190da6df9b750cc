// Frozen: never edit a migration that has landed; add a new one.
// organization_invitations_org_created_idx (organization_id, created_at, id) goes. It served one
// list: an organization's invitations of every status, newest first. That list is now a merge of
// the organization's ranges of organization_invitations_org_status_idx (organization_id, status,
// created_at, id), one range per status, each already in time order (organization-invitation
// .repository.ts, listOrganizationInvitations). The merge reads at most offset + limit rows of each
// range, whatever the organization's size, and it serves a list filtered by several statuses
// without a sort too, which the dropped index never did.
//
// Every invitation create wrote an entry in this index, and so did every accept and revoke: a
// status change is not a HOT update, so it writes every index of the row again. Measured in
// bench/README.md.
import { sql, type Kysely } from 'kysely';

export const DROPPED_INDEX = 'organization_invitations_org_created_idx';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX ${sql.ref(DROPPED_INDEX)}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX ${sql.ref(DROPPED_INDEX)} ON organization_invitations (organization_id, created_at, id)`.execute(db);
}
