// Seeds what bench/accept.ts consumes, straight in SQL (INSERT … SELECT over generate_series, so
// tens of thousands of rows take seconds), with tickets the bench can rebuild without reading them
// back:
// - ticket n = 'tkt_<tag>_' + base64url(n as 6 bytes) + base64url(SHA-256(<run secret> ':' <tag>
//   ':' n)): 8 + 43 characters, the shape of lib/tickets.ts mintTicket, with n where a minted
//   ticket has its minting time (the server only checks the shape and looks the key up), so
//   tickets seeded in order are ordered like tickets minted one after another;
// - ticket_hash = those 6 bytes || SHA-256('<purpose>:' || ticket), as lib/tickets.ts hashTicket
//   stores it.
// Organization invitations (P2) go to existing users: each row n has a user 'acc<n>@example.com'
// with that one verified address. Application invitations (P3) go to addresses nobody has
// ('su<n>@example.com'). Each seeded user has also signed in once before (a client, an ended
// session, a complete sign-in), as the users of a running application have: the tables an accept
// writes to are not empty when the bench's VACUUM ANALYZE takes their statistics (this machine's
// PostgreSQL runs without autovacuum, which would otherwise re-analyze them as they grow, and a plan
// cached while a table was nearly empty, such as a foreign-key check's, would scan it on every
// insert). Ids are '<prefix>_' + 27 base62 characters (the seeding time in ms, then n),
// well-formed like newId's.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { BASE62 } from './seed.ts';


type Tag = 'oinv' | 'inv';
const PURPOSE: Record<Tag, string> = { oinv: 'organization_invitation', inv: 'invitation' };

/** The ticket of seeded row n (what the bench sends). */
export function seededTicket(secret: string, tag: Tag, n: number): string {
  const order = Buffer.alloc(6);
  order.writeUIntBE(n, 0, 6);
  return `tkt_${tag}_${order.toString('base64url')}${createHash('sha256').update(`${secret}:${tag}:${n}`).digest('base64url')}`;
}

// Every statement below takes $1, $2 = first and last n, $3 = the seeding time in ms (id prefix),
// and, where it makes tickets, $4 = the run's secret.
/** The same ticket in SQL, from the secret ($4) and n. */
const orderSql = `substring(int8send(n::bigint) from 3)`;
const ticketSql = (tag: Tag) =>
  `'tkt_${tag}_' || translate(encode(${orderSql}, 'base64'), '+/', '-_') || translate(rtrim(encode(sha256(convert_to($4::text || ':${tag}:' || n, 'UTF8')), 'base64'), '='), '+/', '-_')`;
const hashSql = (tag: Tag) => `${orderSql} || sha256(convert_to('${PURPOSE[tag]}:' || ${ticketSql(tag)}, 'UTF8'))`;
/** '<prefix>_' + 9 base62 chars of the seeding time ($3, ms) + 18 of n. */
const idSql = (prefix: string) => `'${prefix}_' || pg_temp.bench_b62($3::bigint, 9) || pg_temp.bench_b62(n, 18)`;

export const acceptEmail = (n: number): string => `acc${n}@example.com`;
export const signUpEmail = (n: number): string => `su${n}@example.com`;

const USERS = `INSERT INTO users (id, primary_email_address_id)
SELECT ${idSql('user')}, ${idSql('idn')} FROM generate_series($1::bigint, $2::bigint) AS n`;
const EMAILS = `INSERT INTO email_addresses (id, user_id, email, verification_status, verification_strategy)
SELECT ${idSql('idn')}, ${idSql('user')}, 'acc' || n || '@example.com', 'verified', 'admin'
FROM generate_series($1::bigint, $2::bigint) AS n`;
const ORG_INVITATIONS = `INSERT INTO organization_invitations
  (id, organization_id, email, role_id, inviter_user_id, public_metadata, private_metadata, redirect_url, notify,
   status, ticket_hash, expires_at)
SELECT ${idSql('orginv')}, ($5::text[])[n % cardinality($5::text[]) + 1], 'acc' || n || '@example.com', $6::text, NULL, '{}', '{}', NULL, false,
       'pending', ${hashSql('oinv')}, now() + interval '30 days'
FROM generate_series($1::bigint, $2::bigint) AS n`;
const HISTORY = [
  `INSERT INTO clients (id, token_hash, created_at, updated_at)
   SELECT ${idSql('client')}, sha256(convert_to('bench-client:' || $3 || ':' || n, 'UTF8')), now() - interval '7 days', now() - interval '7 days'
   FROM generate_series($1::bigint, $2::bigint) AS n`,
  `INSERT INTO sessions (id, client_id, user_id, status, last_active_at, expire_at, abandon_at, created_at, updated_at)
   SELECT ${idSql('sess')}, ${idSql('client')}, ${idSql('user')}, 'ended', now() - interval '7 days', now(), now(), now() - interval '7 days', now() - interval '7 days'
   FROM generate_series($1::bigint, $2::bigint) AS n`,
  `INSERT INTO sign_ins (id, client_id, status, identifier, user_id, first_factor_strategy, first_factor_status, created_session_id, abandon_at, created_at, updated_at)
   SELECT ${idSql('sia')}, ${idSql('client')}, 'complete', 'acc' || n || '@example.com', ${idSql('user')}, 'password', 'verified', ${idSql('sess')},
          now() - interval '6 days', now() - interval '7 days', now() - interval '7 days'
   FROM generate_series($1::bigint, $2::bigint) AS n`,
];
const APP_INVITATIONS = `INSERT INTO invitations (id, email, notify, status, ticket_hash, expires_at)
SELECT ${idSql('inv')}, 'su' || n || '@example.com', false, 'pending', ${hashSql('inv')}, now() + interval '30 days'
FROM generate_series($1::bigint, $2::bigint) AS n`;

const BATCH = 20_000;

async function batched(client: pg.Client, first: number, count: number, fn: (from: number, to: number) => Promise<void>): Promise<number> {
  const started = Date.now();
  await client.query(BASE62);
  for (let from = first; from < first + count; from += BATCH) {
    await fn(from, Math.min(from + BATCH, first + count) - 1);
  }
  return (Date.now() - started) / 1000;
}

/**
 * Users first..first+count-1 ('acc<n>@example.com', verified), each with a pending invitation as
 * `roleId` whose ticket is seededTicket(secret, 'oinv', n), to organizationIds[n % length], and
 * an earlier sign-in (client, ended session, complete sign-in).
 * Returns the seconds.
 */
export async function seedUsersWithOrganizationInvitations(
  client: pg.Client,
  o: { secret: string; organizationIds: readonly string[]; roleId: string; first: number; count: number },
): Promise<number> {
  const stamp = Date.now();
  return batched(client, o.first, o.count, async (from, to) => {
    await client.query('BEGIN');
    // users.primary_email_address_id has no foreign key: the user row may come first.
    await client.query(USERS, [from, to, stamp]);
    await client.query(EMAILS, [from, to, stamp]);
    await client.query(ORG_INVITATIONS, [from, to, stamp, o.secret, o.organizationIds, o.roleId]);
    for (const q of HISTORY) await client.query(q, [from, to, stamp]);
    await client.query('COMMIT');
  });
}

/** Pending application invitations first..first+count-1 to 'su<n>@example.com', ticket seededTicket(secret, 'inv', n). */
export async function seedApplicationInvitations(client: pg.Client, o: { secret: string; first: number; count: number }): Promise<number> {
  const stamp = Date.now();
  return batched(client, o.first, o.count, async (from, to) => {
    await client.query(APP_INVITATIONS, [from, to, stamp, o.secret]);
  });
}
