// SQL for the outbox. Rows are inserted inside the caller's transaction (the one that creates the
// invitation), so an email exists if and only if its cause was committed.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/database.ts';

export interface EmailMessagePayload {
  /** Which template renders it (mail/templates.ts). */
  template: 'invitation';
  to: string;
  /** Template variables that are not secret. */
  vars: Record<string, string | number | null>;
  /** Secret template variables (the link), sealed with the outbox SecretBox; removed once sent. */
  sealed?: Record<string, string>;
}

export async function enqueueEmails(
  trx: Transaction<Database> | Kysely<Database>,
  messages: EmailMessagePayload[],
  messageDomain: string,
): Promise<void> {
  if (messages.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      messages.map((m) => ({
        topic: 'email',
        payload: JSON.stringify(m),
        message_id: `<${randomUUID()}@${messageDomain}>`,
      })),
    )
    .execute();
}
