// The signed-in user (the Frontend API's User: the Backend API's without private metadata).
import { dateOrNull, type Core } from '../core.ts';
import type { EmailAddressJson, JsonObject, ListJson, MembershipJson, OrganizationInvitationJson, UserJson } from '../wire.ts';
import { OrganizationMembership, UserOrganizationInvitation, type OrganizationInvitationStatus, type PaginatedResources, type PaginationParams } from './organization.ts';

export interface EmailAddress {
  id: string;
  emailAddress: string;
  verification: { status: 'unverified' | 'verified' | 'expired' | 'failed'; strategy: string } | null;
  linkedTo: { type: string; id: string }[];
}

function emailAddressFromJson(j: EmailAddressJson): EmailAddress {
  return {
    id: j.id,
    emailAddress: j.email_address,
    verification: j.verification ? { status: j.verification.status as 'unverified' | 'verified' | 'expired' | 'failed', strategy: j.verification.strategy } : null,
    linkedTo: j.linked_to.map((l) => ({ type: l.type, id: l.id })),
  };
}

export interface GetUserInvitationsParams extends PaginationParams {
  /** Default: pending. */
  status?: OrganizationInvitationStatus | OrganizationInvitationStatus[];
}

/** What a user may change of their own account (clerk-js' `user.update`). */
export interface UpdateUserParams {
  firstName?: string;
  lastName?: string;
  username?: string;
  /** Replaces the stored unsafe metadata whole. */
  unsafeMetadata?: JsonObject;
}

export class User {
  readonly id: string;
  readonly externalId: string | null;
  readonly username: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  /** First and last name joined, or null when neither is set. */
  readonly fullName: string | null;
  readonly imageUrl: string;
  readonly hasImage: boolean;
  readonly primaryEmailAddressId: string | null;
  readonly primaryEmailAddress: EmailAddress | null;
  readonly emailAddresses: EmailAddress[];
  /** Set by the application's backend (read-only here). */
  readonly publicMetadata: JsonObject;
  /** Set from the browser (e.g. at sign-up). */
  readonly unsafeMetadata: JsonObject;
  readonly passwordEnabled: boolean;
  readonly twoFactorEnabled: boolean;
  readonly banned: boolean;
  readonly locked: boolean;
  readonly createOrganizationEnabled: boolean;
  readonly deleteSelfEnabled: boolean;
  readonly lastSignInAt: Date | null;
  readonly lastActiveAt: Date | null;
  readonly legalAcceptedAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly #core: Core;

  constructor(core: Core, j: UserJson) {
    this.#core = core;
    this.id = j.id;
    this.externalId = j.external_id;
    this.username = j.username;
    this.firstName = j.first_name;
    this.lastName = j.last_name;
    this.fullName = [j.first_name, j.last_name].filter((s) => s).join(' ') || null;
    this.imageUrl = j.image_url;
    this.hasImage = j.has_image;
    this.primaryEmailAddressId = j.primary_email_address_id;
    this.emailAddresses = j.email_addresses.map(emailAddressFromJson);
    this.primaryEmailAddress = this.emailAddresses.find((e) => e.id === j.primary_email_address_id) ?? null;
    this.publicMetadata = j.public_metadata;
    this.unsafeMetadata = j.unsafe_metadata;
    this.passwordEnabled = j.password_enabled;
    this.twoFactorEnabled = j.two_factor_enabled;
    this.banned = j.banned;
    this.locked = j.locked;
    this.createOrganizationEnabled = j.create_organization_enabled;
    this.deleteSelfEnabled = j.delete_self_enabled;
    this.lastSignInAt = dateOrNull(j.last_sign_in_at);
    this.lastActiveAt = dateOrNull(j.last_active_at);
    this.legalAcceptedAt = dateOrNull(j.legal_accepted_at);
    this.createdAt = new Date(j.created_at);
    this.updatedAt = new Date(j.updated_at);
  }

  /** The user's memberships (each with its organization, role and permissions). */
  /**
   * Changes the user's names, username or unsafe metadata; resolves with the updated User (the
   * instance's `user` shows it too). Other fields are the backend's to set.
   */
  async update(params: UpdateUserParams): Promise<User> {
    const form: Record<string, string> = {};
    if (params.firstName !== undefined) form.first_name = params.firstName;
    if (params.lastName !== undefined) form.last_name = params.lastName;
    if (params.username !== undefined) form.username = params.username;
    if (params.unsafeMetadata !== undefined) form.unsafe_metadata = JSON.stringify(params.unsafeMetadata);
    return new User(this.#core, await this.#core.call<UserJson>('PATCH', '/v1/me', { form }));
  }

  async getOrganizationMemberships(params: PaginationParams = {}): Promise<PaginatedResources<OrganizationMembership>> {
    const list = await this.#core.call<ListJson<MembershipJson>>('GET', '/v1/me/organization_memberships', { query: { limit: params.limit, offset: params.offset } });
    return { data: list.data.map((m) => new OrganizationMembership(this.#core, m)), totalCount: list.total_count };
  }

  /** Organization invitations to the user's verified addresses (pending unless `status` says otherwise). */
  async getOrganizationInvitations(params: GetUserInvitationsParams = {}): Promise<PaginatedResources<UserOrganizationInvitation>> {
    const status = params.status === undefined ? undefined : Array.isArray(params.status) ? params.status : [params.status];
    const list = await this.#core.call<ListJson<OrganizationInvitationJson>>('GET', '/v1/me/organization_invitations', {
      query: { status, limit: params.limit, offset: params.offset },
    });
    return { data: list.data.map((i) => new UserOrganizationInvitation(this.#core, i)), totalCount: list.total_count };
  }
}
