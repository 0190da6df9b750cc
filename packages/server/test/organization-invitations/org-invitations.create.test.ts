// Creating organization invitations over HTTP (clerk-wire.md §3): the object's shape, every
// validation and rule error, who may invite, the seat limit, bulk all-or-nothing, and the
// concurrency invariant (one pending invitation per organization and address) under real parallel
// requests. The same file runs on PGlite and, with DATABASE_URL, on PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi, codeOf, metaOf } from '../helpers/http.ts';
import type { UserJson } from '../../src/features/users/user.schemas.ts';
import { insertOrganizationInvitationsIfFree } from '../../src/features/organization-invitations/organization-invitation.repository.ts';
import { newId } from '../../src/lib/ids.ts';
import { mintTicket } from '../../src/lib/tickets.ts';
import {
  addMember,
  countRows,
  expireOrganizationInvitation,
  fails,
  invite,
  MANAGE,
  MISSING_ORG,
  MISSING_USER,
  newOrg,
  newUser,
  NO_INVITATION_LIMITS,
  ok,
  storedStatus,
  uniqueEmail,
  type OrganizationInvitationJson,
  type Page,
} from './org-invitations.helpers.ts';

const DAY = 86_400_000;
const primaryEmail = (u: UserJson) => u.email_addresses.find((e) => e.id === u.primary_email_address_id)!.email_address;

