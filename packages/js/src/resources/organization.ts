// Organizations as a signed-in browser sees them: the Organization (from a membership), its
// memberships and invitations, and the invitations addressed to the user. Administration calls
// (invite, list, revoke) need org:sys_memberships:manage in that organization; anyone else gets
// a TesseraAPIError 403 `not_an_admin_in_organization`.
import { dateOrNull, enc, type Core } from '../core.ts';
import type { JsonObject, ListJson, MembershipJson, OrganizationInvitationJson, OrganizationJson, PublicOrganizationDataJson, PublicUserDataJson } from '../wire.ts';

/** A page of a list, with the number of items across all pages. */
export interface PaginatedResources<T> {
  data: T[];
  totalCount: number;
}

export type OrganizationInvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** A role key such as `org:admin` / `org:member` (or a custom `org:…`); `admin` / `basic_member` are accepted aliases. */
/** A role an organization's members can have (Organization.getRoles). */
export interface RoleResource {
  id: string;
  /** e.g. `org:admin` */
  key: string;
  name: string;
  description: string;
  /** The role's permission keys. */
  permissions: string[];
}

interface RoleJson {
  id: string;
  key: string;
  name: string;
  description?: string;
  permissions?: { key: string }[];
}

export type OrganizationRole = 'org:admin' | 'org:member' | 'admin' | 'basic_member' | (string & {});

export interface PaginationParams {
  /** 1..500, default 10. */
  limit?: number;
  offset?: number;
}

export interface GetInvitationsParams extends PaginationParams {
  /** One status or several; default: every status. */
  status?: OrganizationInvitationStatus | OrganizationInvitationStatus[];
}

export interface GetMembershipsParams extends PaginationParams {
  /** Only members with this role (or any of these roles). */
  role?: string | string[];
}

export interface PublicUserData {
  userId: string;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string;
  hasImage: boolean;
  /** The primary email address, else the username, else "". */
  identifier: string;
  username: string | null;
}

export interface PublicOrganizationData {
  id: string;
  name: string;
  slug: string;
  imageUrl: string;
  hasImage: boolean;
}

export function publicUserDataFromJson(j: PublicUserDataJson): PublicUserData {
  return {
    userId: j.user_id,
    firstName: j.first_name,
    lastName: j.last_name,
    imageUrl: j.image_url,
    hasImage: j.has_image,
    identifier: j.identifier,
    username: j.username ?? null,
  };
}

function publicOrganizationDataFromJson(j: PublicOrganizationDataJson): PublicOrganizationData {
  return { id: j.id, name: j.name, slug: j.slug, imageUrl: j.image_url, hasImage: j.has_image };
}

const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

export class Organization {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly imageUrl: string;
  readonly hasImage: boolean;
  /** Null when the server did not count (it counts only where asked to). */
  readonly membersCount: number | null;
  readonly pendingInvitationsCount: number | null;
  /** Members plus pending invitations allowed; 0 = unlimited. */
  readonly maxAllowedMemberships: number;
  readonly adminDeleteEnabled: boolean;
  readonly publicMetadata: JsonObject;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly #core: Core;

  constructor(core: Core, j: OrganizationJson) {
    this.#core = core;
    this.id = j.id;
    this.name = j.name;
    this.slug = j.slug;
    this.imageUrl = j.image_url;
    this.hasImage = j.has_image;
    this.membersCount = j.members_count ?? null;
    this.pendingInvitationsCount = j.pending_invitations_count ?? null;
    this.maxAllowedMemberships = j.max_allowed_memberships;
    this.adminDeleteEnabled = j.admin_delete_enabled;
    this.publicMetadata = j.public_metadata;
    this.createdBy = j.created_by;
    this.createdAt = new Date(j.created_at);
    this.updatedAt = new Date(j.updated_at);
  }

