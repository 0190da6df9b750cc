// Helpers for the Frontend API tests: users, organizations and invitations are made through the
// Backend API; browsers are test/helpers/browser.ts (a cookie jar over real HTTP).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, type StartOptions, type TestApp } from '../helpers/app.ts';
import { Browser, RELAXED_FAPI_LIMITS, type FapiRes } from '../helpers/browser.ts';
import { NO_INVITATION_LIMITS } from '../organization-invitations/org-invitations.helpers.ts';
import { newOrg, ok, uniqueEmail, type UserJson } from '../organizations/organizations.helpers.ts';
import { listDevEmails } from '../../src/features/dev-mailbox/dev-mailbox.repository.ts';
import { renderMailboxRow } from '../../src/features/dev-mailbox/dev-mailbox.service.ts';

export { Browser, newOrg, ok, uniqueEmail, type FapiRes, type UserJson };
export const PASSWORD = 'correct horse battery staple';

export const startFapiApp = (opts: StartOptions = {}) =>
  startTestApp({ ...opts, env: { ...RELAXED_FAPI_LIMITS, ...NO_INVITATION_LIMITS, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '100000/1h', ...opts.env } });

/** A user with a password (and a verified address), made through the Backend API. */
export async function newPasswordUser(t: TestApp, email = uniqueEmail('user'), extra: Record<string, unknown> = {}): Promise<{ user: UserJson; email: string }> {
  const user = await ok<UserJson>(t, 'POST', '/v1/users', { email_address: [email], password: PASSWORD, ...extra });
  return { user, email: email.toLowerCase() };
}

/** A browser signed in as a new password user. */
export async function signedIn(t: TestApp, email?: string): Promise<{ browser: Browser; user: UserJson; email: string; sessionId: string }> {
  const { user, email: address } = await newPasswordUser(t, email);
  const browser = new Browser(t);
  const r = await browser.post('/v1/client/sign_ins', { identifier: address, password: PASSWORD });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { browser, user, email: address, sessionId: r.body.response.created_session_id };
}

export const codeOf = (r: FapiRes): string | undefined => r.body?.errors?.[0]?.code;

/** Asserts a Clerk error envelope with this status and code. */
export function fails(r: FapiRes, status: number, code: string): void {
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(codeOf(r), code);
}

export function okRes(r: FapiRes): any {
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** The ticket in an invitation's url. */
export function ticketOf(inv: { url: string | null }): string {
  assert.ok(inv.url);
  const ticket = new URL(inv.url).searchParams.get('ticket');
  assert.ok(ticket);
  return ticket;
}

export const inviteToApp = (t: TestApp, body: Record<string, unknown> = {}) =>
  ok<any>(t, 'POST', '/v1/invitations', { email_address: uniqueEmail('invitee'), ...body });

export const inviteToOrg = (t: TestApp, orgId: string, body: Record<string, unknown> = {}) =>
  ok<any>(t, 'POST', `/v1/organizations/${orgId}/invitations`, { email_address: uniqueEmail('invitee'), role: 'org:member', ...body });

export async function expire(t: TestApp, table: 'invitations' | 'organization_invitations', id: string): Promise<void> {
  await t.deps.db.updateTable(table).set({ expires_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute();
}

const seenEmailIds = new Map<string, number>();

/**
 * The verification code in the newest email to `to` in the dev mailbox, if this helper has not
 * read it yet, so a second prepare's code is never mistaken for the first's. (The worker is
 * drained first, for an email written while it was not delivered at commit.)
 */
export async function lastCodeSentTo(t: TestApp, to: string): Promise<string> {
  const worker = t.worker;
  assert.ok(worker, 'start the app with worker: true');
  // The worker also runs in the background: it may hold the row while this drain finds nothing.
  const deadline = Date.now() + 5000;
  let mail: { id: number; subject: string; text: string } | undefined;
  const seen = seenEmailIds.get(to) ?? 0;
  for (;;) {
    await worker.drainOnce();
    const [row] = await listDevEmails(t.deps.db, { to }, { limit: 1, offset: 0 });
    mail = row && row.id > seen ? { ...renderMailboxRow(t.deps, row), id: row.id } : undefined;
    if (mail || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(mail, `no new email to ${to}`);
  seenEmailIds.set(to, mail.id);
  const m = /^(\d{6}) is your /.exec(mail.subject);
  assert.ok(m, mail.subject);
  return m[1]!;
}
