import type { ColumnType, Generated, Selectable } from 'kysely';

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  message_id: string;
  status: ColumnType<'pending' | 'sent' | 'dead', 'pending' | undefined, 'pending' | 'sent' | 'dead'>;
  attempts: Generated<number>;
  available_at: ColumnType<Date, Date | string | undefined, Date | string>;
  lease_until: Date | null;
  last_error: string | null;
  created_at: ColumnType<Date, never, never>;
  sent_at: Date | null;
}

export interface DevEmailsTable {
  id: Generated<number>;
  message_id: string;
  from_address: string;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  created_at: ColumnType<Date, never, never>;
}

export type OutboxRow = Selectable<OutboxTable>;
export type DevEmailRow = Selectable<DevEmailsTable>;
