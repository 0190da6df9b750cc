// Typed errors of the Frontend API. The server answers every failure with Clerk's envelope
// `{ errors: [{ code, message, long_message, meta }], clerk_trace_id }`; the SDK rebuilds it as a
// TesseraAPIError so callers branch on stable codes (from the server's one registry,
// packages/server/src/http/errors.ts), never on message text.
import type { ClerkErrorJson, ClerkErrorsJson, JsonObject } from './wire.ts';

/**
 * The codes the Frontend API answers with (a subset of the server's registry: the Backend-API-only
 * codes, such as secret-key errors and role administration, are left out).
 */
export type TesseraErrorCode =
  // sessions, origins, access
  | 'authentication_invalid'
  | 'authorization_invalid'
  | 'signed_out'
  | 'origin_invalid'
  | 'sign_up_mode_restricted'
  | 'not_allowed_access'
  | 'user_locked'
  // request shape
  | 'request_body_invalid'
  | 'request_body_too_large'
  | 'unsupported_media_type'
  | 'form_param_missing'
  | 'form_param_unknown'
  | 'form_param_format_invalid'
  | 'form_param_value_invalid'
  | 'form_param_nil'
  | 'bulk_size_exceeded'
  | 'route_not_found'
  | 'method_not_allowed'
  // resources and passwords
  | 'resource_not_found'
  | 'duplicate_record'
  | 'form_identifier_exists'
  | 'primary_email_address_not_deletable'
  | 'form_password_length_too_short'
  | 'form_password_length_too_long'
  | 'form_password_pwned'
  // organizations (browser administration)
  | 'not_an_admin_in_organization'
  | 'already_a_member_in_organization'
  | 'organization_membership_quota_exceeded'
  | 'organization_invitation_not_pending'
  | 'organization_creation_not_allowed'
  | 'organization_creation_limit_exceeded'
  // tickets
  | 'ticket_invalid_code'
  | 'ticket_expired_code'
  | 'revoked_invitation'
  | 'invitation_already_accepted'
  | 'invitation_account_exists'
  | 'invitation_account_not_exists'
  | 'organization_invitation_revoked_code'
  | 'organization_invitation_already_accepted'
  | 'organization_invitation_identification_not_exist'
  | 'organization_invitation_identification_already_exists'
  // sign-in and sign-up
  | 'form_identifier_not_found'
  | 'form_password_incorrect'
  | 'form_code_incorrect'
  | 'verification_failed'
  | 'verification_expired'
  | 'verification_not_started'
  | 'strategy_for_user_invalid'
  | 'sign_up_already_complete'
  | 'sign_in_already_complete'
  // limits and server
  | 'too_many_requests'
  | 'request_conflict'
  | 'internal_clerk_error'
  | 'service_unavailable';

/** The `meta` of an error, camelCased (only the keys the server sends). */
export interface TesseraErrorMeta {
  /** The form parameter the error is about (`password`, `code`, `email_address`, …). */
  paramName?: string;
  paramNames?: string[];
  emailAddresses?: string[];
  identifiers?: string[];
  /** `user_locked`: seconds until the account unlocks (null: locked by an administrator). */
  lockoutExpiresInSeconds?: number | null;
}

export interface TesseraAPIErrorItem {
  code: TesseraErrorCode;
  message: string;
  longMessage: string;
  meta: TesseraErrorMeta;
}

function errorMetaFromJson(meta: JsonObject | undefined): TesseraErrorMeta {
  const out: TesseraErrorMeta = {};
  if (!meta) return out;
  if (typeof meta.param_name === 'string') out.paramName = meta.param_name;
  if (Array.isArray(meta.param_names)) out.paramNames = meta.param_names.map(String);
  if (Array.isArray(meta.email_addresses)) out.emailAddresses = meta.email_addresses.map(String);
  if (Array.isArray(meta.identifiers)) out.identifiers = meta.identifiers.map(String);
  if ('lockout_expires_in_seconds' in meta) {
    const s = meta.lockout_expires_in_seconds;
    out.lockoutExpiresInSeconds = typeof s === 'number' ? s : null;
  }
  return out;
}

function errorItemFromJson(e: ClerkErrorJson): TesseraAPIErrorItem {
  return {
    // The registry is shared with the server; a newer server may add codes this SDK does not name.
    code: e.code as TesseraErrorCode,
    message: e.message,
    longMessage: e.long_message ?? e.message,
    meta: errorMetaFromJson(e.meta),
  };
}

/** A 4xx/5xx answer of the Frontend API. Same shape as Clerk's ClerkAPIResponseError. */
export class TesseraAPIError extends Error {
  override readonly name = 'TesseraAPIError';
  /** Marks the error for Clerk's `isClerkAPIResponseError` (code ported from Clerk checks it). */
  readonly clerkError = true as const;
  readonly status: number;
  readonly errors: TesseraAPIErrorItem[];
  readonly clerkTraceId: string | null;
  /** Seconds to wait, from the Retry-After header of a 429. */
  readonly retryAfter: number | undefined;

  constructor(init: { status: number; errors: TesseraAPIErrorItem[]; clerkTraceId?: string | null; retryAfter?: number }) {
    const first = init.errors[0];
    super(first ? `${first.code}: ${first.longMessage}` : `The Frontend API answered HTTP ${init.status}`);
    this.status = init.status;
    this.errors = init.errors;
    this.clerkTraceId = init.clerkTraceId ?? null;
    this.retryAfter = init.retryAfter;
  }

  /** The first error's code (most answers carry exactly one). */
  get code(): TesseraErrorCode | undefined {
    return this.errors[0]?.code;
  }
}

/** Builds the error of a failed answer from its status, headers and (parsed) body. */
export function apiErrorFromResponse(status: number, headers: Headers, body: unknown): TesseraAPIError {
  const json = (typeof body === 'object' && body !== null ? body : {}) as ClerkErrorsJson;
  const errors = Array.isArray(json.errors) ? json.errors.map(errorItemFromJson) : [];
  const retryHeader = headers.get('retry-after');
  const retryAfter = status === 429 && retryHeader !== null && /^\d+$/.test(retryHeader.trim()) ? Number(retryHeader) : undefined;
  return new TesseraAPIError({ status, errors, clerkTraceId: json.clerk_trace_id ?? null, ...(retryAfter === undefined ? {} : { retryAfter }) });
}

export function isTesseraAPIError(e: unknown): e is TesseraAPIError {
  return e instanceof TesseraAPIError || (typeof e === 'object' && e !== null && (e as { clerkError?: unknown }).clerkError === true && Array.isArray((e as { errors?: unknown }).errors));
}

/** Clerk's name for {@link isTesseraAPIError}, for code ported from Clerk. */
export const isClerkAPIResponseError: (e: unknown) => e is TesseraAPIError = isTesseraAPIError;
