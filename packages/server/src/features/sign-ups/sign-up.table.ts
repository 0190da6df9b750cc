import type { ColumnType, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type SignUpStatus = 'missing_requirements' | 'complete' | 'abandoned';
export type VerificationStatus = 'unverified' | 'verified' | 'failed' | 'expired';

export interface SignUpsTable {
  id: string;
  client_id: string;
  status: SignUpStatus;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  password_digest: string | null;
  password_hasher: string | null;
  unsafe_metadata: ColumnType<Record<string, unknown>, string | undefined, string>;
  verification_status: VerificationStatus | null;
  verification_strategy: string | null;
  code_hash: Uint8Array | null;
  code_expires_at: Date | null;
  code_attempts: ColumnType<number, number | undefined, number>;
  created_user_id: string | null;
  created_session_id: string | null;
  abandon_at: ColumnType<Date, Date | string, Date | string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: Timestamp;
}

export type SignUpRow = Selectable<SignUpsTable>;
