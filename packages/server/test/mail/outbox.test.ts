// The outbox worker against a real SMTP server (smtp-server) and the real database (PGlite, or a
// fresh PostgreSQL schema with DATABASE_URL). Nothing is mocked: failures are real SMTP replies
// and a real refused connection.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { freePort, startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { startOutboxWorker, type OutboxWorker, type WorkerOptions } from '../../src/mail/worker.ts';
import { claimDueEmails } from '../../src/mail/outbox.repository.ts';
import { composeOutboxEmail } from '../../src/mail/compose.ts';
import { createSmtpTransport } from '../../src/mail/smtp.transport.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { escapeHtml } from '../../src/lib/html.ts';
import { formatUtcDate } from '../../src/mail/templates.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './smtp-sink.ts';
import { createInvitation, createInvitationsBulk, linkInText, onlyOutboxRow, outboxRows, sleep, waitUntil } from './mail-helpers.ts';

// A broken worker tends to hang rather than fail; a bounded test fails, and its cleanup stops the worker.
const T = { timeout: 15_000 };

// Test apps are expensive (an embedded PGlite takes seconds to start), so the tests share two:
// `t`, whose workers each get an explicit SMTP transport to the test's own server (the outbox is
// emptied before each test; `t` has an SMTP_URL no worker uses, so that its emails wait in the
// outbox as a production server's do, instead of being delivered into the dev mailbox at commit);
// and one running the in-process worker from config, for the end-to-end path.
describe(`email outbox over SMTP (${storeName})`, () => {
  let t: TestApp;
  // Everything a test starts is closed after it, pass or fail, workers before servers.
  const cleanups: Array<() => Promise<void>> = [];
  before(async () => {
    t = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
  });
  beforeEach(async () => {
    await sql`DELETE FROM outbox`.execute(t.database.db);
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  after(async () => {
    await t.close();
  });

  async function sinkFor(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
    const sink = await startSmtpSink(opts);
    cleanups.push(() => sink.close());
    return sink;
  }

  /** A worker on `t` that sends through SMTP to 127.0.0.1:port; it polls only if asked. */
  function worker(port: number, opts: WorkerOptions = {}): OutboxWorker {
    const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);
    const w = startOutboxWorker(t.deps, { transport, poll: false, backoffBaseMs: 20, backoffMaxMs: 40, ...opts });
    cleanups.push(async () => {
      await w.stop();
      await transport.close();
    });
    return w;
  }

  describe('with the in-process worker started from config (SMTP_URL, app name with markup)', () => {
    const appName = '<script>alert(1)</script>';
    let app: TestApp;
    let sink: SmtpSink;
    before(async () => {
      sink = await startSmtpSink();
      // A poll interval of a minute: an email can only arrive quickly if the create nudged the worker.
      app = await startTestApp({ worker: true, env: { SMTP_URL: sink.url, TESSERA_APP_NAME: appName, TESSERA_WORKER_POLL_MS: '60000' } });
    });
    after(async () => {
      await app.close();
      await sink.close();
    });

    it('delivers an invitation email (HTML + text, app name, expiry, link) and marks the row sent without its sealed link', T, async () => {
      const before = sink.received.length;
      const inv = await createInvitation(app, 'Invitee@Example.com');
      const mail = (await sink.waitFor(before + 1, 5000))[before]!;

      assert.deepEqual(mail.envelopeTo, ['invitee@example.com']);
      assert.equal(mail.subject, `You're invited to join ${appName}`);
      assert.equal(mail.headers.get('from'), `"${appName}" <no-reply@127.0.0.1>`, 'config.mailFrom, its name quoted');
      assert.match(mail.headers.get('content-type') ?? '', /^multipart\/alternative/);
      const link = linkInText(mail.text);
      assert.equal(link, inv.url);
      assert.ok(mail.text.includes(appName));
      const expiry = formatUtcDate(inv.expires_at);
      assert.match(expiry, /^\w+day, \d{1,2} \w+ \d{4}, \d\d:\d\d UTC$/);
      assert.ok(mail.text.includes(expiry), `expiry "${expiry}" not in the text body`);
      assert.ok(mail.html.includes(`href="${escapeHtml(link)}"`), 'the HTML body links to the ticket');
      assert.ok(mail.html.includes(escapeHtml(appName)));
      assert.ok(mail.html.includes(escapeHtml(expiry)));

      // The link works: it redirects to sign-up with the ticket.
      const u = new URL(link);
      const follow = await app.app.inject({ method: 'GET', url: u.pathname + u.search });
      assert.equal(follow.statusCode, 303);
      const location = new URL(String(follow.headers.location));
      assert.ok(location.searchParams.get('__clerk_ticket'), 'the redirect carries __clerk_ticket');
      assert.equal(location.searchParams.get('__clerk_status'), 'sign_up');

      await waitUntil(async () => (await onlyOutboxRow(app)).status === 'sent', 'the row to be marked sent');
      const row = await onlyOutboxRow(app);
      assert.equal(row.attempts, 1);
      assert.ok(row.sent_at instanceof Date);
      assert.equal(row.lease_until, null);
      assert.equal(mail.messageId, row.message_id, "the email carries the row's stable Message-ID");
      assert.equal('sealed' in row.payload, false, 'the sealed link is gone once sent');
      assert.ok(!JSON.stringify(row.payload).includes(u.searchParams.get('ticket')!));
      assert.equal((row.payload as { to?: unknown }).to, 'invitee@example.com');
    });

    it('HTML-escapes template variables (TESSERA_APP_NAME with markup)', T, async () => {
      const before = sink.received.length;
      await createInvitation(app, 'xss@example.com');
      const mail = (await sink.waitFor(before + 1, 5000))[before]!;
      assert.ok(!mail.html.includes('<script'), 'no live <script> in the HTML body');
      assert.ok(mail.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the name appears escaped');
      assert.ok(!/<title>[^<]*<script/.test(mail.html));
      assert.equal(mail.subject, `You're invited to join ${appName}`, 'a header is not HTML: shown as written');
      assert.ok(mail.text.includes(appName), 'the text body is not HTML: shown as written');
    });
  });

  it('notify:false writes no outbox row and sends nothing', T, async () => {
    const sink = await sinkFor();
    const w = worker(sink.port);
    await createInvitation(t, 'quiet@example.com', { notify: false });
    assert.equal((await outboxRows(t)).length, 0);
    assert.equal(await w.drainOnce(), 0);
    // Control: the same path with notify (default) does write and send, so the zero above means something.
    await createInvitation(t, 'loud@example.com');
    assert.equal(await w.drainOnce(), 1);
    assert.deepEqual(sink.received.map((m) => m.envelopeTo[0]), ['loud@example.com']);
  });

  it('keeps the email while the SMTP server is down and delivers it once the server is up', T, async () => {
    const port = await freePort(); // nothing listens here yet
    const w = worker(port, { backoffBaseMs: 50, backoffMaxMs: 100 });
    await createInvitation(t, 'patient@example.com');

    assert.equal(await w.drainOnce(), 1);
    let row = await onlyOutboxRow(t);
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error ?? '', /ECONNREFUSED/);
    assert.equal(row.lease_until, null);
    assert.ok('sealed' in row.payload, 'the link is kept until the email is sent');

    await sleep(120);
    assert.equal(await w.drainOnce(), 1, 'retried after the backoff, still down');
    assert.equal((await onlyOutboxRow(t)).attempts, 2);

    const sink = await sinkFor({ port });
    await waitUntil(async () => {
      await w.drainOnce();
      return sink.received.length > 0;
    }, 'delivery after the server came up', 3000);
    row = await onlyOutboxRow(t);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 3);
    assert.equal(sink.received.length, 1);
    assert.equal(sink.received[0]!.messageId, row.message_id);
    linkInText(sink.received[0]!.text);
  });

  it('retries a 451 after a backoff and delivers on the next attempt', T, async () => {
    const sink = await sinkFor({ onData: (_m, n) => (n === 1 ? { code: 451, message: 'Try again later' } : undefined) });
    const w = worker(sink.port, { backoffBaseMs: 400, backoffMaxMs: 400 });
    await createInvitation(t, 'retry@example.com');

    assert.equal(await w.drainOnce(), 1);
    const row = await onlyOutboxRow(t);
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error ?? '', /451/);
    assert.equal(sink.received.length, 0);
    // The backoff (200–400 ms with jitter) is in available_at: nothing is due right now.
    assert.equal(await w.drainOnce(), 0);

    await waitUntil(async () => (await w.drainOnce()) > 0, 'the retry to become due', 3000, 50);
    const after = await onlyOutboxRow(t);
    assert.equal(after.status, 'sent');
    assert.equal(after.attempts, 2);
    assert.equal(sink.received.length, 1);
    assert.equal(sink.received[0]!.messageId, after.message_id);
  });

  it('dead-letters a 550 at once, keeps last_error, and never retries it', T, async () => {
    const sink = await sinkFor({ onRcptTo: () => ({ code: 550, message: 'No such user here' }) });
    const w = worker(sink.port, { backoffBaseMs: 1, backoffMaxMs: 1 });
    await createInvitation(t, 'nobody@example.com');

    assert.equal(await w.drainOnce(), 1);
    const row = await onlyOutboxRow(t);
    assert.equal(row.status, 'dead');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error ?? '', /550 No such user here/);
    assert.equal(row.sent_at, null);

    await sleep(20);
    assert.equal(await w.drainOnce(), 0);
    assert.equal(sink.rcptCount(), 1, 'the server was asked once');
    assert.equal((await onlyOutboxRow(t)).status, 'dead');
  });

  it('dead-letters a row that keeps failing transiently once maxAttempts is used up', T, async () => {
    const sink = await sinkFor({ onRcptTo: () => ({ code: 451, message: 'Greylisted' }) });
    const w = worker(sink.port, { backoffBaseMs: 5, backoffMaxMs: 5, maxAttempts: 3 });
    await createInvitation(t, 'grey@example.com');

    await waitUntil(async () => {
      await w.drainOnce();
      return (await onlyOutboxRow(t)).status !== 'pending';
    }, 'the row to leave pending', 3000);
    const row = await onlyOutboxRow(t);
    assert.equal(row.status, 'dead');
    assert.equal(row.attempts, 3);
    assert.match(row.last_error ?? '', /gave up after 3 attempts.*451 Greylisted/);
    assert.equal(sink.rcptCount(), 3);
    await sleep(20);
    assert.equal(await w.drainOnce(), 0);
    assert.equal(sink.rcptCount(), 3);
  });

  it('two workers draining one outbox at once deliver every email exactly once', T, async () => {
    const sink = await sinkFor();
    const emails = Array.from({ length: 40 }, (_, i) => `member${i}@example.com`);
    for (let i = 0; i < emails.length; i += 10) await createInvitationsBulk(t, emails.slice(i, i + 10));
    // Small batches so the two workers' claims interleave many times.
    const a = worker(sink.port, { batchSize: 3, concurrency: 4 });
    const b = worker(sink.port, { batchSize: 3, concurrency: 4 });
    const [na, nb] = await Promise.all([a.drainOnce(), b.drainOnce()]);

    assert.equal(na + nb, 40);
    assert.ok(na > 0 && nb > 0, `both workers took part (${na} + ${nb})`);
    assert.equal(sink.received.length, 40);
    assert.equal(new Set(sink.received.map((m) => m.messageId)).size, 40, 'no Message-ID twice');
    assert.deepEqual(sink.received.map((m) => m.envelopeTo[0]).sort(), [...emails].sort());
    const rows = await outboxRows(t);
    assert.ok(rows.every((r) => r.status === 'sent' && r.attempts === 1), 'each row claimed once');
  });

  it('renews the lease while a slow send is in flight, so another worker does not take the row', T, async () => {
    const sink = await sinkFor({ onData: async () => { await sleep(900); return undefined; } });
    await createInvitation(t, 'slow@example.com');
    const a = worker(sink.port, { leaseMs: 300 });
    const b = worker(sink.port, { leaseMs: 300 });
    const draining = a.drainOnce();
    await sleep(600); // well past the first lease; only renewal keeps the row a's
    assert.equal(await b.drainOnce(), 0);
    assert.equal(await draining, 1);
    assert.equal(sink.received.length, 1);
    const row = await onlyOutboxRow(t);
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 1);
  });

  it('re-claims a row whose lease expired (a crashed worker) and re-sends it with the same Message-ID', T, async () => {
    const sink = await sinkFor();
    await createInvitation(t, 'crash@example.com');

    // The "crashed" worker: claims, hands the email to SMTP (250), and dies before marking it sent.
    const claimed = await claimDueEmails(t.database.db, { limit: 10, leaseMs: 60_000 });
    assert.equal(claimed.length, 1);
    const email = composeOutboxEmail(claimed[0]!, { box: createSecretBox(t.deps.instance.secretKey, 'outbox'), mailFrom: t.config.mailFrom });
    const crashed = createSmtpTransport(sink.url);
    await crashed.send(email);
    await crashed.close();
    assert.equal(sink.received.length, 1);

    // While the lease holds, a healthy worker leaves the row alone.
    const w = worker(sink.port);
    assert.equal(await w.drainOnce(), 0);
    assert.equal((await onlyOutboxRow(t)).status, 'pending');

    // The lease runs out (we move it into the past rather than wait a minute).
    await t.database.db.updateTable('outbox').set({ lease_until: sql<Date>`now() - interval '1 second'` }).execute();
    assert.equal(await w.drainOnce(), 1);

    assert.equal(sink.received.length, 2, 'delivered again: nothing is lost');
    const [first, second] = sink.received;
    const row = await onlyOutboxRow(t);
    assert.equal(first!.messageId, row.message_id);
    assert.equal(second!.messageId, row.message_id, 'the duplicate is recognisable by its Message-ID');
    assert.equal(linkInText(second!.text), linkInText(first!.text));
    assert.equal(row.status, 'sent');
    assert.equal(row.attempts, 2);
    assert.equal('sealed' in row.payload, false);
  });
});
