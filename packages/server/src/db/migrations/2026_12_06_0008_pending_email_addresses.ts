// Addresses a signed-in user adds from the browser, until they verify them with an emailed code.
// They are kept apart from email_addresses on purpose: until verified, an address must count for
// nothing (no sign-in by it, no invitation ticket finding its account, no sign-up or invitation
// blocked by it), and several users may be trying to prove the same address. A verified one moves
// to email_addresses, keeping its id, where the unique index decides who gets it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE pending_email_addresses (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (email = lower(email)),
    code_hash bytea,
    code_expires_at timestamptz,
    code_attempts integer NOT NULL DEFAULT 0,
    failed boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX pending_email_addresses_user_email_key ON pending_email_addresses (user_id, email)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE pending_email_addresses`.execute(db);
}
