// The server-rendered sign-up page (a thin stand-in for the hosted React pages to come).
// - A usable invitation ticket for a new address: the invited address is shown fixed; names and a
//   password complete the sign-up at once (strategy=ticket).
// - A usable ticket whose address already has an account: the person is sent to sign in instead,
//   keeping the ticket.
// - No ticket, or one that cannot be used (all alike): email + password, then the emailed code.
// - __clerk_status=complete: the invitation was already accepted; go on.
import type { SignUpMode } from '../../config.ts';
import { escapeHtml } from '../../lib/html.ts';
import { completedMain, field, invitationBanner, NOSCRIPT, pageHref, renderDocument, scriptedForm } from './auth-page.layout.ts';
import type { AuthPageState } from './page.service.ts';

const PASSWORD_MIN = 8;

const nameFields = [
  field({ id: 'first_name', label: 'First name', autocomplete: 'given-name', maxlength: 256 }),
  field({ id: 'last_name', label: 'Last name', autocomplete: 'family-name', maxlength: 256 }),
].join('\n');

const newPassword = field({ id: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', required: true, minlength: PASSWORD_MIN, maxlength: 1024 });

function ticketMain(appName: string, state: AuthPageState & { ticket: NonNullable<AuthPageState['ticket']> }): string {
  const { ticket, invitation, status } = state.ticket;
  const banner = invitationBanner({ appName, email: invitation.email, organizationName: invitation.organizationName });
  const signInHref = pageHref('/sign-in', { __clerk_ticket: ticket, __clerk_status: 'sign_in', redirect_url: state.carriedRedirect });
  if (status === 'sign_in') {
    return `  <h1>Sign up to ${escapeHtml(appName)}</h1>
  ${banner}
  <p class="note">An account already exists for this address: sign in to accept the invitation.</p>
  <a class="button" data-testid="sign-in-instead" href="${signInHref}">Sign in to accept</a>`;
  }
  return `  <h1>Sign up to ${escapeHtml(appName)}</h1>
  ${banner}
  <p class="note">Your email address will be verified by this invitation.</p>
${scriptedForm({
    flow: 'ticket-sign-up',
    next: state.next,
    fields: [field({ id: 'email', name: 'email_address', label: 'Email address', type: 'email', value: invitation.email, readonly: true }), nameFields, newPassword].join('\n'),
    submit: 'Accept invitation and sign up',
  })}
${NOSCRIPT}`;
}

function plainMain(appName: string, mode: SignUpMode, state: AuthPageState): string {
  const app = escapeHtml(appName);
  const stale = state.staleTicket
    ? `  <p class="note" data-testid="stale-ticket">This invitation link can no longer be used. Ask for a new invitation${mode === 'restricted' ? '' : ', or create an account below'}.</p>\n`
    : '';
  const signIn = `  <p class="switch">Already have an account? <a href="${pageHref('/sign-in', { redirect_url: state.carriedRedirect })}">Sign in</a></p>`;
  if (mode === 'restricted') {
    return `  <h1>Sign up to ${app}</h1>
${stale}  <p>Sign-up to ${app} is by invitation only.</p>
${signIn}`;
  }
  return `  <h1>Sign up to ${app}</h1>
${stale}  <p>Create your ${app} account.</p>
${scriptedForm({
    flow: 'sign-up',
    next: state.next,
    fields: [field({ id: 'email', name: 'email_address', label: 'Email address', type: 'email', autocomplete: 'email', required: true, maxlength: 320 }), nameFields, newPassword].join('\n'),
    submit: 'Continue',
  })}
${scriptedForm({
    flow: 'sign-up-code',
    next: state.next,
    hidden: true,
    fields: `    <p>We emailed a 6-digit code to <strong data-code-email></strong>. Enter it to verify your address.</p>
${field({ id: 'code', label: 'Verification code', autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, required: true })}`,
    submit: 'Verify and continue',
    extra: `
    <button type="button" class="link" data-resend>Send a new code</button>
    <p class="status" role="status" data-status></p>`,
  })}
${NOSCRIPT}
${signIn}`;
}

export function renderSignUpPage(opts: { appName: string; signUpMode: SignUpMode; state: AuthPageState }): string {
  const { appName, state } = opts;
  const main = state.completed
    ? completedMain({ appName, organizationName: state.completed.organizationName, next: state.next })
    : state.ticket
      ? ticketMain(appName, { ...state, ticket: state.ticket })
      : plainMain(appName, opts.signUpMode, state);
  return renderDocument({ appName, title: 'Sign up', main });
}
