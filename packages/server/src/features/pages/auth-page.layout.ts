// The shared frame of the server-rendered pages (sign-up, sign-in, the signed-in landing page):
// one card, the invitation banner, form fields, and the one script (/assets/auth.js) that makes
// the forms work. Every dynamic value goes through escapeHtml; the pages carry no inline script,
// and their only inline style is allowed by its hash (PAGE_CSP).
import { createHash } from 'node:crypto';
import { escapeHtml } from '../../lib/html.ts';

export const AUTH_SCRIPT_PATH = '/assets/auth.js';

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; background: #f6f7f9; color: #1c2430; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; border-radius: 12px; padding: 2rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { margin-top: 0; font-size: 1.4rem; }
  h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .55rem .7rem; border: 1px solid #c8ced8; border-radius: 8px; font: inherit; }
  input[readonly] { background: #eef1f5; }
  button, a.button { display: block; box-sizing: border-box; margin-top: 1.5rem; width: 100%; padding: .7rem; border: 0; border-radius: 8px; background: #3451d1; color: #fff; font: inherit; text-align: center; text-decoration: none; cursor: pointer; }
  button[disabled] { opacity: .6; cursor: default; }
  button.link { display: inline; width: auto; margin: .75rem 0 0; padding: 0; background: none; color: #3451d1; text-decoration: underline; }
  a { color: #3451d1; }
  .note, .switch { color: #5a6475; font-size: .9rem; }
  .switch { margin-top: 1.5rem; text-align: center; }
  .error { margin: 1rem 0 0; padding: .6rem .8rem; border-radius: 8px; background: #fdecec; color: #9b1c1c; }
  .error:empty, .status:empty { display: none; }
  .status { margin: .75rem 0 0; color: #1f6f43; font-size: .9rem; }
  ul.orgs { list-style: none; padding: 0; margin: 0; }
  ul.orgs li { display: flex; justify-content: space-between; gap: 1rem; padding: .6rem 0; border-bottom: 1px solid #eef1f5; }
  .role { color: #5a6475; }
`;

/**
 * The pages' Content-Security-Policy: scripts only from this origin (the one script), the inline
 * style only by its hash, fetches only to this origin, forms only to it, never framed.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function renderDocument(opts: { appName: string; title: string; main: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(opts.title)} · ${escapeHtml(opts.appName)}</title>
<style>${STYLE}</style>
<script src="${AUTH_SCRIPT_PATH}" defer></script>
</head>
<body>
<main>
${opts.main}
</main>
</body>
</html>`;
}

/** A same-site link to one of the pages with query parameters (null ones left out), escaped for an attribute. */
export function pageHref(path: string, params: Record<string, string | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null) q.set(k, v);
  const search = q.toString();
  return escapeHtml(search === '' ? path : `${path}?${search}`);
}

/** "You have been invited to join <org> on <app> as <email>." */
export function invitationBanner(opts: { appName: string; email: string; organizationName: string | null }): string {
  const app = escapeHtml(opts.appName);
  const joining = opts.organizationName ? `${escapeHtml(opts.organizationName)} on ${app}` : app;
  return `<p class="invited">You have been invited to join ${joining} as <strong data-testid="invited-email">${escapeHtml(opts.email)}</strong>.</p>`;
}

export interface FieldOptions {
  id: string;
  label: string;
  name?: string;
  type?: string;
  autocomplete?: string;
  value?: string;
  readonly?: boolean;
  required?: boolean;
  minlength?: number;
  maxlength?: number;
  inputmode?: string;
  pattern?: string;
}

export function field(f: FieldOptions): string {
  const attrs = [
    `id="${f.id}"`,
    `name="${f.name ?? f.id}"`,
    f.type ? `type="${f.type}"` : '',
    f.value !== undefined ? `value="${escapeHtml(f.value)}"` : '',
    f.readonly ? 'readonly' : '',
    f.autocomplete ? `autocomplete="${f.autocomplete}"` : '',
    f.required ? 'required' : '',
    f.minlength !== undefined ? `minlength="${f.minlength}"` : '',
    f.maxlength !== undefined ? `maxlength="${f.maxlength}"` : '',
    f.inputmode ? `inputmode="${f.inputmode}"` : '',
    f.pattern ? `pattern="${f.pattern}"` : '',
  ].filter((a) => a !== '');
  return `    <label for="${f.id}">${escapeHtml(f.label)}</label>
    <input ${attrs.join(' ')}>`;
}

/**
 * A form the script drives (data-flow names what it does; data-next is where to go when done).
 * The submit button starts disabled: without the script nothing would work, so nothing pretends to.
 */
export function scriptedForm(opts: { flow: string; next?: string; fields: string; submit: string; extra?: string; hidden?: boolean }): string {
  return `  <form method="post" data-flow="${opts.flow}"${opts.next !== undefined ? ` data-next="${escapeHtml(opts.next)}"` : ''}${opts.hidden ? ' hidden' : ''}>
${opts.fields}
    <p class="error" role="alert" data-error></p>
    <button type="submit" disabled data-needs-js>${escapeHtml(opts.submit)}</button>${opts.extra ?? ''}
  </form>`;
}

export const NOSCRIPT = '  <noscript><p class="note">This page needs JavaScript.</p></noscript>';

/** The page shown for __clerk_status=complete: the invitation was accepted for this browser. */
export function completedMain(opts: { appName: string; organizationName: string | null; next: string }): string {
  const heading = opts.organizationName ? `You have joined ${escapeHtml(opts.organizationName)}` : 'Invitation accepted';
  return `  <h1 data-testid="joined">${heading}</h1>
  <p>The invitation has been accepted${opts.organizationName ? '' : ` on ${escapeHtml(opts.appName)}`}.</p>
  <a class="button" href="${escapeHtml(opts.next)}">Continue</a>`;
}
