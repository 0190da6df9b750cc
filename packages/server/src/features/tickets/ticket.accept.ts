// Consuming an invitation: the rules every acceptance path shares (sign-up with a ticket, sign-in
// with a ticket, a signed-in user accepting from their list, and the link of a signed-in browser).
//
// - Only the stored row counts: a ticket is looked up by its purpose-bound hash, and its claims
//   are never trusted (security.md, Tickets).
// - A ticket that cannot be used gets one code per case and nothing else: ticket_invalid_code
//   (unknown, forged, or minted for another purpose), ticket_expired_code, revoked_invitation /
//   organization_invitation_revoked_code, invitation_already_accepted /
//   organization_invitation_already_accepted. Every case costs the same indexed lookups (on a
//   ticket sign-in in a new browser: the one-statement attempt, then the lookup).
// - Acceptance is one conditional UPDATE in the caller's transaction, together with the user,
//   membership and session rows: exactly one of two concurrent acceptances wins, and the loser is
//   told why (it re-reads the row after the winner committed).
// - An organization invitation becomes a membership with the invited role, carrying the
//   invitation's public and private metadata; the seat limit is checked again at accept time.
// - An accept is few round trips (it is the hot path of an invitation's life): the claim, the
//   membership, one insert for the audit rows.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { ApiError, type ErrorCode } from '../../http/errors.ts';
import { hashTicket, ticketPurposeOf } from '../../lib/tickets.ts';
import { lockOrganization } from '../organizations/organization.repository.ts';
import { findMembership, insertMembership, insertMembershipIfAbsent, isMissingMemberOrganization } from '../memberships/membership.repository.ts';
import { ensureSeatsAvailable } from '../memberships/membership.service.ts';
import {
  claimInvitation,
  findInvitationRow,
  findInvitationTicket,
  findOrganizationInvitationRow,
  findOrganizationInvitationTicket,
  recordTicketAudit,
  recordTicketAudits,
  setAcceptedUser,
  type TicketAudit,
  type TicketRow,
} from './ticket.repository.ts';

export type { TicketRow } from './ticket.repository.ts';

const MAX_TICKET_LENGTH = 200;

const CODES: Record<TicketRow['kind'], Record<'revoked' | 'accepted', ErrorCode>> = {
  invitation: { revoked: 'revoked_invitation', accepted: 'invitation_already_accepted' },
  organization_invitation: { revoked: 'organization_invitation_revoked_code', accepted: 'organization_invitation_already_accepted' },
};

/** The error for a ticket row that is not pending (or for no row at all). */
export function ticketUnusable(row: TicketRow | undefined): ApiError {
  if (!row) return new ApiError('ticket_invalid_code');
  switch (row.status) {
    case 'expired':
      return new ApiError('ticket_expired_code');
    case 'revoked':
      return new ApiError(CODES[row.kind].revoked);
    case 'accepted':
      return new ApiError(CODES[row.kind].accepted);
    default:
      return new ApiError('ticket_invalid_code');
  }
}

/** The pending invitation a ticket belongs to; any other case throws its code (see the top). */
export async function inspectTicket(deps: Deps, ticket: string | undefined, opts: { withAccount?: boolean } = {}): Promise<TicketRow> {
  const { purpose, hash } = ticketLookup(ticket);
  const withAccount = opts.withAccount ?? false;
  const row =
    purpose === 'organization_invitation'
      ? await findOrganizationInvitationTicket(deps.db, hash, withAccount)
      : await findInvitationTicket(deps.db, hash, withAccount);
  if (!row || row.status !== 'pending') throw ticketUnusable(row);
  return row;
}

/**
 * What a ticket is looked up by: the table its purpose names (an application invitation's when
 * it names none) and its purpose-bound hash. A malformed or foreign ticket gets a hash that
 * matches nothing, so it still costs one lookup, like a well-formed unknown one.
 */
export function ticketLookup(ticket: string | undefined): { purpose: 'invitation' | 'organization_invitation'; hash: Buffer } {
  const token = typeof ticket === 'string' && ticket.length <= MAX_TICKET_LENGTH ? ticket : '';
  const purpose = ticketPurposeOf(token);
  return purpose === 'organization_invitation'
    ? { purpose, hash: hashTicket('organization_invitation', token) }
    : { purpose: 'invitation', hash: hashTicket('invitation', purpose === 'invitation' ? token : `\u0000${token}`) };
}

/**
 * Claims the invitation inside the caller's transaction (pending → accepted). When another
 * request won meanwhile, or the invitation lapsed or was revoked, throws the matching code.
 */
export async function claimTicket(trx: Transaction<Database>, row: TicketRow, userId: string | null, to: 'accepted' | 'revoked' = 'accepted'): Promise<void> {
  if (await claimInvitation(trx, row.kind, row.id, userId, to)) return;
  throw await whyNotClaimed(trx, row);
}

