// The hosted pages without a browser (fast): every page path answers the built shell with no-store,
// no-referrer, nosniff and the strict CSP, loading only hashed files from /assets/ (no inline
// script, style or handler); the assets are served immutable with their types, and nothing outside
// dist/assets can be read through them (traversal, dotfiles, symlinks); the page data the shell
// carries: where to go when done (redirect_url only on this origin: no open redirect), what a
// ticket shows (a usable one: the address, organization and sign_in / sign_up; every other
// ticket: `{ usable: false }`, all alike, naming nothing), __clerk_status=complete naming the
// organization only to a member, HTML escaping (the page data and what a usable ticket shows before
// the script runs); and a 503 page while the build is missing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { Browser, RELAXED_FAPI_LIMITS } from '../helpers/browser.ts';
import {
  expireOrganizationInvitation,
  invite,
  newOrg,
  newUser,
  NO_INVITATION_LIMITS,
  ok,
  setOrganizationInvitationStatusRaw,
  ticketOf,
} from '../organization-invitations/org-invitations.helpers.ts';
import { sameOriginTarget, type PageData } from '../../src/features/pages/page.service.ts';
import { pageRoutes } from '../../src/features/pages/page.routes.ts';
import { DEFAULT_WEB_DIST, IMMUTABLE, PAGE_CSP } from '../../src/features/pages/page.shell.ts';

const PASSWORD = 'correct horse battery staple';
const PAGES = ['/sign-in', '/sign-up', '/accept-invitation', '/', '/organization'];
const EXPECTED_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The page data in the shell's <meta name="tessera-page-data">. */
function pageDataOf(html: string): PageData {
  const m = /<meta name="tessera-page-data" content="([^"]*)" \/>/.exec(html);
  assert.ok(m, 'the shell carries page data');
  return JSON.parse(unescape(m[1]!)) as PageData;
}

function assertPageHeaders(res: { statusCode: number; headers: Record<string, unknown> }, what: string, status = 200): void {
  assert.equal(res.statusCode, status, what);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', what);
  assert.equal(res.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(res.headers['cache-control'], 'no-store', what);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['content-security-policy'], EXPECTED_CSP, what);
}

