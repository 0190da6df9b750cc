// Organization memberships over HTTP: add, list (per organization, per user, instance-wide), change
// role, metadata, remove; the seat limit and the "someone can still manage members" rule, both
// under real concurrency (parallel requests to the listening server).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import {
  ADMIN_PERMISSIONS,
  addMember,
  auditActions,
  fails,
  http,
  insertPendingInvitation,
  MEMBER_PERMISSIONS,
  MISSING_ORG,
  MISSING_USER,
  newOrg,
  newUser,
  ok,
  uniqueEmail,
  type OrganizationJson,
  type OrganizationMembershipJson,
  type Page,
  type UserJson,
} from '../organizations/organizations.helpers.ts';

type Membership = OrganizationMembershipJson;

describe(`organization memberships (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  /** An organization whose creator is its one admin. */
  async function orgWithAdmin(body: Record<string, unknown> = {}): Promise<{ org: OrganizationJson; admin: UserJson }> {
    const admin = await newUser(t);
    return { org: await newOrg(t, { created_by: admin.id, ...body }), admin };
  }
  const members = (orgId: string, qs = '') => ok<Page<Membership>>(t, 'GET', `/v1/organizations/${orgId}/memberships${qs}`);
  const rolesOf = async (orgId: string) =>
    Object.fromEntries((await members(orgId, '?limit=100')).data.map((m) => [m.public_user_data.user_id, m.role]));

  describe('POST /v1/organizations/{id}/memberships', () => {
    it('adds a user directly: the full membership, with the organization and public user data nested', async () => {
      const { org } = await orgWithAdmin({ public_metadata: { tier: 'gold' } });
      const u = await newUser(t, { first_name: 'Mia', last_name: 'Member', email_address: [uniqueEmail('Mia').toUpperCase()] });
      const m = await addMember(t, org.id, u.id, 'org:member', { public_metadata: { dept: 'ops' }, private_metadata: { note: 1 } });
      assert.match(m.id, /^orgmem_[0-9A-Za-z]{27}$/);
      assert.equal(m.object, 'organization_membership');
      assert.equal(m.role, 'org:member');
      assert.equal(m.role_name, 'Member');
      assert.deepEqual(m.permissions, MEMBER_PERMISSIONS);
      assert.deepEqual(m.public_metadata, { dept: 'ops' });
      assert.deepEqual(m.private_metadata, { note: 1 });
      assert.deepEqual(m.organization, await ok<OrganizationJson>(t, 'GET', `/v1/organizations/${org.id}`));
      assert.deepEqual(m.public_user_data, {
        user_id: u.id, first_name: 'Mia', last_name: 'Member', image_url: '', has_image: false,
        identifier: u.email_addresses[0]!.email_address, profile_image_url: '', username: null, banned: false,
      });
      assert.equal(typeof m.created_at, 'number');
      assert.equal(m.created_at, m.updated_at);
      assert.deepEqual(await auditActions(t, m.id), ['organization_membership.created']);
      // Stored, not just answered.
      assert.deepEqual((await members(org.id, `?user_id=${u.id}`)).data, [m]);
    });

    it('the identifier is the username when the user has no email address', async () => {
      const { org } = await orgWithAdmin();
      const u = await ok<UserJson>(t, 'POST', '/v1/users', { username: `handle_${process.pid}`, skip_password_requirement: true });
      const m = await addMember(t, org.id, u.id);
      assert.equal(m.public_user_data.identifier, `handle_${process.pid}`);
      assert.equal(m.public_user_data.username, `handle_${process.pid}`);
    });

    it('accepts the legacy role keys admin and basic_member; an unknown role is 422 (param role)', async () => {
      const { org } = await orgWithAdmin();
      const a = await addMember(t, org.id, (await newUser(t)).id, 'admin');
      assert.equal(a.role, 'org:admin');
      assert.deepEqual(a.permissions, ADMIN_PERMISSIONS);
      assert.equal((await addMember(t, org.id, (await newUser(t)).id, 'basic_member')).role, 'org:member');
      const u = await newUser(t);
      for (const role of ['org:owner', 'guest_member', 'ORG:ADMIN']) {
        assert.equal((await fails(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: u.id, role }, 422, 'form_param_value_invalid')).param_name, 'role');
      }
    });

    it('unknown organization or user → 404; missing or unknown keys → 422', async () => {
      const { org } = await orgWithAdmin();
      const u = await newUser(t);
      await fails(t, 'POST', `/v1/organizations/${MISSING_ORG}/memberships`, { user_id: u.id, role: 'org:member' }, 404, 'resource_not_found');
      await fails(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: MISSING_USER, role: 'org:member' }, 404, 'resource_not_found');
      assert.equal((await fails(t, 'POST', `/v1/organizations/${org.id}/memberships`, { role: 'org:member' }, 422, 'form_param_missing')).param_name, 'user_id');
      assert.equal((await fails(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: u.id }, 422, 'form_param_missing')).param_name, 'role');
      assert.equal((await fails(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: u.id, role: 'org:member', permissions: [] }, 422, 'form_param_unknown')).param_name, 'permissions');
      assert.equal((await members(org.id)).total_count, 1);
    });

    it('adding a member twice is 400 already_a_member_in_organization, also for 5 parallel adds', async () => {
      const { org, admin } = await orgWithAdmin();
      await fails(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: admin.id, role: 'org:member' }, 400, 'already_a_member_in_organization');
      const u = await newUser(t);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => http(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: u.id, role: 'org:member' })),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.status)));
      for (const r of results.filter((x) => x.status !== 200)) {
        assert.equal(r.status, 400);
        assert.equal(r.body.errors[0].code, 'already_a_member_in_organization');
      }
      assert.equal((await members(org.id)).total_count, 2);
    });
  });

  describe('max_allowed_memberships (members + pending invitations; 0 = unlimited)', () => {
    it('refuses the member past the limit with 403 organization_membership_quota_exceeded', async () => {
      const { org } = await orgWithAdmin({ max_allowed_memberships: 2 });
      await addMember(t, org.id, (await newUser(t)).id);
      const u = await newUser(t);
      await fails(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: u.id, role: 'org:member' }, 403, 'organization_membership_quota_exceeded');
      // Raising the limit frees a seat; 0 removes the limit.
      await ok(t, 'PATCH', `/v1/organizations/${org.id}`, { max_allowed_memberships: 3 });
      await addMember(t, org.id, u.id);
      await ok(t, 'PATCH', `/v1/organizations/${org.id}`, { max_allowed_memberships: 0 });
      await addMember(t, org.id, (await newUser(t)).id);
      assert.equal((await members(org.id)).total_count, 4);
    });

    it('a pending invitation holds a seat; expired and revoked ones do not', async () => {
      const { org } = await orgWithAdmin({ max_allowed_memberships: 3 });
      await insertPendingInvitation(t, org.id);
      await insertPendingInvitation(t, org.id, { expired: true });
      await insertPendingInvitation(t, org.id, { status: 'revoked' });
      await addMember(t, org.id, (await newUser(t)).id); // admin + 1 pending + this = 3
      await fails(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: (await newUser(t)).id, role: 'org:member' }, 403, 'organization_membership_quota_exceeded');
    });

    it('with one seat left, 5 parallel adds of different users: exactly one gets it', async () => {
      const { org } = await orgWithAdmin({ max_allowed_memberships: 2 });
      const users = await Promise.all(Array.from({ length: 5 }, () => newUser(t)));
      const results = await Promise.all(users.map((u) => http(t, 'POST', `/v1/organizations/${org.id}/memberships`, { user_id: u.id, role: 'org:member' })));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 403, 403, 403, 403]);
      for (const r of results.filter((x) => x.status === 403)) assert.equal(r.body.errors[0].code, 'organization_membership_quota_exceeded');
      assert.equal((await members(org.id)).total_count, 2);
    });
  });

  describe('GET /v1/organizations/{id}/memberships', () => {
    let orgId = '';
    const people: Record<string, UserJson> = {};
    before(async () => {
      const { org, admin } = await orgWithAdmin();
      orgId = org.id;
      people.admin = admin;
      people.zed = await newUser(t, { first_name: 'zed', last_name: 'Young', username: `zed_${process.pid}`, email_address: [`zz.${process.pid}@example.com`] });
      people.amy = await newUser(t, { first_name: 'Amy', last_name: 'xavier', username: `amy_${process.pid}`, email_address: [`aa.${process.pid}@example.com`] });
      people.bo = await newUser(t, { first_name: null, last_name: null, email_address: [`mm.${process.pid}@example.org`] });
      await addMember(t, orgId, people.zed.id, 'org:member');
      await addMember(t, orgId, people.amy.id, 'org:admin');
      await addMember(t, orgId, people.bo.id, 'org:member');
    });
    const who = (p: Page<Membership>) => p.data.map((m) => Object.entries(people).find(([, u]) => u.id === m.public_user_data.user_id)?.[0]);

    it('is {data,total_count}, newest first; limit/offset page it', async () => {
      const all = await members(orgId);
      assert.equal(all.total_count, 4);
      assert.deepEqual(who(all), ['bo', 'amy', 'zed', 'admin']);
      const page = await members(orgId, '?limit=2&offset=1');
      assert.deepEqual(who(page), ['amy', 'zed']);
      assert.equal(page.total_count, 4);
      assert.deepEqual(who(await members(orgId, '?order_by=created_at')), ['admin', 'zed', 'amy', 'bo']);
    });

    it('orders by first_name, last_name, email_address and username; members without one come last', async () => {
      // Ties (no value) break on the membership's creation, in the same direction.
      assert.deepEqual(who(await members(orgId, '?order_by=first_name')), ['amy', 'zed', 'admin', 'bo']);
      assert.deepEqual(who(await members(orgId, '?order_by=-first_name')), ['zed', 'amy', 'bo', 'admin']);
      assert.deepEqual(who(await members(orgId, '?order_by=%2Blast_name')), ['amy', 'zed', 'admin', 'bo']);
      assert.deepEqual(who(await members(orgId, '?order_by=username')), ['amy', 'zed', 'admin', 'bo']);
      assert.deepEqual(who(await members(orgId, '?order_by=-username')), ['zed', 'amy', 'bo', 'admin']);
      assert.deepEqual(who(await members(orgId, '?order_by=email_address')), ['amy', 'bo', 'admin', 'zed']);
      assert.deepEqual(who(await members(orgId, '?order_by=-email_address')), ['zed', 'admin', 'bo', 'amy']);
      assert.equal((await members(orgId, '?order_by=phone_number')).total_count, 4);
      await fails(t, 'GET', `/v1/organizations/${orgId}/memberships?order_by=role`, undefined, 422, 'form_param_value_invalid');
    });

    it('filters by user_id (+/-), email_address, username, role (legacy keys too), and the query parameters', async () => {
      assert.deepEqual(who(await members(orgId, `?user_id=${people.zed!.id}&user_id=${people.bo!.id}`)), ['bo', 'zed']);
      assert.deepEqual(who(await members(orgId, `?user_id=-${people.zed!.id}&user_id=-${people.bo!.id}`)), ['amy', 'admin']);
      assert.deepEqual(who(await members(orgId, `?email_address=AA.${process.pid}@EXAMPLE.COM`)), ['amy']);
      assert.deepEqual(who(await members(orgId, `?username=ZED_${process.pid}`)), ['zed']);
      assert.deepEqual(who(await members(orgId, '?role=org:admin')), ['amy', 'admin']);
      assert.deepEqual(who(await members(orgId, '?role=basic_member')), ['bo', 'zed']);
      assert.deepEqual(who(await members(orgId, '?query=XAVIER')), ['amy']);
      assert.deepEqual(who(await members(orgId, '?query=example.org')), ['bo']);
      assert.deepEqual(who(await members(orgId, `?query=${people.zed!.id.slice(5, 20)}`)), ['zed']);
      assert.deepEqual(who(await members(orgId, `?email_address_query=ZZ.${process.pid}`)), ['zed']);
      assert.deepEqual(who(await members(orgId, '?username_query=AMY_')), ['amy']);
      assert.deepEqual(who(await members(orgId, '?name_query=zed%20you')), ['zed']);
      assert.equal((await members(orgId, '?phone_number=%2B15555550100')).total_count, 0);
      assert.equal((await members(orgId, '?phone_number_query=555')).total_count, 0);
      const amy = (await members(orgId, `?user_id=${people.amy!.id}`)).data[0]!;
      assert.deepEqual(who(await members(orgId, `?created_at_after=${amy.created_at - 1}&created_at_before=${amy.created_at + 1}`)), ['amy']);
      await fails(t, 'GET', `/v1/organizations/${orgId}/memberships?status=active`, undefined, 422, 'form_param_unknown');
      await fails(t, 'GET', `/v1/organizations/${MISSING_ORG}/memberships`, undefined, 404, 'resource_not_found');
    });
  });

  describe('PATCH /v1/organizations/{id}/memberships/{user_id}', () => {
    it('changes the role (legacy keys accepted); the same role changes nothing', async () => {
      const { org } = await orgWithAdmin();
      const u = await newUser(t);
      const m = await addMember(t, org.id, u.id);
      const promoted = await ok<Membership>(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${u.id}`, { role: 'admin' });
      assert.equal(promoted.id, m.id);
      assert.equal(promoted.role, 'org:admin');
      assert.equal(promoted.role_name, 'Admin');
      assert.deepEqual(promoted.permissions, ADMIN_PERMISSIONS);
      assert.ok(promoted.updated_at >= m.updated_at);
      assert.deepEqual(await ok<Membership>(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${u.id}`, { role: 'org:admin' }), promoted);
      assert.deepEqual(await auditActions(t, m.id), ['organization_membership.created', 'organization_membership.updated']);
    });

    it('unknown organization, non-member or role → 404 / 404 / 422', async () => {
      const { org, admin } = await orgWithAdmin();
      await fails(t, 'PATCH', `/v1/organizations/${MISSING_ORG}/memberships/${admin.id}`, { role: 'org:member' }, 404, 'resource_not_found');
      await fails(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${(await newUser(t)).id}`, { role: 'org:member' }, 404, 'resource_not_found');
      await fails(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${admin.id}`, { role: 'org:nope' }, 422, 'form_param_value_invalid');
      await fails(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${admin.id}`, {}, 422, 'form_param_missing');
    });

    it('the last member who can manage members cannot be demoted: 400 organization_minimum_permissions_needed', async () => {
      const { org, admin } = await orgWithAdmin();
      await fails(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${admin.id}`, { role: 'org:member' }, 400, 'organization_minimum_permissions_needed');
      await fails(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${admin.id}`, { role: 'basic_member' }, 400, 'organization_minimum_permissions_needed');
      const second = await newUser(t);
      await addMember(t, org.id, second.id, 'org:admin');
      await ok(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${admin.id}`, { role: 'org:member' });
      await fails(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${second.id}`, { role: 'org:member' }, 400, 'organization_minimum_permissions_needed');
      assert.deepEqual(await rolesOf(org.id), { [admin.id]: 'org:member', [second.id]: 'org:admin' });
    });

    it('two admins demoting each other at the same time: exactly one succeeds, one admin remains', async () => {
      const rounds = await Promise.all(
        Array.from({ length: 3 }, async () => {
          const { org, admin: a } = await orgWithAdmin();
          const b = await newUser(t);
          await addMember(t, org.id, b.id, 'org:admin');
          const results = await Promise.all([
            http(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${a.id}`, { role: 'org:member' }),
            http(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${b.id}`, { role: 'org:member' }),
          ]);
          return { org, results };
        }),
      );
      for (const { org, results } of rounds) {
        assert.deepEqual(results.map((r) => r.status).sort(), [200, 400], JSON.stringify(results.map((r) => r.body)));
        assert.equal(results.find((r) => r.status === 400)!.body.errors[0].code, 'organization_minimum_permissions_needed');
        assert.equal(Object.values(await rolesOf(org.id)).filter((r) => r === 'org:admin').length, 1);
      }
    });
  });

  describe('DELETE /v1/organizations/{id}/memberships/{user_id}', () => {
    it('removes the member and answers the membership as it was (not a DeletedObject)', async () => {
      const { org } = await orgWithAdmin();
      const u = await newUser(t);
      const m = await addMember(t, org.id, u.id, 'org:member', { public_metadata: { a: 1 } });
      const removed = await ok<Membership>(t, 'DELETE', `/v1/organizations/${org.id}/memberships/${u.id}`);
      assert.deepEqual(removed, m);
      assert.equal('deleted' in removed, false);
      assert.equal((await members(org.id)).total_count, 1);
      await fails(t, 'DELETE', `/v1/organizations/${org.id}/memberships/${u.id}`, undefined, 404, 'resource_not_found');
      await fails(t, 'DELETE', `/v1/organizations/${MISSING_ORG}/memberships/${u.id}`, undefined, 404, 'resource_not_found');
      assert.deepEqual(await auditActions(t, m.id), ['organization_membership.created', 'organization_membership.deleted']);
      // A removed member can be added again.
      await addMember(t, org.id, u.id);
    });

    it('the last member who can manage members cannot be removed, also when both admins are removed at once', async () => {
      const { org, admin } = await orgWithAdmin();
      await fails(t, 'DELETE', `/v1/organizations/${org.id}/memberships/${admin.id}`, undefined, 400, 'organization_minimum_permissions_needed');
      const b = await newUser(t);
      await addMember(t, org.id, b.id, 'org:admin');
      const results = await Promise.all([
        http(t, 'DELETE', `/v1/organizations/${org.id}/memberships/${admin.id}`),
        http(t, 'DELETE', `/v1/organizations/${org.id}/memberships/${b.id}`),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 400]);
      assert.equal((await members(org.id)).total_count, 1);
      // Deleting the organization itself is allowed.
      await ok(t, 'DELETE', `/v1/organizations/${org.id}`);
    });
  });

  describe('PATCH /v1/organizations/{id}/memberships/{user_id}/metadata', () => {
    it('deep-merges; a top-level null clears; unknown membership → 404', async () => {
      const { org } = await orgWithAdmin();
      const u = await newUser(t);
      const m = await addMember(t, org.id, u.id, 'org:member', { public_metadata: { dept: 'ops', prefs: { a: 1, b: 2 } }, private_metadata: { x: 1 } });
      const merged = await ok<Membership>(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${u.id}/metadata`, { public_metadata: { prefs: { b: null, c: 3 }, level: 2 } });
      assert.deepEqual(merged.public_metadata, { dept: 'ops', prefs: { a: 1, c: 3 }, level: 2 });
      assert.deepEqual(merged.private_metadata, { x: 1 });
      assert.equal(merged.role, 'org:member');
      const cleared = await ok<Membership>(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${u.id}/metadata`, { private_metadata: null });
      assert.deepEqual(cleared.private_metadata, {});
      assert.deepEqual((await members(org.id, `?user_id=${u.id}`)).data[0]!.public_metadata, merged.public_metadata);
      assert.deepEqual(await auditActions(t, m.id), ['organization_membership.created', 'organization_membership.metadata_updated', 'organization_membership.metadata_updated']);
      await fails(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${MISSING_USER}/metadata`, { public_metadata: {} }, 404, 'resource_not_found');
      await fails(t, 'PATCH', `/v1/organizations/${org.id}/memberships/${u.id}/metadata`, { role: 'org:admin' }, 422, 'form_param_unknown');
    });
  });

  describe('GET /v1/users/{id}/organization_memberships and GET /v1/organization_memberships', () => {
    it("lists a user's memberships across organizations, newest first, each with its organization", async () => {
      const u = await newUser(t);
      const first = await newOrg(t, { created_by: u.id });
      const { org: second } = await orgWithAdmin();
      await addMember(t, second.id, u.id);
      const list = await ok<Page<Membership>>(t, 'GET', `/v1/users/${u.id}/organization_memberships`);
      assert.equal(list.total_count, 2);
      assert.deepEqual(list.data.map((m) => [m.organization.id, m.role]), [[second.id, 'org:member'], [first.id, 'org:admin']]);
      assert.ok(list.data.every((m) => m.public_user_data.user_id === u.id));
      const paged = await ok<Page<Membership>>(t, 'GET', `/v1/users/${u.id}/organization_memberships?limit=1&offset=1`);
      assert.deepEqual(paged.data.map((m) => m.organization.id), [first.id]);
      assert.equal(paged.total_count, 2);
      await fails(t, 'GET', `/v1/users/${MISSING_USER}/organization_memberships`, undefined, 404, 'resource_not_found');
      await fails(t, 'GET', `/v1/users/${u.id}/organization_memberships?role=org:admin`, undefined, 422, 'form_param_unknown');
    });

    it('lists every membership of the instance, with total_count', async () => {
      const { org } = await orgWithAdmin();
      const newest = await addMember(t, org.id, (await newUser(t)).id);
      const total = Number((await t.deps.db.selectFrom('organization_memberships').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const list = await ok<Page<Membership>>(t, 'GET', '/v1/organization_memberships?limit=2');
      assert.equal(list.total_count, total);
      assert.equal(list.data.length, 2);
      assert.equal(list.data[0]!.id, newest.id);
      assert.equal(list.data[0]!.organization.id, org.id);
      const oldest = await ok<Page<Membership>>(t, 'GET', '/v1/organization_memberships?limit=1&order_by=created_at');
      assert.notEqual(oldest.data[0]!.id, newest.id);
      await fails(t, 'GET', '/v1/organization_memberships?organization_id=x', undefined, 422, 'form_param_unknown');
    });
  });
});
