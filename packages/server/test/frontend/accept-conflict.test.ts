// A request that PostgreSQL chooses as a deadlock's victim is answered 409 request_conflict with
// Retry-After, never 500, and has changed nothing. The deadlock is made on purpose: another
// transaction holds the organization row (as deleting the organization would) while an accept with a
// ticket has claimed the invitation and waits for that row to add the membership; the other
// transaction then touches the claimed invitation. PostgreSQL only (PGlite runs one connection at a
// time, so nothing there can deadlock).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeName, type TestApp } from '../helpers/app.ts';
import { connectAsAnotherProcess, waitUntilBlockedBy } from '../helpers/postgres.ts';
import { Browser, codeOf, inviteToOrg, newOrg, newPasswordUser, ok, startFapiApp, ticketOf } from './frontend.helpers.ts';

describe('an accept that loses a deadlock (PostgreSQL)', { skip: storeName !== 'postgres' && 'PostgreSQL only' }, () => {
  let t: TestApp;
  before(async () => { t = await startFapiApp(); });
  after(async () => { await t.close(); });

  it('answers 409 request_conflict with Retry-After, and the invitation stays pending with no membership', async () => {
    const owner = (await newPasswordUser(t)).user;
    const org = await newOrg(t, { created_by: owner.id });
    // PostgreSQL looks for a deadlock once per wait, deadlock_timeout (1 s) after the wait began,
    // and fails the transaction that finds it. The accept waits first, so it finds the cycle if
    // the test closes it within that second; on a loaded machine the test may close it later,
    // the accept's one check then finds nothing, and the test's own transaction finds the cycle
    // and fails instead. Then the accept simply succeeds, and the scenario is run again.
    for (let attempt = 1; ; attempt++) {
      const { user, email } = await newPasswordUser(t);
      const inv = await inviteToOrg(t, org.id, { email_address: email });
      const other = await connectAsAnotherProcess(t);
      let res: Awaited<ReturnType<Browser['post']>>;
      try {
        await other.query('BEGIN');
        await other.query('SELECT id FROM organizations WHERE id = $1 FOR UPDATE', [org.id]);
        const accept = new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) });
        // Wait until the accept is blocked by this transaction (on the organization row).
        await waitUntilBlockedBy(other, 'the accept');
        // Now wait for the invitation the accept has claimed: a cycle.
        const closed = await other.query('UPDATE organization_invitations SET updated_at = now() WHERE id = $1', [inv.id]).then(
          () => 'accept failed' as const,
          (err: { code?: string }) => {
            assert.equal(err.code, '40P01', String(err));
            return 'test failed' as const;
          },
        );
        await other.query('ROLLBACK');
        res = await accept;
        if (closed === 'test failed') {
          assert.equal(res.status, 200, 'the accept went on once the test transaction was failed');
          assert.ok(attempt < 5, 'PostgreSQL failed the test transaction five times in a row');
          continue;
        }
      } finally {
        await other.end();
      }
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(codeOf(res), 'request_conflict');
      assert.equal(res.headers.get('retry-after'), '1');
      const after = await ok<any>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`);
      assert.equal(after.status, 'pending');
      const members = await ok<any>(t, 'GET', `/v1/organizations/${org.id}/memberships`);
      assert.ok(!members.data.some((m: any) => m.public_user_data.user_id === user.id));
      // Retried, it succeeds.
      const retried = await new Browser(t).post('/v1/client/sign_ins', { strategy: 'ticket', ticket: ticketOf(inv) });
      assert.equal(retried.status, 200, JSON.stringify(retried.body));
      return;
    }
  });
});
