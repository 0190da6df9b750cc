// The invitation link. GET never consumes a ticket (mail scanners follow links); it only decides
// where the browser goes next. Every ticket that is not usable (forged, unknown, revoked, accepted,
// expired, or minted for another purpose) is treated alike: the person is sent to plain sign-up,
// without a ticket, and their email will not be verified by it. Nothing in the response tells
// those cases apart, nor an application invitation from an organization invitation.
//
// A usable ticket goes to the invitation's redirect_url if it has one; otherwise an application
// invitation goes to /sign-up, and an organization invitation to /sign-in when a user owns the
// invited address and to /sign-up when not (clerk-wire.md §6.3). Either way the URL carries
// __clerk_ticket and __clerk_status (sign_in | sign_up).
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../http/errors.ts';
import { findLiveSessionsOfClient, setActiveOrganization } from '../clients/client.repository.ts';
import { resolveClient } from '../clients/client.service.ts';
import { acceptOrganizationInvitationAsUser, ownsVerifiedEmail } from './ticket.accept.ts';
import { hashTicket, ticketPurposeOf } from '../../lib/tickets.ts';
import { findInvitationByTicketHash, type InvitationView } from '../invitations/invitation.repository.ts';
import { findOrganizationInvitationByTicketHash } from '../organization-invitations/organization-invitation.repository.ts';
import { findClaimedEmails } from '../users/user.repository.ts';

export type TicketStatus = 'sign_up' | 'sign_in' | 'complete';

/** What a usable ticket invites to; only the stored row counts, never claims in the token. */
export interface UsableTicket {
  kind: 'invitation' | 'organization_invitation';
  /** The invitation's id. */
  id: string | null;
  email: string;
  redirectUrl: string | null;
  /** The organization's name, for an organization invitation. */
  organizationName: string | null;
}

const MAX_TICKET_LENGTH = 200;

/** Finds the pending, unexpired application invitation a ticket belongs to, or null. */
export async function findUsableInvitation(deps: Deps, ticket: string | undefined): Promise<InvitationView | null> {
  if (!ticket || ticket.length > MAX_TICKET_LENGTH) return null;
  if (ticketPurposeOf(ticket) !== 'invitation') return null;
  const row = await findInvitationByTicketHash(deps.db, hashTicket('invitation', ticket));
  return row && row.status === 'pending' ? row : null;
}

/**
 * The pending, unexpired invitation (application or organization) a ticket belongs to, or null.
 * The token's tag only picks the table; the hash is purpose-bound, so a ticket re-tagged for the
 * other kind hashes to nothing.
 */
export async function findUsableTicket(deps: Deps, ticket: string | undefined): Promise<UsableTicket | null> {
  if (!ticket || ticket.length > MAX_TICKET_LENGTH) return null;
  switch (ticketPurposeOf(ticket)) {
    case 'invitation': {
      const row = await findUsableInvitation(deps, ticket);
      return row ? { kind: 'invitation', id: row.id, email: row.email, redirectUrl: row.redirect_url, organizationName: null } : null;
    }
    case 'organization_invitation': {
      const row = await findOrganizationInvitationByTicketHash(deps.db, hashTicket('organization_invitation', ticket));
      if (!row || row.status !== 'pending') return null;
      return { kind: 'organization_invitation', id: row.id, email: row.email, redirectUrl: row.redirect_url, organizationName: row.organization_name };
    }
    default:
      return null;
  }
}

/** sign_in when a user owns the invited address, else sign_up. */
export async function ticketStatusOf(deps: Deps, email: string): Promise<'sign_up' | 'sign_in'> {
  return (await findClaimedEmails(deps.db, [email])).length > 0 ? 'sign_in' : 'sign_up';
}

/**
 * `complete`: the browser already has a session whose user owns the invited address (verified), and
 * the invitation is an organization invitation: it is accepted right here, and the browser goes on
 * to redirect_url, or `/` (seed 003). Only that user's own session can do this, so a mail scanner
 * following the link (no session) still consumes nothing. If accepting fails (say, no seat left),
 * the link behaves as for any signed-out browser.
 */
async function acceptForSignedInUser(deps: Deps, req: FastifyRequest, usable: UsableTicket): Promise<boolean> {
  if (usable.kind !== 'organization_invitation' || usable.id === null) return false;
  const client = await resolveClient(deps, req);
  if (!client) return false;
  const [session] = await findLiveSessionsOfClient(deps.db, client.id);
  if (!session || !(await ownsVerifiedEmail(deps.db, session.user_id, usable.email))) return false;
  try {
    await deps.db.transaction().execute(async (trx) => {
      const row = await acceptOrganizationInvitationAsUser(deps, session.user_id, usable.id!, trx);
      await setActiveOrganization(trx, session.id, row.organization_id);
    });
    return true;
  } catch (err) {
    if (err instanceof ApiError) return false;
    throw err;
  }
}

export async function resolveTicketRedirect(deps: Deps, ticket: string | undefined, req?: FastifyRequest): Promise<string> {
  const signUp = new URL('/sign-up', deps.config.publicUrl);
  const usable = await findUsableTicket(deps, ticket);
  if (!usable) return signUp.href;
  if (req && (await acceptForSignedInUser(deps, req, usable))) {
    const target = new URL(usable.redirectUrl ?? new URL('/', deps.config.publicUrl).href);
    target.searchParams.set('__clerk_ticket', ticket!);
    target.searchParams.set('__clerk_status', 'complete');
    return target.href;
  }
  const status = await ticketStatusOf(deps, usable.email);
  const page = usable.kind === 'organization_invitation' && status === 'sign_in' ? new URL('/sign-in', deps.config.publicUrl) : signUp;
  const target = new URL(usable.redirectUrl ?? page.href);
  target.searchParams.set('__clerk_ticket', ticket!);
  target.searchParams.set('__clerk_status', status);
  return target.href;
}
