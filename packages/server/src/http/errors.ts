// One registry of error codes (code → HTTP status → messages), and the ApiError that carries one.
// The error handler in http/error-handler.ts turns every failure into Clerk's envelope
// {errors:[{code,message,long_message,meta}], clerk_trace_id}. Tests assert codes, not text.

export interface ErrorMeta {
  param_name?: string;
  param_names?: string[];
  email_addresses?: string[];
  identifiers?: string[];
  [key: string]: unknown;
}

interface ErrorDef {
  status: number;
  message: string;
  /** `{name}` placeholders are filled from the `vars` given when the error is raised. */
  long: string;
}

export const ERRORS = {
  // Authentication / authorization
  authentication_invalid: { status: 401, message: 'Invalid authentication', long: 'Unable to authenticate the request, you need to supply an active session or a valid secret key.' },
  authorization_header_format_invalid: { status: 401, message: 'Invalid Authorization header format', long: 'Invalid Authorization header format. Must be "Bearer <YOUR_API_KEY>".' },
  clerk_key_invalid: { status: 401, message: 'Secret Key is invalid', long: 'The provided Secret Key is invalid. Make sure that your Secret Key is correct.' },
  authorization_invalid: { status: 403, message: 'Unauthorized request', long: 'You are not authorized to perform this request.' },
  dev_only: { status: 404, message: 'not found', long: 'This endpoint exists only on development (sk_test_) instances.' },

  // Request shape
  request_body_invalid: { status: 400, message: 'Request body invalid', long: 'The request body is invalid: {detail}' },
  request_body_too_large: { status: 413, message: 'Request body too large', long: 'The request body exceeds the maximum allowed size of {limit} bytes.' },
  unsupported_media_type: { status: 415, message: 'Unsupported media type', long: 'The Content-Type {type} is not supported; send application/json.' },
  form_param_missing: { status: 422, message: 'is missing', long: '{param} must be included.' },
  form_param_unknown: { status: 422, message: 'is unknown', long: '{param} is not a valid parameter for this request.' },
  form_param_format_invalid: { status: 422, message: 'is invalid', long: '{param} must be a valid {format}.' },
  form_param_value_invalid: { status: 422, message: 'is invalid', long: '{param} is invalid: {detail}' },
  form_param_nil: { status: 422, message: 'is missing', long: '{param} must not be empty.' },
  bulk_size_exceeded: { status: 400, message: 'Bulk size exceeded', long: 'You have exceeded the maximum allowed bulk processing size of {max}.' },
  route_not_found: { status: 404, message: 'not found', long: 'No route matches {method} {path}.' },
  method_not_allowed: { status: 405, message: 'method not allowed', long: '{method} is not allowed on {path}.' },

  // Resources
  resource_not_found: { status: 404, message: 'not found', long: 'No {resource} was found with id {id}.' },
  duplicate_record: { status: 400, message: 'duplicate invitation(s)', long: 'There are already pending invitations for the following email addresses: {emails}' },
  // Tessera's own: Clerk documents no code for deleting the primary address.
  primary_email_address_not_deletable: { status: 422, message: 'primary email address', long: 'The primary email address cannot be deleted: make another verified address primary first.' },
  form_identifier_exists: { status: 422, message: 'That identifier is taken. Please try another.', long: 'That {param} is taken. Please try another.' },
  form_username_invalid_length: { status: 422, message: 'Username has an invalid length.', long: 'Username must be between {min} and {max} characters long.' },
  form_username_invalid_character: { status: 422, message: 'Username can only contain letters, numbers and \'_\', \'-\' or \'.\'.', long: 'Username can only contain letters, numbers and \'_\', \'-\' or \'.\'.' },
  invitation_already_revoked: { status: 400, message: 'already revoked', long: 'Invitation is already revoked.' },
  invitation_already_accepted: { status: 400, message: 'already accepted', long: 'Invitation is already accepted, try signing in instead.' },
  form_password_length_too_short: { status: 422, message: 'Passwords must be 8 characters or more.', long: 'Passwords must be {min} characters or more.' },
  form_password_length_too_long: { status: 422, message: 'Password is too long.', long: 'Passwords must be at most {max} characters.' },
  form_password_pwned: { status: 422, message: 'Password has been found in an online data breach.', long: 'This password is too common or has been found in a data breach; please choose another.' },

  // Organizations
  not_an_admin_in_organization: { status: 403, message: 'not an admin', long: 'Current user is not an admin in the organization. Only admins are allowed to perform this action.' },
  organization_creator_not_found: { status: 400, message: 'creator not found', long: 'No users found with id {id}.' },
  already_a_member_in_organization: { status: 400, message: 'already a member', long: '{user} is already a member of the organization.' },
  organization_minimum_permissions_needed: { status: 400, message: 'minimum organization permissions needed', long: 'There has to be at least one organization member with the minimum required permissions.' },
  organization_membership_quota_exceeded: { status: 403, message: 'organization membership quota exceeded', long: 'You have reached your limit of {max} organization memberships, including outstanding invitations.' },
  organization_invitation_not_pending: { status: 404, message: 'organization invitation is not pending', long: 'Only pending organization invitations can be revoked; this one is accepted, revoked or expired.' },

  // Roles and permissions (codes, statuses and messages from clerk-docs data/api_errors.json, except
  // organization_system_role_not_modifiable, which is Tessera's own)
  organization_role_assigned_members: { status: 422, message: 'role is assigned to organization members', long: 'The organization role {key} is currently assigned to one or more organization members.' },
  organization_role_exists_in_invitations: { status: 422, message: 'role exists in organization invitations', long: 'The organization role {key} is used by one or more organization invitations (of any status), so it cannot be deleted.' },
  organization_role_default_creator_role: { status: 422, message: 'role is used as the creator role', long: 'The organization role cannot be deleted as it is currently used as the creator role.' },
  organization_missing_creator_role_permissions: { status: 422, message: 'missing permissions for creator role', long: 'The creator role must contain the following permissions: {permissions}' },
  organization_system_permission_not_modifiable: { status: 403, message: 'organization system permission cannot be modified', long: 'System permissions (org:sys_*) cannot be created, modified or deleted.' },
  organization_system_role_not_modifiable: { status: 403, message: 'organization system role cannot be modified', long: 'The system role {key} cannot be deleted and keeps its key; only its name, description and permissions can change.' },
  organization_role_permission_association_exists: { status: 409, message: 'permission already assigned to role', long: 'This organization permission is already associated to this organization role.' },
  organization_role_permission_association_not_found: { status: 404, message: 'permission not assigned to role', long: 'This organization permission is not associated with the organization role.' },

  // Frontend API: sessions and origins (origin_invalid, signed_out, sign_up_mode_restricted,
  // organization_creation_not_allowed, organization_creation_limit_exceeded and
  // verification_not_started are Tessera's own codes; the rest are Clerk's from data/api_errors.json)
  signed_out: { status: 401, message: 'Signed out', long: 'You are signed out: sign in and try again.' },
  origin_invalid: { status: 403, message: 'Origin not allowed', long: 'This request comes from an origin that is not allowed to call the Frontend API.' },
  sign_up_mode_restricted: { status: 403, message: 'Sign-ups are restricted', long: 'Sign-ups are by invitation only: follow the link in your invitation email.' },
  not_allowed_access: { status: 403, message: 'Access not allowed', long: 'This identifier is not allowed to sign up to this application.' },
  organization_creation_not_allowed: { status: 403, message: 'Not allowed to create organizations', long: 'This account is not allowed to create organizations.' },
  organization_creation_limit_exceeded: { status: 403, message: 'Organization limit reached', long: 'You have reached your limit of {max} organizations created.' },
  user_locked: { status: 403, message: 'Account locked', long: 'Your account is locked after too many failed attempts. You will be able to try again in {minutes} minutes.' },

  // Tickets (FAPI)
  ticket_invalid_code: { status: 400, message: 'Ticket invalid', long: 'This ticket is invalid. Make sure you are using a valid ticket from your invitation.' },
  ticket_expired_code: { status: 400, message: 'Ticket expired', long: 'This ticket has expired and cannot be used anymore.' },
  revoked_invitation: { status: 400, message: 'Invitation revoked', long: 'The invitation was revoked.' },
  invitation_account_exists: { status: 400, message: 'Account exists', long: 'An account already exists for this invitation. Sign in instead.' },
  invitation_account_not_exists: { status: 400, message: 'Account does not exist', long: 'No account exists for this invitation. Sign up instead.' },
  organization_invitation_revoked_code: { status: 400, message: 'Invitation revoked', long: 'The organization invitation was revoked.' },
  organization_invitation_already_accepted: { status: 400, message: 'Invitation already accepted', long: 'The organization invitation has already been accepted.' },
  organization_invitation_identification_not_exist: { status: 400, message: 'User not found', long: 'User not found. Please sign up first.' },
  organization_invitation_identification_already_exists: { status: 400, message: 'Account exists', long: 'An account already exists for this invitation. Please try signing in instead.' },

  // Sign-in and sign-up (FAPI)
  form_identifier_not_found: { status: 422, message: "Couldn't find your account.", long: "Couldn't find your account." },
  form_password_incorrect: { status: 422, message: 'Password is incorrect. Try again, or use another method.', long: 'Password is incorrect. Try again, or use another method.' },
  form_code_incorrect: { status: 422, message: 'Incorrect code', long: 'The code is incorrect.' },
  verification_failed: { status: 400, message: 'Too many failed attempts', long: 'Too many failed attempts. Request a new code and try again.' },
  verification_expired: { status: 400, message: 'Verification expired', long: 'This verification has expired. Request a new code.' },
  verification_not_started: { status: 400, message: 'No verification in progress', long: 'Prepare a verification (send a code) before attempting it.' },
  strategy_for_user_invalid: { status: 422, message: 'Invalid verification strategy', long: 'This sign-in method is not available for this account; use an email code.' },
  sign_up_already_complete: { status: 400, message: 'Sign-up complete', long: 'This sign-up is already complete.' },
  sign_in_already_complete: { status: 400, message: 'Sign-in complete', long: 'This sign-in is already complete.' },

  // Limits
  too_many_requests: { status: 429, message: 'Too many requests', long: 'Too many requests, retry later.' },

  // Server
  internal_clerk_error: { status: 500, message: 'Oops, an unexpected error occurred', long: 'There was an internal error on our servers. We have been notified and are working on fixing it.' },
  request_conflict: { status: 409, message: 'Conflicting concurrent request', long: 'This request conflicted with another one running at the same time (the database chose it to give way) and changed nothing; retry it.' },
  service_unavailable: { status: 503, message: 'Service unavailable', long: 'The service is shutting down or its database is unreachable; retry shortly.' },
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;

export interface ApiErrorItem {
  code: ErrorCode;
  message: string;
  long_message: string;
  meta?: ErrorMeta;
}

function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export class ApiError extends Error {
  readonly status: number;
  readonly items: ApiErrorItem[];
  readonly headers: Record<string, string>;

  /**
   * `long` replaces the registry's long message where one code serves several resources (Clerk's
   * duplicate_record: invitations, allowlist identifiers); the code and status stay the registry's.
   */
  constructor(code: ErrorCode, opts: { vars?: Record<string, string | number>; meta?: ErrorMeta; headers?: Record<string, string>; long?: string } = {}) {
    const def: ErrorDef = ERRORS[code];
    const long = opts.long ?? fill(def.long, opts.vars ?? {});
    super(long);
    this.name = 'ApiError';
    this.status = def.status;
    this.items = [{ code, message: def.message, long_message: long, ...(opts.meta ? { meta: opts.meta } : {}) }];
    this.headers = opts.headers ?? {};
  }

  get code(): ErrorCode {
    return this.items[0]!.code;
  }
}

export const paramMissing = (param: string) => new ApiError('form_param_missing', { vars: { param }, meta: { param_name: param } });
export const paramUnknown = (param: string) => new ApiError('form_param_unknown', { vars: { param }, meta: { param_name: param } });
export const paramInvalid = (param: string, detail: string) => new ApiError('form_param_value_invalid', { vars: { param, detail }, meta: { param_name: param } });
export const paramFormatInvalid = (param: string, format: string) => new ApiError('form_param_format_invalid', { vars: { param, format }, meta: { param_name: param } });
export const notFound = (resource: string, id: string) => new ApiError('resource_not_found', { vars: { resource, id } });
