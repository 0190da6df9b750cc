-- The reference schema for accepting an invitation (performance.md, "the physical limit", P2), run
-- after invite_schema.sql (invitations with the unique token_hash and the partial unique index on
-- (organization_id, lower(email)) WHERE status = 'pending', outbox, audit_log): the memberships an
-- accept creates, keyed as the spec says. Created in its own database, never in Tessera's.
CREATE TABLE memberships (
  organization_id text NOT NULL,
  user_id text NOT NULL,
  role text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id)
);
