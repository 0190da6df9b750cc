// A tiny browser for Frontend API tests: keeps the cookies the server sets (like a browser's jar,
// for one origin), sends form-encoded bodies as Clerk's clients do, and can claim an Origin.
import type { TestApp } from './app.ts';

export interface FapiRes<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly t: TestApp, readonly opts: { origin?: string } = {}) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Form-encoded by default; pass json: true to send JSON. Arrays repeat the key. */
  async call<T = any>(method: string, path: string, body?: Record<string, unknown>, o: { json?: boolean; headers?: Record<string, string> } = {}): Promise<FapiRes<T>> {
    const headers: Record<string, string> = { ...o.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader;
    if (this.opts.origin) headers.origin = this.opts.origin;
    let payload: string | undefined;
    if (body !== undefined) {
      if (o.json) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      } else {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(body)) {
          if (v === undefined) continue;
          if (Array.isArray(v)) for (const item of v) form.append(k, String(item));
          else form.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
        }
        payload = form.toString();
      }
    }
    const res = await fetch(`${this.t.url}${path}`, { method, headers, body: payload, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, body: (type.startsWith('application/json') && text ? JSON.parse(text) : text) as T };
  }

  get = <T = any>(path: string) => this.call<T>('GET', path);
  post = <T = any>(path: string, body: Record<string, unknown> = {}) => this.call<T>('POST', path, body);
}

/** Limits high enough that a test's own sign-ins and sign-ups never hit the per-IP limit. */
export const RELAXED_FAPI_LIMITS = {
  TESSERA_RATE_LIMIT_SIGN_INS_CREATE: '10000/10s',
  TESSERA_RATE_LIMIT_SIGN_UPS_CREATE: '10000/10s',
  TESSERA_RATE_LIMIT_EMAIL_ADDRESSES_VERIFY: '10000/10s',
};
