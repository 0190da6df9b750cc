import type { ColumnType, Generated, Selectable } from 'kysely';

export interface OutboxTable {
  id: Generated<number>;
  topic: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  message_id: string;
  status: ColumnType<'pending' | 'sent' | 'dead', 'pending' | 'sent' | undefined, 'pending' | 'sent' | 'dead'>;
  attempts: Generated<number>;
  available_at: ColumnType<Date, Date | string | undefined, Date | string>;
  lease_until: Date | null;
  last_error: string | null;
  created_at: ColumnType<Date, never, never>;
  sent_at: Date | null;
  /** Delivered into the dev mailbox (by the transaction that wrote it, or by the worker): the mailbox lists these rows. */
  mailbox: Generated<boolean>;
}

export type OutboxRow = Selectable<OutboxTable>;
