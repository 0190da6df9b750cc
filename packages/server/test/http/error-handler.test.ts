// Errors that say "send the same request again": a deadlock's or serialization failure's victim
// (its transaction was rolled back), and a prepared statement gone stale inside a transaction
// (db/open.ts marks it). Both are 409 request_conflict with Retry-After, never 500. (A real
// deadlock through HTTP: test/frontend/accept-conflict.test.ts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyError } from 'fastify';
import { RETRY_REQUEST } from '../../src/db/open.ts';
import { toApiError } from '../../src/http/error-handler.ts';

const asFastify = (e: object) => e as FastifyError;

describe('error handler: retryable database failures', () => {
  for (const code of ['40P01', '40001']) {
    it(`PostgreSQL ${code} → 409 request_conflict, Retry-After: 1`, () => {
      const err = toApiError(asFastify(Object.assign(new Error('deadlock detected'), { code })));
      assert.equal(err?.status, 409);
      assert.equal(err?.code, 'request_conflict');
      assert.equal(err?.headers['retry-after'], '1');
    });
  }

  it('a stale prepared statement in a transaction (RETRY_REQUEST) → 409 request_conflict', () => {
    const err = toApiError(asFastify(Object.assign(new Error('cached plan must not change result type'), { code: '0A000', [RETRY_REQUEST]: true })));
    assert.equal(err?.code, 'request_conflict');
    assert.match(err!.items[0]!.long_message, /schema changed/);
  });

  it('other database errors stay unhandled (500, logged)', () => {
    assert.equal(toApiError(asFastify(Object.assign(new Error('cached plan must not change result type'), { code: '0A000' }))), null);
    assert.equal(toApiError(asFastify(Object.assign(new Error('boom'), { code: '23505' }))), null);
  });
});