/** After a claim that updated nothing: the code for what the invitation is now (read again). */
export async function whyNotClaimed(db: Deps['db'] | Transaction<Database>, row: TicketRow): Promise<ApiError> {
  return ticketUnusable(row.kind === 'invitation' ? await findInvitationRow(db, row.id) : await findOrganizationInvitationRow(db, row.id));
}

export { setAcceptedUser };

/**
 * After a claim, makes the user a member of the invited organization with the invited role and the
 * invitation's metadata. A user who already is a member keeps their membership (the invitation is
 * still accepted). Returns the audit rows to record (organization_membership.created when a
 * membership was made), for the caller to write with its own in one statement.
 *
 * Locking: with a seat limit, the organization row is locked FOR UPDATE and the seats counted, so
 * concurrent accepts and invites take turns. Without one (max_allowed_memberships = 0) it takes no
 * lock on the organization, and needs none: adding a member breaks no rule (not the last-admin
 * rule), and an accept does not change the seats taken (members plus pending invitations: the
 * pending invitation it claims held the seat the membership now holds), so a limit set meanwhile,
 * and the invites counted under it, see the same number with or without this accept. Which case
 * applies is read with the ticket (seat_limit). An organization deleted meanwhile fails the
 * membership's foreign key: ticket_invalid_code.
 */
export async function joinInvitedOrganization(trx: Transaction<Database>, row: TicketRow, userId: string): Promise<TicketAudit[]> {
  if (row.kind !== 'organization_invitation' || row.organization_id === null || row.role_id === null) return [];
  const membership = { organizationId: row.organization_id, userId, roleId: row.role_id, publicMetadata: row.public_metadata, privateMetadata: row.private_metadata };
  const created: TicketAudit[] = [{ actor: userId, action: 'organization_membership.created', target: row.organization_id, data: { user_id: userId, invitation_id: row.id } }];
  if (row.seat_limit === 0) {
    try {
      return (await insertMembershipIfAbsent(trx, membership)) ? created : [];
    } catch (err) {
      if (isMissingMemberOrganization(err)) throw new ApiError('ticket_invalid_code');
      throw err;
    }
  }
  const org = await lockOrganization(trx, row.organization_id);
  if (!org) throw new ApiError('ticket_invalid_code');
  if (await findMembership(trx, org.id, userId)) return [];
  await ensureSeatsAvailable(trx, org, 1);
  await insertMembership(trx, membership);
  return created;
}

/**
 * An existing user accepts the ticket's invitation in the caller's transaction: the claim, the
 * membership (organization invitations) and the audit rows (`action` last), written together.
 */
export async function acceptTicketForUser(trx: Transaction<Database>, row: TicketRow, userId: string, action: string): Promise<void> {
  await claimTicket(trx, row, userId);
  const audit = await joinInvitedOrganization(trx, row, userId);
  await recordTicketAudits(trx, [...audit, { actor: userId, action, target: row.id }]);
}

/** Whether the user owns this address and has verified it. */
export async function ownsVerifiedEmail(db: Deps['db'] | Transaction<Database>, userId: string, email: string): Promise<boolean> {
  const r = await db
    .selectFrom('email_addresses')
    .select('id')
    .where('user_id', '=', userId)
    .where('email', '=', email)
    .where('verification_status', '=', 'verified')
    .executeTakeFirst();
  return r !== undefined;
}

/** The invitation, if it is addressed to one of the user's verified addresses; else 404 as for an unknown id. */
async function invitationOfUser(t: Transaction<Database>, userId: string, invitationId: string): Promise<TicketRow> {
  const row = await findOrganizationInvitationRow(t, invitationId);
  if (!row || !(await ownsVerifiedEmail(t, userId, row.email))) {
    throw new ApiError('resource_not_found', { vars: { resource: 'organization invitation', id: invitationId } });
  }
  if (row.status !== 'pending') throw ticketUnusable(row);
  return row;
}

/**
 * The invitee declines an invitation addressed to one of their verified addresses: it ends as
 * revoked (audit action organization_invitation.declined), like a revoke by the organization.
 */
export async function declineOrganizationInvitationAsUser(deps: Deps, userId: string, invitationId: string): Promise<TicketRow> {
  return deps.db.transaction().execute(async (t) => {
    const row = await invitationOfUser(t, userId, invitationId);
    await claimTicket(t, row, userId, 'revoked');
    await recordTicketAudit(t, userId, 'organization_invitation.declined', row.id);
    return { ...row, status: 'revoked' };
  });
}

/**
 * A signed-in user accepts an organization invitation addressed to one of their verified email
 * addresses. An invitation to anyone else is 404 resource_not_found, exactly like an unknown id.
 */
export async function acceptOrganizationInvitationAsUser(deps: Deps, userId: string, invitationId: string, trx?: Transaction<Database>): Promise<TicketRow> {
  const run = async (t: Transaction<Database>): Promise<TicketRow> => {
    const row = await invitationOfUser(t, userId, invitationId);
    await acceptTicketForUser(t, row, userId, 'organization_invitation.accepted');
    return { ...row, status: 'accepted' };
  };
  return trx ? run(trx) : deps.db.transaction().execute(run);
}
