// Application invitations: create (single and bulk), list, revoke.
//
// Rules:
// - email addresses are canonicalised (lib/email.ts) before anything else; a bad one is 422
//   form_param_format_invalid.
// - a pending invitation for the address → 400 duplicate_record (meta.email_addresses); an address
//   that belongs to a user → 422 form_identifier_exists; `ignore_existing` bypasses both for a single
//   create, but bulk never creates an invitation for an existing user (the contract says so).
// - a create is one statement: check, insert invitations, outbox rows (when notify) and audit rows,
//   or write nothing (insertInvitationsIfFree). Bulk is the same statement for all items: all or
//   nothing. A pending invitation past its expiry is marked expired first (in a transaction).
// - two concurrent creates for one address without ignore_existing cannot both commit: the partial
//   unique index invitations_pending_email_key refuses the second, reported as duplicate_record.
import type { Deps } from '../../deps.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { coalesceWrites, type Coalescer } from '../../lib/coalesce.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import { isAllowedRedirect } from '../../lib/redirect.ts';
import { outboxSecretBox } from '../../lib/secret-box.ts';
import { mintTicket } from '../../lib/tickets.ts';
import { newMessageId, type EmailMessagePayload } from '../../mail/outbox.repository.ts';
import { deliversToMailbox } from '../../mail/transport.ts';
import {
  countInvitations,
  deleteInvitationAndEmails,
  expireStaleInvitations,
  findInvitationForUpdate,
  insertInvitationsIfFree,
  listInvitations,
  setInvitationStatus,
  type InsertBlock,
  type InsertItemVerdict,
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

const messageDomains = new WeakMap<Deps['config'], string>();
/** The host name of the public URL, for Message-IDs (parsed once per configuration, not per request). */
export function messageDomain(deps: Deps): string {
  let domain = messageDomains.get(deps.config);
  if (domain === undefined) {
    domain = new URL(deps.config.publicUrl).hostname;
    messageDomains.set(deps.config, domain);
  }
  return domain;
}

export function redirectPolicy(deps: Deps) {
  return {
    allowedOrigins: [new URL(deps.config.publicUrl).origin, ...deps.config.allowedRedirectOrigins],
    allowLocalhost: deps.instance.isDevelopment,
  };
}


type InsertItem = Parameters<typeof insertInvitationsIfFree>[1][number];

/** The row the create statement takes for a prepared invitation, with its email when notify. */
function insertItem(deps: Deps, p: PreparedInvitation, checkUsers: boolean): InsertItem {
  return {
    row: p.row,
    checkUsers,
    email: p.row.notify
      ? {
          messageId: newMessageId(messageDomain(deps)),
          payload: {
            template: 'invitation',
            to: p.row.email,
            vars: { app_name: deps.config.appName, expires_at: null, invitation_id: p.row.id, template_slug: p.row.templateSlug },
            sealed: { url: outboxSecretBox(deps.instance.secretKey).seal(ticketUrl(deps.config.publicUrl, p.ticket)) },
          } satisfies EmailMessagePayload,
          mailbox: deliversToMailbox(deps.config),
        }
      : null,
  };
}

const created = (p: PreparedInvitation, row: InvitationView, deps: Deps) => invitationRowToJson(row, ticketUrl(deps.config.publicUrl, p.ticket));

function duplicateRecord(emails: string[]): ApiError {
  return new ApiError('duplicate_record', { vars: { emails: emails.join(', ') }, meta: { email_addresses: emails } });
}

function identifierExists(emails: string[]): ApiError {
  return new ApiError('form_identifier_exists', { vars: { param: 'email address' }, meta: { param_name: 'email_address', email_addresses: emails } });
}

const blockedAddresses = (items: InsertItem[], verdicts: InsertItemVerdict[], block: InsertBlock) =>
  [...new Set(items.filter((_, i) => verdicts[i]?.blocked === block).map((it) => it.row.email))].sort();

/**
 * Writes the items all or nothing: one statement in the common case; only when nothing but
 * pending invitations past their expiry stand in the way does it take a transaction that first
 * marks those rows expired. Throws the error of the first rule that blocks: a live pending
 * invitation (duplicate_record), then a user owning an address (form_identifier_exists).
 */
async function insertAllOrNothing(deps: Deps, items: InsertItem[]): Promise<InvitationView[]> {
  const emails = [...new Set(items.map((it) => it.row.email))].sort();
  let verdicts: InsertItemVerdict[];
  try {
    verdicts = await insertInvitationsIfFree(deps.db, items, { allOrNothing: true });
    const stale = blockedAddresses(items, verdicts, 'stale');
    if (stale.length > 0 && verdicts.every((v) => v.blocked === null || v.blocked === 'stale')) {
      verdicts = await deps.db.transaction().execute(async (trx) => {
        await expireStaleInvitations(trx, stale);
        return insertInvitationsIfFree(trx, items, { allOrNothing: true });
      });
    }
  } catch (err) {
    if (isUniqueViolation(err, 'invitations_pending_email_key')) throw duplicateRecord(emails);
    throw err;
  }
  const duplicates = blockedAddresses(items, verdicts, 'duplicate');
  if (duplicates.length > 0) throw duplicateRecord(duplicates);
  const claimed = blockedAddresses(items, verdicts, 'claimed');
  if (claimed.length > 0) throw identifierExists(claimed);
  return verdicts.map((v) => v.created!);
}

/**
 * Single creates, coalesced (lib/coalesce.ts): the creates that arrive while earlier ones are being
 * written go in one statement, each with its own verdict. Two creates for one address never share a
 * statement, so they are decided in arrival order as if one after the other. An item that only a
 * stale pending invitation blocks, and every item of a statement that failed (another process won
 * a race on the unique index), is written again on its own, all or nothing, so that each request
 * gets exactly the answer it would have got alone.
 */
function singleCreates(deps: Deps): Coalescer<InsertItem, InvitationView> {
  let coalescer = coalescers.get(deps.db);
  if (coalescer === undefined) {
    const alone = (item: InsertItem) => insertAllOrNothing(deps, [item]).then(([row]) => row!);
    coalescer = coalesceWrites<InsertItem, InvitationView, InsertItemVerdict>({
      what: 'invitation create',
      alone,
      together: (batch) => insertInvitationsIfFree(deps.db, batch, { allOrNothing: false }),
      answer: (item, v) => {
        if (v.created !== null) return Promise.resolve(v.created);
        if (v.blocked === 'duplicate') return Promise.reject(duplicateRecord([item.row.email]));
        if (v.blocked === 'claimed') return Promise.reject(identifierExists([item.row.email]));
        return alone(item);
      },
      isRace: (err) => isUniqueViolation(err, 'invitations_pending_email_key'),
      log: deps.log,
      maxInFlight: deps.config.writeCoalescing,
      maxBatch: BULK_MAX * 5,
      key: (item) => item.row.email,
    });
    coalescers.set(deps.db, coalescer);
  }
  return coalescer;
}
const coalescers = new WeakMap<Deps['db'], Coalescer<InsertItem, InvitationView>>();

export async function createInvitation(deps: Deps, input: CreateInvitationInput): Promise<InvitationJson> {
  const prepared = prepare(deps, input);
  const row = await singleCreates(deps).submit(insertItem(deps, prepared, !prepared.row.allowDuplicate));
  if (prepared.row.notify) deps.notifyOutbox();
  return created(prepared, row, deps);
}

/** All or nothing: one statement for every item; any failing item fails the whole request. Bulk never invites an existing user. */
export async function createInvitationBulk(deps: Deps, inputs: CreateInvitationInput[]): Promise<InvitationJson[]> {
  if (inputs.length > BULK_MAX) throw new ApiError('bulk_size_exceeded', { vars: { max: BULK_MAX } });
  const prepared = inputs.map((i) => prepare(deps, i));
  // The same address twice in one request, where either item refuses duplicates.
  const counts = new Map<string, number>();
  for (const p of prepared) counts.set(p.row.email, (counts.get(p.row.email) ?? 0) + 1);
  const repeated = [...new Set(prepared.filter((p) => !p.row.allowDuplicate && counts.get(p.row.email)! > 1).map((p) => p.row.email))].sort();
  if (repeated.length > 0) throw duplicateRecord(repeated);
  const rows = await insertAllOrNothing(deps, prepared.map((p) => insertItem(deps, p, true)));
  if (prepared.some((p) => p.row.notify)) deps.notifyOutbox();
  return rows.map((row, i) => created(prepared[i]!, row, deps));
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
