// The Frontend API's JSON as the server sends it (snake_case, frozen). Only the SDK's mappers read
// these types; applications see the camelCase resources. The shapes follow the server's schemas
// (packages/server/src/features/{clients,sign-ups,sign-ins,me,organization-admin}/*.schemas.ts).

export type JsonObject = Record<string, unknown>;
export type Ms = number;

export interface ClerkErrorJson {
  code: string;
  message: string;
  long_message?: string;
  meta?: JsonObject;
}
export interface ClerkErrorsJson {
  errors?: ClerkErrorJson[];
  clerk_trace_id?: string;
}

/** Every Frontend API answer: the response, and the browser's client after the request. */
export interface FapiEnvelope<T> {
  response: T;
  client: ClientJson | null;
}

export interface ListJson<T> {
  data: T[];
  total_count: number;
}

export interface VerificationJson {
  object: 'verification';
  status: 'unverified' | 'verified' | 'failed' | 'expired';
  strategy: string | null;
  attempts: number | null;
  expire_at: Ms | null;
  next_action: string;
  supported_strategies: string[];
}

export interface EmailAddressJson {
  object: 'email_address';
  id: string;
  email_address: string;
  reserved: boolean;
  verification: { status: string; strategy: string; attempts: number | null; expire_at: Ms | null } | null;
  linked_to: { type: string; id: string }[];
  created_at: Ms;
  updated_at: Ms;
}

export interface UserJson {
  object: 'user';
  id: string;
  external_id: string | null;
  primary_email_address_id: string | null;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  has_image: boolean;
  public_metadata: JsonObject;
  unsafe_metadata: JsonObject;
  email_addresses: EmailAddressJson[];
  password_enabled: boolean;
  two_factor_enabled: boolean;
  banned: boolean;
  locked: boolean;
  last_sign_in_at: Ms | null;
  last_active_at: Ms | null;
  legal_accepted_at: Ms | null;
  locale: string | null;
  delete_self_enabled: boolean;
  create_organization_enabled: boolean;
  create_organizations_limit: number | null;
  created_at: Ms;
  updated_at: Ms;
}

export interface PublicUserDataJson {
  user_id: string;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  has_image: boolean;
  identifier: string;
  username?: string | null;
}

export interface SessionJson {
  object: 'session';
  id: string;
  status: 'active' | 'ended' | 'removed' | 'revoked' | 'expired';
  expire_at: Ms;
  abandon_at: Ms;
  last_active_at: Ms;
  last_active_organization_id: string | null;
  user: UserJson;
  public_user_data: PublicUserDataJson;
  created_at: Ms;
  updated_at: Ms;
}

export interface SignUpJson {
  object: 'sign_up_attempt';
  id: string;
  status: 'missing_requirements' | 'complete' | 'abandoned';
  required_fields: string[];
  optional_fields: string[];
  missing_fields: string[];
  unverified_fields: string[];
  verifications: { email_address: VerificationJson | null };
  username: string | null;
  email_address: string | null;
  phone_number: string | null;
  password_enabled: boolean;
  first_name: string | null;
  last_name: string | null;
  unsafe_metadata: JsonObject;
  public_metadata: JsonObject;
  created_session_id: string | null;
  created_user_id: string | null;
  abandon_at: Ms;
}

export interface FirstFactorJson {
  strategy: string;
  safe_identifier?: string;
  email_address_id?: string;
  primary?: boolean;
}

export interface SignInJson {
  object: 'sign_in_attempt';
  id: string;
  status: 'needs_identifier' | 'needs_first_factor' | 'complete' | 'abandoned';
  supported_identifiers: string[];
  identifier: string | null;
  supported_first_factors: FirstFactorJson[];
  first_factor_verification: VerificationJson | null;
  user_data: { first_name: string | null; last_name: string | null; image_url: string; has_image: boolean } | null;
  created_session_id: string | null;
  abandon_at: Ms;
}

export interface ClientJson {
  object: 'client';
  id: string;
  sessions: SessionJson[];
  sign_in: SignInJson | null;
  sign_up: SignUpJson | null;
  last_active_session_id: string | null;
  created_at: Ms;
  updated_at: Ms;
}

export interface OrganizationJson {
  object: 'organization';
  id: string;
  name: string;
  slug: string;
  image_url: string;
  has_image: boolean;
  members_count?: number;
  pending_invitations_count?: number;
  max_allowed_memberships: number;
  admin_delete_enabled: boolean;
  public_metadata: JsonObject;
  created_by: string | null;
  created_at: Ms;
  updated_at: Ms;
}

export interface MembershipJson {
  object: 'organization_membership';
  id: string;
  role: string;
  role_name: string;
  permissions: string[];
  public_metadata: JsonObject;
  public_user_data: PublicUserDataJson;
  organization: OrganizationJson;
  created_at: Ms;
  updated_at: Ms;
}

export interface PublicOrganizationDataJson {
  id: string;
  name: string;
  slug: string;
  image_url: string;
  has_image: boolean;
}

export interface OrganizationInvitationJson {
  object: 'organization_invitation';
  id: string;
  email_address: string;
  role: string;
  role_name: string;
  organization_id: string;
  inviter_id: string | null;
  public_inviter_data: Omit<PublicUserDataJson, 'username'> | null;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  public_metadata: JsonObject;
  url: string | null;
  expires_at: Ms | null;
  created_at: Ms;
  updated_at: Ms;
  public_organization_data?: PublicOrganizationDataJson;
}

export interface TokenJson {
  object: 'token';
  jwt: string;
}

export interface EnvironmentJson {
  object: 'environment';
  display_config: { application_name: string; sign_in_url: string; sign_up_url: string; home_url: string };
  user_settings: { sign_up: { mode: 'public' | 'restricted' | 'allowlist' }; first_factors: string[]; password_min_length: number };
  organization_settings: { enabled: boolean };
}
