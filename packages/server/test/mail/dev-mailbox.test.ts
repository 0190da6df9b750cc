// The dev mailbox: without SMTP_URL an email is delivered into the dev mailbox by the transaction
// that writes it (its outbox row, status 'sent', mailbox true, the link still sealed), and the
// Backend API (secret key) and an unauthenticated page show it, rendered when read — on
// development instances only. Rows written otherwise (by a server with SMTP_URL) are delivered
// into it by the worker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { startOutboxWorker, type OutboxWorker } from '../../src/mail/worker.ts';
import { lockDueEmails } from '../../src/mail/outbox.repository.ts';
import { createDevMailboxTransport } from '../../src/mail/dev-mailbox.transport.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { escapeHtml } from '../../src/lib/html.ts';
import { createInvitation, linkInText, outboxRows } from './mail-helpers.ts';

interface DevEmailJson {
  object: string;
  id: string;
  message_id: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  created_at: number;
}

// A broken worker tends to hang rather than fail; a bounded test fails, and its cleanup stops the worker.
const T = { timeout: 15_000 };

/**
 * Turns the dev mailbox's rows back into rows waiting in the outbox, as a server with SMTP_URL
 * writes them: for the worker's dev-mailbox path, which delivers such rows.
 */
async function asIfWrittenWithSmtp(t: TestApp): Promise<void> {
  await t.database.db.updateTable('outbox').set({ status: 'pending', sent_at: null, mailbox: false }).where('mailbox', '=', true).execute();
}

/** A development instance and a worker that only delivers on drainOnce(), for one describe (set in its before()). */
function appWithWorker(): { t: TestApp; w: OutboxWorker } {
  const ctx = {} as { t: TestApp; w: OutboxWorker };
  before(async () => {
    ctx.t = await startTestApp();
    ctx.w = startOutboxWorker(ctx.t.deps, { poll: false });
  });
  after(async () => {
    await ctx.w?.stop();
    await ctx.t?.close();
  });
  return ctx;
}

