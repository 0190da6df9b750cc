// Single organization invitation creates are coalesced per organization (src/lib/coalesce.ts):
// creates for one organization that arrive while one is being written go in one statement, each
// with its own verdict. Each request must get exactly the answer it would have got alone, and
// nothing is written for a refused one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { insertOrganizationInvitationsEach, type NewOrganizationInvitation } from '../../src/features/organization-invitations/organization-invitation.repository.ts';
import { MANAGE_MEMBERSHIPS } from '../../src/features/roles/role.service.ts';
import { newId } from '../../src/lib/ids.ts';
import { mintTicket } from '../../src/lib/tickets.ts';
import { addMember, call, expireOrganizationInvitation, invite, MISSING_ORG, newOrg, newUser, NO_INVITATION_LIMITS, uniqueEmail } from './org-invitations.helpers.ts';

interface Expect {
  org: string;
  body: Record<string, unknown>;
  status: number;
  code?: string;
}

const codeOfRaw = (raw: string): string | undefined => (JSON.parse(raw) as { errors?: { code: string }[] }).errors?.[0]?.code;

async function rowsOf(t: TestApp, organizationIds: string[]) {
  return t.deps.db
    .selectFrom('organization_invitations')
    .select(['id', 'organization_id', 'email', 'status', sql<string>`xmin::text`.as('tx')])
    .where('organization_id', 'in', organizationIds)
    .execute();
}

