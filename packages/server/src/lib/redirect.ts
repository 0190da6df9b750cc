// A redirect_url must be an absolute http(s) URL whose origin is on the allow-list (ASVS 3.7.2).
// It is parsed with URL and the raw text is checked too, because parsers forgive things browsers
// and attackers treat differently: "//host", backslashes, userinfo, control characters.
export interface RedirectPolicy {
  readonly allowedOrigins: readonly string[];
  /** On a development (sk_test_) instance, http(s)://localhost and 127.0.0.1 on any port are allowed. */
  readonly allowLocalhost: boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isAllowedRedirect(raw: string, policy: RedirectPolicy): boolean {
  if (raw.length > 2048) return false;
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw)) return false;
  if (!/^https?:\/\/[^/]/i.test(raw)) return false;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.username !== '' || u.password !== '') return false;
  if (raw.slice(raw.indexOf('//') + 2).split(/[/?#]/)[0]!.includes('@')) return false;
  if (policy.allowedOrigins.includes(u.origin)) return true;
  return policy.allowLocalhost && (LOCAL_HOSTS.has(u.hostname) || u.hostname.endsWith('.localhost'));
}
