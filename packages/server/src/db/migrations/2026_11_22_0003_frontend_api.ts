// Frozen: never edit a migration that has landed; add a new one.
// The Frontend API: browser clients and their sessions, sign-up and sign-in attempts, the keys
// that sign session tokens, the sign-up allowlist, and account lockout after wrong passwords.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A client is one browser: the __client cookie holds a 256-bit token; only its SHA-256 is
  // stored. The token is replaced (rotated) whenever a sign-in or sign-up completes.
  await sql`CREATE TABLE clients (
    id text PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);

  await sql`CREATE TABLE sessions (
    id text PRIMARY KEY,
    client_id text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('active', 'ended', 'removed', 'revoked')),
    active_organization_id text REFERENCES organizations (id) ON DELETE SET NULL,
    last_active_at timestamptz NOT NULL DEFAULT now(),
    expire_at timestamptz NOT NULL,
    abandon_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX sessions_client_idx ON sessions (client_id)`.execute(db);
  await sql`CREATE INDEX sessions_user_active_idx ON sessions (user_id) WHERE status = 'active'`.execute(db);

  // One sign-up attempt per client at a time (the newest is the client's sign_up). The email code
  // is stored hashed with its expiry and a failed-attempt counter.
  await sql`CREATE TABLE sign_ups (
    id text PRIMARY KEY,
    client_id text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('missing_requirements', 'complete', 'abandoned')),
    email text,
    first_name text,
    last_name text,
    password_digest text,
    password_hasher text,
    unsafe_metadata jsonb NOT NULL DEFAULT '{}',
    verification_status text CHECK (verification_status IN ('unverified', 'verified', 'failed', 'expired')),
    verification_strategy text,
    code_hash bytea,
    code_expires_at timestamptz,
    code_attempts integer NOT NULL DEFAULT 0,
    created_user_id text REFERENCES users (id) ON DELETE SET NULL,
    created_session_id text REFERENCES sessions (id) ON DELETE SET NULL,
    abandon_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX sign_ups_client_idx ON sign_ups (client_id, created_at DESC)`.execute(db);

  await sql`CREATE TABLE sign_ins (
    id text PRIMARY KEY,
    client_id text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('needs_identifier', 'needs_first_factor', 'complete', 'abandoned')),
    identifier text,
    user_id text REFERENCES users (id) ON DELETE CASCADE,
    first_factor_strategy text,
    first_factor_status text CHECK (first_factor_status IN ('unverified', 'verified', 'failed', 'expired')),
    code_email_address_id text REFERENCES email_addresses (id) ON DELETE SET NULL,
    code_hash bytea,
    code_expires_at timestamptz,
    code_attempts integer NOT NULL DEFAULT 0,
    created_session_id text REFERENCES sessions (id) ON DELETE SET NULL,
    abandon_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE INDEX sign_ins_client_idx ON sign_ins (client_id, created_at DESC)`.execute(db);

  // Repeated wrong passwords lock the account until locked_until (the BAPI's users.locked is a
  // separate, manual lock).
  await sql`ALTER TABLE users ADD COLUMN failed_sign_in_attempts integer NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE users ADD COLUMN locked_until timestamptz`.execute(db);

  // RS256 keys for session tokens. The private key is sealed with a key derived from the
  // instance secret key; the newest key signs, every key is published in the JWKS.
  await sql`CREATE TABLE signing_keys (
    kid text PRIMARY KEY,
    private_key_sealed text NOT NULL,
    public_jwk jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);

  await sql`CREATE TABLE allowlist_identifiers (
    id text PRIMARY KEY,
    identifier text NOT NULL UNIQUE,
    identifier_type text NOT NULL CHECK (identifier_type IN ('email_address', 'domain')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['allowlist_identifiers', 'signing_keys', 'sign_ins', 'sign_ups', 'sessions', 'clients']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
  await sql`ALTER TABLE users DROP COLUMN IF EXISTS locked_until`.execute(db);
  await sql`ALTER TABLE users DROP COLUMN IF EXISTS failed_sign_in_attempts`.execute(db);
}
