import type { ColumnType, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ClientsTable {
  id: string;
  /** SHA-256 of the __client cookie token. */
  token_hash: Uint8Array;
  created_at: ColumnType<Date, never, never>;
  updated_at: Timestamp;
}

export type SessionStatus = 'active' | 'ended' | 'removed' | 'revoked';

export interface SessionsTable {
  id: string;
  client_id: string;
  user_id: string;
  status: SessionStatus;
  active_organization_id: string | null;
  last_active_at: Timestamp;
  expire_at: ColumnType<Date, Date | string, Date | string>;
  abandon_at: ColumnType<Date, Date | string, Date | string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: Timestamp;
}

export type ClientRow = Selectable<ClientsTable>;
export type SessionRow = Selectable<SessionsTable>;