describe(`organization invitations: create (${storeName})`, () => {
  let t: TestApp;
  let admin: UserJson;
  let orgId: string;
  const path = (id = orgId) => `/v1/organizations/${id}/invitations`;

  before(async () => {
    t = await startTestApp({ env: { TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com', ...NO_INVITATION_LIMITS } });
    admin = await newUser(t, { first_name: 'Ada', last_name: 'Lovelace' });
    orgId = (await newOrg(t, { created_by: admin.id })).id;
  });
  after(async () => { await t.close(); });

  describe('POST /v1/organizations/{id}/invitations', () => {
    it('creates a pending invitation with the documented shape and defaults', async () => {
      const before = Date.now();
      const r = await bapi(t, 'POST', path(), { email_address: 'Grace.Hopper@Example.COM', role: 'org:member', public_metadata: { team: 'ops' }, private_metadata: { crm: 7 } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.headers['content-type'], 'application/json');
      const inv = r.body as OrganizationInvitationJson;
      assert.equal(inv.object, 'organization_invitation');
      assert.match(inv.id, /^orginv_[0-9A-Za-z]{27}$/);
      assert.equal(inv.email_address, 'grace.hopper@example.com');
      assert.equal(inv.role, 'org:member');
      assert.equal(inv.role_name, 'Member');
      assert.equal(inv.organization_id, orgId);
      assert.equal(inv.inviter_id, null);
      assert.equal(inv.public_inviter_data, null);
      assert.equal(inv.status, 'pending');
      assert.deepEqual(inv.public_metadata, { team: 'ops' });
      assert.deepEqual(inv.private_metadata, { crm: 7 });
      assert.match(inv.url!, new RegExp(`^${t.config.publicUrl.replace(/[.]/g, '\\.')}/v1/tickets/accept\\?ticket=tkt_oinv_[A-Za-z0-9_-]{51}$`));
      assert.ok(inv.created_at >= before - 5000 && inv.created_at <= Date.now() + 5000, 'created_at in ms');
      assert.equal(inv.updated_at, inv.created_at);
      assert.ok(Math.abs(inv.expires_at! - inv.created_at - 30 * DAY) < 1000, 'expires in 30 days by default');
      assert.equal('public_organization_data' in inv, false);
      assert.deepEqual(await auditOf(inv.id), ['organization_invitation.created']);
    });

    it('names the inviter (an admin) in inviter_id and public_inviter_data', async () => {
      const inv = await invite(t, orgId, { inviter_user_id: admin.id });
      assert.equal(inv.inviter_id, admin.id);
      assert.deepEqual(inv.public_inviter_data, {
        user_id: admin.id, first_name: 'Ada', last_name: 'Lovelace', image_url: '', has_image: false, identifier: primaryEmail(admin),
      });
    });

    it('accepts explicit nulls for the optional parameters (the SDK may send them)', async () => {
      const inv = await invite(t, orgId, { inviter_user_id: null, public_metadata: null, private_metadata: null, redirect_url: null, expires_in_days: null, notify: null });
      assert.deepEqual(inv.public_metadata, {});
      assert.deepEqual(inv.private_metadata, {});
      assert.equal(inv.inviter_id, null);
    });

    it('accepts the legacy role keys and shows the canonical key and name', async () => {
      const a = await invite(t, orgId, { role: 'admin' });
      assert.deepEqual([a.role, a.role_name], ['org:admin', 'Admin']);
      const m = await invite(t, orgId, { role: 'basic_member' });
      assert.deepEqual([m.role, m.role_name], ['org:member', 'Member']);
    });

    it('refuses an unknown role with 422 naming role', async () => {
      const meta = await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:nope' }, 422, 'form_param_value_invalid');
      assert.equal(meta.param_name, 'role');
    });

    it('requires email_address and role, and refuses unknown parameters', async () => {
      assert.equal((await fails(t, 'POST', path(), { role: 'org:member' }, 422, 'form_param_missing')).param_name, 'email_address');
      assert.equal((await fails(t, 'POST', path(), { email_address: uniqueEmail() }, 422, 'form_param_missing')).param_name, 'role');
      assert.equal((await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:member', ignore_existing: true }, 422, 'form_param_unknown')).param_name, 'ignore_existing');
    });

    it('refuses malformed addresses with form_param_format_invalid', async () => {
      for (const bad of ['nope', 'a@b@example.com', '"a"@example.com', 'a@example.com,b@example.com', 'a @example.com']) {
        const meta = await fails(t, 'POST', path(), { email_address: bad, role: 'org:member' }, 422, 'form_param_format_invalid');
        assert.equal(meta.param_name, 'email_address', bad);
      }
    });

    it('honours expires_in_days at both bounds and refuses values outside 1..365', async () => {
      for (const days of [1, 365]) {
        const inv = await invite(t, orgId, { expires_in_days: days });
        assert.ok(Math.abs(inv.expires_at! - inv.created_at - days * DAY) < 1000);
      }
      for (const days of [0, 366, 1.5, '7']) {
        const meta = await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:member', expires_in_days: days }, 422, 'form_param_value_invalid');
        assert.equal(meta.param_name, 'expires_in_days');
      }
    });

    it('checks redirect_url with the application-invitation policy', async () => {
      assert.equal((await invite(t, orgId, { redirect_url: 'https://app.example.com/join' })).status, 'pending');
      assert.equal((await invite(t, orgId, { redirect_url: 'http://localhost:5173/join' })).status, 'pending', 'localhost on a development instance');
      for (const bad of ['https://evil.example.net/', '//app.example.com/x', 'https://app.example.com@evil.example.net/', 'javascript:alert(1)']) {
        const meta = await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:member', redirect_url: bad }, 422, 'form_param_value_invalid');
        assert.equal(meta.param_name, 'redirect_url', bad);
      }
    });

    it('answers 404 for an unknown organization', async () => {
      await fails(t, 'POST', path(MISSING_ORG), { email_address: uniqueEmail(), role: 'org:member' }, 404, 'resource_not_found');
    });

    it('queues one email in the same statement unless notify is false', async () => {
      const inv = await invite(t, orgId, { inviter_user_id: admin.id, role: 'org:admin' });
      const rows = await outboxFor(inv.id);
      assert.equal(rows.length, 1);
      const payload = rows[0]!.payload as { template: string; to: string; vars: Record<string, unknown>; sealed: { url: string } };
      assert.equal(payload.template, 'organization_invitation');
      assert.equal(payload.to, inv.email_address);
      const org = await ok<{ name: string }>(t, 'GET', `/v1/organizations/${orgId}`);
      assert.equal(payload.vars.organization_name, org.name);
      assert.equal(payload.vars.role_name, 'Admin');
      assert.equal(payload.vars.inviter_name, 'Ada Lovelace');
      assert.equal(payload.vars.inviter_email, primaryEmail(admin));
      assert.equal(payload.vars.expires_at, inv.expires_at);
      assert.ok(!payload.sealed.url.includes(new URL(inv.url!).searchParams.get('ticket')!), 'the link is sealed, not stored in plain text');
      const quiet = await invite(t, orgId, { notify: false });
      assert.equal((await outboxFor(quiet.id)).length, 0);
    });

    it('writes nothing when a create fails', async () => {
      const counts = () => Promise.all([countRows(t, 'organization_invitations'), countRows(t, 'outbox'), countRows(t, 'audit_log')]);
      const before = await counts();
      await fails(t, 'POST', path(), { email_address: 'bad address', role: 'org:member' }, 422, 'form_param_format_invalid');
      await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:ghost' }, 422, 'form_param_value_invalid');
      await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:member', inviter_user_id: MISSING_USER }, 403, 'not_an_admin_in_organization');
      assert.deepEqual(await counts(), before);
    });
  });

  describe('who may invite', () => {
    it('without inviter_user_id the secret key is enough; an inviter must hold org:sys_memberships:manage', async () => {
      const member = await newUser(t);
      await addMember(t, orgId, member.id, 'org:member');
      const outsider = await newUser(t);
      for (const inviter of [member.id, outsider.id, MISSING_USER]) {
        await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:member', inviter_user_id: inviter }, 403, 'not_an_admin_in_organization');
      }
      // The admin of another organization is not an admin here.
      const elsewhere = await newOrg(t, { created_by: outsider.id });
      assert.ok(elsewhere.id);
      await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:member', inviter_user_id: outsider.id }, 403, 'not_an_admin_in_organization');
    });

    it('a custom role granted org:sys_memberships:manage may invite', async () => {
      const perms = await ok<{ data: { id: string; key: string }[] }>(t, 'GET', '/v1/organization_permissions?limit=100');
      const manage = perms.data.find((p) => p.key === MANAGE)!;
      const role = await ok<{ key: string }>(t, 'POST', '/v1/organization_roles', { key: `org:recruiter_${process.pid}`, name: 'Recruiter', permissions: [manage.id] });
      const recruiter = await newUser(t);
      await addMember(t, orgId, recruiter.id, role.key);
      const inv = await invite(t, orgId, { inviter_user_id: recruiter.id, role: role.key });
      assert.equal(inv.inviter_id, recruiter.id);
      assert.deepEqual([inv.role, inv.role_name], [role.key, 'Recruiter']);
      // The same role without the permission may not.
      const plain = await ok<{ key: string }>(t, 'POST', '/v1/organization_roles', { key: `org:viewer_${process.pid}`, name: 'Viewer' });
      const viewer = await newUser(t);
      await addMember(t, orgId, viewer.id, plain.key);
      await fails(t, 'POST', path(), { email_address: uniqueEmail(), role: 'org:member', inviter_user_id: viewer.id }, 403, 'not_an_admin_in_organization');
    });
  });

  describe('duplicates and members', () => {
    it('refuses a second pending invitation for the same address (case- and width-insensitively) with duplicate_record', async () => {
      const addr = uniqueEmail('dup');
      await invite(t, orgId, { email_address: addr });
      for (const variant of [addr, addr.toUpperCase(), addr.replace('@', '＠')]) {
        const meta = await fails(t, 'POST', path(), { email_address: variant, role: 'org:admin' }, 400, 'duplicate_record');
        assert.deepEqual(meta.email_addresses, [addr], variant);
      }
      // Another organization may invite the same address.
      const other = await newOrg(t);
      assert.equal((await invite(t, other.id, { email_address: addr })).status, 'pending');
    });

    it('lets a new invitation in once the pending one is revoked or has expired (a stale pending row does not block)', async () => {
      const addr = uniqueEmail('again');
      const first = await invite(t, orgId, { email_address: addr });
      await ok(t, 'POST', `${path()}/${first.id}/revoke`);
      const second = await invite(t, orgId, { email_address: addr });
      await expireOrganizationInvitation(t, second.id);
      const third = await invite(t, orgId, { email_address: addr });
      assert.equal(third.status, 'pending');
      assert.equal(await storedStatus(t, second.id), 'expired', 'the stale row was marked expired to make room');
    });

    it('refuses to invite a current member with already_a_member_in_organization; an existing non-member is fine', async () => {
      const member = await newUser(t);
      await addMember(t, orgId, member.id);
      const meta = await fails(t, 'POST', path(), { email_address: primaryEmail(member).toUpperCase(), role: 'org:admin' }, 400, 'already_a_member_in_organization');
      assert.deepEqual(meta.email_addresses, [primaryEmail(member)]);
      const nonMember = await newUser(t);
      assert.equal((await invite(t, orgId, { email_address: primaryEmail(nonMember) })).status, 'pending');
    });

    it('never lets two concurrent creates for one address both succeed (20 parallel HTTP requests)', async () => {
      const addr = uniqueEmail('race');
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${t.url}${path()}`, { method: 'POST', headers: t.auth, body: JSON.stringify({ email_address: addr, role: 'org:member', notify: false }) }).then(
            async (res) => ({ status: res.status, body: (await res.json()) as { errors?: { code: string }[] } }),
          ),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses.filter((s) => s === 200).length, 1, JSON.stringify(statuses));
      for (const r of results.filter((x) => x.status !== 200)) {
        assert.equal(r.status, 400);
        assert.equal(r.body.errors?.[0]?.code, 'duplicate_record');
      }
      const rows = await t.deps.db.selectFrom('organization_invitations').select('id').where('organization_id', '=', orgId).where('email', '=', addr).execute();
      assert.equal(rows.length, 1);
    });
    it('answers duplicate_record when the unique index, not the check, catches the race (a create commits between the check and the insert)', async () => {
      const addr = uniqueEmail('race2');
      let release!: () => void;
      const held = new Promise<void>((resolve) => { release = resolve; });
      let xid = '';
      let inserted!: () => void;
      const insertedYet = new Promise<void>((resolve) => { inserted = resolve; });
      // A concurrent create, inside a transaction that stays open until released.
      const first = t.deps.db.transaction().execute(async (trx) => {
        const v = await insertOrganizationInvitationsIfFree(trx, orgId, [{
          id: newId('orginv'), email: addr, roleKey: 'org:member', inviterUserId: null, publicMetadata: {}, privateMetadata: {},
          redirectUrl: null, notify: false, ticketHash: mintTicket('organization_invitation').hash, expiresInDays: 30, outboxEmail: null,
        }], { locked: false, managePermission: MANAGE });
        assert.equal(v.created.length, 1);
        if (t.database.kind === 'postgres') xid = String((await sql<{ x: string }>`SELECT txid_current()::text AS x`.execute(trx)).rows[0]!.x);
        inserted();
        await held;
      });
      await insertedYet;
      const second = bapi(t, 'POST', path(), { email_address: addr, role: 'org:member', notify: false });
      if (t.database.kind === 'postgres') {
        // Wait until the request's insert is blocked on the uncommitted row: its check already passed.
        for (let i = 0; i < 200; i++) {
          const waiting = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'transactionid' AND transactionid::text = ${xid} AND NOT granted`.execute(t.deps.db);
          if (waiting.rows[0]!.n > 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      release();
      await first;
      const r = await second;
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(codeOf(r), 'duplicate_record');
      assert.deepEqual(metaOf(r)?.email_addresses, [addr]);
    });
  });

  describe('seat limit (max_allowed_memberships counts members + pending invitations)', () => {
    it('refuses invitations past the limit, single and bulk, and counts freed seats again', async () => {
      // 3 seats: the creator takes one.
      const org = await newOrg(t, { created_by: admin.id, max_allowed_memberships: 3 });
      const p = path(org.id);
      const a = await invite(t, org.id);
      // Bulk of 2 with 1 seat left: nothing is created.
      const before = await countRows(t, 'organization_invitations');
      const meta = await fails(t, 'POST', `${p}/bulk`, [{ email_address: uniqueEmail(), role: 'org:member' }, { email_address: uniqueEmail(), role: 'org:member' }], 403, 'organization_membership_quota_exceeded');
      assert.deepEqual(meta, {});
      assert.equal(await countRows(t, 'organization_invitations'), before);
      await invite(t, org.id);
      await fails(t, 'POST', p, { email_address: uniqueEmail(), role: 'org:member' }, 403, 'organization_membership_quota_exceeded');
      // Revoking frees a seat; so does an invitation running past its expiry.
      await ok(t, 'POST', `${p}/${a.id}/revoke`);
      const c = await invite(t, org.id);
      await fails(t, 'POST', p, { email_address: uniqueEmail(), role: 'org:member' }, 403, 'organization_membership_quota_exceeded');
      await expireOrganizationInvitation(t, c.id);
      const bulk = await ok<Page<OrganizationInvitationJson>>(t, 'POST', `${p}/bulk`, [{ email_address: uniqueEmail(), role: 'org:member' }]);
      assert.equal(bulk.total_count, 1);
    });

    it('sees a limit set while the one-statement create waited for the organization row (FOR SHARE re-reads it)', { skip: storeName !== 'postgres' && 'needs concurrent sessions' }, async () => {
      // Unlimited, with 2 seats taken: the creator and a pending invitation.
      const org = await newOrg(t, { created_by: admin.id });
      await invite(t, org.id);
      let release!: () => void;
      const held = new Promise<void>((resolve) => { release = resolve; });
      let locked!: (xid: string) => void;
      const xid = new Promise<string>((resolve) => { locked = resolve; });
      // An organization update in flight: it holds the row and is about to set the limit to 2.
      const update = t.deps.db.transaction().execute(async (trx) => {
        await sql`SELECT id FROM organizations WHERE id = ${org.id} FOR UPDATE`.execute(trx);
        locked(String((await sql<{ x: string }>`SELECT txid_current()::text AS x`.execute(trx)).rows[0]!.x));
        await held;
        await trx.updateTable('organizations').set({ max_allowed_memberships: 2 }).where('id', '=', org.id).execute();
      });
      const id = await xid;
      // The create starts now (its snapshot says unlimited) and must wait for the row.
      const create = bapi(t, 'POST', path(org.id), { email_address: uniqueEmail('late'), role: 'org:member', notify: false });
      let waiting = 0;
      for (let i = 0; i < 300 && waiting === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        waiting = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'transactionid' AND transactionid::text = ${id} AND NOT granted`.execute(t.deps.db)).rows[0]!.n;
      }
      assert.equal(waiting, 1, 'the create waits for the organization row');
      release();
      await update;
      const r = await create;
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.equal(codeOf(r), 'organization_membership_quota_exceeded');
    });

    it('holds under 20 parallel creates for different addresses: exactly the free seats are filled', async () => {
      const org = await newOrg(t, { created_by: admin.id, max_allowed_memberships: 6 });
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${t.url}${path(org.id)}`, { method: 'POST', headers: t.auth, body: JSON.stringify({ email_address: uniqueEmail('seat'), role: 'org:member', notify: false }) }).then(
            async (res) => ({ status: res.status, code: ((await res.json()) as { errors?: { code: string }[] }).errors?.[0]?.code }),
          ),
        ),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 5, JSON.stringify(results));
      assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 403 && r.code === 'organization_membership_quota_exceeded'));
      const org2 = await ok<{ members_count: number; pending_invitations_count: number }>(t, 'GET', `/v1/organizations/${org.id}?include_members_count=true`);
      assert.equal(org2.members_count + org2.pending_invitations_count, 6);
    });
  });

  describe('POST /v1/organizations/{id}/invitations/bulk', () => {
    it('creates up to 10 invitations and answers {data,total_count} in input order, each with its own link', async () => {
      const items = Array.from({ length: 10 }, (_, i) => ({ email_address: uniqueEmail('bulk'), role: i % 2 ? 'org:admin' : 'basic_member', inviter_user_id: admin.id }));
      const r = await bapi(t, 'POST', path() + '/bulk', items);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.body.total_count, 10);
      const data = r.body.data as OrganizationInvitationJson[];
      assert.deepEqual(data.map((i) => i.email_address), items.map((i) => i.email_address));
      assert.deepEqual(data.map((i) => i.role), items.map((_, i) => (i % 2 ? 'org:admin' : 'org:member')));
      assert.ok(data.every((i) => i.object === 'organization_invitation' && i.inviter_id === admin.id && i.url?.includes('ticket=tkt_oinv_')));
      assert.equal(new Set(data.map((i) => i.url)).size, 10);
    });

    it('refuses more than 10 with bulk_size_exceeded, and an empty or non-array body with 422', async () => {
      const eleven = Array.from({ length: 11 }, () => ({ email_address: uniqueEmail(), role: 'org:member' }));
      await fails(t, 'POST', path() + '/bulk', eleven, 400, 'bulk_size_exceeded');
      assert.equal((await bapi(t, 'POST', path() + '/bulk', [])).status, 422);
      assert.equal((await bapi(t, 'POST', path() + '/bulk', { email_address: uniqueEmail(), role: 'org:member' })).status, 422);
    });

    it('is all-or-nothing: one blocked item creates none and queues no email', async () => {
      const taken = uniqueEmail('taken');
      await invite(t, orgId, { email_address: taken });
      const member = await newUser(t);
      await addMember(t, orgId, member.id);
      const viewer = await newUser(t);
      await addMember(t, orgId, viewer.id, 'org:member');
      const n = await countRows(t, 'organization_invitations');
      const o = await countRows(t, 'outbox');
      const item = () => ({ email_address: uniqueEmail(), role: 'org:member' });
      const cases: [unknown[], number, string][] = [
        [[item(), { email_address: 'not-an-email', role: 'org:member' }], 422, 'form_param_format_invalid'],
        [[item(), { ...item(), role: 'org:ghost' }], 422, 'form_param_value_invalid'],
        [[item(), { ...item(), inviter_user_id: viewer.id }], 403, 'not_an_admin_in_organization'],
        [[item(), { email_address: primaryEmail(member), role: 'org:member' }], 400, 'already_a_member_in_organization'],
        [[item(), { email_address: taken, role: 'org:member' }], 400, 'duplicate_record'],
        [[{ email_address: 'Same@example.com', role: 'org:member' }, { email_address: 'same@example.com', role: 'org:admin' }], 400, 'duplicate_record'],
        [[item(), { ...item(), bogus: 1 }], 422, 'form_param_unknown'],
      ];
      for (const [items, status, code] of cases) {
        const r = await bapi(t, 'POST', path() + '/bulk', items);
        assert.equal(r.status, status, JSON.stringify([items, r.body]));
        assert.equal(codeOf(r), code);
      }
      const dup = await bapi(t, 'POST', path() + '/bulk', [item(), { email_address: taken, role: 'org:member' }]);
      assert.deepEqual(metaOf(dup)?.email_addresses, [taken]);
      assert.equal(await countRows(t, 'organization_invitations'), n);
      assert.equal(await countRows(t, 'outbox'), o);
      await fails(t, 'POST', path(MISSING_ORG) + '/bulk', [item()], 404, 'resource_not_found');
    });
  });

  async function outboxFor(id: string) {
    return t.deps.db.selectFrom('outbox').select(['payload']).where(sql<string>`payload -> 'vars' ->> 'organization_invitation_id'`, '=', id).execute();
  }

  async function auditOf(id: string): Promise<string[]> {
    const rows = await t.deps.db.selectFrom('audit_log').select('action').where('target', '=', id).orderBy('id').execute();
    return rows.map((r) => r.action);
  }
});

describe(`organization invitations: rate limits (${storeName})`, () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({
      env: { TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_CREATE: '2/60s', TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_BULK: '1/60s' },
    });
  });
  after(async () => { await t.close(); });

  it('counts creates against organization_invitations.create and bulk against organization_invitations.bulk', async () => {
    const org = await newOrg(t);
    const p = `/v1/organizations/${org.id}/invitations`;
    for (let i = 0; i < 2; i++) await invite(t, org.id, { notify: false });
    const r = await bapi(t, 'POST', p, { email_address: uniqueEmail(), role: 'org:member' });
    assert.equal(r.status, 429);
    assert.equal(codeOf(r), 'too_many_requests');
    assert.match(String(r.headers['retry-after']), /^\d+$/);
    // The bulk route has its own budget.
    assert.equal((await bapi(t, 'POST', `${p}/bulk`, [{ email_address: uniqueEmail(), role: 'org:member', notify: false }])).status, 200);
    assert.equal((await bapi(t, 'POST', `${p}/bulk`, [{ email_address: uniqueEmail(), role: 'org:member' }])).status, 429);
    // Reads are not limited by either.
    assert.equal((await bapi(t, 'GET', p)).status, 200);
  });
});
