// Housekeeping (features/retention): sent emails, finished browsers (clients with their sessions,
// sign-ins and sign-ups) and unverified added addresses are deleted once old; everything still in
// use, and everything that is not finished, stays. Run directly (pruneOldRecords), on both stores.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { storeName, type TestApp } from '../helpers/app.ts';
import { Browser, okRes, signedIn, startFapiApp, uniqueEmail } from '../frontend/frontend.helpers.ts';
import { pruneOldRecords, startHousekeeping } from '../../src/features/retention/retention.service.ts';

const DAY = 24 * 3600 * 1000;

describe(`housekeeping (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startFapiApp(); });
  after(async () => { await t.close(); });

  const db = () => t.deps.db;
  const ago = (days: number) => new Date(Date.now() - days * DAY);
  /** Makes a browser's client and everything of it look last touched `days` ago. */
  async function age(clientId: string, days: number, o: { endSessions: boolean }) {
    const when = ago(days);
    await db().updateTable('sessions').set({ updated_at: when, ...(o.endSessions ? { status: 'ended' as const, expire_at: when } : {}) }).where('client_id', '=', clientId).execute();
    await db().updateTable('sign_ins').set({ updated_at: when }).where('client_id', '=', clientId).execute();
    await db().updateTable('sign_ups').set({ updated_at: when }).where('client_id', '=', clientId).execute();
    await db().updateTable('clients').set({ updated_at: when }).where('id', '=', clientId).execute();
  }
  const clientOf = async (b: Browser) => okRes(await b.get('/v1/client')).response?.id as string | undefined;
  const exists = async (table: 'clients' | 'users', id: string) => (await db().selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

  it('deletes finished browsers, old sent emails and stale added addresses; keeps what is in use or unfinished', async () => {
    // Browsers: finished 40 days ago (deleted); 40 days idle but a session still active (kept);
    // finished 10 days ago (kept: inside 30 days).
    const finished = await signedIn(t);
    const stillActive = await signedIn(t);
    const recent = await signedIn(t);
    const [finishedClient, activeClient, recentClient] = [await clientOf(finished.browser), await clientOf(stillActive.browser), await clientOf(recent.browser)];
    await age(finishedClient!, 40, { endSessions: true });
    await age(activeClient!, 40, { endSessions: false });
    await age(recentClient!, 10, { endSessions: true });

    // Emails: 2,500 sent 40 days ago (more than one batch), one sent yesterday, and old pending and
    // dead ones (never deleted: work to do, or to look into).
    const before = await db().selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await sql`INSERT INTO outbox (topic, payload, message_id, status, sent_at, created_at)
      SELECT 'email', '{}'::jsonb, '<old-' || n || '@retention.test>', 'sent', now() - interval '40 days', now() - interval '40 days'
      FROM generate_series(1, 2500) AS n`.execute(db());
    await sql`INSERT INTO outbox (topic, payload, message_id, status, sent_at, created_at) VALUES
      ('email', '{}', '<recent@retention.test>', 'sent', now() - interval '1 day', now() - interval '1 day'),
      ('email', '{}', '<pending@retention.test>', 'pending', NULL, now() - interval '40 days'),
      ('email', '{}', '<dead@retention.test>', 'dead', NULL, now() - interval '40 days')`.execute(db());

    // Added addresses: one left unverified for 2 days (deleted), one added just now (kept).
    const stale = okRes(await stillActive.browser.post('/v1/me/email_addresses', { email_address: uniqueEmail('stale') })).response;
    const fresh = okRes(await stillActive.browser.post('/v1/me/email_addresses', { email_address: uniqueEmail('fresh') })).response;
    await db().updateTable('pending_email_addresses').set({ updated_at: ago(2) }).where('id', '=', stale.id).execute();

    const pruned = await pruneOldRecords(db(), 30);
    assert.deepEqual(pruned, { sentEmails: 2500, clients: 1, pendingEmailAddresses: 1 });

    assert.equal(await exists('clients', finishedClient!), false);
    for (const table of ['sessions', 'sign_ins', 'sign_ups'] as const) {
      const left = await db().selectFrom(table).select('id').where('client_id', '=', finishedClient!).execute();
      assert.deepEqual(left, [], `${table} of the deleted client went with it`);
    }
    assert.equal(await exists('users', finished.user.id), true, 'the user stays');
    assert.equal(await exists('clients', activeClient!), true);
    assert.equal(await exists('clients', recentClient!), true);
    const left = await db().selectFrom('outbox').select(['message_id', 'status']).where('message_id', 'like', '%@retention.test>').orderBy('message_id').execute();
    assert.deepEqual(left.map((r) => r.message_id), ['<dead@retention.test>', '<pending@retention.test>', '<recent@retention.test>']);
    const after = await db().selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n) + 3, 'nothing else in the outbox was touched');
    const pending = await db().selectFrom('pending_email_addresses').select('id').execute();
    assert.deepEqual(pending.map((p) => p.id), [fresh.id]);

    // The deleted browser comes back with its old cookie: simply signed out.
    assert.deepEqual(okRes(await finished.browser.get('/v1/client')), { response: null, client: null });
    // The browser with an active session is still signed in.
    assert.equal(okRes(await stillActive.browser.get('/v1/me')).response.id, stillActive.user.id);

    // A second pass finds nothing more.
    assert.deepEqual(await pruneOldRecords(db(), 30), { sentEmails: 0, clients: 0, pendingEmailAddresses: 0 });
  });

  it('TESSERA_RETENTION_DAYS=0 keeps everything: the housekeeping does not start', async () => {
    const errors: unknown[] = [];
    const h = startHousekeeping({ db: db(), retentionDays: 0, log: { info: () => {}, error: (o) => errors.push(o) } });
    await h.stop();
    assert.deepEqual(errors, []);
  });
});
