import assert from 'node:assert/strict';
import { verifyToken } from '@clerk/backend';
import { TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/browser.ts';
import { bapi } from '../helpers/http.ts';

export interface SignedInBrowser {
  browser: Browser;
  userId: string;
  sessionId: string;
}

/** A user created through the Backend API, signed in in a new browser. */
export async function signedInBrowser(t: TestApp, email: string, opts: { origin?: string } = {}): Promise<SignedInBrowser> {
  const password = 'a long password 1';
  const user = await bapi(t, 'POST', '/v1/users', { email_address: [email], password });
  assert.equal(user.status, 200, JSON.stringify(user.body));
  const browser = new Browser(t, opts);
  const res = await browser.post('/v1/client/sign_ins', { identifier: email, password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const sessionId = res.body.client.sessions[0].id as string;
  return { browser, userId: user.body.id as string, sessionId };
}

/** POST …/tokens; returns the response (body.response.jwt on success). */
export const requestToken = (b: Browser, sessionId: string, body: Record<string, unknown> = {}) => b.post(`/v1/client/sessions/${sessionId}/tokens`, body);

export async function mintToken(s: SignedInBrowser, body: Record<string, unknown> = {}): Promise<string> {
  const res = await requestToken(s.browser, s.sessionId, body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.response.object, 'token');
  return res.body.response.jwt as string;
}

/** What a relying party does: @clerk/backend fetches `${apiUrl}/v1/jwks` with the secret key. */
export const verify = (t: TestApp, token: string, extra: { authorizedParties?: string[]; clockSkewInMs?: number } = {}) =>
  verifyToken(token, { secretKey: TEST_SECRET_KEY, apiUrl: t.url, ...extra });

export function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}
