-- invite_tx.sql: one create-invitation transaction (invitation, outbox row, audit row), the
-- script of performance.md with two changes that -M prepared needs (the text as printed in the
-- spec aborts on pgbench 15 in prepared and extended mode, and only runs in simple mode):
--  1. 'org:member' is written 'org:' || 'member' (the same constant, folded at plan time):
--     pgbench does not skip string literals, so it takes ':member' for a variable and the
--     statement gets a parameter the server never sees ("bind message supplies 6 parameters,
--     but prepared statement requires 5").
--  2. jsonb_build_object('org', :org::int, 'r', :r::int): without the casts the server cannot
--     type the parameters of a variadic "any" function ("could not determine data type of
--     parameter $1").
-- Run: pgbench -n -M prepared -f invite_tx.sql -c C -j 2 -T 12
\set r random(1, 2000000000)
\set org random(1, 1000)
BEGIN;
INSERT INTO invitations (id, organization_id, email, role, token_hash, expires_at)
  VALUES ('inv_'||:client_id||'_'||:r||'_'||md5(random()::text), 'org_'||:org,
          'u'||:r||'_'||:client_id||'@example.com', 'org:' || 'member', sha256(gen_random_uuid()::text::bytea),
          now() + interval '30 days') ON CONFLICT DO NOTHING;
INSERT INTO outbox (topic, payload) VALUES ('invitation.email', jsonb_build_object('org', :org::int, 'r', :r::int));
INSERT INTO audit_log (actor, action, target) VALUES ('user_1', 'invitation.create', 'org_'||:org);
COMMIT;
