// A minimal server-rendered sign-in page, where an organization invitation for an address that
// already has an account leads. With a usable ticket it shows the invited address (fixed); the
// form that signs in with the ticket is the Frontend API's work.
import { escapeHtml } from '../../lib/html.ts';
import { renderAuthPage, type AuthPageOptions } from './auth-page.layout.ts';

export function renderSignInPage(opts: AuthPageOptions): string {
  return renderAuthPage({
    ...opts,
    title: 'Sign in',
    invitedNote: 'Sign in to accept the invitation.',
    plainIntro: `Sign in to your ${escapeHtml(opts.appName)} account.`,
    emailFieldName: 'identifier',
    fields: `    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password">
    <button type="submit" disabled title="Signing in is not available yet">Continue</button>`,
  });
}
