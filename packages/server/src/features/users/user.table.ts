import type { ColumnType, Generated, Selectable } from 'kysely';

type Json = Record<string, unknown>;
type JsonColumn = ColumnType<Json, string | undefined, string>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: string;
  external_id: string | null;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  password_digest: string | null;
  password_hasher: string | null;
  public_metadata: JsonColumn;
  private_metadata: JsonColumn;
  unsafe_metadata: JsonColumn;
  banned: Generated<boolean>;
  locked: Generated<boolean>;
  delete_self_enabled: Generated<boolean>;
  create_organization_enabled: Generated<boolean>;
  create_organizations_limit: number | null;
  locale: string | null;
  primary_email_address_id: string | null;
  last_sign_in_at: Date | null;
  last_active_at: Date | null;
  failed_sign_in_attempts: Generated<number>;
  locked_until: Date | null;
  legal_accepted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EmailAddressesTable {
  id: string;
  user_id: string;
  email: string;
  verification_status: 'unverified' | 'verified' | 'expired' | 'failed';
  verification_strategy: string;
  reserved: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type UserRow = Selectable<UsersTable>;
export type EmailAddressRow = Selectable<EmailAddressesTable>;
