import type { ColumnType, Selectable } from 'kysely';

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export interface InvitationsTable {
  id: string;
  email: string;
  public_metadata: ColumnType<Record<string, unknown>, string, string>;
  redirect_url: string | null;
  notify: boolean;
  allow_duplicate: boolean;
  template_slug: 'invitation' | 'waitlist_invitation';
  status: ColumnType<InvitationStatus, InvitationStatus | undefined, InvitationStatus>;
  ticket_hash: Uint8Array;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  accepted_user_id: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}

export type InvitationRow = Selectable<InvitationsTable>;

/** Per-status row counts kept by triggers (see the migration); sum the shards. */
export interface InvitationCountsTable {
  status: InvitationStatus;
  shard: number;
  n: number;
}
