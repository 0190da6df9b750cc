// The dev mailbox: what the outbox "sent" on an instance without SMTP_URL, for people and tests.
//
// Access rule: only development instances (sk_test_ key) have it; elsewhere both the page and
// the API answer 404 dev_only, as if they did not exist. The page needs no key (like a local mail
// catcher); the API sits behind the secret key like the rest of the Backend API.
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../http/errors.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { outboxSecretBox } from '../../lib/secret-box.ts';
import { composeOutboxEmail } from '../../mail/compose.ts';
import type { OutgoingEmail } from '../../mail/transport.ts';
import { countDevEmails, listDevEmails, type MailboxRow } from './dev-mailbox.repository.ts';
import type { DevEmailJson, ListDevEmailsQueryT } from './dev-mailbox.schemas.ts';

export function ensureDevelopmentInstance(deps: Deps): void {
  if (!deps.instance.isDevelopment) throw new ApiError('dev_only');
}

/** One email of the dev mailbox, as SMTP would have carried it. */
export interface DevEmail extends OutgoingEmail {
  /** Its outbox row. */
  id: string;
  /** When it was delivered into the mailbox. */
  deliveredAt: Date;
}

/**
 * Renders a mailbox row as the worker renders an email for SMTP (compose.ts: the payload checked,
 * the sealed link opened with this instance's key, the template). A row that cannot be rendered
 * (typically: the secret key changed since it was written) is shown as such, not hidden.
 */
export function renderMailboxRow(deps: Deps, row: MailboxRow): DevEmail {
  const base = { id: String(row.id), messageId: row.message_id, deliveredAt: row.sent_at ?? new Date(0) };
  const to = typeof row.payload.to === 'string' ? row.payload.to : '';
  try {
    const e = composeOutboxEmail(row, { box: outboxSecretBox(deps.instance.secretKey), mailFrom: deps.config.mailFrom });
    return { ...base, from: e.from, to: e.to, subject: e.subject, html: e.html, text: e.text };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ...base, from: deps.config.mailFrom, to, subject: `(this email cannot be shown: ${why})`, html: '', text: why };
  }
}

export function devEmailToJson(e: DevEmail): DevEmailJson {
  return {
    object: 'dev_email',
    id: e.id,
    message_id: e.messageId,
    from: e.from,
    to: e.to,
    subject: e.subject,
    html: e.html,
    text: e.text,
    created_at: e.deliveredAt.getTime(),
  };
}

/** Newest first. `to` is compared in canonical form, as stored; a value that is no address matches nothing. */
export async function listDevEmailsPage(deps: Deps, q: ListDevEmailsQueryT): Promise<{ data: DevEmailJson[]; total_count: number }> {
  ensureDevelopmentInstance(deps);
  const filter = q.to !== undefined ? { to: canonicalEmail(q.to.trim()) ?? q.to.trim().toLowerCase() } : {};
  const [rows, total] = await Promise.all([
    listDevEmails(deps.db, filter, { limit: q.limit ?? 10, offset: q.offset ?? 0 }),
    countDevEmails(deps.db, filter),
  ]);
  return { data: rows.map((r) => devEmailToJson(renderMailboxRow(deps, r))), total_count: total };
}

export async function listRecentDevEmails(deps: Deps, limit: number): Promise<DevEmail[]> {
  ensureDevelopmentInstance(deps);
  return (await listDevEmails(deps.db, {}, { limit, offset: 0 })).map((r) => renderMailboxRow(deps, r));
}
