// Shared bits for the mail tests: creating invitations through the API, reading the outbox,
// waiting for an outcome, and pulling the invitation link out of a received email.
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';
import type { OutboxRow } from '../../src/mail/outbox.table.ts';

export interface CreatedInvitation {
  id: string;
  url: string;
  expires_at: number;
  email_address: string;
}

export async function createInvitation(t: TestApp, email: string, extra: Record<string, unknown> = {}): Promise<CreatedInvitation> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/invitations', headers: t.auth, payload: { email_address: email, ...extra } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<CreatedInvitation>();
}

export async function createInvitationsBulk(t: TestApp, emails: string[]): Promise<void> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/invitations/bulk', headers: t.auth, payload: emails.map((email_address) => ({ email_address })) });
  assert.equal(res.statusCode, 200, res.body);
}

export async function outboxRows(t: TestApp): Promise<OutboxRow[]> {
  return t.database.db.selectFrom('outbox').selectAll().orderBy('id').execute();
}

export async function onlyOutboxRow(t: TestApp): Promise<OutboxRow> {
  const rows = await outboxRows(t);
  assert.equal(rows.length, 1, `expected one outbox row, found ${rows.length}`);
  return rows[0]!;
}

/** Polls `check` (which may do work, e.g. drainOnce) until it returns true. */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The invitation link in a text body (the line that is a URL to the ticket endpoint). */
export function linkInText(text: string): string {
  const m = /https?:\/\/\S+\/v1\/tickets\/accept\?ticket=\S+/.exec(text);
  assert.ok(m, `no invitation link in:\n${text}`);
  return m[0];
}