describe(`coalesced organization invitation creates (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: NO_INVITATION_LIMITS }); });
  after(async () => { await t.close(); });

  it('parallel creates into several organizations each get the answer they would get alone', async () => {
    const owner = await newUser(t);
    const plainMember = await newUser(t);
    const a = await newOrg(t, { created_by: owner.id });
    const b = await newOrg(t, { created_by: owner.id });
    const limited = await newOrg(t, { created_by: owner.id, max_allowed_memberships: 3 }); // the owner + 2 seats
    await addMember(t, a.id, plainMember.id, 'org:member');
    const pending = await invite(t, a.id);
    const stale = await invite(t, a.id);
    await expireOrganizationInvitation(t, stale.id);
    const twice = uniqueEmail('twice');

    const requests: Expect[] = [
      ...Array.from({ length: 6 }, (_, i) => ({ org: a.id, body: { email_address: uniqueEmail('fresh'), role: 'org:member', ...(i % 2 ? { inviter_user_id: owner.id } : {}) }, status: 200 })),
      ...Array.from({ length: 4 }, () => ({ org: b.id, body: { email_address: uniqueEmail('fresh-b'), role: 'org:admin' }, status: 200 })),
      { org: b.id, body: { email_address: pending.email_address, role: 'org:member' }, status: 200 }, // pending in a, not in b
      { org: a.id, body: { email_address: pending.email_address, role: 'org:member' }, status: 400, code: 'duplicate_record' },
      { org: a.id, body: { email_address: stale.email_address, role: 'org:member' }, status: 200 },
      { org: a.id, body: { email_address: plainMember.email_addresses[0]!.email_address, role: 'org:member' }, status: 400, code: 'already_a_member_in_organization' },
      { org: a.id, body: { email_address: uniqueEmail('by-member'), role: 'org:member', inviter_user_id: plainMember.id }, status: 403, code: 'not_an_admin_in_organization' },
      { org: a.id, body: { email_address: uniqueEmail('role'), role: 'org:nonexistent' }, status: 422, code: 'form_param_value_invalid' },
      { org: MISSING_ORG, body: { email_address: uniqueEmail('nowhere'), role: 'org:member' }, status: 404, code: 'resource_not_found' },
      { org: MISSING_ORG, body: { email_address: uniqueEmail('nowhere'), role: 'org:member' }, status: 404, code: 'resource_not_found' },
    ];
    const limitedAsks = Array.from({ length: 4 }, () => ({ org: limited.id, body: { email_address: uniqueEmail('seat'), role: 'org:member' } }));
    const twiceAsks = [0, 1].map(() => ({ org: a.id, body: { email_address: twice, role: 'org:member' } }));
    const all = [...requests, ...limitedAsks, ...twiceAsks];
    const order = all.map((_, i) => i).sort(() => Math.random() - 0.5); // mix organizations and kinds
    const answers = new Array<Awaited<ReturnType<typeof call>>>(all.length);
    await Promise.all(order.map(async (i) => { answers[i] = await call(t, 'POST', `/v1/organizations/${all[i]!.org}/invitations`, all[i]!.body); }));

    requests.forEach((r, i) => {
      const got = answers[i]!;
      assert.equal(got.status, r.status, `${JSON.stringify(r.body)} → ${got.raw}`);
      if (r.code) assert.equal(codeOfRaw(got.raw), r.code);
      else assert.equal(JSON.parse(got.raw).email_address, r.body.email_address);
    });
    const seats = answers.slice(requests.length, requests.length + limitedAsks.length);
    assert.deepEqual(seats.map((s) => s.status).sort(), [200, 200, 403, 403], 'the seat limit lets exactly two through');
    for (const s of seats.filter((x) => x.status === 403)) assert.equal(codeOfRaw(s.raw), 'organization_membership_quota_exceeded');
    const both = answers.slice(requests.length + limitedAsks.length);
    assert.deepEqual(both.map((s) => s.status).sort(), [200, 400], 'one address twice at once: one created, one duplicate');

    // Written: exactly what was answered 200, each with one email and one audit row.
    const createdIds = answers.filter((x) => x.status === 200).map((x) => JSON.parse(x.raw).id as string);
    const rows = await rowsOf(t, [a.id, b.id, limited.id]);
    const pendingIds = new Set(rows.filter((r) => r.status === 'pending').map((r) => r.id));
    assert.equal(pendingIds.size, createdIds.length + 1, 'pending: the created ones and the one made before');
    for (const id of createdIds) assert.ok(pendingIds.has(id), id);
    assert.equal(rows.find((r) => r.id === stale.id)?.status, 'expired', 'the stale invitation was marked expired');
    const audited = await t.deps.db.selectFrom('audit_log').select('target').where('action', '=', 'organization_invitation.created').where('target', 'in', createdIds).execute();
    assert.equal(audited.length, createdIds.length);
    const mailed = await t.deps.db.selectFrom('outbox').select('id').where(sql<string>`payload -> 'vars' ->> 'organization_invitation_id'`, 'in', createdIds).execute();
    assert.equal(mailed.length, createdIds.length);
  });

  it('writes creates for one organization that arrive together with fewer statements than requests', { skip: storeName !== 'postgres' && 'PGlite runs a statement without yielding to I/O: no request finds one in flight' }, async () => {
    const owner = await newUser(t);
    const org = await newOrg(t, { created_by: owner.id });
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(t, 'POST', `/v1/organizations/${org.id}/invitations`, { email_address: uniqueEmail('many'), role: 'org:member', inviter_user_id: owner.id })));
    assert.deepEqual(answers.map((x) => x.status), answers.map(() => 200));
    const statements = new Set((await rowsOf(t, [org.id])).map((r) => r.tx)).size;
    assert.ok(statements < answers.length, `${statements} statements for ${answers.length} creates`);
  });

  it('the per-item statement gives each item its own verdict and writes only the free ones', async () => {
    const owner = await newUser(t);
    const plainMember = await newUser(t);
    const org = await newOrg(t, { created_by: owner.id });
    await addMember(t, org.id, plainMember.id, 'org:member');
    const pending = await invite(t, org.id);
    const stale = await invite(t, org.id);
    await expireOrganizationInvitation(t, stale.id);
    const item = (email: string, extra: Partial<NewOrganizationInvitation> = {}): NewOrganizationInvitation => ({
      id: newId('orginv'), email, roleKey: 'org:member', inviterUserId: null, publicMetadata: {}, privateMetadata: {},
      redirectUrl: null, notify: false, ticketHash: mintTicket('organization_invitation').hash, expiresInDays: 30, outboxEmail: null, ...extra,
    });
    const items = [
      item(uniqueEmail('f'), { inviterUserId: owner.id }),
      item(pending.email_address),
      item(plainMember.email_addresses[0]!.email_address),
      item(uniqueEmail('n'), { inviterUserId: plainMember.id }),
      item(uniqueEmail('r'), { roleKey: 'org:nonexistent' }),
      item(stale.email_address),
      item(uniqueEmail('f')),
    ];
    const v = await insertOrganizationInvitationsEach(t.deps.db, org.id, items, { managePermission: MANAGE_MEMBERSHIPS });
    assert.equal(v.organizationMissing, false);
    assert.equal(v.maxAllowed, 0);
    assert.deepEqual(v.items.map((i) => i.blocked), [null, 'duplicate', 'member', 'not_admin', 'unknown_role', 'stale', null]);
    assert.deepEqual(v.items.map((i) => i.created?.id ?? null), [items[0]!.id, null, null, null, null, null, items[6]!.id]);
    assert.equal(v.items[0]!.created!.inviter_user_id, owner.id);
    const written = await t.deps.db.selectFrom('organization_invitations').select('id').where('id', 'in', items.map((i) => i.id)).execute();
    assert.deepEqual(written.map((w) => w.id).sort(), [items[0]!.id, items[6]!.id].sort());

    const limited = await newOrg(t, { created_by: owner.id, max_allowed_memberships: 10 });
    const l = await insertOrganizationInvitationsEach(t.deps.db, limited.id, [item(uniqueEmail('l')), item(uniqueEmail('l'))], { managePermission: MANAGE_MEMBERSHIPS });
    assert.equal(l.maxAllowed, 10);
    assert.deepEqual(l.items.map((i) => i.created), [null, null], 'a seat limit needs the lock: nothing written');
    const missing = await insertOrganizationInvitationsEach(t.deps.db, MISSING_ORG, [item(uniqueEmail('m')), item(uniqueEmail('m'))], { managePermission: MANAGE_MEMBERSHIPS });
    assert.equal(missing.organizationMissing, true);
    assert.deepEqual(missing.items.map((i) => i.created), [null, null]);
  });
});
