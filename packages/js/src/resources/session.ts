// A signed-in session of this browser.
import type { Core, GetTokenOptions } from '../core.ts';
import type { SessionJson } from '../wire.ts';
import { publicUserDataFromJson, type PublicUserData } from './organization.ts';
import { User } from './user.ts';

export type SessionStatus = SessionJson['status'];

export class Session {
  readonly id: string;
  readonly status: SessionStatus;
  readonly expireAt: Date;
  readonly abandonAt: Date;
  readonly lastActiveAt: Date;
  /** The session's active organization (null: none, the personal account). */
  readonly lastActiveOrganizationId: string | null;
  readonly user: User;
  readonly publicUserData: PublicUserData;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly #core: Core;

  constructor(core: Core, j: SessionJson) {
    this.#core = core;
    this.id = j.id;
    this.status = j.status;
    this.expireAt = new Date(j.expire_at);
    this.abandonAt = new Date(j.abandon_at);
    this.lastActiveAt = new Date(j.last_active_at);
    this.lastActiveOrganizationId = j.last_active_organization_id;
    this.user = new User(core, j.user);
    this.publicUserData = publicUserDataFromJson(j.public_user_data);
    this.createdAt = new Date(j.created_at);
    this.updatedAt = new Date(j.updated_at);
  }

  /**
   * A session token (RS256 JWT, valid 60 s) for the application's backend, or null when this
   * session is no longer signed in. Tokens are cached per session and organization and fetched
   * again once 10 s or less of their life is left; concurrent callers share one request.
   */
  getToken(options: GetTokenOptions = {}): Promise<string | null> {
    return this.#core.getToken(this.id, options);
  }
}
