import type { ColumnType, Selectable } from 'kysely';

export interface AllowlistIdentifiersTable {
  id: string;
  /** A canonical email address, or `*@domain` (any address at that domain). */
  identifier: string;
  identifier_type: 'email_address' | 'domain';
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date | string>;
}

export type AllowlistIdentifierRow = Selectable<AllowlistIdentifiersTable>;
