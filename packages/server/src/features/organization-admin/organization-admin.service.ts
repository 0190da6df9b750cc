// Organization administration from the browser. Access rule: a live session whose user is a
// member of the organization with org:sys_memberships:manage (org:admin by default) may invite,
// list invitations and revoke; org:sys_memberships:read suffices to list the members. Anyone
// else: 403 not_an_admin_in_organization. The work itself is the Backend API's services, with the
// signed-in user as inviter / requester.
import type { Deps } from '../../deps.ts';
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
import type { InviteMemberInput, InviteMembersInput } from './organization-admin.schemas.ts';

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
