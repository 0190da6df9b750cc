// Session tokens through the Frontend API, verified the way an application's backend does it:
// with @clerk/backend's verifyToken, which fetches `${apiUrl}/v1/jwks` with the secret key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { Browser, RELAXED_FAPI_LIMITS } from '../helpers/browser.ts';
import { bapi, codeOf } from '../helpers/http.ts';
import { decode, mintToken, requestToken, signedInBrowser, verify } from './session-tokens.helpers.ts';

/** Rejects with a TokenVerificationError of this reason. */
const rejectsWith = (p: Promise<unknown>, reason: string) =>
  assert.rejects(p, (err: unknown) => {
    assert.equal((err as { reason?: string }).reason, reason, String(err));
    return true;
  });

describe('session tokens', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ env: RELAXED_FAPI_LIMITS });
  });
  after(async () => {
    await t.close();
  });

  test('a token verifies with @clerk/backend and names the user and the session', async () => {
    const s = await signedInBrowser(t, 'verify@example.com');
    const token = await mintToken(s);
    const payload = await verify(t, token);
    assert.equal(payload.sub, s.userId);
    assert.equal(payload.sid, s.sessionId);
    assert.equal(payload.iss, t.url);
    assert.equal(payload.azp, undefined, 'no Origin header: no azp');
    assert.equal(payload.org_id, undefined, 'no active organization: no org claims');
    const { header } = decode(token);
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid', 'typ']);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'JWT');
  });

  test('lifetime: 60 s, nbf 5 s before iat; verifyToken rejects it once expired', async () => {
    const s = await signedInBrowser(t, 'expiry@example.com');
    const token = await mintToken(s);
    const { claims } = decode(token);
    const iat = claims.iat as number;
    assert.ok(Math.abs(iat - Date.now() / 1000) < 10, `iat ${iat} is now`);
    assert.equal((claims.exp as number) - iat, 60);
    assert.equal(claims.nbf, iat - 5);
    // A negative skew is a verifier whose clock is 61 s ahead: the token has expired for it.
    // (verifyToken checks exp before nbf, so a longer-lived token would fail on nbf instead.)
    await rejectsWith(verify(t, token, { clockSkewInMs: -61_000 }), 'token-expired');
  });

  test('a tampered token is rejected', async () => {
    const s = await signedInBrowser(t, 'tamper@example.com');
    const token = await mintToken(s);
    const [h, p, sig] = token.split('.') as [string, string, string];
    // Another user's id in the payload, the signature left as it was.
    const forged = Buffer.from(JSON.stringify({ ...decode(token).claims, sub: 'user_someone_else' })).toString('base64url');
    await rejectsWith(verify(t, `${h}.${forged}.${sig}`), 'token-invalid-signature');
    // One character of the payload flipped.
    const i = Math.floor(p.length / 2);
    const flipped = p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
    await assert.rejects(verify(t, `${h}.${flipped}.${sig}`));
  });

  test('azp is the Origin when it is an allowed origin', async () => {
    const s = await signedInBrowser(t, 'azp@example.com', { origin: t.url });
    const token = await mintToken(s);
    const payload = await verify(t, token, { authorizedParties: [t.url] });
    assert.equal(payload.azp, t.url);
    await rejectsWith(verify(t, token, { authorizedParties: ['https://app.example.com'] }), 'token-invalid-authorized-parties');
  });

  test('organization claims: the active organization, or organization_id', async () => {
    const s = await signedInBrowser(t, 'orgs@example.com');
    const acme = await bapi(t, 'POST', '/v1/organizations', { name: 'Acme', created_by: s.userId });
    const beta = await bapi(t, 'POST', '/v1/organizations', { name: 'Beta', created_by: s.userId });
    assert.equal(acme.status, 200, JSON.stringify(acme.body));

    const touched = await s.browser.post(`/v1/client/sessions/${s.sessionId}/touch`, { active_organization_id: acme.body.id });
    assert.equal(touched.status, 200, JSON.stringify(touched.body));
    const active = await verify(t, await mintToken(s));
    assert.equal(active.org_id, acme.body.id);
    assert.equal(active.org_slug, acme.body.slug);
    assert.equal(active.org_role, 'org:admin');
    assert.ok(Array.isArray(active.org_permissions));
    assert.ok((active.org_permissions as string[]).includes('org:sys_memberships:manage'), JSON.stringify(active.org_permissions));

    const other = await verify(t, await mintToken(s, { organization_id: beta.body.id }));
    assert.equal(other.org_id, beta.body.id);
    assert.equal(other.org_slug, beta.body.slug);

    const none = await verify(t, await mintToken(s, { organization_id: '' }));
    assert.equal(none.org_id, undefined);
    assert.equal(none.org_role, undefined);
  });

  test('organization_id of an organization the user is not a member of is 404', async () => {
    const owner = await signedInBrowser(t, 'org-owner@example.com');
    const stranger = await signedInBrowser(t, 'stranger@example.com');
    const org = await bapi(t, 'POST', '/v1/organizations', { name: 'Private', created_by: owner.userId });
    const res = await requestToken(stranger.browser, stranger.sessionId, { organization_id: org.body.id });
    assert.equal(res.status, 404, JSON.stringify(res.body));
    assert.equal(codeOf(res as never), 'resource_not_found');
  });

  test('an active organization the user has left is left out of the token', async () => {
    const owner = await signedInBrowser(t, 'left-owner@example.com');
    const member = await signedInBrowser(t, 'left-member@example.com');
    const org = await bapi(t, 'POST', '/v1/organizations', { name: 'Left', created_by: owner.userId });
    const added = await bapi(t, 'POST', `/v1/organizations/${org.body.id}/memberships`, { user_id: member.userId, role: 'org:member' });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    await member.browser.post(`/v1/client/sessions/${member.sessionId}/touch`, { active_organization_id: org.body.id });
    const before = await verify(t, await mintToken(member));
    assert.equal(before.org_id, org.body.id);
    assert.equal(before.org_role, 'org:member');
    const removed = await bapi(t, 'DELETE', `/v1/organizations/${org.body.id}/memberships/${member.userId}`);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const afterLeaving = await verify(t, await mintToken(member));
    assert.equal(afterLeaving.org_id, undefined);
  });

  test('a signed-out browser gets 401 signed_out', async () => {
    const s = await signedInBrowser(t, 'signout@example.com');
    await mintToken(s);
    const ended = await s.browser.post(`/v1/client/sessions/${s.sessionId}/end`);
    assert.equal(ended.status, 200, JSON.stringify(ended.body));
    const res = await requestToken(s.browser, s.sessionId);
    assert.equal(res.status, 401);
    assert.equal(res.body.errors[0].code, 'signed_out');
  });

  test("another browser's session id gets 401 signed_out", async () => {
    const a = await signedInBrowser(t, 'browser-a@example.com');
    const b = await signedInBrowser(t, 'browser-b@example.com');
    const res = await requestToken(b.browser, a.sessionId);
    assert.equal(res.status, 401);
    assert.equal(res.body.errors[0].code, 'signed_out');
    const anonymous = await requestToken(new Browser(t), a.sessionId);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.errors[0].code, 'signed_out');
  });

  test('minting a token marks the session active', async () => {
    const s = await signedInBrowser(t, 'touch@example.com');
    const lastActive = async () => (await t.deps.db.selectFrom('sessions').select('last_active_at').where('id', '=', s.sessionId).executeTakeFirstOrThrow()).last_active_at.getTime();
    const before = await lastActive();
    await new Promise((r) => setTimeout(r, 20));
    await mintToken(s);
    assert.ok((await lastActive()) > before);
  });

  test('the envelope carries the client', async () => {
    const s = await signedInBrowser(t, 'envelope@example.com');
    const res = await requestToken(s.browser, s.sessionId);
    assert.equal(res.body.client.object, 'client');
    assert.equal(res.body.client.sessions[0].id, s.sessionId);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('the body is optional (no body at all), and may be JSON', async () => {
    const s = await signedInBrowser(t, 'bodies@example.com');
    const bare = await fetch(`${t.url}/v1/client/sessions/${s.sessionId}/tokens`, { method: 'POST', headers: { cookie: s.browser.cookieHeader } });
    assert.equal(bare.status, 200, await bare.clone().text());
    await verify(t, ((await bare.json()) as { response: { jwt: string } }).response.jwt);
    const json = await s.browser.call('POST', `/v1/client/sessions/${s.sessionId}/tokens`, { organization_id: null }, { json: true });
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.equal((await verify(t, json.body.response.jwt)).sid, s.sessionId);
  });
});

