import type { ColumnType, Selectable } from 'kysely';
import type { InvitationStatus } from '../invitations/invitation.table.ts';

export interface OrganizationInvitationsTable {
  id: string;
  organization_id: string;
  email: string;
  role_id: string;
  inviter_user_id: string | null;
  public_metadata: ColumnType<Record<string, unknown>, string, string>;
  private_metadata: ColumnType<Record<string, unknown>, string, string>;
  redirect_url: string | null;
  notify: boolean;
  status: ColumnType<InvitationStatus, InvitationStatus | undefined, InvitationStatus>;
  ticket_hash: Uint8Array;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  accepted_user_id: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}

export type OrganizationInvitationRow = Selectable<OrganizationInvitationsTable>;

/** Per-(organization, status) row counts kept by triggers (see the migration); sum the shards. */
export interface OrganizationInvitationCountsTable {
  organization_id: string;
  status: InvitationStatus;
  shard: number;
  n: number;
}
