// Organization administration from the browser. Access rule: a live session whose user is a
// member of the organization with org:sys_memberships:manage (org:admin by default) may invite,
// list invitations and revoke; org:sys_memberships:read suffices to list the members. Anyone
// else: 403 not_an_admin_in_organization. The work itself is the Backend API's services, with the
// signed-in user as inviter / requester.
//
// Any signed-in user may create an organization (and becomes its org:admin), unless the user's
// create_organization_enabled is false (403 organization_creation_not_allowed) or they have
// created their limit already: create_organizations_limit, else TESSERA_MAX_ORGANIZATIONS_PER_USER
// (0 = unlimited; 403 organization_creation_limit_exceeded). The user's row is locked while the
// count is taken and the organization written, so two creates at once cannot both pass the limit.
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../http/errors.ts';
import { requireSession } from '../clients/client.service.ts';
import type { FapiCall, FapiResult } from '../clients/client.view.ts';
import { listOrganizationMemberships } from '../memberships/membership.service.ts';
import type { ListMembershipsQueryT } from '../memberships/membership.schemas.ts';
import { toFrontendInvitation, toFrontendMembership } from '../me/me.service.ts';
import type { FrontendMembershipListJson, FrontendOrganizationInvitationJson, FrontendOrganizationInvitationListJson } from '../me/me.schemas.ts';
import {
  createOrganizationInvitation,
  createOrganizationInvitationBulk,
  listOrganizationInvitationsOf,
  revokeOrganizationInvitation,
} from '../organization-invitations/organization-invitation.service.ts';
import type { ListOrganizationInvitationsQueryT } from '../organization-invitations/organization-invitation.schemas.ts';
import { ensureMemberPermission, getRoleList, MANAGE_MEMBERSHIPS } from '../roles/role.service.ts';
import type { RoleListJson } from '../roles/role.schemas.ts';
import type { FrontendOrganizationJson } from '../clients/client.schemas.ts';
import { createOrganization } from '../organizations/organization.service.ts';
import { countOrganizationsCreatedBy } from '../organizations/organization.repository.ts';
import { findUserByIdForUpdate } from '../users/user.repository.ts';
import type { CreateOrganizationFromBrowserInput, InviteMemberInput, InviteMembersInput } from './organization-admin.schemas.ts';

const READ_MEMBERSHIPS = 'org:sys_memberships:read';

async function asMemberWith(deps: Deps, call: FapiCall, organizationId: string, permission: string): Promise<{ clientId: string; userId: string }> {
  const { client, session } = await requireSession(deps, call.req);
  await ensureMemberPermission(deps.db, organizationId, session.user_id, permission);
  return { clientId: client.id, userId: session.user_id };
}

export async function inviteMember(deps: Deps, call: FapiCall, organizationId: string, input: InviteMemberInput): Promise<FapiResult<FrontendOrganizationInvitationJson>> {
  const { clientId, userId } = await asMemberWith(deps, call, organizationId, MANAGE_MEMBERSHIPS);
  const created = await createOrganizationInvitation(deps, organizationId, { email_address: input.email_address, role: input.role, inviter_user_id: userId });
  // The link is for the invitee's inbox, not for the inviting browser.
  return { response: toFrontendInvitation({ ...created, url: null }), clientId };
}

export async function inviteMembers(deps: Deps, call: FapiCall, organizationId: string, input: InviteMembersInput): Promise<FapiResult<FrontendOrganizationInvitationJson[]>> {
  const { clientId, userId } = await asMemberWith(deps, call, organizationId, MANAGE_MEMBERSHIPS);
  const created = await createOrganizationInvitationBulk(
    deps,
    organizationId,
    input.email_address.map((email_address) => ({ email_address, role: input.role, inviter_user_id: userId })),
  );
  return { response: created.data.map((i) => toFrontendInvitation({ ...i, url: null })), clientId };
}

export async function listInvitations(deps: Deps, call: FapiCall, organizationId: string, q: ListOrganizationInvitationsQueryT): Promise<FapiResult<FrontendOrganizationInvitationListJson>> {
  const { clientId } = await asMemberWith(deps, call, organizationId, MANAGE_MEMBERSHIPS);
  const list = await listOrganizationInvitationsOf(deps, organizationId, q);
  return { response: { data: list.data.map(toFrontendInvitation), total_count: list.total_count }, clientId };
}

export async function revokeInvitation(deps: Deps, call: FapiCall, organizationId: string, invitationId: string): Promise<FapiResult<FrontendOrganizationInvitationJson>> {
  const { clientId, userId } = await asMemberWith(deps, call, organizationId, MANAGE_MEMBERSHIPS);
  return { response: toFrontendInvitation(await revokeOrganizationInvitation(deps, organizationId, invitationId, userId)), clientId };
}

export async function listMembers(deps: Deps, call: FapiCall, organizationId: string, q: ListMembershipsQueryT): Promise<FapiResult<FrontendMembershipListJson>> {
  const { clientId } = await asMemberWith(deps, call, organizationId, READ_MEMBERSHIPS);
  const list = await listOrganizationMemberships(deps, organizationId, q);
  return { response: { data: list.data.map(toFrontendMembership), total_count: list.total_count }, clientId };
}

/** The roles a member may be invited with (every role of the instance), for the invite form. */
export async function listRoles(deps: Deps, call: FapiCall, organizationId: string): Promise<FapiResult<RoleListJson>> {
  const { clientId } = await asMemberWith(deps, call, organizationId, READ_MEMBERSHIPS);
  return { response: await getRoleList(deps, { limit: 100, offset: 0, order_by: 'created_at' }), clientId };
}

/** A new organization, its creator the signed-in user (org:admin); it does not become active by itself (setActive does that). */
export async function createOrganizationFromBrowser(deps: Deps, call: FapiCall, input: CreateOrganizationFromBrowserInput): Promise<FapiResult<FrontendOrganizationJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const userId = session.user_id;
  const created = await createOrganization(deps, { name: input.name, slug: input.slug, created_by: userId }, async (trx) => {
    const user = await findUserByIdForUpdate(trx, userId);
    if (!user) throw new ApiError('signed_out');
    if (!user.create_organization_enabled) throw new ApiError('organization_creation_not_allowed');
    const max = user.create_organizations_limit ?? deps.config.maxOrganizationsPerUser;
    if (max > 0 && (await countOrganizationsCreatedBy(trx, userId)) >= max) throw new ApiError('organization_creation_limit_exceeded', { vars: { max } });
  });
  const { private_metadata: _private, ...organization } = created;
  return { response: organization, clientId: client.id };
}
