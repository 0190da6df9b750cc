// The dev mailbox page: a server-rendered list of what the outbox delivered into the dev mailbox.
// Everything from the database is escaped; the only markup added is a link around each http(s)
// URL in a text body, so an email's links can be followed. The page holds live ticket links, so
// it sends no referrer and allows no script at all: the CSP permits only its own stylesheet,
// pinned by hash.
import { createHash } from 'node:crypto';
import { escapeHtml } from '../../lib/html.ts';
import type { DevEmail } from './dev-mailbox.service.ts';

const STYLE = `
  body { font: 15px/1.5 system-ui, sans-serif; background: #f6f7f9; color: #1c2430; margin: 0; }
  main { max-width: 56rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; }
  .empty { color: #5a6475; }
  article { background: #fff; border-radius: 10px; padding: 1rem 1.25rem; margin: 0 0 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h2 { font-size: 1.05rem; margin: 0 0 .25rem; }
  .meta { color: #5a6475; font-size: .85rem; margin: 0 0 .75rem; }
  pre { white-space: pre-wrap; word-break: break-word; font: 14px/1.5 ui-monospace, monospace; margin: 0; }
  details { margin-top: .75rem; }
  summary { cursor: pointer; color: #5a6475; font-size: .85rem; }
  a { color: #3451d1; }
`;

export const DEV_MAILBOX_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const URL_RE = /https?:\/\/[^\s<>"']+/g;

/** Escapes the text and turns each http(s) URL in it into a link (nothing else becomes markup). */
export function linkifyText(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0];
    out += escapeHtml(text.slice(last, m.index));
    out += `<a href="${escapeHtml(url)}" rel="noreferrer noopener">${escapeHtml(url)}</a>`;
    last = m.index + url.length;
  }
  return out + escapeHtml(text.slice(last));
}

function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function renderDevMailboxPage(opts: { appName: string; emails: readonly DevEmail[]; limit: number }): string {
  const items = opts.emails
    .map(
      (e) => `<article data-message-id="${escapeHtml(e.messageId)}">
  <h2>${escapeHtml(e.subject)}</h2>
  <p class="meta">To <strong>${escapeHtml(e.to)}</strong> · from ${escapeHtml(e.from)} · <time datetime="${e.deliveredAt.toISOString()}">${formatTime(e.deliveredAt)}</time></p>
  <pre>${linkifyText(e.text)}</pre>
  <details><summary>HTML source</summary><pre>${escapeHtml(e.html)}</pre></details>
</article>`,
    )
    .join('\n');
  const body = opts.emails.length === 0 ? '<p class="empty">No emails yet. Create an invitation and it shows up here.</p>' : items;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Dev mailbox · ${escapeHtml(opts.appName)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Dev mailbox · ${escapeHtml(opts.appName)}</h1>
<p class="meta">Emails this development instance would have sent (no SMTP_URL is set), newest first; the latest ${opts.limit} are shown.</p>
${body}
</main>
</body>
</html>`;
}
