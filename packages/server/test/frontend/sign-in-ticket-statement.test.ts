// The one-statement ticket sign-in (sign-ins/sign-in.repository.ts signInWithOrganizationTicket),
// called directly: in its case it writes everything a ticket sign-in writes; in every other case it
// writes nothing and answers undefined, so the service's general path can say why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { signInWithOrganizationTicket, type TicketSignIn } from '../../src/features/sign-ins/sign-in.repository.ts';
import { ticketLookup } from '../../src/features/tickets/ticket.accept.ts';
import { newId } from '../../src/lib/ids.ts';
import { storeName, type TestApp } from '../helpers/app.ts';
import { expire, inviteToApp, inviteToOrg, newOrg, newPasswordUser, ok, startFapiApp, ticketOf } from './frontend.helpers.ts';

const ids = (ticket: string): TicketSignIn => ({
  ticketHash: ticketLookup(ticket).hash,
  membershipId: newId('orgmem'),
  clientId: newId('client'),
  clientTokenHash: randomBytes(32),
  sessionId: newId('sess'),
  sessionLifetimeSeconds: 3600,
  signInId: newId('sia'),
});

describe(`one-statement ticket sign-in (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startFapiApp(); });
  after(async () => { await t.close(); });

  /** Rows a sign-in writes, counted in one statement. */
  async function counts(): Promise<Record<string, number>> {
    const db = t.deps.db;
    const [clients, sessions, signIns, memberships, audit, accepted] = await Promise.all([
      db.selectFrom('clients').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('sessions').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('sign_ins').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('organization_memberships').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('audit_log').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      db.selectFrom('organization_invitations').select((e) => e.fn.countAll<number>().as('n')).where('status', '=', 'accepted').executeTakeFirstOrThrow(),
    ]);
    return Object.fromEntries(Object.entries({ clients, sessions, signIns, memberships, audit, accepted }).map(([k, v]) => [k, Number(v.n)]));
  }

  async function orgWithOwner(extra: Record<string, unknown> = {}): Promise<string> {
    const owner = (await newPasswordUser(t)).user;
    return (await newOrg(t, { created_by: owner.id, ...extra })).id;
  }

  it('in its case: the invitation accepted, the address verified, membership, audit rows, client, session and sign-in, in one call', async () => {
    const orgId = await orgWithOwner();
    const { user, email } = await newPasswordUser(t);
    await t.deps.db.updateTable('email_addresses').set({ verification_status: 'unverified' }).where('user_id', '=', user.id).execute();
    const inv = await inviteToOrg(t, orgId, { email_address: email, role: 'org:admin', public_metadata: { a: 1 }, private_metadata: { b: 2 } });
    const before = await counts();
    const a = ids(ticketOf(inv));
    const done = await signInWithOrganizationTicket(t.deps.db, a);
    assert.ok(done);
    assert.equal(done.invitationId, inv.id);
    assert.equal(done.account.id, user.id);
    assert.equal(done.account.email, email);
    assert.equal(done.session.id, a.sessionId);
    assert.equal(done.session.user_id, user.id);
    assert.equal(done.session.active_organization_id, orgId);
    assert.equal(done.signIn.identifier, email);
    assert.equal(done.signIn.user_id, user.id);
    assert.equal(done.user.emails[0]!.verification_status, 'verified', 'the returned user shows the address as the statement left it');
    const after = await counts();
    assert.deepEqual(
      Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!])),
      { clients: 1, sessions: 1, signIns: 1, memberships: 1, audit: 2, accepted: 1 },
    );
    const member = await t.deps.db.selectFrom('organization_memberships').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(member.role_id === null, false);
    assert.deepEqual([member.public_metadata, member.private_metadata], [{ a: 1 }, { b: 2 }]);
    const stored = await t.deps.db.selectFrom('email_addresses').select(['verification_status', 'verification_strategy']).where('user_id', '=', user.id).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { verification_status: 'verified', verification_strategy: 'ticket' });
  });

  it('outside its case it writes nothing and answers undefined', async () => {
    const orgId = await orgWithOwner();
    const limitedOrg = await orgWithOwner({ max_allowed_memberships: 50 });
    const cases: [string, () => Promise<string>][] = [
      ['an unknown ticket', async () => 'tkt_oinv_' + randomBytes(32).toString('base64url')],
      ['a malformed ticket', async () => 'not-a-ticket'],
      ["an application invitation's ticket", async () => ticketOf(await inviteToApp(t))],
      ['no account for the address', async () => ticketOf(await inviteToOrg(t, orgId))],
      ['an expired invitation', async () => {
        const { email } = await newPasswordUser(t);
        const inv = await inviteToOrg(t, orgId, { email_address: email });
        await expire(t, 'organization_invitations', inv.id);
        return ticketOf(inv);
      }],
      ['a revoked invitation', async () => {
        const { email } = await newPasswordUser(t);
        const inv = await inviteToOrg(t, orgId, { email_address: email });
        await ok(t, 'POST', `/v1/organizations/${orgId}/invitations/${inv.id}/revoke`, {});
        return ticketOf(inv);
      }],
      ['an organization with a seat limit', async () => {
        const { email } = await newPasswordUser(t);
        return ticketOf(await inviteToOrg(t, limitedOrg, { email_address: email }));
      }],
      ['a banned account', async () => {
        const { user, email } = await newPasswordUser(t);
        await t.deps.db.updateTable('users').set({ banned: true }).where('id', '=', user.id).execute();
        return ticketOf(await inviteToOrg(t, orgId, { email_address: email }));
      }],
      ['a locked account', async () => {
        const { user, email } = await newPasswordUser(t);
        await t.deps.db.updateTable('users').set({ locked: true }).where('id', '=', user.id).execute();
        return ticketOf(await inviteToOrg(t, orgId, { email_address: email }));
      }],
    ];
    for (const [what, make] of cases) {
      const ticket = await make();
      const before = await counts();
      assert.equal(await signInWithOrganizationTicket(t.deps.db, ids(ticket)), undefined, what);
      assert.deepEqual(await counts(), before, `${what}: nothing written`);
    }
  });

  it('a ticket used once: the second call writes nothing', async () => {
    const orgId = await orgWithOwner();
    const { email } = await newPasswordUser(t);
    const ticket = ticketOf(await inviteToOrg(t, orgId, { email_address: email }));
    assert.ok(await signInWithOrganizationTicket(t.deps.db, ids(ticket)));
    const before = await counts();
    assert.equal(await signInWithOrganizationTicket(t.deps.db, ids(ticket)), undefined);
    assert.deepEqual(await counts(), before);
  });
});
