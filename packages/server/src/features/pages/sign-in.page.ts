// The server-rendered sign-in page (a thin stand-in for the hosted React pages to come).
// - A usable invitation ticket for an address that has an account (where an organization
//   invitation link leads): one button signs in with the ticket and accepts the invitation.
// - A usable ticket for an address without an account: sent to sign up instead, keeping the ticket.
// - No ticket, or one that cannot be used (all alike): email and password.
// - __clerk_status=complete: the invitation was already accepted; go on.
import { escapeHtml } from '../../lib/html.ts';
import { completedMain, field, invitationBanner, NOSCRIPT, pageHref, renderDocument, scriptedForm } from './auth-page.layout.ts';
import type { AuthPageState } from './page.service.ts';

function ticketMain(appName: string, state: AuthPageState & { ticket: NonNullable<AuthPageState['ticket']> }): string {
  const { ticket, invitation, status } = state.ticket;
  const banner = invitationBanner({ appName, email: invitation.email, organizationName: invitation.organizationName });
  if (status === 'sign_up') {
    return `  <h1>Sign in to ${escapeHtml(appName)}</h1>
  ${banner}
  <p class="note">There is no account for this address yet: create one to accept the invitation.</p>
  <a class="button" data-testid="sign-up-instead" href="${pageHref('/sign-up', { __clerk_ticket: ticket, __clerk_status: 'sign_up', redirect_url: state.carriedRedirect })}">Sign up to accept</a>`;
  }
  return `  <h1>Sign in to ${escapeHtml(appName)}</h1>
  ${banner}
  <p class="note">Sign in to accept the invitation.</p>
${scriptedForm({ flow: 'ticket-sign-in', next: state.next, fields: '', submit: 'Accept invitation and sign in' })}
${NOSCRIPT}`;
}

function plainMain(appName: string, state: AuthPageState): string {
  const app = escapeHtml(appName);
  const stale = state.staleTicket
    ? `  <p class="note" data-testid="stale-ticket">This invitation link can no longer be used. Ask for a new invitation, or sign in below.</p>\n`
    : '';
  return `  <h1>Sign in to ${app}</h1>
${stale}  <p>Sign in to your ${app} account.</p>
${scriptedForm({
    flow: 'sign-in',
    next: state.next,
    fields: [
      field({ id: 'email', name: 'identifier', label: 'Email address', type: 'email', autocomplete: 'username', required: true, maxlength: 320 }),
      field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 1024 }),
    ].join('\n'),
    submit: 'Continue',
  })}
${NOSCRIPT}
  <p class="switch">No account? <a href="${pageHref('/sign-up', { redirect_url: state.carriedRedirect })}">Sign up</a></p>`;
}

export function renderSignInPage(opts: { appName: string; state: AuthPageState }): string {
  const { appName, state } = opts;
  const main = state.completed
    ? completedMain({ appName, organizationName: state.completed.organizationName, next: state.next })
    : state.ticket
      ? ticketMain(appName, { ...state, ticket: state.ticket })
      : plainMain(appName, state);
  return renderDocument({ appName, title: 'Sign in', main });
}
