// The dev mailbox: what the outbox "sent" on an instance without SMTP_URL, for people and tests.
//
// Access rule: only development instances (sk_test_ key) have it; elsewhere both the page and
// the API answer 404 dev_only, as if they did not exist. The page needs no key (like a local mail
// catcher); the API sits behind the secret key like the rest of the Backend API.
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../http/errors.ts';
import { canonicalEmail } from '../../lib/email.ts';
import type { DevEmailRow } from '../../mail/outbox.table.ts';
import { countDevEmails, listDevEmails } from './dev-mailbox.repository.ts';
import type { DevEmailJson, ListDevEmailsQueryT } from './dev-mailbox.schemas.ts';

export function ensureDevelopmentInstance(deps: Deps): void {
  if (!deps.instance.isDevelopment) throw new ApiError('dev_only');
}

export function devEmailRowToJson(row: DevEmailRow): DevEmailJson {
  return {
    object: 'dev_email',
    id: String(row.id),
    message_id: row.message_id,
    from: row.from_address,
    to: row.to_address,
    subject: row.subject,
    html: row.html,
    text: row.text,
    created_at: row.created_at.getTime(),
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
  return { data: rows.map(devEmailRowToJson), total_count: total };
}

export async function listRecentDevEmails(deps: Deps, limit: number): Promise<DevEmailRow[]> {
  ensureDevelopmentInstance(deps);
  return listDevEmails(deps.db, {}, { limit, offset: 0 });
}
