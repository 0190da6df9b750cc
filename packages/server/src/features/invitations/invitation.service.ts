// Application invitations: create (single and bulk), list, revoke.
//
// Rules:
// - email addresses are canonicalised (lib/email.ts) before anything else; a bad one is 422
//   form_param_format_invalid.
// - a pending invitation for the address → 400 duplicate_record (meta.email_addresses); an address
//   that belongs to a user → 422 form_identifier_exists; `ignore_existing` bypasses both for a single
//   create, but bulk never creates an invitation for an existing user (the contract says so).
// - a create is one transaction: expire stale rows, check, insert invitations, outbox rows (when
//   notify), audit row. Bulk is the same transaction for all items: all or nothing.
// - two concurrent creates for one address without ignore_existing cannot both commit: the partial
//   unique index invitations_pending_email_key refuses the second, reported as duplicate_record.
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.ts';
import type { Database } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import { isAllowedRedirect } from '../../lib/redirect.ts';
import { createSecretBox } from '../../lib/secret-box.ts';
import { mintTicket } from '../../lib/tickets.ts';
import { enqueueEmails, type EmailMessagePayload } from '../../mail/outbox.repository.ts';
import { findClaimedEmails } from '../users/user.repository.ts';
import {
  countInvitations,
  deleteInvitationAndEmails,
  expireStaleInvitations,
  findInvitationForUpdate,
  findPendingEmails,
  insertInvitations,
  listInvitations,
  setInvitationStatus,
  type InvitationView,
  type NewInvitation,
} from './invitation.repository.ts';
import { BULK_MAX, type CreateInvitationInput, type InvitationJson, type ListInvitationsQueryT } from './invitation.schemas.ts';

export function invitationRowToJson(row: InvitationView, url?: string): InvitationJson {
  return {
    object: 'invitation',
    id: row.id,
    email_address: row.email,
    public_metadata: row.public_metadata ?? {},
    ...(row.status === 'revoked' ? { revoked: true } : {}),
    status: row.status,
    ...(url !== undefined ? { url } : {}),
    expires_at: row.expires_at.getTime(),
    created_at: row.created_at.getTime(),
    updated_at: row.updated_at.getTime(),
  };
}

export function ticketUrl(publicUrl: string, ticket: string): string {
  return `${publicUrl}/v1/tickets/accept?ticket=${encodeURIComponent(ticket)}`;
}

interface PreparedInvitation {
  row: NewInvitation;
  ticket: string;
}

function prepare(deps: Deps, input: CreateInvitationInput): PreparedInvitation {
  const email = canonicalEmail(input.email_address);
  if (email === null) throw paramFormatInvalid('email_address', 'email address');
  const redirectUrl = input.redirect_url ?? null;
  if (redirectUrl !== null && !isAllowedRedirect(redirectUrl, redirectPolicy(deps))) {
    throw paramInvalid('redirect_url', 'its origin is not in TESSERA_ALLOWED_REDIRECT_ORIGINS');
  }
  const { token, hash } = mintTicket('invitation');
  return {
    ticket: token,
    row: {
      id: newId('inv'),
      email,
      publicMetadata: input.public_metadata ?? {},
      redirectUrl,
      notify: input.notify ?? true,
      allowDuplicate: input.ignore_existing ?? false,
      templateSlug: input.template_slug ?? 'invitation',
      ticketHash: hash,
      expiresInDays: input.expires_in_days ?? 30,
    },
  };
}

export function redirectPolicy(deps: Deps) {
  return {
    allowedOrigins: [new URL(deps.config.publicUrl).origin, ...deps.config.allowedRedirectOrigins],
    allowLocalhost: deps.instance.isDevelopment,
  };
}

async function insertPrepared(
  deps: Deps,
  trx: Transaction<Database>,
  prepared: PreparedInvitation[],
  opts: { bypassExistingUsers: boolean },
): Promise<InvitationJson[]> {
  const emails = [...new Set(prepared.map((p) => p.row.email))];
  await expireStaleInvitations(trx, emails);
  // A duplicate is bypassed only by the item's own ignore_existing.
  const strict = prepared.filter((p) => !p.row.allowDuplicate).map((p) => p.row.email);
  if (strict.length > 0) {
    const counts = new Map<string, number>();
    for (const p of prepared) counts.set(p.row.email, (counts.get(p.row.email) ?? 0) + 1);
    const repeated = strict.filter((e) => counts.get(e)! > 1);
    const pending = await findPendingEmails(trx, strict);
    const dupes = [...new Set([...pending, ...repeated])].sort();
    if (dupes.length > 0) throw duplicateRecord(dupes);
  }
  if (!opts.bypassExistingUsers) {
    const claimed = await findClaimedEmails(trx, emails);
    if (claimed.length > 0) {
      throw new ApiError('form_identifier_exists', { vars: { param: 'email address' }, meta: { param_name: 'email_address', email_addresses: claimed.sort() } });
    }
  }
  const rows = await insertInvitations(trx, prepared.map((p) => p.row));
  const box = createSecretBox(deps.instance.secretKey, 'outbox');
  const messageDomain = new URL(deps.config.publicUrl).hostname;
  const emailsToSend: EmailMessagePayload[] = [];
  const out = rows.map((row, i) => {
    const url = ticketUrl(deps.config.publicUrl, prepared[i]!.ticket);
    if (row.notify) {
      emailsToSend.push({
        template: 'invitation',
        to: row.email,
        vars: { app_name: deps.config.appName, expires_at: row.expires_at.getTime(), invitation_id: row.id },
        sealed: { url: box.seal(url) },
      });
    }
    return invitationRowToJson(row, url);
  });
  await enqueueEmails(trx, emailsToSend, messageDomain);
  await trx
    .insertInto('audit_log')
    .values(rows.map((r) => ({ actor: 'backend_api', action: 'invitation.created', target: r.id, data: null })))
    .execute();
  return out;
}

