// The shared frame of the server-rendered sign-up and sign-in pages: one card, the invitation
// banner when a usable ticket names an address, and the email field fixed to that address.
import { escapeHtml } from '../../lib/html.ts';

export interface AuthPageOptions {
  appName: string;
  invitedEmail: string | null;
  organizationName?: string | null;
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; background: #f6f7f9; color: #1c2430; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; border-radius: 12px; padding: 2rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { margin-top: 0; font-size: 1.4rem; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .55rem .7rem; border: 1px solid #c8ced8; border-radius: 8px; font: inherit; }
  input[readonly] { background: #eef1f5; }
  button { margin-top: 1.5rem; width: 100%; padding: .7rem; border: 0; border-radius: 8px; background: #3451d1; color: #fff; font: inherit; }
  button[disabled] { opacity: .6; }
  .note { color: #5a6475; font-size: .9rem; }`;

export function renderAuthPage(
  opts: AuthPageOptions & {
    title: string;
    /** Shown under the invitation banner (already HTML). */
    invitedNote: string;
    /** Shown when there is no invitation (already HTML). */
    plainIntro: string;
    emailFieldName: string;
    /** The rest of the form after the email field (already HTML). */
    fields: string;
  },
): string {
  const app = escapeHtml(opts.appName);
  const joining = opts.organizationName ? `${escapeHtml(opts.organizationName)} on ${app}` : app;
  const invited = opts.invitedEmail
    ? `<p class="invited">You have been invited to join ${joining} as <strong data-testid="invited-email">${escapeHtml(opts.invitedEmail)}</strong>.</p>
       <p class="note">${opts.invitedNote}</p>`
    : `<p>${opts.plainIntro}</p>`;
  const emailField = opts.invitedEmail
    ? `<input id="email" name="${opts.emailFieldName}" type="email" value="${escapeHtml(opts.invitedEmail)}" readonly>`
    : `<input id="email" name="${opts.emailFieldName}" type="email" autocomplete="email" required>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(opts.title)} · ${app}</title>
<style>${STYLE}
</style>
</head>
<body>
<main>
  <h1>${escapeHtml(opts.title)} to ${app}</h1>
  ${invited}
  <form method="post" action="#" onsubmit="return false">
    <label for="email">Email address</label>
    ${emailField}
${opts.fields}
  </form>
</main>
</body>
</html>`;
}
