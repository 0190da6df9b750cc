// The Tessera instance: the browser's state (client, session, user, active organization,
// environment) kept in step with the Frontend API, the current sign-in / sign-up attempts, and
// session tokens. Every answer of the Frontend API carries the client after the request; the
// instance applies it (as clerk-js does), so state changes however they were caused.
import { decodeBase64Url } from './base64.ts';
import { enc, type Core, type GetTokenOptions, type MutationEvent } from './core.ts';
import { isTesseraAPIError } from './errors.ts';
import { Fapi, type FapiRequest, type FetchLike, type Form, type Method } from './fapi.ts';
import { parsePublishableKey } from './publishable-key.ts';
import { Client } from './resources/client.ts';
import { Organization, OrganizationMembership } from './resources/organization.ts';
import type { Session } from './resources/session.ts';
import { SignIn } from './resources/sign-in.ts';
import { SignUp } from './resources/sign-up.ts';
import type { User } from './resources/user.ts';
import type { ClientJson, EnvironmentJson, ListJson, MembershipJson, OrganizationJson, TokenJson } from './wire.ts';

export interface TesseraOptions {
  /** The Frontend API's base URL (the server's public URL), e.g. `https://auth.example.com`. */
  frontendApi?: string;
  /** A publishable key (`pk_test_…` / `pk_live_…`) naming the Frontend API. Ignored when `frontendApi` is given. */
  publishableKey?: string;
  /**
   * The fetch to call the Frontend API with (default: the global fetch, with
   * `credentials: 'include'` so the `__client` cookie goes along). Tests in Node pass one that
   * keeps cookies.
   */
  fetch?: FetchLike;
  /** The clock (Unix milliseconds) used to decide when a cached session token is stale. Default `Date.now`. */
  now?: () => number;
  /**
   * How long a Frontend API request may go unanswered before it fails like a network error (a
   * `TypeError`), so a stalled connection never leaves a form busy for good. Default 30,000 ms;
   * 0 waits forever.
   */
  requestTimeoutMs?: number;
}

/** Public instance settings (GET /v1/environment). */
export interface Environment {
  displayConfig: { applicationName: string; signInUrl: string; signUpUrl: string; homeUrl: string };
  userSettings: { signUp: { mode: 'public' | 'restricted' | 'allowlist' }; firstFactors: string[]; passwordMinLength: number };
  organizationSettings: { enabled: boolean };
}

function environmentFromJson(j: EnvironmentJson): Environment {
  return {
    displayConfig: {
      applicationName: j.display_config.application_name,
      signInUrl: j.display_config.sign_in_url,
      signUpUrl: j.display_config.sign_up_url,
      homeUrl: j.display_config.home_url,
    },
    userSettings: {
      signUp: { mode: j.user_settings.sign_up.mode },
      firstFactors: j.user_settings.first_factors,
      passwordMinLength: j.user_settings.password_min_length,
    },
    organizationSettings: { enabled: j.organization_settings.enabled },
  };
}

/**
 * What changed: `state` (client, session, user, organization, environment or loaded), or a list
 * that the state does not hold: an organization's invitations (invited, revoked), the user's
 * invitations or memberships (an invitation accepted).
 */
export type TesseraEventType = 'state' | MutationEvent['type'];

export interface TesseraEvent {
  type: TesseraEventType;
  /** For `organizationInvitations`: whose. */
  organizationId?: string;
  client: Client | null;
  session: Session | null;
  user: User | null;
  organization: Organization | null;
}

export type TesseraListener = (event: TesseraEvent) => void;

export interface SetActiveParams {
  /** The session (or its id) to make active; `null` signs out; omitted: the current one. */
  session?: string | Session | null;
  /** The organization (or its id) to make the session's active one; `null` for none; omitted: unchanged. */
  organization?: string | Organization | null;
}

export interface CreateOrganizationParams {
  name: string;
  /** Lowercase letters, digits and dashes; derived from the name when omitted. */
  slug?: string;
}

