// The Frontend API over fetch, as Clerk's browser clients speak it: form-encoded bodies (a repeated
// key for an array; objects as JSON text), the `__client` cookie sent with credentials, and every
// answer `{ response, client }`. A form body keeps POSTs "simple" requests (no CORS preflight).
import { apiErrorFromResponse } from './errors.ts';
import type { FapiEnvelope } from './wire.ts';

export type FormValue = string | number | boolean | null | undefined | readonly string[] | Record<string, unknown>;
export type Form = Record<string, FormValue>;
export type Query = Record<string, string | number | readonly string[] | undefined>;

export interface FapiRequest {
  form?: Form;
  query?: Query;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export function encodeForm(form: Form): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) body.append(key, item);
    else if (value === null) body.append(key, '');
    else if (typeof value === 'object') body.append(key, JSON.stringify(value));
    else body.append(key, String(value));
  }
  return body.toString();
}

function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) q.append(key, item);
    else q.append(key, String(value));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A request unanswered this long fails (TesseraOptions.requestTimeoutMs). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export class Fapi {
  readonly baseUrl: string;
  readonly #fetch: FetchLike | undefined;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, fetchImpl?: FetchLike, timeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#fetch = fetchImpl;
    this.#timeoutMs = timeoutMs;
  }

  /** Sends one request and returns the `{ response, client }` envelope; a non-2xx answer throws a TesseraAPIError. */
  async request<T>(method: Method, path: string, req: FapiRequest = {}): Promise<FapiEnvelope<T>> {
    const body = await this.send(method, path, req);
    if (typeof body !== 'object' || body === null || !('response' in body)) {
      throw new Error(`Tessera: ${method} ${path} did not answer with a Frontend API envelope`);
    }
    return body as FapiEnvelope<T>;
  }

  /** Sends one request and returns the parsed JSON body (for the few routes without an envelope). */
  async send(method: Method, path: string, req: FapiRequest = {}): Promise<unknown> {
    const init: RequestInit = { method, credentials: 'include', headers: { accept: 'application/json' } };
    if (method !== 'GET') {
      init.headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
      init.body = encodeForm(req.form ?? {});
    }
    const url = `${this.baseUrl}${path}${encodeQuery(req.query)}`;
    if (this.#timeoutMs > 0) init.signal = AbortSignal.timeout(this.#timeoutMs);
    let res: Response;
    let text: string;
    try {
      // Looked up per call (not at construction), so creating an instance never touches globals.
      res = this.#fetch ? await this.#fetch(url, init) : await globalThis.fetch(url, init);
      text = await res.text();
    } catch (err) {
      // The timeout aborts the fetch (or the body read): report it as the network failure it is.
      if ((err as { name?: unknown } | null)?.name === 'TimeoutError') {
        throw new TypeError(`Tessera: ${method} ${path} got no answer within ${this.#timeoutMs} ms`);
      }
      throw err;
    }
    const type = res.headers.get('content-type') ?? '';
    let body: unknown = null;
    if (text !== '' && type.includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    if (!res.ok) throw apiErrorFromResponse(res.status, res.headers, body);
    if (body === null) throw new Error(`Tessera: ${method} ${path} answered HTTP ${res.status} without JSON`);
    return body;
  }
}
