// Publishable keys in Clerk's format: `pk_test_` or `pk_live_` + base64(`<host>$`). The key names
// the Frontend API's host, so a page needs one string to find its server. Tessera serves the
// Frontend API on its public URL; `http://` is implied only for a local host (development).
import { toStandardBase64 } from './base64.ts';

export interface ParsedPublishableKey {
  instanceType: 'development' | 'production';
  /** The Frontend API's base URL, e.g. `https://auth.example.com` or `http://localhost:3000`. */
  frontendApi: string;
}

const LOCAL_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'];

function isLocalHostname(hostname: string): boolean {
  return LOCAL_HOSTNAMES.includes(hostname.toLowerCase());
}

/** Decodes a publishable key; throws a TypeError when it is not one. */
export function parsePublishableKey(key: string): ParsedPublishableKey {
  const m = /^pk_(test|live)_([A-Za-z0-9+/_-]+={0,2})$/.exec(key.trim());
  if (!m) throw new TypeError('Tessera: not a publishable key (expected pk_test_… or pk_live_…)');
  let decoded: string;
  try {
    decoded = atob(toStandardBase64(m[2]!));
  } catch {
    throw new TypeError('Tessera: the publishable key is not valid base64');
  }
  if (!decoded.endsWith('$') || decoded.length < 2) throw new TypeError('Tessera: the publishable key does not name a host');
  const hostAndPath = decoded.slice(0, -1);
  let url: URL;
  try {
    url = new URL(`https://${hostAndPath}`);
  } catch {
    throw new TypeError('Tessera: the publishable key names an invalid host');
  }
  if (/\s/.test(hostAndPath) || url.host === '' || url.username !== '' || url.search !== '' || url.hash !== '') {
    throw new TypeError('Tessera: the publishable key names an invalid host');
  }
  const scheme = isLocalHostname(url.hostname) ? 'http' : 'https';
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return { instanceType: m[1] === 'live' ? 'production' : 'development', frontendApi: `${scheme}://${url.host}${path}` };
}

/**
 * The publishable key that names this Frontend API URL (the server's public URL). The URL must be
 * https, or http on localhost / 127.0.0.1 / [::1]: a key cannot say anything else.
 */
export function publishableKeyFor(frontendApiUrl: string, live = false): string {
  const url = new URL(frontendApiUrl);
  const local = isLocalHostname(url.hostname);
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && local))) {
    throw new TypeError(`Tessera: a publishable key names an https URL (or http on localhost), not ${url.origin}`);
  }
  if (url.protocol === 'https:' && local) {
    throw new TypeError('Tessera: a publishable key for a local host implies http://');
  }
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `pk_${live ? 'live' : 'test'}_${btoa(`${url.host}${path}$`)}`;
}
