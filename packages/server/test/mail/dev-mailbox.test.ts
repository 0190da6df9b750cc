// The dev mailbox: without SMTP_URL the worker "sends" into dev_emails, which the Backend API
// (secret key) and an unauthenticated page show — on development instances only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { startOutboxWorker, type OutboxWorker } from '../../src/mail/worker.ts';
import { claimDueEmails, lockDueEmails } from '../../src/mail/outbox.repository.ts';
import { composeOutboxEmail } from '../../src/mail/compose.ts';
import { createDevMailboxTransport } from '../../src/mail/dev-mailbox.transport.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { escapeHtml } from '../../src/lib/html.ts';
import { insertDevEmails } from '../../src/features/dev-mailbox/dev-mailbox.repository.ts';
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

    it('delivers into dev_emails in the transaction that marks the row sent; the API lists it', T, async () => {
      const inv = await createInvitation(ctx.t, 'Dev.Person@Example.com');
      assert.equal((await listEmails()).total_count, 0, 'nothing before the worker runs');
      assert.equal(await ctx.w.drainOnce(), 1);

      const [row] = await outboxRows(ctx.t);
      assert.equal(row?.status, 'sent');
      assert.equal('sealed' in row!.payload, false);

      const list = await listEmails();
      assert.equal(list.total_count, 1);
      const email = list.data[0]!;
      assert.equal(email.object, 'dev_email');
      assert.equal(email.to, 'dev.person@example.com');
      assert.equal(email.from, ctx.t.config.mailFrom);
      assert.equal(email.subject, "You're invited to join Acme Test");
      assert.equal(email.message_id, row!.message_id);
      assert.equal(typeof email.created_at, 'number');
      assert.ok(Math.abs(email.created_at - Date.now()) < 60_000);
      assert.equal(linkInText(email.text), inv.url);
      assert.ok(email.html.includes(`href="${escapeHtml(inv.url)}"`));
    });

    it('stores a re-delivered email (same Message-ID) once', T, async () => {
      await createInvitation(ctx.t, 'twice@example.com');
      // Worker A claims the row and stores the email, but its lease ran out before that (it was
      // stalled), so worker B claims the row again and delivers it too.
      const claimed = await claimDueEmails(ctx.t.database.db, { limit: 10, leaseMs: 60_000 });
      assert.equal(claimed.length, 1);
      const email = composeOutboxEmail(claimed[0]!, { box: createSecretBox(ctx.t.deps.instance.secretKey, 'outbox'), mailFrom: ctx.t.config.mailFrom });
      const transport = createDevMailboxTransport();
      await ctx.t.database.db.transaction().execute((trx) => transport.recordSent!(trx, [email]));
      await ctx.t.database.db.updateTable('outbox').set({ lease_until: sql<Date>`now() - interval '1 second'` }).where('status', '=', 'pending').execute();

      assert.equal(await ctx.w.drainOnce(), 1);
      const rows = await outboxRows(ctx.t);
      assert.equal(rows.find((r) => r.message_id === email.messageId)?.status, 'sent');
      const list = await listEmails('?to=twice@example.com');
      assert.equal(list.total_count, 1);
      assert.equal(list.data[0]?.message_id, email.messageId);
    });

    it('filters by recipient (canonical, case-insensitive) and paginates newest first', T, async () => {
      await createInvitation(ctx.t, 'filter-a@example.com');
      await createInvitation(ctx.t, 'filter-b@example.com');
      assert.equal(await ctx.w.drainOnce(), 2);

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
      assert.equal(await ctx.w.drainOnce(), 2);
      for (const row of await outboxRows(ctx.t)) {
        assert.equal(row.status, 'sent');
        assert.equal(row.attempts, 0);
        assert.equal(row.lease_until, null);
      }
      const stored = await ctx.t.database.db.selectFrom('dev_emails').select('to_address').orderBy('id').execute();
      assert.deepEqual(stored.map((r) => r.to_address), ['batch-a@example.com', 'batch-b@example.com']);
    });

    it('stores a batch as one array per column, any text intact (quotes, backslashes, braces, commas, NULL, newlines, unicode)', T, async () => {
      const tricky = ['plain', 'say "hi"', 'back\\slash \\" end', '{a,b}', 'NULL', 'line\nbreak\r\n\ttab', 'ünïcødé ✉️ 日本', "it's", ''];
      const emails = tricky.map((x, i) => ({ message_id: `<tricky-${i}@test>`, from_address: 'from@example.com', to_address: `t${i}@example.com`, subject: x, html: `<p>${x}</p>`, text: x }));
      await insertDevEmails(ctx.t.database.db, emails);
      const stored = await ctx.t.database.db.selectFrom('dev_emails').select(['message_id', 'subject', 'html', 'text']).where('message_id', 'like', '<tricky-%').orderBy('id').execute();
      assert.deepEqual(stored, emails.map((e) => ({ message_id: e.message_id, subject: e.subject, html: e.html, text: e.text })));
    });

    it('a row that cannot be rendered is dead-lettered in its batch; the others are delivered', T, async () => {
      await createInvitation(ctx.t, 'good@example.com');
      const bad = await ctx.t.database.db
        .insertInto('outbox')
        .values({ topic: 'email', payload: JSON.stringify({ template: 'no_such_template', to: 'bad@example.com', vars: {} }), message_id: '<bad-row@test>' })
        .returning('id')
        .executeTakeFirstOrThrow();
      assert.equal(await ctx.w.drainOnce(), 2);
      const rows = await outboxRows(ctx.t);
      const dead = rows.find((r) => r.id === bad.id)!;
      assert.equal(dead.status, 'dead');
      assert.match(dead.last_error ?? '', /cannot render/);
      assert.equal(rows.find((r) => r.payload.to === 'good@example.com')?.status, 'sent');
      assert.equal(await ctx.w.drainOnce(), 0, 'the dead row is not tried again');
    });

    it('rows locked by another batch in flight are skipped, and delivered once it ends without them', { ...T, skip: storeName !== 'postgres' && 'PGlite has one connection: a transaction held open blocks every other statement' }, async () => {
      await createInvitation(ctx.t, 'held@example.com');
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
