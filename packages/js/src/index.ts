// @tessera/js: the browser SDK of Tessera's Frontend API (Clerk-compatible). React hooks live in
// the `@tessera/js/react` subpath. No top-level side effects: import only what you use.
export { createTessera, Tessera } from './tessera.ts';
export type { CreateOrganizationParams, Environment, SetActiveParams, SignOutOptions, TesseraEvent, TesseraEventType, TesseraListener, TesseraOptions } from './tessera.ts';
export type { GetTokenOptions } from './core.ts';
export type { FetchLike } from './fapi.ts';
export { parsePublishableKey, publishableKeyFor } from './publishable-key.ts';
export type { ParsedPublishableKey } from './publishable-key.ts';
export { TesseraAPIError, isTesseraAPIError, isClerkAPIResponseError } from './errors.ts';
export type { TesseraAPIErrorItem, TesseraErrorCode, TesseraErrorMeta } from './errors.ts';
export { Client } from './resources/client.ts';
export { Session } from './resources/session.ts';
export type { SessionStatus } from './resources/session.ts';
export { User } from './resources/user.ts';
export { EmailAddress } from './resources/user.ts';
export type { EmailAddressVerificationStatus, GetUserInvitationsParams, UpdateUserParams } from './resources/user.ts';
export { SignUp } from './resources/sign-up.ts';
export type { SignUpCreateParams, SignUpStatus, SignUpUpdateParams } from './resources/sign-up.ts';
export { SignIn } from './resources/sign-in.ts';
export type { AttemptFirstFactorParams, PrepareFirstFactorParams, SignInCreateParams, SignInFirstFactor, SignInStatus } from './resources/sign-in.ts';
export type { Verification } from './resources/verification.ts';
export { Organization, OrganizationInvitation, OrganizationMembership, UserOrganizationInvitation } from './resources/organization.ts';
export type {
  GetInvitationsParams,
  GetMembershipsParams,
  OrganizationInvitationStatus,
  OrganizationRole,
  PaginatedResources,
  PaginationParams,
  PublicOrganizationData,
  PublicUserData,
  RoleResource,
} from './resources/organization.ts';
