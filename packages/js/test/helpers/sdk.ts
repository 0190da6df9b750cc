// Test helpers for the SDK: a real Tessera server (startTestApp: fresh database per app), users,
// organizations and invitations made through the Backend API, and a cookie-keeping fetch that
// plays the browser (Node's fetch keeps no cookies).
import assert from 'node:assert/strict';
import { startTestApp, type StartOptions, type TestApp } from '../../../server/test/helpers/app.ts';
import { RELAXED_FAPI_LIMITS } from '../../../server/test/helpers/browser.ts';
import { bapi } from '../../../server/test/helpers/http.ts';
import { createTessera, type Tessera } from '../../src/index.ts';
import type { FetchLike } from '../../src/fapi.ts';

export { bapi, type TestApp };
export const PASSWORD = 'a long password 1';

export const startSdkApp = (opts: StartOptions = {}): Promise<TestApp> =>
  startTestApp({
    ...opts,
    env: {
      ...RELAXED_FAPI_LIMITS,
      TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_CREATE: '100000/1h',
      TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_BULK: '100000/1h',
      ...opts.env,
    },
  });

let counter = 0;
export const uniqueEmail = (prefix = 'user'): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}@example.com`;

export interface FakeBrowser {
  fetch: FetchLike;
  cookies: Map<string, string>;
  /** Every request made, as `METHOD /path` (no query). */
  requests: string[];
}

/** A fetch that keeps the server's cookies (one origin) and sends the page's Origin, as a browser does. */
export function fakeBrowser(t: TestApp): FakeBrowser {
  const cookies = new Map<string, string>();
  const requests: string[] = [];
  const origin = new URL(t.url).origin;
  const fetchWithJar: FetchLike = async (url, init) => {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    headers.set('origin', origin);
    requests.push(`${init.method ?? 'GET'} ${new URL(url).pathname}`);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  };
  return { fetch: fetchWithJar, cookies, requests };
}

/** A Tessera instance in a fresh "browser" (its own cookies), not loaded yet. */
export function newBrowser(t: TestApp, opts: { now?: () => number } = {}): { tessera: Tessera; browser: FakeBrowser } {
  const browser = fakeBrowser(t);
  const tessera = createTessera({ frontendApi: t.url, fetch: browser.fetch, ...(opts.now ? { now: opts.now } : {}) });
  return { tessera, browser };
}

async function ok<T = unknown>(t: TestApp, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const r = await bapi<T>(t, method, path, body);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface TestUser {
  id: string;
  email: string;
}

/** A user with a password and a verified address (Backend API). */
export async function newUser(t: TestApp, email = uniqueEmail('user'), extra: Record<string, unknown> = {}): Promise<TestUser> {
  const user = await ok<{ id: string }>(t, 'POST', '/v1/users', { email_address: [email], password: PASSWORD, ...extra });
  return { id: user.id, email: email.toLowerCase() };
}

export async function newOrg(t: TestApp, createdBy: string, name = `Org ${++counter}`): Promise<{ id: string; name: string; slug: string }> {
  return ok<{ id: string; name: string; slug: string }>(t, 'POST', '/v1/organizations', { name, created_by: createdBy });
}

export async function addMember(t: TestApp, orgId: string, userId: string, role = 'org:member'): Promise<void> {
  await ok(t, 'POST', `/v1/organizations/${orgId}/memberships`, { user_id: userId, role });
}

/** An organization invitation (Backend API) and the ticket of its link. */
export async function inviteToOrg(t: TestApp, orgId: string, email: string, role = 'org:member'): Promise<{ id: string; ticket: string }> {
  const inv = await ok<{ id: string; url: string }>(t, 'POST', `/v1/organizations/${orgId}/invitations`, { email_address: email, role });
  const ticket = new URL(inv.url).searchParams.get('ticket');
  assert.ok(ticket, inv.url);
  return { id: inv.id, ticket };
}

/** A browser signed in with a password, loaded. */
export async function signedInBrowser(t: TestApp, user: TestUser, opts: { now?: () => number } = {}): Promise<{ tessera: Tessera; browser: FakeBrowser }> {
  const b = newBrowser(t, opts);
  await b.tessera.load();
  const signIn = await b.tessera.signIn.create({ identifier: user.email, password: PASSWORD });
  assert.equal(signIn.status, 'complete');
  await b.tessera.setActive({ session: signIn.createdSessionId });
  return b;
}

const seenMail = new Map<string, Set<string>>();

/** The 6-digit code of the newest email to `to` not read before (the dev mailbox, read through the Backend API). */
export async function codeSentTo(t: TestApp, to: string): Promise<string> {
  const worker = t.worker;
  assert.ok(worker, 'start the app with worker: true');
  const seen = seenMail.get(to) ?? new Set<string>();
  seenMail.set(to, seen);
  const deadline = Date.now() + 15_000;
  for (;;) {
    await worker.drainOnce();
    const r = await bapi<{ data: { id: string; subject: string }[] }>(t, 'GET', `/v1/dev/emails?to=${encodeURIComponent(to)}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const mail = r.body.data.find((m) => !seen.has(m.id));
    if (mail) {
      seen.add(mail.id);
      const m = /^(\d{6}) is your /.exec(mail.subject);
      assert.ok(m, mail.subject);
      return m[1]!;
    }
    assert.ok(Date.now() < deadline, `no new email to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