describe(`pages: the built shell, assets, page data (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { ...RELAXED_FAPI_LIMITS, ...NO_INVITATION_LIMITS } }); });
  after(async () => { await t.close(); });

  const get = (url: string, cookie?: string) => t.app.inject({ method: 'GET', url, ...(cookie ? { headers: { cookie } } : {}) });

  it('every page path: no-store, no-referrer, nosniff, the strict CSP, and nothing inline', async () => {
    assert.equal(PAGE_CSP, EXPECTED_CSP);
    const org = await newOrg(t);
    const inv = await invite(t, org.id, { notify: false });
    const ticket = encodeURIComponent(ticketOf(inv));
    const urls = [...PAGES, `/sign-up?__clerk_ticket=${ticket}&__clerk_status=sign_up`, `/sign-in?__clerk_ticket=${ticket}&__clerk_status=sign_in`, `/accept-invitation?__clerk_ticket=${ticket}&__clerk_status=complete`];
    for (const url of urls) {
      const res = await get(url);
      assertPageHeaders(res, url);
      assert.ok(!res.headers['content-security-policy']!.toString().includes('unsafe'), `${url}: nothing unsafe-inline or unsafe-eval`);
      // Scripts and styles are files from /assets/ only.
      const scripts = [...res.body.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      assert.ok(scripts.length >= 1, url);
      for (const [tag, body] of scripts) {
        assert.match(tag, /^<script type="module" crossorigin src="\/assets\/[A-Za-z0-9._-]+\.js"><\/script>$/, `${url}: ${tag}`);
        assert.equal(body, '', `${url}: no inline script`);
      }
      assert.ok(!/<style\b/i.test(res.body), `${url}: no inline style element`);
      assert.ok(!/\sstyle=/i.test(res.body), `${url}: no style attribute`);
      assert.ok(!/\son[a-z]+=/i.test(res.body), `${url}: no inline event handlers`);
      assert.equal(pageDataOf(res.body).appName, 'Acme Test');
    }
    assert.match((await get('/sign-in')).body, /<title>Sign in · Acme Test<\/title>/);
    // The invitation link itself still redirects to the pages (server side).
    const link = await get(new URL(inv.url!).pathname + new URL(inv.url!).search);
    assert.equal(link.statusCode, 303);
    assert.equal(new URL(String(link.headers.location)).pathname, '/sign-up');
  });

  it('serves the built files: types, immutable caching, nosniff; the shell\'s script and stylesheet exist', async () => {
    const shell = (await get('/sign-in')).body;
    const files = [...shell.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(files.some((f) => f.endsWith('.js')) && files.some((f) => f.endsWith('.css')), files.join(' '));
    for (const file of files) {
      const res = await get(file);
      assert.equal(res.statusCode, 200, file);
      assert.equal(res.headers['content-type'], file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', file);
      assert.equal(res.headers['cache-control'], IMMUTABLE, file);
      assert.equal(IMMUTABLE, 'public, max-age=31536000, immutable');
      assert.equal(res.headers['x-content-type-options'], 'nosniff', file);
      assert.ok(res.body.length > 100, file);
      const head = await t.app.inject({ method: 'HEAD', url: file });
      assert.equal(head.statusCode, 200, `HEAD ${file}`);
    }
    const missing = await get('/assets/index-doesnotexist.js');
    assert.equal(missing.statusCode, 404);
  });

  it('no path outside dist/assets can be read through /assets/', async () => {
    for (const url of [
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/..%2f..%2f..%2fserver%2fpackage.json',
      '/assets/%2e%2e%5c%2e%2e%5cpackage.json',
      '/assets/.hidden',
      '/assets/',
      '/assets/%00index.js',
      '/assets//etc/passwd',
      '/assets/foo/../../index.html',
    ]) {
      const res = await get(url);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${url}: ${res.statusCode}`);
      assert.ok(!res.body.includes('<!doctype html>') && !res.body.includes('"name"'), `${url} leaked a file`);
    }
  });

  it('a redirect_url on another origin is never the target; one on this origin is, and is carried between the pages', async () => {
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
      for (const page of ['/sign-in', '/sign-up', '/accept-invitation']) {
        const res = await get(`${page}?redirect_url=${encodeURIComponent(target)}`);
        assert.equal(res.statusCode, 200);
        const data = pageDataOf(res.body);
        assert.equal(data.next, home, `${page} ${target}`);
        assert.equal(data.carriedRedirect, null, `${page} ${target}`);
        assert.ok(!res.body.includes('evil.example'), `${page}: ${target} is not carried on`);
      }
    }
    const same = pageDataOf((await get(`/sign-in?redirect_url=${encodeURIComponent('/dashboard?tab=orgs#top')}`)).body);
    assert.equal(same.next, `${t.config.publicUrl}/dashboard?tab=orgs#top`);
    assert.equal(same.carriedRedirect, `${t.config.publicUrl}/dashboard?tab=orgs#top`);
  });

  it('a usable ticket: the invited address, organization and where it leads (sign_in when an account owns the address)', async () => {
    const org = await newOrg(t, { name: 'Pointers' });
    const user = await newUser(t);
    const existing = await invite(t, org.id, { email_address: user.email_addresses[0]!.email_address, notify: false });
    const a = pageDataOf((await get(`/sign-up?__clerk_ticket=${encodeURIComponent(ticketOf(existing))}&__clerk_status=sign_up`)).body);
    assert.deepEqual(a.invitation, { usable: true, emailAddress: user.email_addresses[0]!.email_address, organizationName: 'Pointers', status: 'sign_in' }, 'the server says sign_in whatever the URL says');
    const fresh = await invite(t, org.id, { notify: false });
    const freshPage = (await get(`/sign-in?__clerk_ticket=${encodeURIComponent(ticketOf(fresh))}`)).body;
    const b = pageDataOf(freshPage);
    // Shown before the script runs, too (React replaces it).
    assert.ok(freshPage.includes(`<div id="root"><div class="page page-auth">`));
    assert.ok(freshPage.includes(`You have been invited to join Pointers on Acme Test as <strong data-testid="invited-email">${fresh.email_address}</strong>.`));
    assert.ok(freshPage.includes(`value="${fresh.email_address}" readonly`), 'the invited address, fixed');
    assert.ok((await get('/sign-in')).body.includes('<div id="root"></div>'), 'nothing before the script without a ticket');
    assert.deepEqual(b.invitation, { usable: true, emailAddress: fresh.email_address, organizationName: 'Pointers', status: 'sign_up' });
    assert.equal(pageDataOf((await get('/sign-in')).body).invitation, null, 'no ticket, nothing');
  });

  it('unusable tickets (expired, revoked, accepted, forged, another purpose) all get the same page, naming nothing', async () => {
    const org = await newOrg(t, { name: 'Hidden Org' });
    const expired = await invite(t, org.id, { notify: false });
    await expireOrganizationInvitation(t, expired.id);
    const revoked = await invite(t, org.id, { notify: false });
    await ok(t, 'POST', `/v1/organizations/${org.id}/invitations/${revoked.id}/revoke`);
    const accepted = await invite(t, org.id, { notify: false });
    await setOrganizationInvitationStatusRaw(t, accepted.id, 'accepted');
    const appInvitation = await ok<{ url: string }>(t, 'POST', '/v1/invitations', { email_address: `app-${Date.now()}@example.com`, notify: false });
    const tickets = [ticketOf(expired), ticketOf(revoked), ticketOf(accepted), 'tk_forged_0000000000000000000000000000', `${ticketOf(appInvitation)}x`];
    for (const page of ['/sign-up', '/sign-in', '/accept-invitation']) {
      const bodies: string[] = [];
      for (const ticket of tickets) {
        const res = await get(`${page}?__clerk_ticket=${encodeURIComponent(ticket)}&__clerk_status=sign_up`);
        assertPageHeaders(res, page);
        assert.deepEqual(pageDataOf(res.body).invitation, { usable: false }, `${page} ${ticket}`);
        assert.ok(!res.body.includes('Hidden Org') && !res.body.includes('@example.com'), `${page}: nothing about the invitation`);
        bodies.push(res.body);
      }
      assert.ok(bodies.every((b) => b === bodies[0]), `${page}: every unusable ticket gets the same page`);
    }
  });

  it('escapes organization names in the page data — even markup the API would refuse, written straight to the table', async () => {
    const org = await newOrg(t, { name: `Tom & Jerry's "Lab"` });
    const inv = await invite(t, org.id, { notify: false });
    const url = `/sign-up?__clerk_ticket=${encodeURIComponent(ticketOf(inv))}`;
    await t.deps.db.updateTable('organizations').set({ name: '"><img src=x onerror=alert(1)></title><script>alert(1)</script>' }).where('id', '=', org.id).execute();
    const res = await get(url);
    assert.ok(!res.body.includes('<img') && !res.body.includes('<script>alert'), 'no markup gets through');
    const shown = pageDataOf(res.body).invitation;
    assert.ok(shown && shown.usable);
    assert.equal(shown.organizationName, '"><img src=x onerror=alert(1)></title><script>alert(1)</script>', 'the name arrives intact, as data');
  });

  it('__clerk_status=complete: the organization for a signed-in member, nothing about it otherwise', async () => {
    const org = await newOrg(t, { name: 'Joined & Co' });
    const inv = await invite(t, org.id, { role: 'org:admin', notify: false });
    const url = `/?__clerk_ticket=${encodeURIComponent(ticketOf(inv))}&__clerk_status=complete&redirect_url=%2Fdone`;
    // Before it is accepted, "complete" in the URL changes nothing: the invitation is still offered.
    assert.equal((pageDataOf((await get(url)).body).invitation as { usable: boolean }).usable, true);
    const b = new Browser(t, { origin: t.url });
    const signUp = await b.post('/v1/client/sign_ups', { strategy: 'ticket', ticket: ticketOf(inv), password: PASSWORD });
    assert.equal(signUp.status, 200, JSON.stringify(signUp.body));

    const member = pageDataOf((await get(url, b.cookieHeader)).body);
    assert.equal(member.completedOrganizationName, 'Joined & Co');
    assert.equal(member.invitation, null);
    assert.equal(member.next, `${t.config.publicUrl}/done`);

    const stranger = await get(url);
    assert.equal(pageDataOf(stranger.body).completedOrganizationName, null);
    assert.ok(!stranger.body.includes('Joined') && !stranger.body.includes(inv.email_address));

    const other = new Browser(t, { origin: t.url });
    const otherUser = await newUser(t, { password: PASSWORD });
    assert.equal((await other.post('/v1/client/sign_ins', { identifier: otherUser.email_addresses[0]!.email_address, password: PASSWORD })).status, 200);
    assert.ok(!(await get(url, other.cookieHeader)).body.includes('Joined'), 'another signed-in user learns nothing either');
  });
});

