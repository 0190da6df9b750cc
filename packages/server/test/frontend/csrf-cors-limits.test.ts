// Browser-facing protections of the Frontend API: cross-site state-changing requests are refused
// before any work (CSRF, login CSRF included), CORS answers only allowed origins, and sign-in /
// sign-up attempts are limited per IP (5 per 10 s) with 429 + Retry-After.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { Browser, fails, newPasswordUser, okRes, PASSWORD, signedIn, startFapiApp } from './frontend.helpers.ts';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

describe(`CSRF and CORS (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startFapiApp({ env: { TESSERA_ALLOWED_REDIRECT_ORIGINS: APP } }); });
  after(async () => { await t.close(); });

  it('a state-changing request from another origin is 403 origin_invalid, with or without a session, and does nothing', async () => {
    const { browser, sessionId } = await signedIn(t);
    const evil = new Browser(t, { origin: EVIL });
    for (const [k, v] of browser.cookies) evil.cookies.set(k, v);
    fails(await evil.post(`/v1/client/sessions/${sessionId}/end`), 403, 'origin_invalid');
    fails(await evil.call('DELETE', '/v1/client/sessions'), 403, 'origin_invalid');
    okRes(await browser.get('/v1/me'));
    // Login CSRF: a cross-site form signing the victim's browser in as the attacker.
    const { email } = await newPasswordUser(t);
    const before = await t.deps.db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    fails(await new Browser(t, { origin: EVIL }).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD }), 403, 'origin_invalid');
    const afterCount = await t.deps.db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
    // Origin "null" (sandboxed frames, some redirects) is not an allowed origin either, unless the
    // browser says the request is same-origin (a no-referrer page's own POST).
    fails(await new Browser(t, { origin: 'null' }).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD }), 403, 'origin_invalid');
    fails(await new Browser(t, { origin: 'null' }).call('POST', '/v1/client/sign_ins', { identifier: email, password: PASSWORD }, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'origin_invalid');
    okRes(await new Browser(t, { origin: 'null' }).call('POST', '/v1/client/sign_ins', { identifier: email, password: PASSWORD }, { headers: { 'sec-fetch-site': 'same-origin' } }));
  });

  it('without Origin, Sec-Fetch-Site: cross-site or same-site is refused too; same-origin passes', async () => {
    const { email } = await newPasswordUser(t);
    for (const site of ['cross-site', 'same-site']) {
      fails(await new Browser(t).call('POST', '/v1/client/sign_ins', { identifier: email, password: PASSWORD }, { headers: { 'sec-fetch-site': site } }), 403, 'origin_invalid');
    }
    okRes(await new Browser(t).call('POST', '/v1/client/sign_ins', { identifier: email, password: PASSWORD }, { headers: { 'sec-fetch-site': 'same-origin' } }));
  });

  it('allowed origins (the public URL, TESSERA_ALLOWED_REDIRECT_ORIGINS) may call, with credentials', async () => {
    const { email } = await newPasswordUser(t);
    const r = await new Browser(t, { origin: APP }).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD });
    okRes(r);
    assert.equal(r.headers.get('access-control-allow-origin'), APP);
    assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(r.headers.get('access-control-expose-headers'), 'Retry-After');
    assert.match(r.headers.get('vary') ?? '', /Origin/);
    okRes(await new Browser(t, { origin: new URL(t.url).origin }).post('/v1/client/sign_ins', { identifier: email, password: PASSWORD }));
  });

  it('a GET from another origin gets no CORS headers (the browser hides the answer)', async () => {
    const r = await new Browser(t, { origin: EVIL }).get('/v1/client');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });

  it('preflight: allowed origin gets methods and headers; another origin gets none', async () => {
    const ok = await fetch(`${t.url}/v1/client/sign_ins`, { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), APP);
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /content-type/);
    const no = await fetch(`${t.url}/v1/organizations/org_x/invitations`, { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'POST' } });
    assert.equal(no.headers.get('access-control-allow-origin'), null);
  });

  it('the Backend API is not for browsers: no CORS headers there', async () => {
    const r = await fetch(`${t.url}/v1/users`, { headers: { ...t.auth, origin: APP } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });
});

describe(`sign-in and sign-up limits per IP (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { TESSERA_TRUST_PROXY_HOPS: '1' } }); });
  after(async () => { await t.close(); });

  it('the sixth sign-in attempt within 10 s from one IP is 429 with Retry-After; another IP is not affected', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 0; i < 5; i++) {
      fails(await new Browser(t).call('POST', '/v1/client/sign_ins', { identifier: `nobody${i}@example.com`, password: PASSWORD }, { headers: ip }), 422, 'form_identifier_not_found');
    }
    const limited = await new Browser(t).call('POST', '/v1/client/sign_ins', { identifier: 'nobody@example.com', password: PASSWORD }, { headers: ip });
    fails(limited, 429, 'too_many_requests');
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 10, String(retry));
    fails(await new Browser(t).call('POST', '/v1/client/sign_ins', { identifier: 'nobody@example.com', password: PASSWORD }, { headers: { 'x-forwarded-for': '203.0.113.8' } }), 422, 'form_identifier_not_found');
  });

  it('sign-ups are limited the same way, separately', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.9' };
    for (let i = 0; i < 5; i++) {
      fails(await new Browser(t).call('POST', '/v1/client/sign_ups', { email_address: 'bad address' }, { headers: ip }), 422, 'form_param_format_invalid');
    }
    fails(await new Browser(t).call('POST', '/v1/client/sign_ups', { email_address: 'bad address' }, { headers: ip }), 429, 'too_many_requests');
  });
});

describe(`X-Forwarded-For is ignored unless a proxy is trusted (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  it('a client cannot dodge the limit by inventing X-Forwarded-For', async () => {
    for (let i = 0; i < 5; i++) {
      await new Browser(t).call('POST', '/v1/client/sign_ins', { identifier: 'x@example.com', password: PASSWORD }, { headers: { 'x-forwarded-for': `192.0.2.${i}` } });
    }
    fails(await new Browser(t).call('POST', '/v1/client/sign_ins', { identifier: 'x@example.com', password: PASSWORD }, { headers: { 'x-forwarded-for': '192.0.2.99' } }), 429, 'too_many_requests');
  });
});

describe(`cookies over HTTPS (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { TESSERA_PUBLIC_URL: 'https://accounts.example.com' } }); });
  after(async () => { await t.close(); });

  it('the __client cookie is Secure when the public URL is https', async () => {
    const res = await fetch(`${t.url}/v1/client/sign_ins`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__client='));
    assert.ok(cookie, 'a client was created');
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /HttpOnly/);
  });
});
