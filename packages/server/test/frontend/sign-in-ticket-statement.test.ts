// The one-statement ticket sign-in (sign-ins/sign-in.repository.ts signInWithOrganizationTickets),
// called directly: in its case it writes everything a ticket sign-in writes; in every other case it
// writes nothing and answers undefined, so the service's general path can say why.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { signInWithOrganizationTickets, type TicketSignIn } from '../../src/features/sign-ins/sign-in.repository.ts';
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
  signInId: newId('sia'),
});

describe(`one-statement ticket sign-in (${storeName})`, () => {
  let t: TestApp;
  const signInOne = async (a: TicketSignIn) => (await signInWithOrganizationTickets(t.deps.db, [a], 3600))[0];
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
    const done = await signInOne(a);
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

  /** Tickets outside the statement's case, each with what makes it so. */
  async function ticketsOutsideItsCase(): Promise<[string, string][]> {
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
    const made: [string, string][] = [];
    for (const [what, make] of cases) made.push([what, await make()]);
    return made;
  }

  it('outside its case it writes nothing and answers undefined', async () => {
    for (const [what, ticket] of await ticketsOutsideItsCase()) {
      const before = await counts();
      assert.equal(await signInOne(ids(ticket)), undefined, what);
      assert.deepEqual(await counts(), before, `${what}: nothing written`);
    }
  });

  it('a ticket used once: the second call writes nothing', async () => {
    const orgId = await orgWithOwner();
    const { email } = await newPasswordUser(t);
    const ticket = ticketOf(await inviteToOrg(t, orgId, { email_address: email }));
    assert.ok(await signInOne(ids(ticket)));
    const before = await counts();
    assert.equal(await signInOne(ids(ticket)), undefined);
    assert.deepEqual(await counts(), before);
  });

  it('many items in one call: each in its case is signed in, each outside it gets undefined and writes nothing', async () => {
    const orgId = await orgWithOwner();
    const outside = await ticketsOutsideItsCase();
    const inside: { email: string; userId: string; invitationId: string; ticket: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const { user, email } = await newPasswordUser(t);
      const inv = await inviteToOrg(t, orgId, { email_address: email, public_metadata: { i } });
      inside.push({ email, userId: user.id, invitationId: inv.id, ticket: ticketOf(inv) });
    }
    // Interleaved: in, out, in, out, ...
    const tickets: { ticket: string; expect: (typeof inside)[number] | null; what: string }[] = [];
    for (let i = 0; i < Math.max(inside.length, outside.length); i++) {
      if (inside[i]) tickets.push({ ticket: inside[i]!.ticket, expect: inside[i]!, what: `in its case #${i}` });
      if (outside[i]) tickets.push({ ticket: outside[i]![1], expect: null, what: outside[i]![0] });
    }
    const items = tickets.map((x) => ids(x.ticket));
    const before = await counts();
    const answers = await signInWithOrganizationTickets(t.deps.db, items, 3600);
    assert.equal(answers.length, items.length);
    tickets.forEach((x, i) => {
      const done = answers[i];
      if (x.expect === null) return assert.equal(done, undefined, x.what);
      assert.ok(done, x.what);
      assert.equal(done.invitationId, x.expect.invitationId, x.what);
      assert.equal(done.account.id, x.expect.userId, x.what);
      assert.equal(done.session.id, items[i]!.sessionId, x.what);
      assert.equal(done.session.client_id, items[i]!.clientId, x.what);
      assert.equal(done.signIn.id, items[i]!.signInId, x.what);
      assert.equal(done.user.user.id, x.expect.userId, x.what);
    });
    const after = await counts();
    const n = inside.length;
    assert.deepEqual(
      Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!])),
      { clients: n, sessions: n, signIns: n, memberships: n, audit: 2 * n, accepted: n },
    );
    for (const x of inside) {
      const member = await t.deps.db.selectFrom('organization_memberships').select('public_metadata').where('user_id', '=', x.userId).where('organization_id', '=', orgId).executeTakeFirstOrThrow();
      assert.deepEqual(member.public_metadata, { i: inside.indexOf(x) }, 'each membership carries its own invitation\'s metadata');
    }
  });

  it('one user invited by two organizations, both tickets in one call: two memberships, two sessions, the address verified once', async () => {
    const [orgA, orgB] = [await orgWithOwner(), await orgWithOwner()];
    const { user, email } = await newPasswordUser(t);
    await t.deps.db.updateTable('email_addresses').set({ verification_status: 'unverified' }).where('user_id', '=', user.id).execute();
    const invA = await inviteToOrg(t, orgA, { email_address: email });
    const invB = await inviteToOrg(t, orgB, { email_address: email, role: 'org:admin' });
    const before = await counts();
    const answers = await signInWithOrganizationTickets(t.deps.db, [ids(ticketOf(invA)), ids(ticketOf(invB))], 3600);
    assert.deepEqual(answers.map((a) => a?.invitationId), [invA.id, invB.id]);
    assert.deepEqual(answers.map((a) => a?.session.active_organization_id), [orgA, orgB]);
    for (const a of answers) assert.equal(a!.user.emails[0]!.verification_status, 'verified');
    const after = await counts();
    assert.deepEqual(
      Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!])),
      { clients: 2, sessions: 2, signIns: 2, memberships: 2, audit: 4, accepted: 2 },
    );
  });
});
