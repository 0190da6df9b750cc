// The signed-in user's own account in the Frontend API: who they are, their memberships, the
// organization invitations addressed to their verified email addresses, and accepting one.
// Every function needs a live session (401 signed_out otherwise).
import type { Deps } from '../../deps.ts';
import { requireSession, toFrontendUser } from '../clients/client.service.ts';
import { setActiveOrganization } from '../clients/client.repository.ts';
import type { FrontendMembershipJson, FrontendUserJson } from '../clients/client.schemas.ts';
import type { FapiCall, FapiResult } from '../clients/client.view.ts';
import { listUserMemberships } from '../memberships/membership.service.ts';
import type { OrganizationMembershipJson } from '../memberships/membership.schemas.ts';
import { findOrganizationExtras } from '../organizations/organization.repository.ts';
import { getOrganizationInvitation, listUserOrganizationInvitations } from '../organization-invitations/organization-invitation.service.ts';
import type { OrganizationInvitationJson, UserOrganizationInvitationsQueryT } from '../organization-invitations/organization-invitation.schemas.ts';
import { acceptOrganizationInvitationAsUser, declineOrganizationInvitationAsUser } from '../tickets/ticket.accept.ts';
import { parseUnsafeMetadata } from '../sign-ups/sign-up.service.ts';
import { getUser, updateUser } from '../users/user.service.ts';
import type { FrontendMembershipListJson, FrontendOrganizationInvitationJson, FrontendOrganizationInvitationListJson, UpdateMeInput } from './me.schemas.ts';

export function toFrontendMembership(m: OrganizationMembershipJson): FrontendMembershipJson {
  const { private_metadata: _p, organization, ...rest } = m;
  const { private_metadata: _o, ...org } = organization;
  return { ...rest, organization: org };
}

export function toFrontendInvitation(i: OrganizationInvitationJson): FrontendOrganizationInvitationJson {
  const { private_metadata: _p, ...rest } = i;
  return rest;
}

export async function getMe(deps: Deps, call: FapiCall): Promise<FapiResult<FrontendUserJson>> {
  const { client, session } = await requireSession(deps, call.req);
  return { response: toFrontendUser(await getUser(deps, session.user_id)), clientId: client.id };
}

/**
 * The signed-in user's names, username, unsafe metadata (replaced whole) and primary address (one
 * of their verified ones), through the Backend API's update.
 */
export async function updateMe(deps: Deps, call: FapiCall, input: UpdateMeInput): Promise<FapiResult<FrontendUserJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const unsafe = parseUnsafeMetadata(input.unsafe_metadata);
  const user = await updateUser(deps, session.user_id, {
    ...(input.first_name !== undefined ? { first_name: input.first_name } : {}),
    ...(input.last_name !== undefined ? { last_name: input.last_name } : {}),
    ...(input.username !== undefined ? { username: input.username } : {}),
    ...(unsafe !== undefined ? { unsafe_metadata: unsafe } : {}),
    ...(input.primary_email_address_id !== undefined ? { primary_email_address_id: input.primary_email_address_id } : {}),
  });
  return { response: toFrontendUser(user), clientId: client.id };
}

/**
 * The user's memberships, a page at a time; each organization carries members_count and
 * pending_invitations_count, as Clerk's Frontend API gives them (what an organization switcher
 * or list shows), counted for the page in two grouped queries.
 */
export async function getMyMemberships(deps: Deps, call: FapiCall, q: { limit?: number; offset?: number }): Promise<FapiResult<FrontendMembershipListJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const list = await listUserMemberships(deps, session.user_id, { limit: q.limit ?? 10, offset: q.offset ?? 0 });
  const extras = await findOrganizationExtras(deps.db, list.data.map((m) => m.organization.id), { counts: true, elevated: false });
  const data = list.data.map((m) => {
    const json = toFrontendMembership(m);
    return { ...json, organization: { ...json.organization, ...extras.get(m.organization.id) } };
  });
  return { response: { data, total_count: list.total_count }, clientId: client.id };
}

/** Invitations to the user's verified addresses (pending by default). */
export async function getMyInvitations(deps: Deps, call: FapiCall, q: UserOrganizationInvitationsQueryT): Promise<FapiResult<FrontendOrganizationInvitationListJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const list = await listUserOrganizationInvitations(deps, session.user_id, { ...q, status: q.status && q.status.length > 0 ? q.status : ['pending'] });
  return { response: { data: list.data.map(toFrontendInvitation), total_count: list.total_count }, clientId: client.id };
}

/**
 * Accepts an invitation addressed to one of the user's verified addresses (anyone else's: 404,
 * as for an unknown id), and makes the organization the session's active one.
 */
export async function acceptMyInvitation(deps: Deps, call: FapiCall, invitationId: string): Promise<FapiResult<FrontendOrganizationInvitationJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const row = await deps.db.transaction().execute(async (trx) => {
    const accepted = await acceptOrganizationInvitationAsUser(deps, session.user_id, invitationId, trx);
    await setActiveOrganization(trx, session.id, accepted.organization_id);
    return accepted;
  });
  const json = await getOrganizationInvitation(deps, row.organization_id!, row.id);
  return { response: toFrontendInvitation(json), clientId: client.id };
}

/** Declines an invitation addressed to one of the user's verified addresses (it ends revoked). */
export async function declineMyInvitation(deps: Deps, call: FapiCall, invitationId: string): Promise<FapiResult<FrontendOrganizationInvitationJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const row = await declineOrganizationInvitationAsUser(deps, session.user_id, invitationId);
  const json = await getOrganizationInvitation(deps, row.organization_id!, row.id);
  return { response: toFrontendInvitation(json), clientId: client.id };
}
