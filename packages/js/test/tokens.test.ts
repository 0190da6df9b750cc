// Session tokens through the SDK: session.getToken() is cached, shared between concurrent callers,
// fetched again once ≤ 10 s of its 60 s remain (an injected clock moves time), and verifies with
// @clerk/backend's verifyToken as an application's backend would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyToken } from '@clerk/backend';
import { TEST_SECRET_KEY } from '../../server/test/helpers/app.ts';
import { createTessera } from '../src/index.ts';
import { newOrg, newUser, signedInBrowser, startSdkApp, type TestApp } from './helpers/sdk.ts';

const tokenRequests = (requests: string[]) => requests.filter((r) => /^POST \/v1\/client\/sessions\/[^/]+\/tokens$/.test(r)).length;

describe('session tokens through the SDK', () => {
  let t: TestApp;
  before(async () => {
    t = await startSdkApp();
  });
  after(async () => {
    await t.close();
  });

  test('getToken() returns a JWT that verifies with @clerk/backend, with the active organization', async () => {
    const user = await newUser(t);
    const org = await newOrg(t, user.id);
    const { tessera } = await signedInBrowser(t, user);
    const plain = await tessera.session!.getToken();
    assert.ok(plain);
    const claims = await verifyToken(plain, { secretKey: TEST_SECRET_KEY, apiUrl: t.url });
    assert.equal(claims.sub, user.id);
    assert.equal(claims.sid, tessera.session!.id);
    assert.equal(claims.org_id, undefined);

    await tessera.setActive({ organization: org.id });
    const withOrg = await tessera.session!.getToken();
    assert.ok(withOrg);
    assert.notEqual(withOrg, plain, 'a new organization is a new cache entry');
    const orgClaims = await verifyToken(withOrg, { secretKey: TEST_SECRET_KEY, apiUrl: t.url });
    assert.equal(orgClaims.org_id, org.id);
    assert.equal(orgClaims.org_role, 'org:admin');

    // An explicit organizationId: null mints one without organization claims.
    const none = await tessera.session!.getToken({ organizationId: null });
    assert.ok(none);
    assert.equal((await verifyToken(none, { secretKey: TEST_SECRET_KEY, apiUrl: t.url })).org_id, undefined);
  });

  test('cached while fresh; concurrent callers share one request; fetched again at ≤ 10 s before exp', async () => {
    const user = await newUser(t);
    let offset = 0;
    const now = () => Date.now() + offset;
    const { tessera, browser } = await signedInBrowser(t, user, { now });
    const session = tessera.session!;

    const [a, b, c] = await Promise.all([session.getToken(), session.getToken(), session.getToken()]);
    assert.ok(a);
    assert.equal(b, a);
    assert.equal(c, a);
    assert.equal(tokenRequests(browser.requests), 1, 'three concurrent callers, one request');

    assert.equal(await session.getToken(), a);
    // Clerk's hook hands out the same function; a fresh Session object of the same session shares the cache.
    assert.equal(await tessera.session!.getToken(), a);
    assert.equal(tokenRequests(browser.requests), 1, 'served from the cache');

    offset = 45_000; // 15 s of 60 left: still fresh
    assert.equal(await session.getToken(), a);
    assert.equal(tokenRequests(browser.requests), 1);

    offset = 51_000; // 9 s left: fetched again
    const refreshed = await session.getToken();
    assert.ok(refreshed);
    assert.equal(tokenRequests(browser.requests), 2);
    const claims = await verifyToken(refreshed, { secretKey: TEST_SECRET_KEY, apiUrl: t.url });
    assert.equal(claims.sub, user.id);

    // The new token is cached from its own fetch.
    assert.equal(await session.getToken(), refreshed);
    assert.equal(tokenRequests(browser.requests), 2);

    // skipCache forces a request.
    await session.getToken({ skipCache: true });
    assert.equal(tokenRequests(browser.requests), 3);
  });

  test('a session ended elsewhere: getToken() resolves null and the instance signs out', async () => {
    const user = await newUser(t);
    const { tessera, browser } = await signedInBrowser(t, user);
    const session = tessera.session!;
    assert.ok(await session.getToken());
    // Another tab (same cookies) signs out.
    const otherTab = createTessera({ frontendApi: t.url, fetch: browser.fetch });
    await otherTab.load();
    await otherTab.signOut();
    assert.equal(await session.getToken({ skipCache: true }), null);
    assert.equal(tessera.session, null);
  });
});
