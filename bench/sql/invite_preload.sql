-- 300k pending invitations over 1,000 organizations, as the spec's reference figures assume.
-- (create.ts runs VACUUM ANALYZE afterwards: VACUUM cannot share a multi-statement query.)
INSERT INTO invitations (id, organization_id, email, role, token_hash, expires_at)
SELECT 'inv_seed_' || n, 'org_' || (n % 1000 + 1), 'seed' || n || '@example.com', 'org:member',
       sha256(uuid_send(gen_random_uuid())), now() + interval '30 days'
FROM generate_series(1, 300000) AS n;
