import type { ColumnType, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** An address a user added from the browser and has not verified yet (migration 0008). */
export interface PendingEmailAddressesTable {
  id: string;
  user_id: string;
  email: string;
  code_hash: Uint8Array | null;
  code_expires_at: Date | null;
  code_attempts: ColumnType<number, number | undefined, number>;
  failed: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: Timestamp;
}

export type PendingEmailAddressRow = Selectable<PendingEmailAddressesTable>;
