// Frozen: never edit a migration that has landed; add a new one.
// Organizations, roles and permissions (data, seeded with Clerk's defaults), memberships and
// organization invitations.
import { sql, type Kysely } from 'kysely';

const SYSTEM_PERMISSIONS: [key: string, name: string, description: string][] = [
  ['org:sys_profile:manage', 'Manage organization', 'Permission to manage an organization.'],
  ['org:sys_profile:delete', 'Delete organization', 'Permission to delete an organization.'],
  ['org:sys_memberships:read', 'Read members', 'Permission to read the members of an organization.'],
  ['org:sys_memberships:manage', 'Manage members', 'Permission to manage the members of an organization.'],
  ['org:sys_domains:read', 'Read domains', 'Permission to read the domains of an organization.'],
  ['org:sys_domains:manage', 'Manage domains', 'Permission to manage the domains of an organization.'],
  ['org:sys_billing:read', 'Read billing', 'Permission to read the billing of an organization.'],
  ['org:sys_billing:manage', 'Manage billing', 'Permission to manage the billing of an organization.'],
  ['org:sys_entconns:manage', 'Manage enterprise connections', 'Permission to manage the enterprise connections of an organization.'],
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE organizations (
    id text PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 256),
    slug text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 256),
    image_url text,
    max_allowed_memberships integer NOT NULL DEFAULT 0 CHECK (max_allowed_memberships >= 0),
    admin_delete_enabled boolean NOT NULL DEFAULT true,
    public_metadata jsonb NOT NULL DEFAULT '{}',
    private_metadata jsonb NOT NULL DEFAULT '{}',
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug)`.execute(db);
  await sql`CREATE INDEX organizations_created_idx ON organizations (created_at DESC, id DESC)`.execute(db);

  await sql`CREATE TABLE permissions (
    id text PRIMARY KEY,
    key text NOT NULL UNIQUE CHECK (key ~ '^org:[a-z0-9_]+:[a-z0-9_]+$'),
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    type text NOT NULL CHECK (type IN ('system', 'user')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);

  await sql`CREATE TABLE roles (
    id text PRIMARY KEY,
    key text NOT NULL UNIQUE CHECK (key ~ '^org:[a-z0-9_]+$'),
    name text NOT NULL,
    description text NOT NULL DEFAULT '',
    is_creator_role boolean NOT NULL DEFAULT false,
    is_default_role boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  // Exactly one creator role and one default role at most: partial unique indexes.
  await sql`CREATE UNIQUE INDEX roles_one_creator ON roles (is_creator_role) WHERE is_creator_role`.execute(db);
  await sql`CREATE UNIQUE INDEX roles_one_default ON roles (is_default_role) WHERE is_default_role`.execute(db);

  await sql`CREATE TABLE role_permissions (
    role_id text NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_id text NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, permission_id)
  )`.execute(db);

  // A member is in an organization once (primary key), with a role that exists: a role in use
  // cannot be deleted (ON DELETE RESTRICT).
  await sql`CREATE TABLE organization_memberships (
    id text NOT NULL UNIQUE,
    organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id text NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    public_metadata jsonb NOT NULL DEFAULT '{}',
    private_metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
  )`.execute(db);
  await sql`CREATE INDEX organization_memberships_user_idx ON organization_memberships (user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX organization_memberships_org_created_idx ON organization_memberships (organization_id, created_at DESC, id DESC)`.execute(db);

  // Organization invitations: as application invitations, per organization.
  await sql`CREATE TABLE organization_invitations (
    id text PRIMARY KEY,
    organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email text NOT NULL CHECK (email = lower(email)),
    role_id text NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    inviter_user_id text REFERENCES users (id) ON DELETE SET NULL,
    public_metadata jsonb NOT NULL DEFAULT '{}',
    private_metadata jsonb NOT NULL DEFAULT '{}',
    redirect_url text,
    notify boolean NOT NULL DEFAULT true,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
    ticket_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    accepted_user_id text REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX organization_invitations_pending_key ON organization_invitations (organization_id, email) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX organization_invitations_org_status_idx ON organization_invitations (organization_id, status, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX organization_invitations_org_created_idx ON organization_invitations (organization_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX organization_invitations_email_idx ON organization_invitations (email, status)`.execute(db);
  await sql`CREATE INDEX organization_invitations_created_idx ON organization_invitations (created_at DESC, id DESC)`.execute(db);

  // An organization's list total without counting its rows: per-(organization, status) counters kept
  // by statement-level triggers (sharded by backend pid), corrected by readers for pending rows past
  // expiry (partial index below), which the expiry sweeper rewrites to 'expired'. No foreign key:
  // deleting an organization cascades to its invitations, whose delete trigger still updates these.
  await sql`CREATE INDEX organization_invitations_pending_expiry_idx ON organization_invitations (organization_id, expires_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE TABLE organization_invitation_counts (
    organization_id text NOT NULL,
    status text NOT NULL,
    shard smallint NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (organization_id, status, shard)
  )`.execute(db);
  await sql`CREATE FUNCTION organization_invitation_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO organization_invitation_counts AS c (organization_id, status, shard, n)
          SELECT organization_id, status, (pg_backend_pid() % 16)::smallint, count(*) FROM new_rows GROUP BY organization_id, status
          ON CONFLICT (organization_id, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO organization_invitation_counts AS c (organization_id, status, shard, n)
          SELECT organization_id, status, (pg_backend_pid() % 16)::smallint, -count(*) FROM old_rows GROUP BY organization_id, status
          ON CONFLICT (organization_id, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
      ELSE
        INSERT INTO organization_invitation_counts AS c (organization_id, status, shard, n)
          SELECT organization_id, status, (pg_backend_pid() % 16)::smallint, sum(d) FROM (
            SELECT organization_id, status, 1 AS d FROM new_rows UNION ALL SELECT organization_id, status, -1 AS d FROM old_rows
          ) changes GROUP BY organization_id, status HAVING sum(d) <> 0
          ON CONFLICT (organization_id, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
      END IF;
      RETURN NULL;
    END
  $$`.execute(db);
  await sql`CREATE TRIGGER organization_invitation_counts_insert AFTER INSERT ON organization_invitations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organization_invitation_counts_apply()`.execute(db);
  await sql`CREATE TRIGGER organization_invitation_counts_update AFTER UPDATE ON organization_invitations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION organization_invitation_counts_apply()`.execute(db);
  await sql`CREATE TRIGGER organization_invitation_counts_delete AFTER DELETE ON organization_invitations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION organization_invitation_counts_apply()`.execute(db);

  // Clerk's defaults: org:admin has every system permission, org:member reads members and billing.
  // Their ids are fixed (well-formed, and oldest of all: the time part is zero), so every
  // installation names the default roles and permissions alike.
  const fixedId = (prefix: string, name: string) => `${prefix}_${name.replace(/[^a-z0-9]/gi, '').padStart(27, '0')}`;
  const permId = (key: string) => fixedId('perm', key.replace(/^org:sys_/, ''));
  for (const [key, name, description] of SYSTEM_PERMISSIONS) {
    await sql`INSERT INTO permissions (id, key, name, description, type) VALUES (${permId(key)}, ${key}, ${name}, ${description}, 'system')`.execute(db);
  }
  await sql`INSERT INTO roles (id, key, name, description, is_creator_role, is_default_role) VALUES
    (${fixedId('role', 'admin')}, 'org:admin', 'Admin', 'Role with elevated permissions.', true, false),
    (${fixedId('role', 'member')}, 'org:member', 'Member', 'Role with non-privileged permissions.', false, true)`.execute(db);
  for (const [key] of SYSTEM_PERMISSIONS) {
    await sql`INSERT INTO role_permissions (role_id, permission_id) VALUES (${fixedId('role', 'admin')}, ${permId(key)})`.execute(db);
  }
  for (const key of ['org:sys_memberships:read', 'org:sys_billing:read']) {
    await sql`INSERT INTO role_permissions (role_id, permission_id) VALUES (${fixedId('role', 'member')}, ${permId(key)})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['organization_invitation_counts', 'organization_invitations', 'organization_memberships', 'role_permissions', 'roles', 'permissions', 'organizations']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
  await sql`DROP FUNCTION IF EXISTS organization_invitation_counts_apply()`.execute(db);
}
