// Frozen: never edit a migration that has landed; add a new one.
// The dev mailbox becomes a view of the outbox: an email written by a server without SMTP_URL is
// delivered into the dev mailbox by the transaction that writes it (status 'sent', mailbox true,
// its link still sealed), and the mailbox renders it when read. The copies the worker used to store
// in dev_emails (rendered bodies, written in a second transaction per batch) are no longer made;
// those stored before are dropped with the table (a dev mailbox holds nothing else).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE outbox ADD COLUMN mailbox boolean NOT NULL DEFAULT false`.execute(db);
  await sql`DROP TABLE dev_emails`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE dev_emails (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id text NOT NULL UNIQUE,
    from_address text NOT NULL,
    to_address text NOT NULL,
    subject text NOT NULL,
    html text NOT NULL,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN mailbox`.execute(db);
}
