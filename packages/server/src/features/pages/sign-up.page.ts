// A minimal server-rendered sign-up page. With a valid ticket it shows the invited address
// (fixed); the form that consumes the ticket is the Frontend API's work (next issue).
import { escapeHtml } from '../../lib/html.ts';
import { renderAuthPage, type AuthPageOptions } from './auth-page.layout.ts';

export function renderSignUpPage(opts: AuthPageOptions & { ticketStatus: string | null }): string {
  return renderAuthPage({
    ...opts,
    title: 'Sign up',
    invitedNote: opts.ticketStatus === 'sign_in' ? 'An account already exists for this address: sign in to continue.' : 'Your email address will be verified by this invitation.',
    plainIntro: `Create your ${escapeHtml(opts.appName)} account.`,
    emailFieldName: 'email_address',
    fields: `    <label for="first_name">First name</label>
    <input id="first_name" name="first_name" autocomplete="given-name">
    <label for="last_name">Last name</label>
    <input id="last_name" name="last_name" autocomplete="family-name">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8">
    <button type="submit" disabled title="Completing sign-up is not available yet">Continue</button>`,
  });
}