function duplicateRecord(emails: string[]): ApiError {
  return new ApiError('duplicate_record', { vars: { emails: emails.join(', ') }, meta: { email_addresses: emails } });
}

async function inTransaction<T>(deps: Deps, emails: string[], fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  try {
    return await deps.db.transaction().execute(fn);
  } catch (err) {
    if (isUniqueViolation(err, 'invitations_pending_email_key')) throw duplicateRecord(emails);
    throw err;
  }
}

export async function createInvitation(deps: Deps, input: CreateInvitationInput): Promise<InvitationJson> {
  const prepared = prepare(deps, input);
  const [created] = await inTransaction(deps, [prepared.row.email], (trx) =>
    insertPrepared(deps, trx, [prepared], { bypassExistingUsers: prepared.row.allowDuplicate }),
  );
  if (prepared.row.notify) deps.notifyOutbox();
  return created!;
}

/** All or nothing: one transaction for every item; any failing item fails the whole request. */
export async function createInvitationBulk(deps: Deps, inputs: CreateInvitationInput[]): Promise<InvitationJson[]> {
  if (inputs.length > BULK_MAX) throw new ApiError('bulk_size_exceeded', { vars: { max: BULK_MAX } });
  const prepared = inputs.map((i) => prepare(deps, i));
  const emails = [...new Set(prepared.map((p) => p.row.email))].sort();
  const created = await inTransaction(deps, emails, (trx) => insertPrepared(deps, trx, prepared, { bypassExistingUsers: false }));
  if (prepared.some((p) => p.row.notify)) deps.notifyOutbox();
  return created;
}

const ORDER_COLUMNS = { created_at: 'created_at', email_address: 'email', expires_at: 'expires_at' } as const;

export async function listInvitationsPage(deps: Deps, q: ListInvitationsQueryT): Promise<{ data: InvitationJson[]; total_count: number }> {
  const orderBy = q.order_by ?? '-created_at';
  const direction = orderBy.startsWith('-') ? 'desc' : 'asc';
  const field = orderBy.replace(/^[+-]/, '') as keyof typeof ORDER_COLUMNS;
  const filter = { ...(q.status ? { statuses: q.status } : {}), ...(q.query ? { query: q.query } : {}) };
  const page = { limit: q.limit ?? 10, offset: q.offset ?? 0, orderBy: ORDER_COLUMNS[field], direction } as const;
  const [rows, total] = await Promise.all([
    listInvitations(deps.db, filter, page),
    q.paginated ? countInvitations(deps.db, filter) : Promise.resolve(-1),
  ]);
  return { data: rows.map((r) => invitationRowToJson(r)), total_count: total };
}

/**
 * Revoking stops the link from working; the person can still sign up on their own.
 * Pending (or expired) → revoked; revoked → 400 invitation_already_revoked;
 * accepted → 400 invitation_already_accepted; unknown id → 404 resource_not_found.
 */
export async function revokeInvitation(deps: Deps, id: string): Promise<InvitationJson> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await findInvitationForUpdate(trx, id);
    if (!row) throw notFound('invitation', id);
    if (row.status === 'revoked') throw new ApiError('invitation_already_revoked');
    if (row.status === 'accepted') throw new ApiError('invitation_already_accepted');
    const updated = await setInvitationStatus(trx, id, 'revoked');
    await trx.insertInto('audit_log').values({ actor: 'backend_api', action: 'invitation.revoked', target: id, data: null }).execute();
    return invitationRowToJson(updated);
  });
}

/**
 * Permanent deletion (data erasure for someone who was invited but never signed up): the row and
 * every stored copy of its email go. Any status may be deleted; unknown id → 404 resource_not_found.
 */
export async function deleteInvitation(deps: Deps, id: string): Promise<{ object: 'invitation'; id: string; deleted: true }> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await deleteInvitationAndEmails(trx, id))) throw notFound('invitation', id);
    await trx.insertInto('audit_log').values({ actor: 'backend_api', action: 'invitation.deleted', target: id, data: null }).execute();
    return { object: 'invitation' as const, id, deleted: true as const };
  });
}
