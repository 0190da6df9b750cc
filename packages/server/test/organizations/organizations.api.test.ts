// The Organizations Backend API over HTTP: create (slug derivation, creator membership), get by id
// or slug, list, update, delete, and metadata.
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
  MISSING_ORG,
  newOrg,
  newUser,
  ok,
  type OrganizationJson,
  type OrganizationMembershipJson,
  type Page,
} from './organizations.helpers.ts';

describe(`organizations (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  const countOrgsNamed = async (name: string) =>
    Number((await t.deps.db.selectFrom('organizations').select((eb) => eb.fn.countAll().as('n')).where('name', '=', name).executeTakeFirstOrThrow()).n);

  describe('POST /v1/organizations', () => {
    it('creates with only a name: every wire field, a slug derived from the name, no member', async () => {
      const o = await ok<OrganizationJson>(t, 'POST', '/v1/organizations', { name: '  Acme, Inc.  ' });
      assert.match(o.id, /^org_[0-9A-Za-z]{27}$/);
      assert.deepEqual({ ...o, id: 'x', created_at: 0, updated_at: 0 }, {
        object: 'organization', id: 'x', name: 'Acme, Inc.', slug: 'acme-inc', image_url: '', has_image: false,
        max_allowed_memberships: 0, admin_delete_enabled: true, public_metadata: {}, private_metadata: {},
        created_by: null, created_at: 0, updated_at: 0, last_active_at: null, role_set_key: null,
      });
      assert.equal(typeof o.created_at, 'number');
      assert.equal(o.created_at, o.updated_at);
      assert.ok(Math.abs(o.created_at - Date.now()) < 60_000, 'milliseconds');
      assert.deepEqual(await auditActions(t, o.id), ['organization.created']);
      const members = await ok<Page<OrganizationMembershipJson>>(t, 'GET', `/v1/organizations/${o.id}/memberships`);
      assert.deepEqual(members, { data: [], total_count: 0 });
    });

    it('derives slugs: accents dropped, other runs → "-", trimmed; a taken one gets a random suffix', async () => {
      assert.equal((await newOrg(t, { name: 'Ça Va — Über Straße 42!' })).slug, 'ca-va-uber-stra-e-42');
      assert.equal((await newOrg(t, { name: 'Deriv Twin' })).slug, 'deriv-twin');
      const twin = await newOrg(t, { name: 'DERIV   twin' });
      assert.match(twin.slug, /^deriv-twin-[a-z0-9]{6}$/);
      const noAscii = await newOrg(t, { name: '東京' });
      assert.match(noAscii.slug, /^org(-[a-z0-9]{6})?$/);
      const long = await newOrg(t, { name: `${'a'.repeat(150)} ${'b'.repeat(100)}` });
      assert.ok(long.slug.length <= 200 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(long.slug), long.slug);
    });

    it('5 parallel creates of one name all succeed, with 5 different slugs (a lost slug race is derived again)', async () => {
      const name = `Race Name ${process.pid}`;
      const results = await Promise.all(Array.from({ length: 5 }, () => http(t, 'POST', '/v1/organizations', { name })));
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200], JSON.stringify(results.map((r) => r.body)));
      const slugs = results.map((r) => (r.body as OrganizationJson).slug);
      assert.equal(new Set(slugs).size, 5);
      assert.ok(slugs.includes(`race-name-${process.pid}`));
    });

    it('takes a valid slug as given; a malformed one is 422 form_param_format_invalid', async () => {
      assert.equal((await newOrg(t, { slug: 'given-slug-1' })).slug, 'given-slug-1');
      for (const slug of ['Upper', 'a--b', '-a', 'a-', 'a_b', 'a b', '', 'é', 'x'.repeat(257)]) {
        const meta = await fails(t, 'POST', '/v1/organizations', { name: 'Bad slug', slug }, 422, slug.length > 256 ? 'form_param_value_invalid' : 'form_param_format_invalid');
        assert.equal(meta.param_name, 'slug', slug);
      }
      assert.equal(await countOrgsNamed('Bad slug'), 0);
    });

    it('a taken slug is 422 form_identifier_exists (param slug), also when racing', async () => {
      await newOrg(t, { slug: 'taken-slug' });
      assert.equal((await fails(t, 'POST', '/v1/organizations', { name: 'Again', slug: 'taken-slug' }, 422, 'form_identifier_exists')).param_name, 'slug');
      const results = await Promise.all(Array.from({ length: 5 }, () => http(t, 'POST', '/v1/organizations', { name: 'Racer', slug: 'raced-slug' })));
      assert.equal(results.filter((r) => r.status === 200).length, 1, JSON.stringify(results.map((r) => r.status)));
      for (const r of results.filter((x) => x.status !== 200)) {
        assert.equal(r.status, 422);
        assert.equal(r.body.errors[0].code, 'form_identifier_exists');
        assert.equal(r.body.errors[0].meta.param_name, 'slug');
      }
    });

    it('the name is required, 1..256 characters, and must not look like a URL or HTML', async () => {
      assert.equal((await fails(t, 'POST', '/v1/organizations', {}, 422, 'form_param_missing')).param_name, 'name');
      for (const name of ['', '   ', 'x'.repeat(257), '<b>Bold</b>', 'Visit https://evil.example', 'a > b', 42]) {
        assert.equal((await fails(t, 'POST', '/v1/organizations', { name }, 422, 'form_param_value_invalid')).param_name, 'name', String(name));
      }
      assert.equal((await newOrg(t, { name: 'n'.repeat(256) })).name.length, 256);
      assert.equal((await newOrg(t, { name: 'Ünïcode & Sons: café' })).name, 'Ünïcode & Sons: café');
    });

    it('created_by becomes the first member, with the creator role (org:admin), in the same transaction', async () => {
      const u = await newUser(t, { first_name: 'Cora', last_name: 'Creator' });
      const o = await newOrg(t, { name: 'Created By', created_by: u.id });
      assert.equal(o.created_by, u.id);
      const list = await ok<Page<OrganizationMembershipJson>>(t, 'GET', `/v1/organizations/${o.id}/memberships`);
      assert.equal(list.total_count, 1);
      const m = list.data[0]!;
      assert.equal(m.role, 'org:admin');
      assert.equal(m.role_name, 'Admin');
      assert.deepEqual(m.permissions, ADMIN_PERMISSIONS);
      assert.equal(m.public_user_data.user_id, u.id);
      assert.equal(m.organization.id, o.id);
      assert.deepEqual(await auditActions(t, o.id), ['organization.created']);
      assert.deepEqual(await auditActions(t, m.id), ['organization_membership.created']);
    });

    it('an unknown created_by is 400 organization_creator_not_found and leaves nothing behind', async () => {
      await fails(t, 'POST', '/v1/organizations', { name: 'Orphan Org', created_by: 'user_doesnotexist' }, 400, 'organization_creator_not_found');
      assert.equal(await countOrgsNamed('Orphan Org'), 0);
    });

    it('stores max_allowed_memberships, admin_delete_enabled, metadata and created_at; refuses bad values and unknown keys', async () => {
      const createdAt = '2020-02-03T04:05:06.789Z';
      const o = await newOrg(t, {
        max_allowed_memberships: 3, admin_delete_enabled: false, public_metadata: { plan: 'pro' }, private_metadata: { crm: 7 },
        created_at: createdAt, role_set_key: null, slug: null,
      });
      assert.equal(o.max_allowed_memberships, 3);
      assert.equal(o.admin_delete_enabled, false);
      assert.deepEqual(o.public_metadata, { plan: 'pro' });
      assert.deepEqual(o.private_metadata, { crm: 7 });
      assert.equal(o.created_at, Date.parse(createdAt));
      const bad: [Record<string, unknown>, string, string][] = [
        [{ max_allowed_memberships: -1 }, 'form_param_value_invalid', 'max_allowed_memberships'],
        [{ max_allowed_memberships: 1.5 }, 'form_param_value_invalid', 'max_allowed_memberships'],
        [{ max_allowed_memberships: '2' }, 'form_param_value_invalid', 'max_allowed_memberships'],
        [{ public_metadata: [1] }, 'form_param_value_invalid', 'public_metadata'],
        [{ created_at: 'yesterday' }, 'form_param_value_invalid', 'created_at'],
        [{ role_set_key: 'role_set:default' }, 'form_param_value_invalid', 'role_set_key'],
        [{ members_count: 3 }, 'form_param_unknown', 'members_count'],
      ];
      for (const [extra, code, param] of bad) {
        assert.equal((await fails(t, 'POST', '/v1/organizations', { name: 'Bad values', ...extra }, 422, code)).param_name, param, JSON.stringify(extra));
      }
      assert.equal(await countOrgsNamed('Bad values'), 0);
    });
  });

  describe('GET /v1/organizations/{id_or_slug}', () => {
    it('finds by id and by slug; unknown → 404 resource_not_found', async () => {
      const o = await newOrg(t, { slug: 'find-me' });
      assert.deepEqual(await ok<OrganizationJson>(t, 'GET', `/v1/organizations/${o.id}`), o);
      assert.deepEqual(await ok<OrganizationJson>(t, 'GET', '/v1/organizations/find-me'), o);
      await fails(t, 'GET', `/v1/organizations/${MISSING_ORG}`, undefined, 404, 'resource_not_found');
      await fails(t, 'GET', '/v1/organizations/no-such-slug', undefined, 404, 'resource_not_found');
      await fails(t, 'GET', `/v1/organizations/${o.id}?include_everything=true`, undefined, 422, 'form_param_unknown');
    });

    it('include_members_count adds members_count and pending (unexpired) invitations; the elevated flag reports an org nobody can manage', async () => {
      const admin = await newUser(t);
      const o = await newOrg(t, { created_by: admin.id });
      await addMember(t, o.id, (await newUser(t)).id);
      await insertPendingInvitation(t, o.id);
      await insertPendingInvitation(t, o.id, { expired: true });
      await insertPendingInvitation(t, o.id, { status: 'revoked' });
      const plain = await ok<OrganizationJson>(t, 'GET', `/v1/organizations/${o.id}`);
      assert.equal('members_count' in plain, false);
      assert.equal('missing_member_with_elevated_permissions' in plain, false);
      const counted = await ok<OrganizationJson>(t, 'GET', `/v1/organizations/${o.id}?include_members_count=true&include_missing_member_with_elevated_permissions=true`);
      assert.equal(counted.members_count, 2);
      assert.equal(counted.pending_invitations_count, 1);
      assert.equal(counted.missing_member_with_elevated_permissions, false);
      const empty = await newOrg(t);
      const e = await ok<OrganizationJson>(t, 'GET', `/v1/organizations/${empty.slug}?include_members_count=true&include_missing_member_with_elevated_permissions=true`);
      assert.equal(e.members_count, 0);
      assert.equal(e.pending_invitations_count, 0);
      assert.equal(e.missing_member_with_elevated_permissions, true);
    });
  });

  describe('GET /v1/organizations', () => {
    // Organizations of this group carry `tag` in their names, so `query` isolates them.
    const tag = `lst${process.pid}`;
    const orgs: Record<string, OrganizationJson> = {};
    let alice = '';
    let bob = '';
    before(async () => {
      alice = (await newUser(t)).id;
      bob = (await newUser(t)).id;
      orgs.b = await newOrg(t, { name: `Bravo ${tag}`, created_by: alice });
      orgs.a = await newOrg(t, { name: `alpha ${tag}`, created_by: bob });
      orgs.c = await newOrg(t, { name: `Charlie ${tag}`, slug: `charlie-${tag}-slug` });
      await addMember(t, orgs.a.id, alice);
      await addMember(t, orgs.a.id, (await newUser(t)).id);
    });
    const list = (qs: string) => ok<Page<OrganizationJson>>(t, 'GET', `/v1/organizations?query=${tag}&${qs}`);
    const names = (p: Page<OrganizationJson>) => p.data.map((o) => o.name.split(' ')[0]);

    it('is {data,total_count}, newest first by default; limit/offset page it and total_count counts all', async () => {
      const all = await list('');
      assert.equal(all.total_count, 3);
      assert.deepEqual(names(all), ['Charlie', 'alpha', 'Bravo']);
      const second = await list('limit=1&offset=1');
      assert.deepEqual(names(second), ['alpha']);
      assert.equal(second.total_count, 3);
      assert.equal('members_count' in all.data[0]!, false);
    });

    it('orders by name (case-insensitive), created_at and members_count, either direction', async () => {
      assert.deepEqual(names(await list('order_by=name')), ['alpha', 'Bravo', 'Charlie']);
      assert.deepEqual(names(await list('order_by=-name')), ['Charlie', 'Bravo', 'alpha']);
      assert.deepEqual(names(await list('order_by=%2Bcreated_at')), ['Bravo', 'alpha', 'Charlie']);
      const byMembers = await list('order_by=-members_count&include_members_count=true');
      assert.deepEqual(names(byMembers), ['alpha', 'Bravo', 'Charlie']);
      assert.deepEqual(byMembers.data.map((o) => o.members_count), [3, 1, 0]);
      await fails(t, 'GET', '/v1/organizations?order_by=slug', undefined, 422, 'form_param_value_invalid');
    });

    it('query matches the exact id, or part of the name or slug, case-insensitively', async () => {
      assert.deepEqual(names(await ok<Page<OrganizationJson>>(t, 'GET', `/v1/organizations?query=${orgs.c!.id}`)), ['Charlie']);
      assert.deepEqual(names(await ok<Page<OrganizationJson>>(t, 'GET', `/v1/organizations?query=BRAVO%20${tag}`)), ['Bravo']);
      assert.deepEqual(names(await ok<Page<OrganizationJson>>(t, 'GET', `/v1/organizations?query=${tag}-SLUG`)), ['Charlie']);
      assert.equal((await ok<Page<OrganizationJson>>(t, 'GET', `/v1/organizations?query=${tag}%25`)).total_count, 0, 'LIKE wildcards are literal');
    });

    it('organization_id and user_id filter, "-" excludes; the filters combine', async () => {
      assert.deepEqual(names(await list(`organization_id=${orgs.a!.id}&organization_id=${orgs.c!.id}`)), ['Charlie', 'alpha']);
      assert.deepEqual(names(await list(`organization_id=-${orgs.a!.id}`)), ['Charlie', 'Bravo']);
      assert.deepEqual(names(await list(`user_id=${alice}`)), ['alpha', 'Bravo']);
      assert.deepEqual(names(await list(`user_id=%2B${bob}`)), ['alpha']);
      assert.deepEqual(names(await list(`user_id=-${alice}`)), ['Charlie']);
      assert.deepEqual(names(await list(`user_id=${alice}&organization_id=-${orgs.b!.id}`)), ['alpha']);
      assert.equal((await list('user_id=user_nobody')).total_count, 0);
    });

    it('refuses unknown parameters and out-of-range paging', async () => {
      await fails(t, 'GET', '/v1/organizations?name=x', undefined, 422, 'form_param_unknown');
      await fails(t, 'GET', '/v1/organizations?limit=0', undefined, 422, 'form_param_value_invalid');
      await fails(t, 'GET', '/v1/organizations?limit=501', undefined, 422, 'form_param_value_invalid');
      await fails(t, 'GET', '/v1/organizations?offset=-1', undefined, 422, 'form_param_value_invalid');
    });
  });

  describe('PATCH /v1/organizations/{id}', () => {
    it('changes only the keys given; null and {} change nothing', async () => {
      const o = await newOrg(t, { name: 'Before', public_metadata: { keep: 1 } });
      const u = await ok<OrganizationJson>(t, 'PATCH', `/v1/organizations/${o.id}`, { name: ' After ', slug: 'after-slug', max_allowed_memberships: 7, admin_delete_enabled: false });
      assert.equal(u.name, 'After');
      assert.equal(u.slug, 'after-slug');
      assert.equal(u.max_allowed_memberships, 7);
      assert.equal(u.admin_delete_enabled, false);
      assert.deepEqual(u.public_metadata, { keep: 1 });
      assert.ok(u.updated_at >= o.updated_at);
      assert.equal(u.created_at, o.created_at);
      assert.deepEqual(await ok<OrganizationJson>(t, 'GET', `/v1/organizations/${o.id}`), u);
      assert.deepEqual(await ok<OrganizationJson>(t, 'PATCH', `/v1/organizations/${o.id}`, {}), u);
      assert.deepEqual(await ok<OrganizationJson>(t, 'PATCH', `/v1/organizations/${o.id}`, { name: null, slug: null, max_allowed_memberships: null }), u);
      assert.deepEqual(await ok<OrganizationJson>(t, 'PATCH', `/v1/organizations/${o.id}`, { slug: 'after-slug' }), u, 'its own slug is not "taken"');
      assert.deepEqual(await auditActions(t, o.id), ['organization.created', 'organization.updated']);
    });

    it('validates like create; metadata is not accepted here (use …/metadata); unknown id → 404', async () => {
      const o = await newOrg(t);
      await newOrg(t, { slug: 'occupied' });
      assert.equal((await fails(t, 'PATCH', `/v1/organizations/${o.id}`, { slug: 'occupied' }, 422, 'form_identifier_exists')).param_name, 'slug');
      assert.equal((await fails(t, 'PATCH', `/v1/organizations/${o.id}`, { slug: 'Not OK' }, 422, 'form_param_format_invalid')).param_name, 'slug');
      assert.equal((await fails(t, 'PATCH', `/v1/organizations/${o.id}`, { name: '<script>' }, 422, 'form_param_value_invalid')).param_name, 'name');
      assert.equal((await fails(t, 'PATCH', `/v1/organizations/${o.id}`, { max_allowed_memberships: -2 }, 422, 'form_param_value_invalid')).param_name, 'max_allowed_memberships');
      assert.equal((await fails(t, 'PATCH', `/v1/organizations/${o.id}`, { public_metadata: { a: 1 } }, 422, 'form_param_unknown')).param_name, 'public_metadata');
      await fails(t, 'PATCH', `/v1/organizations/${MISSING_ORG}`, { name: 'x' }, 404, 'resource_not_found');
    });
  });

  describe('DELETE /v1/organizations/{id}', () => {
    it('answers a deleted object and takes the memberships and invitations with it', async () => {
      const admin = await newUser(t);
      const o = await newOrg(t, { created_by: admin.id, slug: 'doomed' });
      await addMember(t, o.id, (await newUser(t)).id);
      await insertPendingInvitation(t, o.id);
      const res = await ok<Record<string, unknown>>(t, 'DELETE', `/v1/organizations/${o.id}`);
      assert.deepEqual(res, { object: 'organization', id: o.id, slug: 'doomed', deleted: true });
      await fails(t, 'GET', `/v1/organizations/${o.id}`, undefined, 404, 'resource_not_found');
      for (const table of ['organization_memberships', 'organization_invitations'] as const) {
        const rows = await t.deps.db.selectFrom(table).select('id').where('organization_id', '=', o.id).execute();
        assert.deepEqual(rows, [], table);
      }
      assert.ok((await ok(t, 'GET', `/v1/users/${admin.id}`)), 'the users stay');
      await fails(t, 'DELETE', `/v1/organizations/${o.id}`, undefined, 404, 'resource_not_found');
      assert.deepEqual(await auditActions(t, o.id), ['organization.created', 'organization.deleted']);
      // The slug is free again.
      assert.equal((await newOrg(t, { slug: 'doomed' })).slug, 'doomed');
    });
  });

  describe('PATCH|PUT /v1/organizations/{id}/metadata', () => {
    it('PATCH deep-merges (null removes a key, a top-level null clears); PUT replaces each given object', async () => {
      const o = await newOrg(t, { public_metadata: { plan: 'pro', limits: { seats: 5, gb: 1 }, tags: ['a'] }, private_metadata: { crm: 1 } });
      const m = await ok<OrganizationJson>(t, 'PATCH', `/v1/organizations/${o.id}/metadata`, { public_metadata: { limits: { seats: 9, gb: null }, tags: ['b'], added: true } });
      assert.deepEqual(m.public_metadata, { plan: 'pro', limits: { seats: 9 }, tags: ['b'], added: true });
      assert.deepEqual(m.private_metadata, { crm: 1 });
      assert.deepEqual((await ok<OrganizationJson>(t, 'GET', `/v1/organizations/${o.id}`)).public_metadata, m.public_metadata);
      const cleared = await ok<OrganizationJson>(t, 'PATCH', `/v1/organizations/${o.id}/metadata`, { private_metadata: null });
      assert.deepEqual(cleared.private_metadata, {});
      assert.deepEqual(cleared.public_metadata, m.public_metadata);
      const replaced = await ok<OrganizationJson>(t, 'PUT', `/v1/organizations/${o.id}/metadata`, { public_metadata: { only: 'this' } });
      assert.deepEqual(replaced.public_metadata, { only: 'this' });
      assert.deepEqual(replaced.private_metadata, {});
      assert.deepEqual(await auditActions(t, o.id), ['organization.created', 'organization.metadata_updated', 'organization.metadata_updated', 'organization.metadata_updated']);
      await fails(t, 'PATCH', `/v1/organizations/${MISSING_ORG}/metadata`, { public_metadata: {} }, 404, 'resource_not_found');
      await fails(t, 'PUT', `/v1/organizations/${MISSING_ORG}/metadata`, { public_metadata: {} }, 404, 'resource_not_found');
      assert.equal((await fails(t, 'PATCH', `/v1/organizations/${o.id}/metadata`, { unsafe_metadata: {} }, 422, 'form_param_unknown')).param_name, 'unsafe_metadata');
    });

    it('concurrent merges of different keys all land (under the row lock)', async () => {
      const o = await newOrg(t);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => http(t, 'PATCH', `/v1/organizations/${o.id}/metadata`, { public_metadata: { counters: { [`k${i}`]: i } } })),
      );
      assert.deepEqual(results.map((r) => r.status), Array(6).fill(200));
      const final = await ok<OrganizationJson>(t, 'GET', `/v1/organizations/${o.id}`);
      assert.deepEqual(final.public_metadata, { counters: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, i])) });
    });
  });
});
