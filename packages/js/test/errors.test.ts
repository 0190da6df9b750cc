// The SDK's error codes are the server's: every TesseraErrorCode is in the one registry
// (packages/server/src/http/errors.ts), checked by the type-checker and again at run time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ERRORS, type ErrorCode } from '../../server/src/http/errors.ts';
import { isClerkAPIResponseError, isTesseraAPIError, TesseraAPIError, type TesseraErrorCode } from '../src/index.ts';
import { apiErrorFromResponse } from '../src/errors.ts';

// Fails to type-check if the SDK names a code the server does not have.
const sdkCodesAreServerCodes: TesseraErrorCode extends ErrorCode ? true : false = true;

// Every code of the union, listed once (the Record makes a missing or extra key a type error).
const SDK_CODES: Record<TesseraErrorCode, true> = {
  authentication_invalid: true, authorization_invalid: true, signed_out: true, origin_invalid: true, sign_up_mode_restricted: true,
  not_allowed_access: true, user_locked: true, request_body_invalid: true, request_body_too_large: true, unsupported_media_type: true,
  form_param_missing: true, form_param_unknown: true, form_param_format_invalid: true, form_param_value_invalid: true, form_param_nil: true,
  bulk_size_exceeded: true, route_not_found: true, method_not_allowed: true, resource_not_found: true, duplicate_record: true,
  form_identifier_exists: true, primary_email_address_not_deletable: true, form_password_length_too_short: true, form_password_length_too_long: true, form_password_pwned: true,
  not_an_admin_in_organization: true, already_a_member_in_organization: true, organization_membership_quota_exceeded: true,
  organization_invitation_not_pending: true, organization_creation_not_allowed: true, organization_creation_limit_exceeded: true, ticket_invalid_code: true, ticket_expired_code: true, revoked_invitation: true,
  invitation_already_accepted: true, invitation_account_exists: true, invitation_account_not_exists: true,
  organization_invitation_revoked_code: true, organization_invitation_already_accepted: true,
  organization_invitation_identification_not_exist: true, organization_invitation_identification_already_exists: true,
  form_identifier_not_found: true, form_password_incorrect: true, form_code_incorrect: true, verification_failed: true,
  verification_expired: true, verification_not_started: true, strategy_for_user_invalid: true, sign_up_already_complete: true,
  sign_in_already_complete: true, too_many_requests: true, request_conflict: true, internal_clerk_error: true, service_unavailable: true,
};

describe('errors', () => {
  test('every SDK code is in the server registry', () => {
    assert.equal(sdkCodesAreServerCodes, true);
    for (const code of Object.keys(SDK_CODES)) assert.ok(code in ERRORS, code);
  });

  test('the envelope becomes a typed error (meta camelCased, Retry-After read on 429 only)', () => {
    const body = {
      errors: [{ code: 'user_locked', message: 'Account locked', long_message: 'Your account is locked…', meta: { lockout_expires_in_seconds: 600, param_name: 'password' } }],
      clerk_trace_id: 'trace_1',
    };
    const e = apiErrorFromResponse(403, new Headers(), body);
    assert.ok(e instanceof TesseraAPIError && e instanceof Error);
    assert.deepEqual(e.errors, [{ code: 'user_locked', message: 'Account locked', longMessage: 'Your account is locked…', meta: { lockoutExpiresInSeconds: 600, paramName: 'password' } }]);
    assert.equal(e.clerkTraceId, 'trace_1');
    assert.equal(e.retryAfter, undefined);
    assert.equal(apiErrorFromResponse(429, new Headers({ 'retry-after': '7' }), {}).retryAfter, 7);
    assert.equal(apiErrorFromResponse(503, new Headers({ 'retry-after': '7' }), {}).retryAfter, undefined);
    // A proxy's HTML error page still becomes a TesseraAPIError, without items.
    const bare = apiErrorFromResponse(502, new Headers(), null);
    assert.deepEqual(bare.errors, []);
    assert.equal(bare.code, undefined);
    assert.ok(isTesseraAPIError(bare) && isClerkAPIResponseError(bare));
    assert.equal(isTesseraAPIError({ message: 'nope' }), false);
  });
});
