// What the hosted pages are told about their request (the page data in the shell, see
// page.shell.ts): the invitation a ticket in the URL names (only a usable one is described: every
// other ticket is `{ usable: false }`, all alike), where to go once signed in, and for
// __clerk_status=complete the organization joined (to a signed-in member of it only).
//
// - The target after sign-in / sign-up is the `redirect_url` query parameter only when it resolves
//   to the page's own origin (the public URL's); anything else, however spelled (other host,
//   `//host`, backslashes, userinfo, another scheme), becomes "/". No open redirect.
// - `__clerk_status=complete` (the invitation was already accepted for this browser) names the
//   organization only to a signed-in member of it: a ticket in a URL reveals nothing to anyone else.
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../http/errors.ts';
import { hashTicket, ticketPurposeOf } from '../../lib/tickets.ts';
import { requireSession } from '../clients/client.service.ts';
import { findMembership } from '../memberships/membership.repository.ts';
import { findOrganizationInvitationByTicketHash } from '../organization-invitations/organization-invitation.repository.ts';
import { findUsableTicket, ticketStatusOf, type TicketStatus, type UsableTicket } from '../tickets/ticket.service.ts';

export interface PageQuery {
  __clerk_ticket?: string;
  __clerk_status?: string;
  redirect_url?: string;
}

export interface TicketView {
  /** The ticket as it came (only when usable), for links that keep it. */
  ticket: string;
  invitation: UsableTicket;
  /** sign_in when an account owns the invited address. */
  status: TicketStatus;
}

export interface AuthPageState {
  /** A usable ticket, or null (none, or one that cannot be used: all alike). */
  ticket: TicketView | null;
  /** A ticket was in the URL but cannot be used. */
  staleTicket: boolean;
  /** __clerk_status=complete: the invitation was accepted; the organization when the viewer is its member. */
  completed: { organizationName: string | null } | null;
  /** Absolute URL to go to when done (same origin as the public URL). */
  next: string;
  /** The redirect_url to carry on links between the pages (already vetted), or null. */
  carriedRedirect: string | null;
}

/** `raw` resolved against the public URL when it stays on the public URL's origin; else the public URL's "/". */
export function sameOriginTarget(raw: string | undefined, publicUrl: string): string {
  const home = new URL('/', publicUrl).href;
  if (raw === undefined || raw === '' || raw.length > 2048) return home;
  if (/[\\\u0000-\u0020\u007f]/.test(raw)) return home;
  let u: URL;
  try {
    u = new URL(raw, publicUrl);
  } catch {
    return home;
  }
  if (u.origin !== new URL(publicUrl).origin || u.username !== '' || u.password !== '') return home;
  return u.href;
}

export async function authPageState(deps: Deps, req: FastifyRequest, q: PageQuery): Promise<AuthPageState> {
  const next = sameOriginTarget(q.redirect_url, deps.config.publicUrl);
  const carriedRedirect = q.redirect_url !== undefined && next !== new URL('/', deps.config.publicUrl).href ? next : null;
  const invitation = await findUsableTicket(deps, q.__clerk_ticket);
  // "complete" is only believed for a ticket that can no longer be used (a pending one still can).
  if (q.__clerk_status === 'complete' && !invitation) {
    return { ticket: null, staleTicket: false, completed: { organizationName: await joinedOrganizationName(deps, req, q.__clerk_ticket) }, next, carriedRedirect };
  }
  const ticket = invitation ? { ticket: q.__clerk_ticket!, invitation, status: await ticketStatusOf(deps, invitation.email) } : null;
  return { ticket, staleTicket: !ticket && q.__clerk_ticket !== undefined && q.__clerk_ticket !== '', completed: null, next, carriedRedirect };
}

/** The signed-in user of this browser, or null. */
async function signedInUserId(deps: Deps, req: FastifyRequest): Promise<string | null> {
  try {
    return (await requireSession(deps, req)).session.user_id;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'signed_out') return null;
    throw err;
  }
}

/** The organization an accepted invitation joined, when this browser's user is a member of it. */
async function joinedOrganizationName(deps: Deps, req: FastifyRequest, ticket: string | undefined): Promise<string | null> {
  if (!ticket || ticket.length > 200 || ticketPurposeOf(ticket) !== 'organization_invitation') return null;
  const userId = await signedInUserId(deps, req);
  if (userId === null) return null;
  const row = await findOrganizationInvitationByTicketHash(deps.db, hashTicket('organization_invitation', ticket));
  if (!row || !(await findMembership(deps.db, row.organization_id, userId))) return null;
  return row.organization_name;
}

export type PageName = 'sign-in' | 'sign-up' | 'accept-invitation' | 'home' | 'organization';

/** The page data of the shell (read by packages/web/src/page-data.ts). The wire is this shape. */
export interface PageData {
  appName: string;
  page: PageName;
  next: string;
  carriedRedirect: string | null;
  invitation: { usable: true; emailAddress: string; organizationName: string | null; status: 'sign_in' | 'sign_up' } | { usable: false } | null;
  completedOrganizationName: string | null;
}

export async function pageData(deps: Deps, req: FastifyRequest, page: PageName, q: PageQuery): Promise<PageData> {
  const state = await authPageState(deps, req, q);
  const t = state.ticket;
  return {
    appName: deps.config.appName,
    page,
    next: state.next,
    carriedRedirect: state.carriedRedirect,
    invitation: t
      ? { usable: true, emailAddress: t.invitation.email, organizationName: t.invitation.organizationName, status: t.status === 'sign_in' ? 'sign_in' : 'sign_up' }
      : state.staleTicket
        ? { usable: false }
        : null,
    completedOrganizationName: state.completed?.organizationName ?? null,
  };
}