  /** Invites one address (the signed-in user is the inviter; the server emails the link). */
  async inviteMember(params: { emailAddress: string; role: OrganizationRole }): Promise<OrganizationInvitation> {
    const json = await this.#core.call<OrganizationInvitationJson>('POST', `/v1/organizations/${enc(this.id)}/invitations`, {
      form: { email_address: params.emailAddress, role: params.role },
    });
    this.#core.notify({ type: 'organizationInvitations', organizationId: this.id });
    return new OrganizationInvitation(this.#core, json);
  }

  /** Invites up to 10 addresses with one role: all are invited, or none (the error says which failed). */
  async inviteMembers(params: { emailAddresses: string[]; role: OrganizationRole }): Promise<OrganizationInvitation[]> {
    const json = await this.#core.call<OrganizationInvitationJson[]>('POST', `/v1/organizations/${enc(this.id)}/invitations/bulk`, {
      form: { email_address: params.emailAddresses, role: params.role },
    });
    this.#core.notify({ type: 'organizationInvitations', organizationId: this.id });
    return json.map((i) => new OrganizationInvitation(this.#core, i));
  }

  /** The organization's invitations, newest first. */
  async getInvitations(params: GetInvitationsParams = {}): Promise<PaginatedResources<OrganizationInvitation>> {
    const list = await this.#core.call<ListJson<OrganizationInvitationJson>>('GET', `/v1/organizations/${enc(this.id)}/invitations`, {
      query: { status: asList(params.status), limit: params.limit, offset: params.offset },
    });
    return { data: list.data.map((i) => new OrganizationInvitation(this.#core, i)), totalCount: list.total_count };
  }

  /** The organization's members (needs org:sys_memberships:read). */
  /**
   * The roles a member of this organization can have, for an invite form (any member with
   * `org:sys_memberships:read`; others get a 403 `not_an_admin_in_organization`).
   */
  async getRoles(): Promise<PaginatedResources<RoleResource>> {
    const list = await this.#core.call<ListJson<RoleJson>>('GET', `/v1/organizations/${enc(this.id)}/roles`);
    return {
      data: list.data.map((r) => ({ id: r.id, key: r.key, name: r.name, description: r.description ?? '', permissions: (r.permissions ?? []).map((p) => p.key) })),
      totalCount: list.total_count,
    };
  }

  async getMemberships(params: GetMembershipsParams = {}): Promise<PaginatedResources<OrganizationMembership>> {
    const list = await this.#core.call<ListJson<MembershipJson>>('GET', `/v1/organizations/${enc(this.id)}/memberships`, {
      query: { role: asList(params.role), limit: params.limit, offset: params.offset },
    });
    return { data: list.data.map((m) => new OrganizationMembership(this.#core, m)), totalCount: list.total_count };
  }
}

export class OrganizationMembership {
  readonly id: string;
  /** The role key, e.g. `org:admin`. */
  readonly role: string;
  readonly roleName: string;
  /** Every permission key of the role (system ones, org:sys_*, included). */
  readonly permissions: string[];
  readonly publicMetadata: JsonObject;
  readonly publicUserData: PublicUserData;
  readonly organization: Organization;
  readonly createdAt: Date;
  readonly updatedAt: Date;

  constructor(core: Core, j: MembershipJson) {
    this.id = j.id;
    this.role = j.role;
    this.roleName = j.role_name;
    this.permissions = j.permissions;
    this.publicMetadata = j.public_metadata;
    this.publicUserData = publicUserDataFromJson(j.public_user_data);
    this.organization = new Organization(core, j.organization);
    this.createdAt = new Date(j.created_at);
    this.updatedAt = new Date(j.updated_at);
  }
}

/** Fields shared by an organization's invitations and the ones addressed to the user. */
abstract class InvitationBase {
  declare readonly id: string;
  declare readonly emailAddress: string;
  declare readonly organizationId: string;
  /** The canonical role key (`admin` given on create shows as `org:admin`, `basic_member` as `org:member`). */
  declare readonly role: string;
  declare readonly roleName: string;
  declare readonly status: OrganizationInvitationStatus;
  declare readonly publicMetadata: JsonObject;
  declare readonly publicInviterData: Omit<PublicUserData, 'username'> | null;
  declare readonly publicOrganizationData: PublicOrganizationData | null;
  declare readonly expiresAt: Date | null;
  declare readonly createdAt: Date;
  declare readonly updatedAt: Date;
  protected readonly core: Core;

  constructor(core: Core, j: OrganizationInvitationJson) {
    this.core = core;
    this.apply(j);
  }

  /** Resources are updated in place by their own mutations (as in clerk-js), and returned. */
  protected apply(j: OrganizationInvitationJson): this {
    const inviter = j.public_inviter_data;
    return Object.assign(this, {
      id: j.id,
      emailAddress: j.email_address,
      organizationId: j.organization_id,
      role: j.role,
      roleName: j.role_name,
      status: j.status,
      publicMetadata: j.public_metadata,
      publicInviterData: inviter
        ? { userId: inviter.user_id, firstName: inviter.first_name, lastName: inviter.last_name, imageUrl: inviter.image_url, hasImage: inviter.has_image, identifier: inviter.identifier }
        : null,
      publicOrganizationData: j.public_organization_data ? publicOrganizationDataFromJson(j.public_organization_data) : null,
      expiresAt: dateOrNull(j.expires_at),
      createdAt: new Date(j.created_at),
      updatedAt: new Date(j.updated_at),
    });
  }
}

/** An invitation to an organization, as its administrators see it. */
export class OrganizationInvitation extends InvitationBase {
  /** Revokes a pending invitation (404 `organization_invitation_not_pending` otherwise); updates and returns this one. */
  async revoke(): Promise<this> {
    const json = await this.core.call<OrganizationInvitationJson>('POST', `/v1/organizations/${enc(this.organizationId)}/invitations/${enc(this.id)}/revoke`);
    this.apply(json);
    this.core.notify({ type: 'organizationInvitations', organizationId: this.organizationId });
    return this;
  }
}

/** An invitation addressed to one of the signed-in user's verified email addresses. */
export class UserOrganizationInvitation extends InvitationBase {
  declare readonly publicOrganizationData: PublicOrganizationData;

  /**
   * Accepts it: the user becomes a member and the organization becomes the session's active one.
   * Resolves once the instance has reloaded (so `tessera.organization` is the new one).
   */
  async accept(): Promise<this> {
    const json = await this.core.call<OrganizationInvitationJson>('POST', `/v1/me/organization_invitations/${enc(this.id)}/accept`);
    this.apply(json);
    await this.core.reload();
    this.core.notify({ type: 'userInvitations' });
    this.core.notify({ type: 'userMemberships' });
    return this;
  }

  /** Declines it: the invitation ends revoked, and no membership is made. Updates and returns this one. */
  async decline(): Promise<this> {
    const json = await this.core.call<OrganizationInvitationJson>('POST', `/v1/me/organization_invitations/${enc(this.id)}/decline`);
    this.apply(json);
    this.core.notify({ type: 'userInvitations' });
    return this;
  }
}
