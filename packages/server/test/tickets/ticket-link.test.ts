// The invitation link (security.md "Tickets"): GET never consumes, usable tickets redirect with
// __clerk_ticket/__clerk_status, every unusable ticket gets the same plain redirect, only a hash is
// stored, and tickets stay out of logs and referrers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';
import { expireInvitation, insertUserWithEmail, setInvitationStatusRaw } from '../helpers/fixtures.ts';
import { buildApp } from '../../src/app.ts';

let n = 0;
const addr = () => `ticket${++n}@example.com`;

describe(`invitation link (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com' } }); });
  after(async () => { await t.close(); });

  const invite = async (body: Record<string, unknown> = {}) => {
    const r = await bapi(t, 'POST', '/v1/invitations', { email_address: addr(), ...body });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const url = new URL(r.body.url);
    return { id: r.body.id as string, email: r.body.email_address as string, url, ticket: url.searchParams.get('ticket')! };
  };
  const follow = (url: URL | string) => {
    const u = typeof url === 'string' ? new URL(url, t.url) : url;
    return t.app.inject({ method: 'GET', url: u.pathname + u.search });
  };
  const plainSignUp = () => `${t.config.publicUrl}/sign-up`;

  it('redirects a pending invitation to /sign-up with the ticket and sign_up, and is not consumed by GET', async () => {
    const inv = await invite();
    for (let i = 0; i < 3; i++) {
      const res = await follow(inv.url);
      assert.equal(res.statusCode, 303);
      const loc = new URL(res.headers.location as string);
      assert.equal(loc.origin + loc.pathname, plainSignUp());
      assert.equal(loc.searchParams.get('__clerk_ticket'), inv.ticket);
      assert.equal(loc.searchParams.get('__clerk_status'), 'sign_up');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.equal(res.headers['cache-control'], 'no-store');
    }
    const list = await bapi(t, 'GET', `/v1/invitations?query=${inv.id}`);
    assert.equal(list.body[0].status, 'pending');
  });

  it('a ticket of the earlier shape (no time part), stored before tickets carried their minting time, still works', async () => {
    const inv = await invite();
    const legacy = `tkt_inv_${randomBytes(32).toString('base64url')}`;
    await t.deps.db.updateTable('invitations').set({ ticket_hash: createHash('sha256').update(`invitation:${legacy}`).digest() }).where('id', '=', inv.id).execute();
    const res = await follow(`/v1/tickets/accept?ticket=${legacy}`);
    assert.equal(res.statusCode, 303);
    const loc = new URL(res.headers.location as string);
    assert.equal(loc.searchParams.get('__clerk_ticket'), legacy);
    assert.equal(loc.searchParams.get('__clerk_status'), 'sign_up');
    // The ticket the invitation had until then no longer matches it.
    const old = new URL((await follow(inv.url)).headers.location as string);
    assert.equal(old.searchParams.get('__clerk_ticket'), null);
  });

  it('redirects to redirect_url, keeping its own query', async () => {
    const inv = await invite({ redirect_url: 'https://app.example.com/accept?from=email' });
    const loc = new URL((await follow(inv.url)).headers.location as string);
    assert.equal(loc.origin + loc.pathname, 'https://app.example.com/accept');
    assert.equal(loc.searchParams.get('from'), 'email');
    assert.equal(loc.searchParams.get('__clerk_ticket'), inv.ticket);
    assert.equal(loc.searchParams.get('__clerk_status'), 'sign_up');
  });

  it('says sign_in when a user has the address', async () => {
    const email = addr();
    await insertUserWithEmail(t, email);
    const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email, ignore_existing: true });
    const loc = new URL((await follow(r.body.url)).headers.location as string);
    assert.equal(loc.searchParams.get('__clerk_status'), 'sign_in');
  });

  it('sends every unusable ticket to plain /sign-up, alike', async () => {
    const revoked = await invite();
    await bapi(t, 'POST', `/v1/invitations/${revoked.id}/revoke`);
    const expired = await invite();
    await expireInvitation(t, expired.id);
    const accepted = await invite();
    await setInvitationStatusRaw(t, accepted.id, 'accepted');
    const valid = await invite();
    const secret = valid.ticket.slice('tkt_inv_'.length);
    const cases = {
      revoked: revoked.url.search,
      expired: expired.url.search,
      accepted: accepted.url.search,
      forged: `?ticket=tkt_inv_${randomBytes(32).toString('base64url')}`,
      'another purpose': `?ticket=tkt_sit_${secret}`,
      'the invitation id': `?ticket=${valid.id}`,
      'a JWT-looking value': `?ticket=eyJhbGciOiJub25lIn0.eyJzaWQiOiIke3ZhbGlkLmlkfSJ9.`,
      garbage: '?ticket=%FF%FE',
      missing: '',
    };
    const answers = new Set<string>();
    for (const [name, search] of Object.entries(cases)) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/tickets/accept${search}` });
      assert.equal(res.statusCode, 303, name);
      assert.equal(res.headers.location, plainSignUp(), name);
      answers.add(`${res.statusCode} ${res.headers.location} ${res.body}`);
    }
    assert.equal(answers.size, 1, 'all unusable tickets get the same answer');
  });

  it('stores only a purpose-bound hash of the ticket', async () => {
    const inv = await invite({ public_metadata: { note: 'x' } });
    const row = await t.deps.db.selectFrom('invitations').selectAll().where('id', '=', inv.id).executeTakeFirstOrThrow();
    const secret = inv.ticket.slice('tkt_inv_'.length + 8); // after the minting time
    assert.ok(Buffer.from(secret, 'base64url').length >= 16, 'at least 128 bits');
    const time = Buffer.from(inv.ticket.slice('tkt_inv_'.length, 'tkt_inv_'.length + 8), 'base64url');
    assert.deepEqual(Buffer.from(row.ticket_hash), Buffer.concat([time, createHash('sha256').update(`invitation:${inv.ticket}`).digest()]));
    const everything = JSON.stringify(await t.deps.db.selectFrom('invitations').selectAll().execute()) +
      JSON.stringify(await t.deps.db.selectFrom('outbox').selectAll().execute()) +
      JSON.stringify(await t.deps.db.selectFrom('audit_log').selectAll().execute());
    assert.ok(!everything.includes(secret), 'the ticket is nowhere in the database in plain text');
  });

  it('ignores Host and X-Forwarded-Host when building links', async () => {
    const r = await t.app.inject({
      method: 'POST', url: '/v1/invitations', headers: { ...t.auth, host: 'evil.example.net', 'x-forwarded-host': 'evil.example.net' },
      payload: JSON.stringify({ email_address: addr() }),
    });
    assert.ok(r.json().url.startsWith(`${t.config.publicUrl}/v1/tickets/accept?`));
    const loc = (await t.app.inject({ method: 'GET', url: '/v1/tickets/accept?ticket=x', headers: { host: 'evil.example.net', 'x-forwarded-host': 'evil.example.net' } })).headers.location;
    assert.equal(loc, plainSignUp());
  });

  describe('/sign-up page', () => {
    it('shows the invited address for a usable ticket, without leaking it to referrers', async () => {
      const inv = await invite();
      const loc = new URL((await follow(inv.url)).headers.location as string);
      const page = await follow(loc);
      assert.equal(page.statusCode, 200);
      assert.match(page.headers['content-type'] as string, /^text\/html/);
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.match(page.body, new RegExp(`data-testid="invited-email">${inv.email.replace('.', '\\.')}<`));
      assert.match(page.body, /value="ticket\d+@example\.com" readonly/);
    });

    it('shows a plain sign-up form for an unusable ticket', async () => {
      const inv = await invite();
      await bapi(t, 'POST', `/v1/invitations/${inv.id}/revoke`);
      const page = await t.app.inject({ method: 'GET', url: `/sign-up?__clerk_ticket=${encodeURIComponent(inv.ticket)}&__clerk_status=sign_up` });
      assert.equal(page.statusCode, 200);
      assert.ok(!page.body.includes(inv.email));
      assert.ok(!page.body.includes('invited-email'));
    });
  });
});

