// The signed-in user (the Frontend API's User: the Backend API's without private metadata).
import { dateOrNull, enc, type Core } from '../core.ts';
import type { EmailAddressJson, JsonObject, ListJson, MembershipJson, OrganizationInvitationJson, UserJson } from '../wire.ts';
import { OrganizationMembership, UserOrganizationInvitation, type OrganizationInvitationStatus, type PaginatedResources, type PaginationParams } from './organization.ts';

export type EmailAddressVerificationStatus = 'unverified' | 'verified' | 'expired' | 'failed';

/**
 * One of the user's email addresses, or one they added and have not verified yet (clerk-js'
 * EmailAddressResource): prove it with `prepareVerification` then `attemptVerification`.
 */
export class EmailAddress {
  readonly id: string;
  readonly emailAddress: string;
  /** null: no code sent yet (a newly added address). */
  readonly verification: { status: EmailAddressVerificationStatus; strategy: string; attempts: number | null; expireAt: Date | null } | null;
  readonly linkedTo: { type: string; id: string }[];
  readonly #core: Core;

  constructor(core: Core, j: EmailAddressJson) {
    this.#core = core;
    this.id = j.id;
    this.emailAddress = j.email_address;
    this.verification = j.verification
      ? { status: j.verification.status as EmailAddressVerificationStatus, strategy: j.verification.strategy, attempts: j.verification.attempts, expireAt: dateOrNull(j.verification.expire_at) }
      : null;
    this.linkedTo = j.linked_to.map((l) => ({ type: l.type, id: l.id }));
  }

  /** Emails a 6-digit code to the address (a new code replaces the previous one). */
  async prepareVerification(params: { strategy: 'email_code' } = { strategy: 'email_code' }): Promise<EmailAddress> {
    return new EmailAddress(this.#core, await this.#core.call<EmailAddressJson>('POST', `/v1/me/email_addresses/${enc(this.id)}/prepare_verification`, { form: { strategy: params.strategy } }));
  }

  /**
   * Checks the emailed code (5 tries). The right one makes the address the user's, verified; the
   * invitations to it then show in the user's list.
   */
  async attemptVerification(params: { code: string }): Promise<EmailAddress> {
    const j = await this.#core.call<EmailAddressJson>('POST', `/v1/me/email_addresses/${enc(this.id)}/attempt_verification`, { form: { code: params.code } });
    this.#core.notify({ type: 'userInvitations' });
    return new EmailAddress(this.#core, j);
  }

  /** Removes the address (not the primary one). */
  async destroy(): Promise<void> {
    await this.#core.call('DELETE', `/v1/me/email_addresses/${enc(this.id)}`);
  }
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
  /** One of the user's verified addresses. */
  primaryEmailAddressId?: string;
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
    this.emailAddresses = j.email_addresses.map((e) => new EmailAddress(core, e));
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

  /**
   * Changes the user's names, username, unsafe metadata or primary address; resolves with the
   * updated User (the instance's `user` shows it too). Other fields are the backend's to set.
   */
  async update(params: UpdateUserParams): Promise<User> {
    const form: Record<string, string> = {};
    if (params.firstName !== undefined) form.first_name = params.firstName;
    if (params.lastName !== undefined) form.last_name = params.lastName;
    if (params.username !== undefined) form.username = params.username;
    if (params.unsafeMetadata !== undefined) form.unsafe_metadata = JSON.stringify(params.unsafeMetadata);
    if (params.primaryEmailAddressId !== undefined) form.primary_email_address_id = params.primaryEmailAddressId;
    return new User(this.#core, await this.#core.call<UserJson>('PATCH', '/v1/me', { form }));
  }

  /**
   * Adds an address to the account. It stays pending (not among `emailAddresses`, and it counts for
   * nothing) until verified: call `prepareVerification()` on the answer, then
   * `attemptVerification({ code })` with the code emailed to it.
   */
  async createEmailAddress(params: { email: string }): Promise<EmailAddress> {
    return new EmailAddress(this.#core, await this.#core.call<EmailAddressJson>('POST', '/v1/me/email_addresses', { form: { email_address: params.email } }));
  }

  /** The user's memberships (each with its organization, role and permissions). */
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
