// Reading and revoking organization invitations over HTTP: get, the per-organization list (status,
// email, order, paging), the deprecated pending list, the instance-wide and per-user lists (with
// public_organization_data), expiry computed at read time, and revoke with its rules.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';
import { newId } from '../../src/lib/ids.ts';
import type { UserJson } from '../../src/features/users/user.schemas.ts';
import { expireOverdueOrganizationInvitations } from '../../src/features/organization-invitations/organization-invitation.repository.ts';
import {
  addMember,
  expireOrganizationInvitation,
  fails,
  invite,
  MISSING_ORG,
  MISSING_USER,
  newOrg,
  newUser,
  NO_INVITATION_LIMITS,
  ok,
  setOrganizationInvitationStatusRaw,
  storedStatus,
  uniqueEmail,
  type OrganizationInvitationJson,
  type Page,
} from './org-invitations.helpers.ts';

type List = Page<OrganizationInvitationJson>;
const primaryEmail = (u: UserJson) => u.email_addresses.find((e) => e.id === u.primary_email_address_id)!.email_address;

describe(`organization invitations: read and revoke (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: NO_INVITATION_LIMITS }); });
  after(async () => { await t.close(); });

  describe('lists', () => {
    const tag = `l${process.pid}`;
    let org: { id: string; name: string; slug: string };
    const ids: Record<string, string> = {};
    const names = (l: List) => l.data.map((i) => i.email_address.split('@')[0]!.replace(`.${tag}`, ''));
    const list = (q = '') => ok<List>(t, 'GET', `/v1/organizations/${org.id}/invitations${q}`);

    before(async () => {
      org = await newOrg(t, { name: `Listed ${tag}` });
      // Created in this order, so newest first is the reverse.
      for (const name of ['carol', 'alice', 'bob', 'dave', 'erin']) {
        ids[name] = (await invite(t, org.id, { email_address: `${name}.${tag}@list.example.com`, notify: false, role: name === 'alice' ? 'org:admin' : 'org:member' })).id;
      }
      await ok(t, 'POST', `/v1/organizations/${org.id}/invitations/${ids.bob}/revoke`);
      await setOrganizationInvitationStatusRaw(t, ids.dave!, 'accepted');
      await expireOrganizationInvitation(t, ids.erin!);
      // Noise in another organization.
      await invite(t, (await newOrg(t)).id, { email_address: `zed.${tag}@list.example.com`, notify: false });
    });

    it('lists every status, newest first, with {data,total_count}, no link and no organization data', async () => {
      const l = await list();
      assert.equal(l.total_count, 5);
      assert.deepEqual(names(l), ['erin', 'dave', 'bob', 'alice', 'carol']);
      assert.deepEqual(l.data.map((i) => i.status), ['expired', 'accepted', 'revoked', 'pending', 'pending']);
      assert.ok(l.data.every((i) => i.url === null && !('public_organization_data' in i) && i.organization_id === org.id));
      assert.deepEqual([l.data[3]!.role, l.data[3]!.role_name], ['org:admin', 'Admin']);
    });

    it('filters by status (repeatable), with expiry computed at read time', async () => {
      const by = async (q: string) => {
        const l = await list(`?${q}`);
        assert.equal(l.total_count, l.data.length);
        return names(l).sort();
      };
      assert.deepEqual(await by('status=pending'), ['alice', 'carol']);
      assert.deepEqual(await by('status=expired'), ['erin']);
      assert.deepEqual(await by('status=revoked'), ['bob']);
      assert.deepEqual(await by('status=accepted'), ['dave']);
      assert.deepEqual(await by('status=pending&status=expired'), ['alice', 'carol', 'erin']);
      assert.equal(await storedStatus(t, ids.erin!), 'pending', 'no job had to run for erin to read as expired');
      assert.equal((await bapi(t, 'GET', `/v1/organizations/${org.id}/invitations?status=bogus`)).status, 422);
    });

    it('merges statuses in time order, either way, for any set of statuses, and pages through the merge', async () => {
      // erin is still stored as pending here (past expiry): she is read from the pending range.
      assert.deepEqual(names(await list('?status=pending&status=expired')), ['erin', 'alice', 'carol']);
      assert.deepEqual(names(await list('?status=revoked&status=accepted&order_by=created_at')), ['bob', 'dave']);
      assert.deepEqual(names(await list('?status=accepted&status=revoked&status=expired&limit=1&offset=1')), ['dave']);
      assert.deepEqual(names(await list('?order_by=created_at&limit=2&offset=1')), ['alice', 'bob']);
      assert.deepEqual(names(await list('?order_by=-created_at&limit=3&offset=2')), ['bob', 'alice', 'carol']);
      assert.deepEqual(names(await list('?limit=2&offset=5')), []);
    });

    it('keeps total_count exact from counters through a sweep and a delete', async () => {
      const totals = async () => {
        const out: Record<string, number> = {};
        for (const q of ['', '?status=pending', '?status=expired', '?status=accepted', '?status=revoked']) {
          const l = await list(`${q}${q ? '&' : '?'}limit=100`);
          assert.equal(l.total_count, l.data.length, q);
          out[q || 'all'] = l.total_count;
        }
        return out;
      };
      const before = await totals();
      assert.ok((await expireOverdueOrganizationInvitations(t.deps.db, 1000)) >= 1, 'erin is rewritten to expired');
      assert.deepEqual(await totals(), before, 'a sweep changes no answer');
      const extra = await invite(t, org.id, { email_address: `temp.${tag}@list.example.com`, notify: false });
      await t.deps.db.deleteFrom('organization_invitations').where('id', '=', extra.id).execute();
      assert.deepEqual(await totals(), before, 'an insert then a delete leave the counts as they were');
    });

    it('filters by email_address (canonicalised), orders by created_at or email_address, and pages', async () => {
      assert.deepEqual(names(await list(`?email_address=${encodeURIComponent(`ALICE.${tag}@List.Example.com`)}`)), ['alice']);
      assert.deepEqual(names(await list('?order_by=email_address')), ['alice', 'bob', 'carol', 'dave', 'erin']);
      assert.deepEqual(names(await list('?order_by=%2Bemail_address')), ['alice', 'bob', 'carol', 'dave', 'erin']);
      assert.deepEqual(names(await list('?order_by=-email_address')), ['erin', 'dave', 'carol', 'bob', 'alice']);
      assert.deepEqual(names(await list('?order_by=created_at')), ['carol', 'alice', 'bob', 'dave', 'erin']);
      const p1 = await list('?limit=2');
      const p2 = await list('?limit=2&offset=2');
      assert.deepEqual([names(p1), p1.total_count], [['erin', 'dave'], 5]);
      assert.deepEqual([names(p2), p2.total_count], [['bob', 'alice'], 5]);
      assert.equal((await bapi(t, 'GET', `/v1/organizations/${org.id}/invitations?order_by=role`)).status, 422);
      assert.equal((await bapi(t, 'GET', `/v1/organizations/${org.id}/invitations?limit=501`)).status, 422);
    });

    it('lists only pending, unexpired invitations on the deprecated /pending route', async () => {
      const l = await ok<List>(t, 'GET', `/v1/organizations/${org.id}/invitations/pending`);
      assert.deepEqual([names(l), l.total_count], [['alice', 'carol'], 2]);
      const one = await ok<List>(t, 'GET', `/v1/organizations/${org.id}/invitations/pending?limit=1&offset=1`);
      assert.deepEqual([names(one), one.total_count], [['carol'], 2]);
    });

    it('answers 404 for an unknown organization on both lists', async () => {
      await fails(t, 'GET', `/v1/organizations/${MISSING_ORG}/invitations`, undefined, 404, 'resource_not_found');
      await fails(t, 'GET', `/v1/organizations/${MISSING_ORG}/invitations/pending`, undefined, 404, 'resource_not_found');
    });

    it('lists the whole instance with public_organization_data, filtered by query and status', async () => {
      const l = await ok<List>(t, 'GET', `/v1/organization_invitations?query=${tag.toUpperCase()}&limit=100`);
      assert.equal(l.total_count, 6);
      assert.equal(l.data[0]!.email_address, `zed.${tag}@list.example.com`, 'newest first');
      const erin = l.data.find((i) => i.id === ids.erin)!;
      assert.equal(erin.status, 'expired');
      assert.deepEqual(erin.public_organization_data, { id: org.id, name: org.name, slug: org.slug, image_url: '', has_image: false });
      const pending = await ok<List>(t, 'GET', `/v1/organization_invitations?query=${tag}&status=pending&order_by=email_address`);
      assert.deepEqual(pending.data.map((i) => i.email_address.split('.')[0]), ['alice', 'carol', 'zed']);
      assert.equal(pending.total_count, 3);
      assert.equal((await ok<List>(t, 'GET', '/v1/organization_invitations?query=%25')).total_count, 0, 'LIKE wildcards are literal');
    });
  });

  describe("a user's invitations", () => {
    it('lists invitations to the verified addresses of the user, with public_organization_data; 404 for an unknown user', async () => {
      const user = await newUser(t);
      const email = primaryEmail(user);
      const [o1, o2, o3] = [await newOrg(t), await newOrg(t), await newOrg(t)];
      const a = await invite(t, o1.id, { email_address: email, notify: false });
      const b = await invite(t, o2.id, { email_address: email.toUpperCase(), notify: false });
      await ok(t, 'POST', `/v1/organizations/${o2.id}/invitations/${b.id}/revoke`);
      // An unverified address the user added is not proof the invitation is theirs.
      const unverified = uniqueEmail('unverified');
      await t.deps.db.insertInto('email_addresses').values({ id: newId('idn'), user_id: user.id, email: unverified, verification_status: 'unverified', verification_strategy: 'email_code' }).execute();
      await invite(t, o3.id, { email_address: unverified, notify: false });
      await invite(t, o3.id, { notify: false });

      const all = await ok<List>(t, 'GET', `/v1/users/${user.id}/organization_invitations`);
      assert.equal(all.total_count, 2);
      assert.deepEqual(all.data.map((i) => i.id), [b.id, a.id]);
      assert.deepEqual(all.data[1]!.public_organization_data, { id: o1.id, name: o1.name, slug: o1.slug, image_url: '', has_image: false });
      const pending = await ok<List>(t, 'GET', `/v1/users/${user.id}/organization_invitations?status=pending`);
      assert.deepEqual(pending.data.map((i) => i.id), [a.id]);
      assert.equal(pending.total_count, 1);
      const paged = await ok<List>(t, 'GET', `/v1/users/${user.id}/organization_invitations?limit=1&offset=1`);
      assert.deepEqual([paged.data.map((i) => i.id), paged.total_count], [[a.id], 2]);
      await fails(t, 'GET', `/v1/users/${MISSING_USER}/organization_invitations`, undefined, 404, 'resource_not_found');
    });
  });

  describe('GET /v1/organizations/{id}/invitations/{invitation_id}', () => {
    it('returns the invitation without its link; 404 for an unknown id, organization, or another organization', async () => {
      const org = await newOrg(t);
      const inv = await invite(t, org.id, { public_metadata: { a: 1 }, private_metadata: { b: 2 } });
      const got = await ok<OrganizationInvitationJson>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`);
      assert.deepEqual(got, { ...inv, url: null });
      await expireOrganizationInvitation(t, inv.id);
      assert.equal((await ok<OrganizationInvitationJson>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`)).status, 'expired');
      await fails(t, 'GET', `/v1/organizations/${org.id}/invitations/orginv_0000000000000000000000missing`, undefined, 404, 'resource_not_found');
      await fails(t, 'GET', `/v1/organizations/${MISSING_ORG}/invitations/${inv.id}`, undefined, 404, 'resource_not_found');
      const other = await newOrg(t);
      await fails(t, 'GET', `/v1/organizations/${other.id}/invitations/${inv.id}`, undefined, 404, 'resource_not_found');
    });
  });

  describe('POST /v1/organizations/{id}/invitations/{invitation_id}/revoke', () => {
    let admin: UserJson;
    let orgId: string;
    const revokePath = (id: string, org = orgId) => `/v1/organizations/${org}/invitations/${id}/revoke`;
    before(async () => {
      admin = await newUser(t);
      orgId = (await newOrg(t, { created_by: admin.id })).id;
    });

    it('revokes with an empty body sent as JSON (what the SDK sends), and with none at all', async () => {
      const inv = await invite(t, orgId);
      const r = await bapi(t, 'POST', revokePath(inv.id));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const revoked = r.body as OrganizationInvitationJson;
      assert.equal(revoked.status, 'revoked');
      assert.equal(revoked.url, null);
      assert.ok(revoked.updated_at >= revoked.created_at);
      assert.equal((await ok<OrganizationInvitationJson>(t, 'GET', `/v1/organizations/${orgId}/invitations/${inv.id}`)).status, 'revoked');
      const audit = await t.deps.db.selectFrom('audit_log').select('action').where('target', '=', inv.id).orderBy('id').execute();
      assert.deepEqual(audit.map((a) => a.action), ['organization_invitation.created', 'organization_invitation.revoked']);

      const bare = await invite(t, orgId);
      const res = await t.app.inject({ method: 'POST', url: revokePath(bare.id), headers: { authorization: t.auth.authorization! } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().status, 'revoked');
    });

    it('only revokes a pending invitation: revoked, accepted and expired → 404 organization_invitation_not_pending', async () => {
      const revoked = await invite(t, orgId);
      await ok(t, 'POST', revokePath(revoked.id));
      const accepted = await invite(t, orgId);
      await setOrganizationInvitationStatusRaw(t, accepted.id, 'accepted');
      const expired = await invite(t, orgId);
      await expireOrganizationInvitation(t, expired.id);
      for (const inv of [revoked, accepted, expired]) {
        await fails(t, 'POST', revokePath(inv.id), undefined, 404, 'organization_invitation_not_pending');
      }
      assert.equal(await storedStatus(t, accepted.id), 'accepted');
      assert.equal(await storedStatus(t, expired.id), 'pending');
    });

    it('checks requesting_user_id: an admin may revoke, a member without the permission may not', async () => {
      const member = await newUser(t);
      await addMember(t, orgId, member.id, 'org:member');
      const inv = await invite(t, orgId);
      for (const who of [member.id, MISSING_USER]) {
        await fails(t, 'POST', revokePath(inv.id), { requesting_user_id: who }, 403, 'not_an_admin_in_organization');
      }
      assert.equal(await storedStatus(t, inv.id), 'pending');
      const r = await ok<OrganizationInvitationJson>(t, 'POST', revokePath(inv.id), { requesting_user_id: admin.id });
      assert.equal(r.status, 'revoked');
      assert.equal((await ok<OrganizationInvitationJson>(t, 'POST', revokePath((await invite(t, orgId)).id), { requesting_user_id: null })).status, 'revoked');
    });

    it('answers 404 resource_not_found for an unknown invitation or organization, or the wrong organization; 422 for unknown keys', async () => {
      const inv = await invite(t, orgId);
      await fails(t, 'POST', revokePath('orginv_0000000000000000000000missing'), undefined, 404, 'resource_not_found');
      await fails(t, 'POST', revokePath(inv.id, MISSING_ORG), undefined, 404, 'resource_not_found');
      await fails(t, 'POST', revokePath(inv.id, (await newOrg(t)).id), undefined, 404, 'resource_not_found');
      assert.equal((await fails(t, 'POST', revokePath(inv.id), { reason: 'x' }, 422, 'form_param_unknown')).param_name, 'reason');
      assert.equal(await storedStatus(t, inv.id), 'pending');
    });
  });
});