export interface SignOutOptions {
  /** End only this session (default: every session of this browser). */
  sessionId?: string;
}

/** A token is fetched again once this little of its life is left. */
const TOKEN_REFRESH_MARGIN_MS = 10_000;
const MEMBERSHIP_PAGE = 500;

/** The lifetime the server gave a JWT (exp − iat), or null when it cannot be read. */
function tokenLifetimeMs(jwt: string): number | null {
  const payload = jwt.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(decodeBase64Url(payload)) as { exp?: unknown; iat?: unknown };
    return typeof claims.exp === 'number' && typeof claims.iat === 'number' ? (claims.exp - claims.iat) * 1000 : null;
  } catch {
    return null;
  }
}

export class Tessera {
  /** The Frontend API's base URL. */
  readonly frontendApi: string;
  readonly #fapi: Fapi;
  readonly #now: () => number;
  readonly #core: Core;
  #client: Client | null = null;
  #session: Session | null = null;
  #membership: OrganizationMembership | null = null;
  #environment: Environment | null = null;
  #loaded = false;
  #loadError: unknown = null;
  #loading: Promise<void> | null = null;
  #revision = 0;
  readonly #listeners = new Set<TesseraListener>();
  // Applying a client can wait for a membership lookup; a later apply supersedes an earlier one.
  #applySeq = 0;
  #latestApply: Promise<void> = Promise.resolve();
  #lastClientText: string | null = null;
  readonly #tokens = new Map<string, { jwt: string; refreshAt: number }>();
  readonly #tokenRequests = new Map<string, Promise<string | null>>();
  #emptySignIn: SignIn | null = null;
  #emptySignUp: SignUp | null = null;

