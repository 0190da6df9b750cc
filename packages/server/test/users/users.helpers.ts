// Typed helpers for the Users tests: Backend API calls through inject, and error accessors.
import assert from 'node:assert/strict';
import type { TestApp } from '../helpers/app.ts';
import type { UserJson } from '../../src/features/users/user.schemas.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface ErrorBody {
  errors: { code: string; message: string; long_message: string; meta?: Record<string, unknown> }[];
  clerk_trace_id: string;
}

export interface ApiRes {
  status: number;
  contentType: string | undefined;
  /** The raw body text, for "never in any response" checks. */
  raw: string;
}

/** Every raw body the tests saw, so a test can check that none ever held a password digest. */
export const seenBodies: { status: number; raw: string }[] = [];

export async function call(t: TestApp, method: Method, url: string, payload?: unknown): Promise<ApiRes> {
  const res = await t.app.inject({ method, url, headers: t.auth, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
  seenBodies.push({ status: res.statusCode, raw: res.body });
  const type = res.headers['content-type'];
  return { status: res.statusCode, contentType: typeof type === 'string' ? type : undefined, raw: res.body };
}

/** The call must succeed with exactly `application/json`; returns the parsed body. */
export async function ok<T = UserJson>(t: TestApp, method: Method, url: string, payload?: unknown): Promise<T> {
  const r = await call(t, method, url, payload);
  assert.equal(r.status, 200, `${method} ${url} → ${r.status} ${r.raw}`);
  assert.equal(r.contentType, 'application/json');
  return JSON.parse(r.raw) as T;
}

/** The call must fail with this status and code; returns the first error's meta. */
export async function fails(t: TestApp, method: Method, url: string, payload: unknown, status: number, code: string): Promise<Record<string, unknown>> {
  const r = await call(t, method, url, payload);
  assert.equal(r.status, status, `${method} ${url} ${JSON.stringify(payload)} → ${r.status} ${r.raw}`);
  assert.equal(r.contentType, 'application/json');
  const body = JSON.parse(r.raw) as ErrorBody;
  assert.equal(body.errors.length, 1);
  assert.equal(body.errors[0]!.code, code, r.raw);
  assert.equal(typeof body.clerk_trace_id, 'string');
  return body.errors[0]!.meta ?? {};
}

let seq = 0;
/** A fresh address per call, so tests in one app never collide. */
export const uniqueEmail = (prefix = 'user') => `${prefix}${++seq}.${process.pid}@example.com`;

export const PASSWORD = 'correct horse battery staple';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
