// Rate limits over HTTP, with small overrides so a test can cross them: the named route limits,
// backend_api on every Backend API route, Retry-After, the Clerk envelope, TESSERA_RATE_LIMITS=off,
// and what does and does not count. Runs on the memory store (PGlite) and on the PostgreSQL store
// (DATABASE_URL), since startTestApp builds the limits the way main.ts does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { bapi, codeOf, type Res } from '../helpers/http.ts';

let n = 0;
const email = (tag: string) => `rl-${tag}-${++n}@example.com`;

function assertTooManyRequests(r: Res, maxSeconds: number): number {
  assert.equal(r.status, 429, JSON.stringify(r.body));
  assert.equal(codeOf(r), 'too_many_requests');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(typeof r.body.clerk_trace_id, 'string');
  const retryAfter = String(r.headers['retry-after']);
  assert.match(retryAfter, /^\d+$/, 'Retry-After is whole seconds');
  const seconds = Number(retryAfter);
  assert.ok(seconds >= 1 && seconds <= maxSeconds, `Retry-After ${seconds} within 1..${maxSeconds}`);
  return seconds;
}

describe(`rate limits over HTTP (${storeName})`, () => {
  describe('invitations.create = 3/60s, invitations.bulk = 2/60s', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ env: { TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '3/60s', TESSERA_RATE_LIMIT_INVITATIONS_BULK: '2/60s' } });
    });
    after(async () => { await t.close(); });

    it('uses the store main.ts would use', () => {
      assert.equal(t.deps.rateLimits.store, process.env.DATABASE_URL ? 'postgres' : 'memory');
    });

    it('lets 3 creates through, answers the 4th with 429 + Retry-After, and keeps refusing', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email('create'), notify: false });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      assertTooManyRequests(await bapi(t, 'POST', '/v1/invitations', { email_address: email('create'), notify: false }), 60);
      // Later requests stay blocked until the window passes.
      assertTooManyRequests(await bapi(t, 'POST', '/v1/invitations', { email_address: email('create'), notify: false }), 60);
    });

    it('leaves other routes alone: GET /v1/invitations and the bulk limit are not the create limit', async () => {
      const list = await bapi(t, 'GET', '/v1/invitations');
      assert.equal(list.status, 200);
      assert.equal(list.body.length, 3);
      const bulk = await bapi(t, 'POST', '/v1/invitations/bulk', [{ email_address: email('bulk'), notify: false }]);
      assert.equal(bulk.status, 200, JSON.stringify(bulk.body));
    });

    it('counts a request that fails validation (422) against the bulk limit', async () => {
      // One bulk call above; this 422 is the second, so the limit of 2 is spent.
      const invalid = await bapi(t, 'POST', '/v1/invitations/bulk', [{ email_address: 42 }]);
      assert.equal(invalid.status, 422);
      assertTooManyRequests(await bapi(t, 'POST', '/v1/invitations/bulk', [{ email_address: email('bulk'), notify: false }]), 60);
    });
  });

  it('surfaces as ClerkAPIResponseError with status 429, code too_many_requests and retryAfter through @clerk/backend', async () => {
    const t = await startTestApp({ env: { TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '1/30s' } });
    try {
      const clerk = createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: t.url, telemetry: { disabled: true } });
      await clerk.invitations.createInvitation({ emailAddress: email('sdk'), notify: false });
      let caught: unknown = null;
      try {
        await clerk.invitations.createInvitation({ emailAddress: email('sdk'), notify: false });
      } catch (err) {
        caught = err;
      }
      assert.ok(isClerkAPIResponseError(caught), `expected a ClerkAPIResponseError, got ${String(caught)}`);
      assert.equal(caught.status, 429);
      assert.equal(caught.errors[0]?.code, 'too_many_requests');
      assert.equal(typeof caught.retryAfter, 'number');
      assert.ok(caught.retryAfter! >= 1 && caught.retryAfter! <= 30, `retryAfter ${caught.retryAfter}`);
    } finally {
      await t.close();
    }
  });

  it('applies backend_api to every Backend API route, and not to routes outside it', async () => {
    const t = await startTestApp({ env: { TESSERA_RATE_LIMIT_BACKEND_API: '5/60s' } });
    try {
      assert.equal((await bapi(t, 'GET', '/v1/invitations')).status, 200);
      assert.equal((await bapi(t, 'GET', '/v1/users')).status, 200);
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: email('bapi'), notify: false })).status, 200);
      assert.equal((await bapi(t, 'GET', '/v1/users/count')).status, 200);
      assert.equal((await bapi(t, 'GET', '/v1/dev/emails')).status, 200);
      assertTooManyRequests(await bapi(t, 'GET', '/v1/invitations'), 60);
      assertTooManyRequests(await bapi(t, 'GET', '/v1/users'), 60);
      assertTooManyRequests(await bapi(t, 'POST', '/v1/invitations/bulk', [{ email_address: email('bapi') }]), 60);
      // Outside the secret-key scope: health checks and the public pages are never limited.
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    } finally {
      await t.close();
    }
  });

  it('does not count unauthenticated requests against the instance', async () => {
    const t = await startTestApp({ env: { TESSERA_RATE_LIMIT_BACKEND_API: '2/60s', TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '2/60s' } });
    try {
      const body = JSON.stringify({ email_address: email('anon') });
      for (const authorization of [undefined, 'Bearer sk_test_not_the_right_key_000000', 'Basic abc']) {
        for (let i = 0; i < 5; i++) {
          const r = await t.app.inject({
            method: 'POST', url: '/v1/invitations', payload: body,
            headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          });
          assert.equal(r.statusCode, 401);
        }
      }
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: email('anon'), notify: false })).status, 200);
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: email('anon'), notify: false })).status, 200);
      assertTooManyRequests(await bapi(t, 'POST', '/v1/invitations', { email_address: email('anon'), notify: false }), 60);
    } finally {
      await t.close();
    }
  });

  it('TESSERA_RATE_LIMITS=off turns every limit off', async () => {
    const t = await startTestApp({
      env: { TESSERA_RATE_LIMITS: 'off', TESSERA_RATE_LIMIT_BACKEND_API: '1/60s', TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '1/60s' },
    });
    try {
      assert.equal(t.deps.rateLimits.describe, 'off');
      for (let i = 0; i < 5; i++) {
        const r = await bapi(t, 'POST', '/v1/invitations', { email_address: email('off'), notify: false });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      assert.equal((await bapi(t, 'GET', '/v1/invitations')).status, 200);
    } finally {
      await t.close();
    }
  });

  it('reopens the limit when the window has passed', async () => {
    const t = await startTestApp({ env: { TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '1/1s' } });
    try {
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: email('window'), notify: false })).status, 200);
      const seconds = assertTooManyRequests(await bapi(t, 'POST', '/v1/invitations', { email_address: email('window'), notify: false }), 1);
      await new Promise((r) => setTimeout(r, seconds * 1000 + 100));
      assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: email('window'), notify: false })).status, 200);
    } finally {
      await t.close();
    }
  });
});
