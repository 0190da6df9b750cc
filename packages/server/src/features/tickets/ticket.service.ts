// The invitation link. GET never consumes a ticket (mail scanners follow links); it only decides
// where the browser goes next. Every ticket that is not usable (forged, unknown, revoked, accepted,
// expired) is treated alike: the person is sent to plain sign-up, without a ticket, and their email
// will not be verified by it. Nothing in the response tells those cases apart.
import type { Deps } from '../../deps.ts';
import { hashTicket, ticketPurposeOf } from '../../lib/tickets.ts';
import { findInvitationByTicketHash, type InvitationView } from '../invitations/invitation.repository.ts';
import { findClaimedEmails } from '../users/user.repository.ts';

export type TicketStatus = 'sign_up' | 'sign_in';

/** Finds the pending, unexpired invitation a ticket belongs to, or null. Claims in the token are not trusted: only the stored row counts. */
export async function findUsableInvitation(deps: Deps, ticket: string | undefined): Promise<InvitationView | null> {
  if (!ticket || ticket.length > 200) return null;
  if (ticketPurposeOf(ticket) !== 'invitation') return null;
  const row = await findInvitationByTicketHash(deps.db, hashTicket('invitation', ticket));
  return row && row.status === 'pending' ? row : null;
}

export async function resolveTicketRedirect(deps: Deps, ticket: string | undefined): Promise<string> {
  const signUp = new URL('/sign-up', deps.config.publicUrl);
  const invitation = await findUsableInvitation(deps, ticket);
  if (!invitation) return signUp.href;
  const status: TicketStatus = (await findClaimedEmails(deps.db, [invitation.email])).length > 0 ? 'sign_in' : 'sign_up';
  const target = new URL(invitation.redirect_url ?? signUp.href);
  target.searchParams.set('__clerk_ticket', ticket!);
  target.searchParams.set('__clerk_status', status);
  return target.href;
}