describe('JWKS', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ env: RELAXED_FAPI_LIMITS });
  });
  after(async () => {
    await t.close();
  });

  test('GET /v1/jwks needs the secret key', async () => {
    const res = await fetch(`${t.url}/v1/jwks`);
    assert.equal(res.status, 401);
    const wrong = await fetch(`${t.url}/v1/jwks`, { headers: { authorization: 'Bearer sk_test_wrong' } });
    assert.equal(wrong.status, 401);
  });

  test("both JWKS list the token's key; the public one is cacheable", async () => {
    const s = await signedInBrowser(t, 'jwks@example.com');
    const { header } = decode(await mintToken(s));
    const backend = await bapi(t, 'GET', '/v1/jwks');
    assert.equal(backend.status, 200);
    const pub = await fetch(`${t.url}/.well-known/jwks.json`);
    assert.equal(pub.status, 200);
    assert.equal(pub.headers.get('cache-control'), 'public, max-age=300');
    const body = (await pub.json()) as { keys: Array<Record<string, unknown>> };
    assert.deepEqual(body, backend.body);
    assert.equal(body.keys.length, 1);
    const key = body.keys[0]!;
    assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(key.kid, header.kid);
    assert.equal(key.alg, 'RS256');
    assert.equal(key.use, 'sig');
    assert.equal(key.kty, 'RSA');
    assert.ok(typeof key.n === 'string' && Buffer.from(key.n, 'base64url').length === 256, '2048-bit modulus');
  });
});
