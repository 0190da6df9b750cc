-- Run after invite_preload.sql (300k pending invitations 'inv_seed_<n>' over 1,000 organizations
-- 'org_<n % 1000 + 1>', as the spec's reference figures assume): each organization's creator as
-- its first member (1,000 rows), like the creator membership an organization gets in Tessera.
-- (accept.ts runs VACUUM ANALYZE afterwards: VACUUM cannot share a multi-statement query.)
INSERT INTO memberships (organization_id, user_id, role)
SELECT 'org_' || k, 'owner_' || k, 'org:admin'
FROM generate_series(1, 1000) AS k;
