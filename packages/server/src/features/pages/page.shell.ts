// The built hosted pages (packages/web/dist, made by Vite at install time) as this server serves
// them: one HTML shell for every page path, with the request's page data in a <meta> (JSON in an
// attribute, so the pages carry no inline script), and the hashed files under /assets/.
//
// - The shell is read from disk again when its file changes (a rebuild while the server runs
//   needs no restart); if it is missing, pages answer 503 with a page that says to build it.
// - An asset path must be plain segments of [A-Za-z0-9._-] not starting with a dot, and must
//   resolve (symlinks followed) inside dist/assets: no traversal, no dotfiles, nothing else.
import { readFileSync, statSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml } from '../../lib/html.ts';
import type { PageData } from './page.service.ts';

/** packages/web/dist, beside this package. */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));

/**
 * The pages' Content-Security-Policy: code, styles and fetches only from this origin, images from
 * it or data: URLs, forms only to it, never framed, no <base>.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const IMMUTABLE = 'public, max-age=31536000, immutable';

const DATA_TAG = '<meta name="tessera-page-data" content="{}" />';
const ROOT_TAG = '<div id="root"></div>';
const TITLE = /<title>[^<]*<\/title>/;

const TITLES: Record<PageData['page'], string> = {
  'sign-in': 'Sign in',
  'sign-up': 'Sign up',
  'accept-invitation': 'Accept invitation',
  home: 'Your account',
  organization: 'Organization',
};

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite's output names end in -<hash>.<ext>; only those are cached for a year. */
const HASHED = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const SAFE_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export interface Asset {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

export class WebDist {
  readonly dir: string;
  readonly #assets: string;
  #shell: { mtimeMs: number; html: string } | null = null;

  constructor(dir: string) {
    this.dir = dir;
    this.#assets = join(dir, 'assets');
  }

  /** The shell's HTML, or null when the pages have not been built. */
  shell(): string | null {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(join(this.dir, 'index.html')).mtimeMs;
    } catch {
      this.#shell = null;
      return null;
    }
    if (this.#shell?.mtimeMs !== mtimeMs) {
      const html = readFileSync(join(this.dir, 'index.html'), 'utf8');
      if (!html.includes(DATA_TAG)) throw new Error(`${join(this.dir, 'index.html')} has no ${DATA_TAG}: rebuild packages/web`);
      this.#shell = { mtimeMs, html };
    }
    return this.#shell.html;
  }

  /** The shell for one request: its page data and title filled in. Null when not built. */
  render(data: PageData): string | null {
    const html = this.shell();
    if (html === null) return null;
    const title = `<title>${escapeHtml(TITLES[data.page])} · ${escapeHtml(data.appName)}</title>`;
    const meta = `<meta name="tessera-page-data" content="${escapeHtml(JSON.stringify(data))}" />`;
    // Functions as replacements: no `$&`-style patterns are read from the data.
    return html
      .replace(DATA_TAG, () => meta)
      .replace(TITLE, () => title)
      .replace(ROOT_TAG, () => `<div id="root">${prerender(data)}</div>`);
  }

  /** A file under dist/assets, or null (not there, or a path that is not plainly inside it). */
  async asset(path: string): Promise<Asset | null> {
    if (path.length > 256 || !SAFE_PATH.test(path)) return null;
    try {
      const root = await realpath(this.#assets);
      const file = await realpath(join(root, path));
      if (!file.startsWith(root + sep) || !(await stat(file)).isFile()) return null;
      return {
        body: await readFile(file),
        contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        cacheControl: HASHED.test(file) ? IMMUTABLE : 'no-cache',
      };
    } catch {
      return null;
    }
  }
}

/**
 * What the page shows before its script runs (React replaces it on mount): for a usable ticket,
 * who is invited to what, and the invited address as the sign-up form will show it. Nothing for
 * any other page or ticket, so every unusable ticket still gets the same page. Styled by the
 * pages' own stylesheet (a file), all text escaped.
 */
export function prerender(data: PageData): string {
  const inv = data.invitation;
  if (!inv?.usable || !['sign-in', 'sign-up', 'accept-invitation'].includes(data.page)) return '';
  const app = escapeHtml(data.appName);
  const joining = inv.organizationName ? `${escapeHtml(inv.organizationName)} on ${app}` : app;
  const email = escapeHtml(inv.emailAddress);
  const field = inv.status === 'sign_up' ? `\n<p><label>Email address <input type="email" value="${email}" readonly></label></p>` : '';
  return `<div class="page page-auth"><header class="page-brand">${app}</header><main><section class="page-card">
<p>You have been invited to join ${joining} as <strong data-testid="invited-email">${email}</strong>.</p>${field}
</section></main></div>`;
}

/** The page for every page path while packages/web/dist is missing. */
export function notBuiltPage(appName: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pages not built · ${escapeHtml(appName)}</title>
</head>
<body>
<main>
<h1>The hosted pages are not built</h1>
<p>This server could not find the built pages (<code>packages/web/dist</code>).
Build them with <code>npm run build -w @tessera/web</code>, or run <code>npm install</code> at the
repository root (it builds them), then reload this page.</p>
<p>The API works meanwhile.</p>
</main>
</body>
</html>
`;
}
