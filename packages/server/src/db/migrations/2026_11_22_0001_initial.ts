// Frozen: never edit a migration that has landed; add a new one.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row: this instance's id (the `iid` of its tickets).
  await sql`CREATE TABLE instance (
    id text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);

  await sql`CREATE TABLE users (
    id text PRIMARY KEY,
    external_id text UNIQUE,
    username text UNIQUE,
    first_name text,
    last_name text,
    password_digest text,
    password_hasher text,
    public_metadata jsonb NOT NULL DEFAULT '{}',
    private_metadata jsonb NOT NULL DEFAULT '{}',
    unsafe_metadata jsonb NOT NULL DEFAULT '{}',
    banned boolean NOT NULL DEFAULT false,
    locked boolean NOT NULL DEFAULT false,
    delete_self_enabled boolean NOT NULL DEFAULT true,
    create_organization_enabled boolean NOT NULL DEFAULT true,
    create_organizations_limit integer,
    locale text,
    primary_email_address_id text,
    last_sign_in_at timestamptz,
    last_active_at timestamptz,
    legal_accepted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_username_lower CHECK (username = lower(username))
  )`.execute(db);
  await sql`CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC)`.execute(db);

  // An address belongs to at most one user: the unique index is the invariant, stored canonical.
  await sql`CREATE TABLE email_addresses (
    id text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email text NOT NULL,
    verification_status text NOT NULL CHECK (verification_status IN ('unverified', 'verified', 'expired', 'failed')),
    verification_strategy text NOT NULL,
    reserved boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT email_addresses_canonical CHECK (email = lower(email))
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX email_addresses_email_key ON email_addresses (email)`.execute(db);
  await sql`CREATE INDEX email_addresses_user_id_idx ON email_addresses (user_id)`.execute(db);

  // Application invitations. `status` stores pending|accepted|revoked|expired; a pending row past
  // expires_at reads as expired everywhere (computed in SQL) and is rewritten to 'expired' lazily.
  // Two pending invitations for one address cannot both exist unless the later one was created
  // with ignore_existing (allow_duplicate): the partial unique index makes that a database fact.
  await sql`CREATE TABLE invitations (
    id text PRIMARY KEY,
    email text NOT NULL CHECK (email = lower(email)),
    public_metadata jsonb NOT NULL DEFAULT '{}',
    redirect_url text,
    notify boolean NOT NULL DEFAULT true,
    allow_duplicate boolean NOT NULL DEFAULT false,
    template_slug text NOT NULL DEFAULT 'invitation' CHECK (template_slug IN ('invitation', 'waitlist_invitation')),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
    ticket_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    accepted_user_id text REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX invitations_pending_email_key ON invitations (email)
    WHERE status = 'pending' AND NOT allow_duplicate`.execute(db);
  await sql`CREATE INDEX invitations_status_created_idx ON invitations (status, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX invitations_created_idx ON invitations (created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX invitations_email_idx ON invitations (email text_pattern_ops)`.execute(db);

  // total_count without counting rows: per-status counters kept by statement-level triggers, spread
  // over 16 shards by backend pid, so concurrent creates on different connections do not wait on
  // one counter row until commit. A pending row past its expiry
  // still counts as pending here; readers subtract those (a partial index finds them), and the
  // expiry sweeper keeps that set small by rewriting them to 'expired'.
  await sql`CREATE INDEX invitations_pending_expiry_idx ON invitations (expires_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE TABLE invitation_counts (
    status text NOT NULL,
    shard smallint NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (status, shard)
  )`.execute(db);
  await sql`CREATE FUNCTION invitation_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO invitation_counts AS c (status, shard, n)
          SELECT status, (pg_backend_pid() % 16)::smallint, count(*) FROM new_rows GROUP BY status
          ON CONFLICT (status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO invitation_counts AS c (status, shard, n)
          SELECT status, (pg_backend_pid() % 16)::smallint, -count(*) FROM old_rows GROUP BY status
          ON CONFLICT (status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
      ELSE
        INSERT INTO invitation_counts AS c (status, shard, n)
          SELECT status, (pg_backend_pid() % 16)::smallint, sum(d) FROM (
            SELECT status, 1 AS d FROM new_rows UNION ALL SELECT status, -1 AS d FROM old_rows
          ) changes GROUP BY status HAVING sum(d) <> 0
          ON CONFLICT (status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
      END IF;
      RETURN NULL;
    END
  $$`.execute(db);
  await sql`CREATE TRIGGER invitation_counts_insert AFTER INSERT ON invitations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invitation_counts_apply()`.execute(db);
  await sql`CREATE TRIGGER invitation_counts_update AFTER UPDATE ON invitations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invitation_counts_apply()`.execute(db);
  await sql`CREATE TRIGGER invitation_counts_delete AFTER DELETE ON invitations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invitation_counts_apply()`.execute(db);

  // Durable outbox: written in the same transaction as the thing that caused it, drained by the
  // worker. message_id is fixed at insert so a resend after a crash is recognisable downstream.
  await sql`CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic text NOT NULL,
    payload jsonb NOT NULL,
    message_id text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    available_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
  )`.execute(db);
  await sql`CREATE INDEX outbox_due_idx ON outbox (available_at, id) WHERE status = 'pending'`.execute(db);

  // The dev mailbox: where email goes when no SMTP_URL is configured.
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

  await sql`CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    data jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['audit_log', 'dev_emails', 'outbox', 'invitation_counts', 'invitations', 'email_addresses', 'users', 'instance']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS invitation_counts_apply()`.execute(db);
}
