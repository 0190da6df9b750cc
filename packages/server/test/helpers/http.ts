import type { OutgoingHttpHeaders } from 'node:http';
import type { TestApp } from './app.ts';

// Bodies are `any` here on purpose: tests assert on wire JSON field by field, and the contract
// under test is the JSON, not a TypeScript type.
export interface Res<T = any> {
  status: number;
  headers: OutgoingHttpHeaders;
  body: T;
}

/** Backend API call through inject (authenticated with the test secret key). */
export async function bapi<T = any>(t: TestApp, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<Res<T>> {
  const res = await t.app.inject({
    method,
    url,
    headers: t.auth,
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
  const type = res.headers['content-type'];
  return {
    status: res.statusCode,
    headers: res.headers,
    body: (typeof type === 'string' && type.startsWith('application/json') ? res.json() : res.body) as T,
  };
}

/** The first error code of a Clerk error envelope. */
export const codeOf = (r: Res): string | undefined => r.body?.errors?.[0]?.code;
export const metaOf = (r: Res): Record<string, unknown> | undefined => r.body?.errors?.[0]?.meta;
