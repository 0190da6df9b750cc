import type { ColumnType, Selectable } from 'kysely';
import type { VerificationStatus } from '../sign-ups/sign-up.table.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type SignInStatus = 'needs_identifier' | 'needs_first_factor' | 'complete' | 'abandoned';

export interface SignInsTable {
  id: string;
  client_id: string;
  status: SignInStatus;
  identifier: string | null;
  user_id: string | null;
  first_factor_strategy: string | null;
  first_factor_status: VerificationStatus | null;
  code_email_address_id: string | null;
  code_hash: Uint8Array | null;
  code_expires_at: Date | null;
  code_attempts: ColumnType<number, number | undefined, number>;
  created_session_id: string | null;
  abandon_at: ColumnType<Date, Date | string, Date | string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: Timestamp;
}

export type SignInRow = Selectable<SignInsTable>;
