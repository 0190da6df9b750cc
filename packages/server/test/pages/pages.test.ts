// The server-rendered pages without a browser (fast): their headers (CSP with only script-src
// 'self', no-referrer, no-store), the one script they load, where they send the person when done
// (redirect_url only on this origin: no open redirect), what a ticket shows and hides, the
// __clerk_status=complete page, the landing page signed in and out, and HTML escaping throughout.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { Browser, RELAXED_FAPI_LIMITS } from '../helpers/browser.ts';
import {
  invite,
  newOrg,
  newUser,
  NO_INVITATION_LIMITS,
  ok,
  ticketOf,
  uniqueEmail,
} from '../organization-invitations/org-invitations.helpers.ts';
import { sameOriginTarget } from '../../src/features/pages/page.service.ts';

const PASSWORD = 'correct horse battery staple';

/** The directives of a CSP header, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((p) => p[0]).map(([name, ...values]) => [name!, values]));
}

/** Attribute `attr` of the first element matching `selector`-ish `data-…` marker, HTML-unescaped. */
function attrOf(html: string, marker: string, attr: string): string | null {
  const tag = new RegExp(`<[^>]*${marker}[^>]*>`).exec(html)?.[0];
  const value = tag ? new RegExp(`${attr}="([^"]*)"`).exec(tag)?.[1] : undefined;
  return value === undefined ? null : value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe(`pages: headers, script, targets (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { ...RELAXED_FAPI_LIMITS, ...NO_INVITATION_LIMITS } }); });
  after(async () => { await t.close(); });

  const get = (url: string, cookie?: string) => t.app.inject({ method: 'GET', url, ...(cookie ? { headers: { cookie } } : {}) });

  it('every page: no-store, no-referrer, nosniff, and a CSP that allows only script-src \'self\'', async () => {
    const org = await newOrg(t);
    const inv = await invite(t, org.id, { notify: false });
    const ticket = encodeURIComponent(ticketOf(inv));
    for (const url of ['/sign-up', '/sign-in', '/', `/sign-up?__clerk_ticket=${ticket}&__clerk_status=sign_up`, `/sign-in?__clerk_ticket=${ticket}&__clerk_status=sign_in`, `/sign-in?__clerk_ticket=${ticket}&__clerk_status=complete`]) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', url);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
      assert.equal(res.headers['cache-control'], 'no-store', url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      const csp = directives(String(res.headers['content-security-policy']));
      assert.deepEqual(csp.get('default-src'), ["'none'"], url);
      assert.deepEqual(csp.get('script-src'), ["'self'"], url);
      assert.deepEqual(csp.get('connect-src'), ["'self'"], url);
      assert.deepEqual(csp.get('form-action'), ["'self'"], url);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], url);
      assert.ok(!String(res.headers['content-security-policy']).includes('unsafe'), `${url}: nothing unsafe-inline or unsafe-eval`);
      // The inline style is allowed by its hash, and the only script is the served one.
      const style = /<style>([\s\S]*?)<\/style>/.exec(res.body)?.[1];
      assert.ok(style !== undefined, url);
      assert.deepEqual(csp.get('style-src'), [`'sha256-${createHash('sha256').update(style).digest('base64')}'`], url);
      const scripts = [...res.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      assert.deepEqual(scripts, ['<script src="/assets/auth.js" defer>'], url);
      assert.ok(!/\son[a-z]+=/i.test(res.body), `${url}: no inline event handlers`);
    }
  });

  it('serves the script as text/javascript, and it is valid JavaScript', async () => {
    const res = await get('/assets/auth.js');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.doesNotThrow(() => new Script(res.body, { filename: 'auth.js' }));
    assert.ok(res.body.includes("credentials: 'same-origin'"));
  });

  it('a redirect_url on another origin is never the target; one on this origin is', async () => {
    const home = `${t.config.publicUrl}/`;
    const evil = [
      'https://evil.example/steal',
      '//evil.example/steal',
      '///evil.example/steal',
      '/\\evil.example/steal',
      '\\\\evil.example',
      'https:evil.example',
      `${t.config.publicUrl}@evil.example/`,
      `http://user:pass@${new URL(t.config.publicUrl).host}/`,
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      ` https://evil.example/`,
      'https://evil.example\t/',
      `${t.config.publicUrl.replace('127.0.0.1', 'localhost')}/`,
    ];
    for (const target of evil) {
      assert.equal(sameOriginTarget(target, t.config.publicUrl), home, target);
      for (const page of ['/sign-in', '/sign-up']) {
        const res = await get(`${page}?redirect_url=${encodeURIComponent(target)}`);
        assert.equal(res.statusCode, 200);
        assert.equal(attrOf(res.body, 'data-flow="[a-z-]+"', 'data-next'), home, `${page} ${target}`);
        assert.ok(!res.body.includes('evil.example'), `${page}: ${target} is not carried on`);
      }
    }
    const same = await get(`/sign-in?redirect_url=${encodeURIComponent('/dashboard?tab=orgs#top')}`);
    assert.equal(attrOf(same.body, 'data-flow="sign-in"', 'data-next'), `${t.config.publicUrl}/dashboard?tab=orgs#top`);
    // …and the link to the other page keeps it.
    assert.equal(attrOf(same.body, 'href="/sign-up', 'href'), `/sign-up?redirect_url=${encodeURIComponent(`${t.config.publicUrl}/dashboard?tab=orgs#top`)}`);
  });

  it('a usable ticket for an address with an account points /sign-up to /sign-in, keeping the ticket; and the reverse', async () => {
    const org = await newOrg(t, { name: 'Pointers' });
    const user = await newUser(t);
    const existing = await invite(t, org.id, { email_address: user.email_addresses[0]!.email_address, notify: false });
    const res = await get(`/sign-up?__clerk_ticket=${encodeURIComponent(ticketOf(existing))}&__clerk_status=sign_in`);
    assert.ok(res.body.includes('data-testid="invited-email"'));
    assert.ok(!res.body.includes('data-flow='), 'no sign-up form for an address that has an account');
    const href = attrOf(res.body, 'data-testid="sign-in-instead"', 'href');
    assert.ok(href);
    const u = new URL(href, t.config.publicUrl);
    assert.equal(u.pathname, '/sign-in');
    assert.equal(u.searchParams.get('__clerk_ticket'), ticketOf(existing));
    assert.equal(u.searchParams.get('__clerk_status'), 'sign_in');

    const fresh = await invite(t, org.id, { notify: false });
    const signIn = await get(`/sign-in?__clerk_ticket=${encodeURIComponent(ticketOf(fresh))}`);
    const back = new URL(attrOf(signIn.body, 'data-testid="sign-up-instead"', 'href')!, t.config.publicUrl);
    assert.equal(back.pathname, '/sign-up');
    assert.equal(back.searchParams.get('__clerk_ticket'), ticketOf(fresh));
  });

  it('escapes organization names on the pages — even markup the API would refuse, written straight to the table', async () => {
    const org = await newOrg(t, { name: `Tom & Jerry's "Lab"` });
    const inv = await invite(t, org.id, { notify: false });
    const url = `/sign-up?__clerk_ticket=${encodeURIComponent(ticketOf(inv))}`;
    assert.ok((await get(url)).body.includes('Tom &amp; Jerry&#39;s &quot;Lab&quot; on Acme Test'));
    await t.deps.db.updateTable('organizations').set({ name: '<img src=x onerror=alert(1)>' }).where('id', '=', org.id).execute();
    const res = await get(url);
    assert.ok(!res.body.includes('<img'));
    assert.ok(res.body.includes('&lt;img src=x onerror=alert(1)&gt; on Acme Test'));
  });

  it('__clerk_status=complete: "You have joined <org>" for a signed-in member, nothing about the organization otherwise', async () => {
    const org = await newOrg(t, { name: 'Joined & Co' });
    const inv = await invite(t, org.id, { role: 'org:admin', notify: false });
    const url = `/sign-up?__clerk_ticket=${encodeURIComponent(ticketOf(inv))}&__clerk_status=complete&redirect_url=%2Fdone`;
    // Before it is accepted, "complete" in the URL changes nothing: the invitation is still offered.
    assert.ok((await get(url)).body.includes('data-flow="ticket-sign-up"'));
    const b = new Browser(t, { origin: t.url });
    const signUp = await b.post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), password: PASSWORD });
    assert.equal(signUp.status, 200, JSON.stringify(signUp.body));

    const member = await get(url, b.cookieHeader);
    assert.ok(member.body.includes('You have joined Joined &amp; Co'));
    assert.equal(attrOf(member.body, 'class="button"', 'href'), `${t.config.publicUrl}/done`);

    const stranger = await get(url);
    assert.ok(stranger.body.includes('Invitation accepted'));
    assert.ok(!stranger.body.includes('Joined'));
    assert.ok(!stranger.body.includes(inv.email_address));

    // Another signed-in user who is not a member learns nothing either.
    const other = new Browser(t, { origin: t.url });
    const otherUser = await newUser(t, { password: PASSWORD });
    assert.equal((await other.post('/v1/client/sign_ins', { identifier: otherUser.email_addresses[0]!.email_address, password: PASSWORD })).status, 200);
    assert.ok(!(await get(url, other.cookieHeader)).body.includes('Joined'));
  });

  it('/ shows the signed-in user, their organizations and roles, escaped; signed out it links to sign in and sign up', async () => {
    const signedOut = await get('/');
    assert.ok(signedOut.body.includes('data-testid="signed-out"'));
    assert.ok(signedOut.body.includes('href="/sign-in"') && signedOut.body.includes('href="/sign-up"'));

    const email = uniqueEmail('home');
    const user = await newUser(t, { email_address: [email], password: PASSWORD, first_name: '<b>Bold</b>' });
    const a = await newOrg(t, { name: 'Alpha & "Omega"' });
    const z = await newOrg(t, { name: 'Zeta' });
    await ok(t, 'POST', `/v1/organizations/${a.id}/memberships`, { user_id: user.id, role: 'org:admin' });
    await ok(t, 'POST', `/v1/organizations/${z.id}/memberships`, { user_id: user.id, role: 'org:member' });
    const b = new Browser(t, { origin: t.url });
    assert.equal((await b.post('/v1/client/sign_ins', { identifier: email, password: PASSWORD })).status, 200);

    const home = await get('/', b.cookieHeader);
    assert.equal(home.headers['cache-control'], 'no-store');
    assert.ok(home.body.includes(`data-testid="signed-in-email">${email}<`));
    assert.ok(home.body.includes('&lt;b&gt;Bold&lt;/b&gt;'));
    assert.ok(!home.body.includes('<b>'));
    assert.ok(home.body.includes('<li data-role="org:admin"><span class="org">Alpha &amp; &quot;Omega&quot;</span> <span class="role">Admin</span></li>'));
    assert.ok(home.body.includes('<li data-role="org:member"><span class="org">Zeta</span> <span class="role">Member</span></li>'));
    assert.ok(home.body.includes('data-flow="sign-out"'));

    assert.equal((await b.call('DELETE', '/v1/client/sessions')).status, 200);
    assert.ok((await get('/', b.cookieHeader)).body.includes('data-testid="signed-out"'));
  });
});

describe(`pages: sign-up by invitation only (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { TESSERA_SIGN_UP_MODE: 'restricted' } }); });
  after(async () => { await t.close(); });

  it('offers no sign-up form without a usable ticket, and the ticket form with one', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/sign-up' });
    assert.ok(plain.body.includes('by invitation only'));
    assert.ok(!plain.body.includes('data-flow="sign-up"'));
    const org = await newOrg(t);
    const inv = await invite(t, org.id, { notify: false });
    const invited = await t.app.inject({ method: 'GET', url: `/sign-up?__clerk_ticket=${encodeURIComponent(ticketOf(inv))}` });
    assert.ok(invited.body.includes('data-flow="ticket-sign-up"'));
  });
});