describe(`invitation link: escaping and logs (${storeName})`, () => {
  it('escapes the app name on the page', async () => {
    const t = await startTestApp({ env: { TESSERA_APP_NAME: '<script>alert(1)</script>' } });
    try {
      const page = await t.app.inject({ method: 'GET', url: '/sign-up' });
      assert.ok(!page.body.includes('<script>alert(1)</script>'));
      assert.ok(page.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    } finally {
      await t.close();
    }
  });

  it('keeps tickets out of the request log', async () => {
    const t = await startTestApp();
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const logged = await buildApp({ ...t.deps, config: { ...t.config, logLevel: 'info' } }, { logger: { stream } });
    try {
      const r = await logged.inject({ method: 'POST', url: '/v1/invitations', headers: t.auth, payload: JSON.stringify({ email_address: 'logs@example.com' }) });
      const link = new URL(r.json().url);
      const ticket = link.searchParams.get('ticket')!;
      const res = await logged.inject({ method: 'GET', url: link.pathname + link.search });
      const next = new URL(res.headers.location as string);
      await logged.inject({ method: 'GET', url: next.pathname + next.search });
      const log = lines.join('');
      assert.ok(log.includes('/v1/tickets/accept?ticket=[redacted]'), 'the request was logged');
      assert.ok(!log.includes(ticket.slice(8)), 'but not its ticket');
    } finally {
      await logged.close();
      await t.close();
    }
  });
});
