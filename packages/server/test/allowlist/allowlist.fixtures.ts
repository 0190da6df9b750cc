// Helpers for the allowlist tests: typed Backend API calls that assert success or one error code.
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';
import type { AllowlistIdentifierJson } from '../../src/features/allowlist/allowlist.schemas.ts';

export type Method = 'GET' | 'POST' | 'DELETE';

/** The call must succeed with exactly `application/json`; returns the body. */
export async function ok<T>(t: TestApp, method: Method, url: string, payload?: unknown): Promise<T> {
  const r = await bapi<T>(t, method, url, payload);
  assert.equal(r.status, 200, `${method} ${url} ${JSON.stringify(payload)} → ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.headers['content-type'], 'application/json');
  return r.body;
}

/** The call must fail with this status and first error code; returns that error's meta. */
export async function fails(t: TestApp, method: Method, url: string, payload: unknown, status: number, code: string): Promise<Record<string, unknown>> {
  const r = await bapi(t, method, url, payload);
  assert.equal(r.status, status, `${method} ${url} ${JSON.stringify(payload)} → ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.errors?.[0]?.code, code, JSON.stringify(r.body));
  assert.equal(typeof r.body.clerk_trace_id, 'string');
  return r.body.errors[0].meta ?? {};
}

let seq = 0;
/** A fresh lowercase token per call, so identifiers never collide within one app. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

export const allow = (t: TestApp, identifier: string, notify?: boolean) =>
  ok<AllowlistIdentifierJson>(t, 'POST', '/v1/allowlist_identifiers', notify === undefined ? { identifier } : { identifier, notify });