describe('pages: the build missing', () => {
  it('answers every page path 503 with a page that says to build it (same headers), and serves the pages once built, without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-web-dist-'));
    const t = await startTestApp();
    const app = Fastify({ logger: false });
    try {
      await app.register(pageRoutes, { deps: t.deps, webDist: join(dir, 'dist') });
      await app.ready();
      for (const url of PAGES) {
        const res = await app.inject({ method: 'GET', url });
        assertPageHeaders(res, url, 503);
        assert.ok(res.body.includes('npm run build -w @tessera/web'), url);
        assert.ok(!res.body.includes(dir), 'no path of the machine');
      }
      assert.equal((await app.inject({ method: 'GET', url: '/assets/index-abcdefgh.js' })).statusCode, 404);

      // Built meanwhile (as `npm run build -w @tessera/web` would): served at once.
      mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
      writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><html><head><meta name="tessera-page-data" content="{}" /><title>x</title><script type="module" crossorigin src="/assets/index-abcdefgh.js"></script></head><body></body></html>');
      writeFileSync(join(dir, 'dist', 'assets', 'index-abcdefgh.js'), 'console.log(1)');
      writeFileSync(join(dir, 'dist', 'assets', 'plain.js'), 'console.log(2)');
      writeFileSync(join(dir, 'secret.txt'), 'secret');
      symlinkSync(join(dir, 'secret.txt'), join(dir, 'dist', 'assets', 'link-abcdefgh.txt'));
      const page = await app.inject({ method: 'GET', url: '/sign-in' });
      assertPageHeaders(page, '/sign-in');
      assert.equal(pageDataOf(page.body).page, 'sign-in');
      const js = await app.inject({ method: 'GET', url: '/assets/index-abcdefgh.js' });
      assert.equal(js.statusCode, 200);
      assert.equal(js.headers['cache-control'], IMMUTABLE);
      assert.equal((await app.inject({ method: 'GET', url: '/assets/plain.js' })).headers['cache-control'], 'no-cache', 'a name without a hash is not immutable');
      assert.equal((await app.inject({ method: 'GET', url: '/assets/link-abcdefgh.txt' })).statusCode, 404, 'a symlink out of dist/assets is not followed');
    } finally {
      await app.close();
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the default location is packages/web/dist', () => {
    assert.match(DEFAULT_WEB_DIST.replace(/\\/g, '/'), /\/packages\/web\/dist\/?$/);
  });
});
