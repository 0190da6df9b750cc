// For the tests that drive the server through the unmodified @clerk/backend client.
import assert from 'node:assert/strict';
import { ClerkAPIResponseError, isClerkAPIResponseError } from '@clerk/backend/errors';

/** Runs fn, which must throw ClerkAPIResponseError with this status and first code. */
export async function clerkError(fn: () => Promise<unknown>, status: number, code: string): Promise<ClerkAPIResponseError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(isClerkAPIResponseError(err), `expected ClerkAPIResponseError, got ${String(err)}`);
    assert.ok(err instanceof ClerkAPIResponseError);
    assert.equal(err.status, status);
    assert.equal(err.errors[0]?.code, code);
    return err;
  }
  assert.fail(`expected ${status} ${code}, but the call succeeded`);
}
