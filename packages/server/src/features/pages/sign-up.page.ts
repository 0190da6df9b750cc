// A minimal server-rendered sign-up page. With a valid ticket it shows the invited address
// (fixed); the form that consumes the ticket is the Frontend API's work (next issue).
import { escapeHtml } from '../../lib/html.ts';

export function renderSignUpPage(opts: { appName: string; invitedEmail: string | null; ticketStatus: string | null }): string {
  const app = escapeHtml(opts.appName);
  const invited = opts.invitedEmail
    ? `<p class="invited">You have been invited to join ${app} as <strong data-testid="invited-email">${escapeHtml(opts.invitedEmail)}</strong>.</p>
       <p class="note">${opts.ticketStatus === 'sign_in' ? 'An account already exists for this address: sign in to continue.' : 'Your email address will be verified by this invitation.'}</p>`
    : `<p>Create your ${app} account.</p>`;
  const emailField = opts.invitedEmail
    ? `<input id="email" name="email_address" type="email" value="${escapeHtml(opts.invitedEmail)}" readonly>`
    : `<input id="email" name="email_address" type="email" autocomplete="email" required>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sign up · ${app}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f6f7f9; color: #1c2430; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; border-radius: 12px; padding: 2rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { margin-top: 0; font-size: 1.4rem; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .55rem .7rem; border: 1px solid #c8ced8; border-radius: 8px; font: inherit; }
  input[readonly] { background: #eef1f5; }
  button { margin-top: 1.5rem; width: 100%; padding: .7rem; border: 0; border-radius: 8px; background: #3451d1; color: #fff; font: inherit; }
  button[disabled] { opacity: .6; }
  .note { color: #5a6475; font-size: .9rem; }
</style>
</head>
<body>
<main>
  <h1>Sign up to ${app}</h1>
  ${invited}
  <form method="post" action="#" onsubmit="return false">
    <label for="email">Email address</label>
    ${emailField}
    <label for="first_name">First name</label>
    <input id="first_name" name="first_name" autocomplete="given-name">
    <label for="last_name">Last name</label>
    <input id="last_name" name="last_name" autocomplete="family-name">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="new-password" minlength="8">
    <button type="submit" disabled title="Completing sign-up is not available yet">Continue</button>
  </form>
</main>
</body>
</html>`;
}