  constructor(options: TesseraOptions) {
    const url = options.frontendApi ?? (options.publishableKey ? parsePublishableKey(options.publishableKey).frontendApi : undefined);
    if (!url) throw new TypeError('Tessera: pass frontendApi or publishableKey');
    this.frontendApi = url.replace(/\/+$/, '');
    this.#fapi = new Fapi(this.frontendApi, options.fetch, options.requestTimeoutMs);
    this.#now = options.now ?? (() => Date.now());
    this.#core = {
      call: (method, path, req) => this.#call(method, path, req),
      reload: () => this.reload(),
      notify: (event) => this.#emit(event),
      getToken: (sessionId, opts) => this.#getToken(sessionId, opts),
    };
  }

  /** True once `load()` has read the environment and the client. */
  get loaded(): boolean {
    return this.#loaded;
  }
  /** Why the last `load()` failed (null when it did not). */
  get loadError(): unknown {
    return this.#loadError;
  }
  get client(): Client | null {
    return this.#client;
  }
  /** The last active session, or null when signed out. */
  get session(): Session | null {
    return this.#session;
  }
  get user(): User | null {
    return this.#session?.user ?? null;
  }
  /** The session's active organization, or null (none, or signed out). */
  get organization(): Organization | null {
    return this.#membership?.organization ?? null;
  }
  /** The user's membership in the active organization (role, permissions), or null. */
  get membership(): OrganizationMembership | null {
    return this.#membership;
  }
  get environment(): Environment | null {
    return this.#environment;
  }
  /** The sign-in in progress; an empty one (`id === null`) to `create()` when there is none. */
  get signIn(): SignIn {
    if (this.#client) return this.#client.signIn;
    return (this.#emptySignIn ??= new SignIn(this.#core, null));
  }
  /** The sign-up in progress; an empty one (`id === null`) to `create()` when there is none. */
  get signUp(): SignUp {
    if (this.#client) return this.#client.signUp;
    return (this.#emptySignUp ??= new SignUp(this.#core, null));
  }
  /** Goes up by one on every event: a cheap snapshot for external stores (React's useSyncExternalStore). */
  get revision(): number {
    return this.#revision;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  addListener(listener: TesseraListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Loads the environment and the client. Idempotent: later calls share the first one (retried after a failure). */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        const [environment, client] = await Promise.all([
          this.#fapi.send('GET', '/v1/environment') as Promise<EnvironmentJson>,
          this.#fapi.request<ClientJson | null>('GET', '/v1/client'),
        ]);
        this.#environment = environmentFromJson(environment);
        await this.#applyClient(client.response, { force: true, quiet: true });
        this.#loaded = true;
        this.#loadError = null;
        this.#emit({ type: 'state' });
      } catch (e) {
        this.#loadError = e;
        this.#loading = null;
        this.#emit({ type: 'state' });
        throw e;
      }
    })();
    return this.#loading;
  }

  /** Fetches the client again, and the active organization's membership. */
  async reload(): Promise<void> {
    const answer = await this.#fapi.request<ClientJson | null>('GET', '/v1/client');
    await this.#applyClient(answer.response, { force: true });
  }

  /**
   * Creates an organization with the signed-in user as its `org:admin` (clerk-js'
   * `createOrganization`). It does not become active by itself: `setActive({ organization })`.
   * A TesseraAPIError 403 `organization_creation_not_allowed` or `organization_creation_limit_exceeded`
   * when the user may not create one (more).
   */
  async createOrganization(params: CreateOrganizationParams): Promise<Organization> {
    const form: Form = { name: params.name };
    if (params.slug !== undefined) form.slug = params.slug;
    const json = await this.#call<OrganizationJson>('POST', '/v1/organizations', { form });
    this.#emit({ type: 'userMemberships' });
    return new Organization(this.#core, json);
  }

  /**
   * Makes a session (and optionally an organization) active, then reloads: resolves once
   * `session`, `user` and `organization` show it. `{ session: null }` signs out.
   */
  async setActive(params: SetActiveParams): Promise<void> {
    if (params.session === null) return this.signOut();
    const sessionId = params.session === undefined ? this.#session?.id : typeof params.session === 'string' ? params.session : params.session.id;
    if (!sessionId) {
      if (params.organization !== undefined) throw new Error('Tessera: setActive({ organization }) needs a signed-in session');
      return;
    }
    const form: Form = {};
    if (params.organization !== undefined) {
      form.active_organization_id = params.organization === null ? '' : typeof params.organization === 'string' ? params.organization : params.organization.id;
    }
    await this.#fapi.request('POST', `/v1/client/sessions/${enc(sessionId)}/touch`, { form });
    await this.reload();
  }

  /** Signs out of every session of this browser (or of one). */
  async signOut(options: SignOutOptions = {}): Promise<void> {
    const answer = options.sessionId
      ? await this.#fapi.request('POST', `/v1/client/sessions/${enc(options.sessionId)}/end`)
      : await this.#fapi.request('DELETE', '/v1/client/sessions');
    this.#tokens.clear();
    await this.#applyClient(answer.client, { force: true });
  }

  async #call<T>(method: Method, path: string, req?: FapiRequest): Promise<T> {
    const answer = await this.#fapi.request<T>(method, path, req);
    await this.#applyClient(answer.client);
    return answer.response;
  }

  #emit(event: MutationEvent | { type: 'state' }): void {
    this.#revision += 1;
    const full: TesseraEvent = {
      ...event,
      client: this.#client,
      session: this.#session,
      user: this.user,
      organization: this.organization,
    };
    for (const listener of [...this.#listeners]) {
      try {
        listener(full);
      } catch (e) {
        // One failing listener must not keep the others from hearing the change.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /**
   * Makes `json` the current client. The active organization comes from the user's membership in
   * it, looked up again when the organization or user changes (or `force`). An answer equal to
   * the last one changes nothing.
   */
  #applyClient(json: ClientJson | null, opts: { force?: boolean; quiet?: boolean } = {}): Promise<void> {
    const text = JSON.stringify(json);
    if (!opts.force && text === this.#lastClientText) return this.#latestApply;
    this.#lastClientText = text;
    const seq = ++this.#applySeq;
    const run = this.#doApply(json, seq, opts);
    this.#latestApply = run;
    return run;
  }

  async #doApply(json: ClientJson | null, seq: number, opts: { force?: boolean; quiet?: boolean }): Promise<void> {
    const client = json ? new Client(this.#core, json) : null;
    const session = client?.activeSession ?? null;
    const orgId = session?.lastActiveOrganizationId ?? null;
    let membership = this.#membership;
    if (!session || !orgId) membership = null;
    else if (opts.force || !membership || membership.organization.id !== orgId || membership.publicUserData.userId !== session.user.id) {
      membership = await this.#findMembership(orgId);
    }
    if (seq !== this.#applySeq) return this.#latestApply;
    this.#client = client;
    this.#session = session;
    this.#membership = membership;
    for (const key of [...this.#tokens.keys()]) if (!session || !key.startsWith(`${session.id}/`)) this.#tokens.delete(key);
    if (!opts.quiet) this.#emit({ type: 'state' });
  }

  async #findMembership(organizationId: string): Promise<OrganizationMembership | null> {
    try {
      for (let offset = 0; ; offset += MEMBERSHIP_PAGE) {
        // Not through #call: this answer's client is the one being applied.
        const { response } = await this.#fapi.request<ListJson<MembershipJson>>('GET', '/v1/me/organization_memberships', { query: { limit: MEMBERSHIP_PAGE, offset } });
        const found = response.data.find((m) => m.organization.id === organizationId);
        if (found) return new OrganizationMembership(this.#core, found);
        if (response.data.length < MEMBERSHIP_PAGE || offset + MEMBERSHIP_PAGE >= response.total_count) return null;
      }
    } catch {
      // The state still applies; the organization shows up on the next reload.
      return null;
    }
  }

  #getToken(sessionId: string, options: GetTokenOptions): Promise<string | null> {
    const session = this.#client?.sessions.find((s) => s.id === sessionId && s.status === 'active');
    if (!session) return Promise.resolve(null);
    const org = options.organizationId === undefined ? session.lastActiveOrganizationId ?? '' : options.organizationId ?? '';
    const key = `${sessionId}/${org}`;
    const cached = this.#tokens.get(key);
    if (!options.skipCache && cached && this.#now() < cached.refreshAt) return Promise.resolve(cached.jwt);
    const pending = this.#tokenRequests.get(key);
    if (pending) return pending;
    const request = this.#fetchToken(sessionId, options.organizationId, key).finally(() => {
      this.#tokenRequests.delete(key);
    });
    this.#tokenRequests.set(key, request);
    return request;
  }

  async #fetchToken(sessionId: string, organizationId: string | null | undefined, key: string): Promise<string | null> {
    // Timed from before the request, on this clock: a browser clock that is off does not matter.
    const sentAt = this.#now();
    try {
      const form: Form = organizationId === undefined ? {} : { organization_id: organizationId ?? '' };
      const answer = await this.#fapi.request<TokenJson>('POST', `/v1/client/sessions/${enc(sessionId)}/tokens`, { form });
      const jwt = answer.response.jwt;
      const lifetime = tokenLifetimeMs(jwt);
      if (lifetime !== null) this.#tokens.set(key, { jwt, refreshAt: sentAt + lifetime - TOKEN_REFRESH_MARGIN_MS });
      await this.#applyClient(answer.client);
      return jwt;
    } catch (e) {
      // The session ended elsewhere (signed out, expired, the user deleted): signed out here too.
      if (isTesseraAPIError(e) && (e.status === 401 || e.status === 404)) {
        this.#tokens.clear();
        await this.reload();
        return null;
      }
      throw e;
    }
  }
}

/** Creates a Tessera instance; call `load()` before reading its state. */
export function createTessera(options: TesseraOptions): Tessera {
  return new Tessera(options);
}
