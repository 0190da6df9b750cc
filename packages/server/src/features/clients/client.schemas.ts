// The Frontend API's resources on the wire (clerk-wire.md §6.4): every answer is
// `{ "response": …, "client": … }`, where `client` is the browser's Client after the request.
// Objects a browser sees never carry private metadata.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Metadata, Nullable } from '../../http/schemas.ts';
import { User } from '../users/user.schemas.ts';
import { OrganizationMembership, PublicUserData } from '../memberships/membership.schemas.ts';
import { Organization } from '../organizations/organization.schemas.ts';

const Ms = () => Type.Integer({ description: 'Unix milliseconds' });
const MsOrNull = () => Nullable(Ms());

/** The User object of the Backend API without private_metadata. */
export const FrontendUser = Type.Omit(User, ['private_metadata'], { $id: 'FrontendUser' });
export type FrontendUserJson = Static<typeof FrontendUser>;
export const FrontendUserRef = Type.Unsafe<FrontendUserJson>(Type.Ref('FrontendUser'));

/** The Organization object of the Backend API without private_metadata. */
export const FrontendOrganization = Type.Omit(Organization, ['private_metadata'], { $id: 'FrontendOrganization' });
export type FrontendOrganizationJson = Static<typeof FrontendOrganization>;

/** The OrganizationMembership object of the Backend API without private metadata (its own, its organization's). */
export const FrontendMembership = Type.Object(
  {
    ...Type.Omit(OrganizationMembership, ['private_metadata', 'organization']).properties,
    organization: Type.Unsafe<FrontendOrganizationJson>(Type.Ref('FrontendOrganization')),
  },
  { $id: 'FrontendOrganizationMembership' },
);
export type FrontendMembershipJson = Static<typeof FrontendMembership>;
export const FrontendMembershipRef = Type.Unsafe<FrontendMembershipJson>(Type.Ref('FrontendOrganizationMembership'));

/** A verification in progress or done (sign-up email, sign-in first factor). */
export const FrontendVerification = Type.Object(
  {
    object: Type.Literal('verification'),
    status: Type.Union([Type.Literal('unverified'), Type.Literal('verified'), Type.Literal('failed'), Type.Literal('expired')]),
    strategy: Nullable(Type.String({ description: 'ticket | email_code | password' })),
    attempts: Nullable(Type.Integer({ description: 'Failed attempts so far' })),
    expire_at: MsOrNull(),
    next_action: Type.String({ description: '"" or needs_prepare | needs_attempt' }),
    supported_strategies: Type.Array(Type.String()),
  },
  { $id: 'FrontendVerification' },
);
export type FrontendVerificationJson = Static<typeof FrontendVerification>;
export const FrontendVerificationRef = Type.Unsafe<FrontendVerificationJson>(Type.Ref('FrontendVerification'));

export const Session = Type.Object(
  {
    object: Type.Literal('session'),
    id: Type.String({ description: 'sess_…' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('ended'), Type.Literal('removed'), Type.Literal('revoked'), Type.Literal('expired')]),
    expire_at: Ms(),
    abandon_at: Ms(),
    last_active_at: Ms(),
    last_active_organization_id: Nullable(Type.String()),
    actor: Type.Null(),
    user: FrontendUserRef,
    public_user_data: PublicUserData,
    created_at: Ms(),
    updated_at: Ms(),
  },
  { $id: 'Session' },
);
export type SessionJson = Static<typeof Session>;
export const SessionRef = Type.Unsafe<SessionJson>(Type.Ref('Session'));

const SignUpRef = Type.Ref('SignUp');
const SignInRef = Type.Ref('SignIn');

export const Client = Type.Object(
  {
    object: Type.Literal('client'),
    id: Type.String({ description: 'client_…' }),
    sessions: Type.Array(SessionRef, { description: 'Signed-in sessions of this browser (at most one: one user per browser).' }),
    sign_in: Nullable(SignInRef),
    sign_up: Nullable(SignUpRef),
    last_active_session_id: Nullable(Type.String()),
    created_at: Ms(),
    updated_at: Ms(),
  },
  { $id: 'Client' },
);
export interface ClientJson {
  object: 'client';
  id: string;
  sessions: SessionJson[];
  sign_in: unknown;
  sign_up: unknown;
  last_active_session_id: string | null;
  created_at: number;
  updated_at: number;
}
export const ClientRef = Type.Unsafe<ClientJson>(Type.Ref('Client'));

/** The Frontend API envelope around a response. */
export const Fapi = <T extends TSchema>(response: T) =>
  Type.Object({ response, client: Nullable(ClientRef) });

export const clientSchemas: TSchema[] = [FrontendUser, FrontendOrganization, FrontendMembership, FrontendVerification, Session, Client];

export const TouchSessionBody = Type.Object(
  { active_organization_id: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'org_… to make active, or "" / null for none' }))) },
  { additionalProperties: false },
);
export type TouchSessionInput = Static<typeof TouchSessionBody>;

export const SessionIdParams = Type.Object({ session_id: Type.String({ minLength: 1, maxLength: 64 }) });
export { Metadata };
