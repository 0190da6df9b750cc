// Seeds the Tessera `invitations` table (schema of the initial migration) straight in SQL,
// in batches, with rows the server itself could have written:
// - id 'inv_' + 27 base62 characters whose first 9 encode created_at in ms, so ids sort by
//   creation time like the server's (the other 18 are the row number: unique, not random);
// - email 'seed<n>@example.com' (lower case, unique), ticket_hash sha256 of a random uuid (unique);
// - created_at spread over the past year, rows inserted in created_at order (like an
//   append-only table would be laid out on disk);
// - mix 'realistic': by n % 10 → 0–6 pending (expires in 1–30 days), 7 pending but past
//   expires_at (reads as expired), 8 accepted, 9 revoked; 'pending': every row pending, not expired.
import type pg from 'pg';

export type SeedMix = 'realistic' | 'pending';

/** pg_temp.bench_b62(n, width): n in base62, zero-padded (the alphabet of lib/ids.ts). */
export const BASE62 = `CREATE OR REPLACE FUNCTION pg_temp.bench_b62(n bigint, width int) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  digits constant text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  out text := '';
BEGIN
  WHILE n > 0 LOOP
    out := substr(digits, (n % 62)::int + 1, 1) || out;
    n := n / 62;
  END LOOP;
  RETURN lpad(out, width, '0');
END $$`;

const INSERT = `INSERT INTO invitations (id, email, status, ticket_hash, expires_at, created_at, updated_at)
SELECT 'inv_' || pg_temp.bench_b62((extract(epoch FROM c) * 1000)::bigint, 9) || pg_temp.bench_b62(n, 18),
       'seed' || n || '@example.com',
       CASE WHEN $3::text = 'pending' OR n % 10 <= 7 THEN 'pending' WHEN n % 10 = 8 THEN 'accepted' ELSE 'revoked' END,
       sha256(uuid_send(gen_random_uuid())),
       CASE WHEN $3::text = 'realistic' AND n % 10 = 7 THEN now() - interval '1 hour' - random() * interval '300 days'
            WHEN $3::text = 'realistic' AND n % 10 >= 8 THEN c + interval '30 days'
            ELSE now() + interval '1 day' + random() * interval '29 days' END,
       c, c
FROM (SELECT n, now() - random() * interval '365 days' AS c FROM generate_series($1::bigint, $2::bigint) AS n) AS s
ORDER BY c`;

/** Inserts rows numbered first..first+count-1; returns the elapsed seconds. */
export async function seedInvitations(client: pg.Client, first: number, count: number, mix: SeedMix): Promise<number> {
  const started = Date.now();
  await client.query(BASE62);
  const batch = 100_000;
  for (let from = first; from < first + count; from += batch) {
    const to = Math.min(from + batch, first + count) - 1;
    await client.query(INSERT, [from, to, mix]);
    if (count > batch && process.stdout.isTTY) process.stdout.write(`  seeded ${(to - first + 1).toLocaleString('en-US')} / ${count.toLocaleString('en-US')}\r`);
  }
  if (count > batch && process.stdout.isTTY) process.stdout.write('\n');
  return (Date.now() - started) / 1000;
}

/** The seeded org:member role (fixed id of the organizations migration). */
export const ORG_MEMBER_ROLE_ID = `role_${'member'.padStart(27, '0')}`;

// Organization invitations for ONE organization, like seedInvitations (same id scheme with the
// 'orginv_' prefix, same 'realistic' status mix); role org:member, no inviter, metadata '{}'.
const INSERT_ORG = `INSERT INTO organization_invitations
  (id, organization_id, email, role_id, inviter_user_id, public_metadata, private_metadata, redirect_url, notify,
   status, ticket_hash, expires_at, created_at, updated_at)
SELECT 'orginv_' || pg_temp.bench_b62((extract(epoch FROM c) * 1000)::bigint, 9) || pg_temp.bench_b62(n, 18),
       $3::text,
       'oseed' || n || '@example.com',
       $4::text, NULL, '{}', '{}', NULL, true,
       CASE WHEN n % 10 <= 7 THEN 'pending' WHEN n % 10 = 8 THEN 'accepted' ELSE 'revoked' END,
       sha256(uuid_send(gen_random_uuid())),
       CASE WHEN n % 10 = 7 THEN now() - interval '1 hour' - random() * interval '300 days'
            WHEN n % 10 >= 8 THEN c + interval '30 days'
            ELSE now() + interval '1 day' + random() * interval '29 days' END,
       c, c
FROM (SELECT n, now() - random() * interval '365 days' AS c FROM generate_series($1::bigint, $2::bigint) AS n) AS s
ORDER BY c`;

/** Inserts organization invitations numbered first..first+count-1 for `organizationId` (realistic mix); returns the elapsed seconds. */
export async function seedOrganizationInvitations(client: pg.Client, organizationId: string, first: number, count: number): Promise<number> {
  const started = Date.now();
  await client.query(BASE62);
  const batch = 100_000;
  for (let from = first; from < first + count; from += batch) {
    const to = Math.min(from + batch, first + count) - 1;
    await client.query(INSERT_ORG, [from, to, organizationId, ORG_MEMBER_ROLE_ID]);
  }
  return (Date.now() - started) / 1000;
}

// Organizations with pending invitations, as the spec's reference database has them (300k pending
// rows over 1,000 organizations): organizations 'org_' + 27 base62 characters (slug 'bench-org-<k>'),
// each with `perOrganization` pending org:member invitations to 'opre<k>-<n>@example.com'. The
// per-organization counters (organization_invitation_counts) are kept by the table's triggers.
const INSERT_ORGS = `INSERT INTO organizations (id, name, slug)
SELECT 'org_' || pg_temp.bench_b62(k, 27), 'Bench preload ' || k, 'bench-org-' || k FROM generate_series(1, $1::bigint) AS k`;
const INSERT_ORG_PENDING = `INSERT INTO organization_invitations
  (id, organization_id, email, role_id, public_metadata, private_metadata, notify, status, ticket_hash, expires_at)
SELECT 'orginv_' || pg_temp.bench_b62(k, 9) || pg_temp.bench_b62(n, 18), 'org_' || pg_temp.bench_b62(k, 27),
       'opre' || k || '-' || n || '@example.com', $4::text, '{}', '{}', false, 'pending',
       sha256(uuid_send(gen_random_uuid())), now() + interval '1 day' + random() * interval '29 days'
FROM generate_series($1::bigint, $2::bigint) AS k, generate_series(1, $3::bigint) AS n`;

/** Inserts `organizations` organizations with `perOrganization` pending invitations each; returns the elapsed seconds. */
export async function seedOrganizationsWithPendingInvitations(client: pg.Client, organizations: number, perOrganization: number): Promise<number> {
  const started = Date.now();
  await client.query(BASE62);
  await client.query(INSERT_ORGS, [organizations]);
  const step = Math.max(1, Math.floor(100_000 / perOrganization));
  for (let k = 1; k <= organizations; k += step) {
    await client.query(INSERT_ORG_PENDING, [k, Math.min(k + step - 1, organizations), perOrganization, ORG_MEMBER_ROLE_ID]);
  }
  return (Date.now() - started) / 1000;
}