describe(`dev mailbox (${storeName})`, () => {
  // One app for these tests (a PGlite takes seconds to start): they run in order and build on
  // each other's emails, which the counts below spell out.
  describe('on a development instance without SMTP_URL', () => {
    const ctx = appWithWorker();

    const listEmails = async (query = '') => {
      const res = await ctx.t.app.inject({ method: 'GET', url: `/v1/dev/emails${query}`, headers: ctx.t.auth });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ data: DevEmailJson[]; total_count: number }>();
    };

    it('delivers at commit: the row is sent into the mailbox with its link still sealed, the worker has nothing to do, the API renders it', T, async () => {
      const inv = await createInvitation(ctx.t, 'Dev.Person@Example.com');
      const [row] = await outboxRows(ctx.t);
      assert.equal(row?.status, 'sent');
      assert.equal(row?.mailbox, true);
      assert.ok(row?.sent_at instanceof Date);
      assert.equal(row?.attempts, 0);
      // The link waits sealed (encrypted), never in clear, as in an outbox row not yet sent.
      const sealed = (row!.payload.sealed as { url?: string } | undefined)?.url;
      assert.equal(typeof sealed, 'string');
      assert.ok(!JSON.stringify(row!.payload).includes(inv.url), 'no clear link in the row');
      assert.equal(createSecretBox(ctx.t.deps.instance.secretKey, 'outbox').open(sealed!), inv.url);
      assert.equal(await ctx.w.drainOnce(), 0, 'nothing left for the worker');

      const list = await listEmails();
      assert.equal(list.total_count, 1);
      const email = list.data[0]!;
      assert.equal(email.object, 'dev_email');
      assert.equal(email.id, String(row!.id));
      assert.equal(email.to, 'dev.person@example.com');
      assert.equal(email.from, ctx.t.config.mailFrom);
      assert.equal(email.subject, "You're invited to join Acme Test");
      assert.equal(email.message_id, row!.message_id);
      assert.equal(email.created_at, row!.sent_at!.getTime());
      assert.ok(Math.abs(email.created_at - Date.now()) < 60_000);
      assert.equal(linkInText(email.text), inv.url);
      assert.ok(email.html.includes(`href="${escapeHtml(inv.url)}"`));
    });

    it('delivers a row waiting in the outbox (written with SMTP_URL) through the worker; delivering it twice changes nothing', T, async () => {
      await createInvitation(ctx.t, 'twice@example.com');
      await asIfWrittenWithSmtp(ctx.t);
      assert.equal((await listEmails()).total_count, 0, 'not in the mailbox before the worker runs');
      const waiting = (await outboxRows(ctx.t)).find((r) => r.payload.to === 'twice@example.com');
      assert.equal(waiting?.status, 'pending');
      assert.equal(await ctx.w.drainOnce(), 2);
      const after = (await outboxRows(ctx.t)).find((r) => r.id === waiting!.id)!;
      assert.equal(after.status, 'sent');
      assert.equal(after.mailbox, true);
      assert.ok('sealed' in after.payload, 'the link stays sealed for the mailbox to render');
      // Delivered again (a second worker that had read it before the first committed): no change.
      await ctx.t.database.db.transaction().execute((trx) => createDevMailboxTransport().recordSent!(trx, [waiting!.id]));
      assert.equal((await outboxRows(ctx.t)).find((r) => r.id === waiting!.id)?.sent_at?.getTime(), after.sent_at!.getTime(), 'the first delivery time stays');
      const list = await listEmails('?to=twice@example.com');
      assert.equal(list.total_count, 1);
      assert.equal(list.data[0]?.message_id, waiting!.message_id);
      assert.equal((await listEmails()).total_count, 2);
    });

    it('filters by recipient (canonical, case-insensitive) and paginates newest first', T, async () => {
      await createInvitation(ctx.t, 'filter-a@example.com');
      await createInvitation(ctx.t, 'filter-b@example.com');
      assert.equal(await ctx.w.drainOnce(), 0, 'delivered at commit');

      const a = await listEmails('?to=FILTER-A@Example.COM');
      assert.deepEqual(a.data.map((e) => e.to), ['filter-a@example.com']);
      assert.equal(a.total_count, 1);
      assert.equal((await listEmails('?to=nobody@example.com')).total_count, 0);

      const all = await listEmails();
      assert.equal(all.total_count, 4);
      const page = await listEmails('?limit=2&offset=0');
      assert.equal(page.data.length, 2);
      assert.equal(page.total_count, 4);
      const ids = all.data.map((e) => Number(e.id));
      assert.deepEqual(ids, [...ids].sort((x, y) => y - x), 'newest first');
      assert.deepEqual(page.data.map((e) => e.id), all.data.slice(0, 2).map((e) => e.id));
      assert.deepEqual((await listEmails('?limit=2&offset=2')).data.map((e) => e.id), all.data.slice(2, 4).map((e) => e.id));
    });

    it('needs the secret key for the API', T, async () => {
      const res = await ctx.t.app.inject({ method: 'GET', url: '/v1/dev/emails' });
      assert.equal(res.statusCode, 401);
    });

    it('shows the emails on /dev/mailbox, escaped, with the link clickable, under a strict CSP', T, async () => {
      const list = await listEmails('?to=dev.person@example.com');
      const email = list.data[0]!;
      const res = await ctx.t.app.inject({ method: 'GET', url: '/dev/mailbox' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /script-src|unsafe-inline/);
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['cache-control'], 'no-store');

      const html = res.body;
      assert.ok(html.includes(escapeHtml(email.subject)), 'subject');
      assert.ok(html.includes('dev.person@example.com'), 'recipient');
      const link = linkInText(email.text);
      assert.ok(html.includes(`<a href="${escapeHtml(link)}"`), 'the link is clickable');
      assert.ok(!html.includes('<script'), 'no script anywhere on the page');
      // Newest first: the last invitations created come before the first one.
      assert.ok(html.indexOf('filter-b@example.com') < html.indexOf('dev.person@example.com'));
    });

    it('is not in the OpenAPI document, while the API is', T, async () => {
      const doc = (await ctx.t.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json<{ paths: Record<string, unknown> }>();
      assert.ok('/v1/dev/emails' in doc.paths);
      assert.ok(!('/dev/mailbox' in doc.paths));
    });
  });

  describe('delivery inside the database: one transaction per batch, no lease', () => {
    const ctx = appWithWorker();

    it('a batch goes from pending to sent without a claim: no lease written, attempts unchanged', T, async () => {
      await createInvitation(ctx.t, 'batch-a@example.com');
      await createInvitation(ctx.t, 'batch-b@example.com');
      await asIfWrittenWithSmtp(ctx.t);
      assert.equal(await ctx.w.drainOnce(), 2);
      for (const row of await outboxRows(ctx.t)) {
        assert.equal(row.status, 'sent');
        assert.equal(row.mailbox, true);
        assert.equal(row.attempts, 0);
        assert.equal(row.lease_until, null);
      }
      const list = await ctx.t.app.inject({ method: 'GET', url: '/v1/dev/emails', headers: ctx.t.auth });
      assert.deepEqual(list.json<{ data: DevEmailJson[] }>().data.map((e) => e.to), ['batch-b@example.com', 'batch-a@example.com']);
    });

    it('shows a mailbox row that cannot be rendered any more (its link sealed with another key) as such, without failing the list', T, async () => {
      const otherKey = createSecretBox('sk_test_another_instance_key_0000000001', 'outbox');
      const payload = { template: 'invitation', to: 'rekeyed@example.com', vars: { app_name: 'Acme Test', expires_at: Date.now() + 60_000 }, sealed: { url: otherKey.seal('https://example.com/secret') } };
      await ctx.t.database.db
        .insertInto('outbox')
        .values({ topic: 'email', payload: JSON.stringify(payload), message_id: '<rekeyed@test>', status: 'sent', sent_at: sql<Date>`now()`, mailbox: true })
        .execute();
      const res = await ctx.t.app.inject({ method: 'GET', url: '/v1/dev/emails?to=rekeyed@example.com', headers: ctx.t.auth });
      assert.equal(res.statusCode, 200, res.body);
      const [email] = res.json<{ data: DevEmailJson[] }>().data;
      assert.equal(email?.message_id, '<rekeyed@test>');
      assert.equal(email?.to, 'rekeyed@example.com');
      assert.match(email?.subject ?? '', /cannot be shown: .*secret key/);
      assert.ok(!JSON.stringify(email).includes('https://example.com/secret'));
      const page = await ctx.t.app.inject({ method: 'GET', url: '/dev/mailbox' });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes('&lt;rekeyed@test&gt;'));
    });

    it('a row that cannot be rendered is dead-lettered in its batch; the others are delivered', T, async () => {
      await createInvitation(ctx.t, 'good@example.com');
      await asIfWrittenWithSmtp(ctx.t);
      const bad = await ctx.t.database.db
        .insertInto('outbox')
        .values({ topic: 'email', payload: JSON.stringify({ template: 'no_such_template', to: 'bad@example.com', vars: {} }), message_id: '<bad-row@test>' })
        .returning('id')
        .executeTakeFirstOrThrow();
      // good@, and the earlier rows this describe turned back (all delivered again), and bad.
      const waiting = (await outboxRows(ctx.t)).filter((r) => r.status === 'pending').length;
      assert.equal(await ctx.w.drainOnce(), waiting);
      const rows = await outboxRows(ctx.t);
      const dead = rows.find((r) => r.id === bad.id)!;
      assert.equal(dead.status, 'dead');
      assert.equal(dead.mailbox, false);
      assert.match(dead.last_error ?? '', /cannot render/);
      assert.equal(rows.find((r) => r.payload.to === 'good@example.com')?.status, 'sent');
      assert.equal(await ctx.w.drainOnce(), 0, 'the dead row is not tried again');
    });

    it('rows locked by another batch in flight are skipped, and delivered once it ends without them', { ...T, skip: storeName !== 'postgres' && 'PGlite has one connection: a transaction held open blocks every other statement' }, async () => {
      await createInvitation(ctx.t, 'held@example.com');
      await ctx.t.database.db.updateTable('outbox').set({ status: 'pending', sent_at: null, mailbox: false }).where(sql<string>`payload ->> 'to'`, '=', 'held@example.com').execute();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const lockedNow = new Promise<void>((resolve) => (locked = resolve));
      // Another worker's batch: it locks the row and then fails (rolled back) before storing anything.
      const other = ctx.t.database.db
        .transaction()
        .execute(async (trx) => {
          assert.equal((await lockDueEmails(trx, 100)).length, 1);
          locked();
          await released;
          throw new Error('the other worker died');
        })
        .catch((err: Error) => err.message);
      await lockedNow;
      assert.equal(await ctx.w.drainOnce(), 0, 'skipped while locked');
      release();
      assert.equal(await other, 'the other worker died');
      assert.equal(await ctx.w.drainOnce(), 1, 'due again at once: no lease to wait out');
      assert.equal((await outboxRows(ctx.t)).find((r) => r.payload.to === 'held@example.com')?.status, 'sent');
    });
  });

  describe('on a production instance (sk_live_ key)', () => {
    const liveKey = 'sk_live_tessera_mail_tests_000000001';
    let t: TestApp;
    before(async () => {
      // A live instance needs SMTP (no worker runs here, so nothing is sent).
      t = await startTestApp({ env: { TESSERA_SECRET_KEY: liveKey, SMTP_URL: 'smtp://127.0.0.1:9' } });
    });
    after(async () => {
      await t.close();
    });

    it('answers 404 dev_only on both the API and the page', T, async () => {
      assert.equal(t.deps.instance.isDevelopment, false);
      const api = await t.app.inject({ method: 'GET', url: '/v1/dev/emails', headers: { authorization: `Bearer ${liveKey}` } });
      assert.equal(api.statusCode, 404);
      assert.equal(api.json<{ errors: Array<{ code: string }> }>().errors[0]?.code, 'dev_only');
      const page = await t.app.inject({ method: 'GET', url: '/dev/mailbox' });
      assert.equal(page.statusCode, 404);
      assert.equal(page.json<{ errors: Array<{ code: string }> }>().errors[0]?.code, 'dev_only');
    });
  });
});
