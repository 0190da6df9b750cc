// A sign-in attempt (Clerk's SignIn): identifier + password at once, identifier then a first
// factor (password or emailed code), or an organization invitation's ticket. Methods update this
// object in place (as clerk-js does) and return it.
import { enc, type Core } from '../core.ts';
import type { SignInJson } from '../wire.ts';
import { ticketFromLocation, verificationFromJson, type Verification } from './verification.ts';

export type SignInStatus = SignInJson['status'];

export interface SignInCreateParams {
  strategy?: 'ticket' | 'password' | 'email_code';
  /** The email address. */
  identifier?: string;
  password?: string;
  /** The `__clerk_ticket` of an organization invitation link (an existing user accepting it). */
  ticket?: string;
}

export interface SignInFirstFactor {
  strategy: 'password' | 'email_code' | (string & {});
  /** The address, partly masked. */
  safeIdentifier?: string;
  emailAddressId?: string;
  primary?: boolean;
}

export type PrepareFirstFactorParams = { strategy: 'email_code'; emailAddressId?: string };
export type AttemptFirstFactorParams = { strategy: 'password'; password: string } | { strategy: 'email_code'; code: string };

export class SignIn {
  /** Null before the first `create()`. */
  declare readonly id: string | null;
  declare readonly status: SignInStatus | null;
  declare readonly supportedIdentifiers: string[];
  declare readonly identifier: string | null;
  declare readonly supportedFirstFactors: SignInFirstFactor[];
  declare readonly firstFactorVerification: Verification | null;
  declare readonly userData: { firstName: string | null; lastName: string | null; imageUrl: string; hasImage: boolean } | null;
  declare readonly createdSessionId: string | null;
  declare readonly abandonAt: Date | null;
  readonly #core: Core;

  constructor(core: Core, j: SignInJson | null) {
    this.#core = core;
    this.#apply(j);
  }

  #apply(j: SignInJson | null): this {
    const u = j?.user_data ?? null;
    return Object.assign(this, {
      id: j?.id ?? null,
      status: j?.status ?? null,
      supportedIdentifiers: j?.supported_identifiers ?? [],
      identifier: j?.identifier ?? null,
      supportedFirstFactors: (j?.supported_first_factors ?? []).map((f) => ({
        strategy: f.strategy,
        ...(f.safe_identifier === undefined ? {} : { safeIdentifier: f.safe_identifier }),
        ...(f.email_address_id === undefined ? {} : { emailAddressId: f.email_address_id }),
        ...(f.primary === undefined ? {} : { primary: f.primary }),
      })),
      firstFactorVerification: verificationFromJson(j?.first_factor_verification ?? null),
      userData: u ? { firstName: u.first_name, lastName: u.last_name, imageUrl: u.image_url, hasImage: u.has_image } : null,
      createdSessionId: j?.created_session_id ?? null,
      abandonAt: j ? new Date(j.abandon_at) : null,
    });
  }

  #path(action: string): string {
    if (!this.id) throw new Error('Tessera: this sign-in has not been created yet: call signIn.create() first');
    return `/v1/client/sign_ins/${enc(this.id)}${action}`;
  }

  /** Starts a new sign-in (this object becomes it). With identifier + password it completes at once. */
  async create(params: SignInCreateParams): Promise<this> {
    return this.#apply(
      await this.#core.call<SignInJson>('POST', '/v1/client/sign_ins', {
        form: { strategy: params.strategy, identifier: params.identifier, password: params.password, ticket: params.ticket },
      }),
    );
  }

  /** Signs in with an organization invitation's ticket, defaulting to the page URL's `__clerk_ticket`. */
  async ticket(params: { ticket?: string } = {}): Promise<this> {
    const ticket = params.ticket ?? ticketFromLocation();
    if (!ticket) throw new Error('Tessera: no ticket given and none in the page URL (__clerk_ticket)');
    return this.create({ strategy: 'ticket', ticket });
  }

  /** Emails a 6-digit code (to `emailAddressId`, default the primary address). */
  async prepareFirstFactor(params: PrepareFirstFactorParams): Promise<this> {
    return this.#apply(
      await this.#core.call<SignInJson>('POST', this.#path('/prepare_first_factor'), { form: { strategy: params.strategy, email_address_id: params.emailAddressId } }),
    );
  }

  async attemptFirstFactor(params: AttemptFirstFactorParams): Promise<this> {
    const form = params.strategy === 'password' ? { strategy: 'password', password: params.password } : { strategy: 'email_code', code: params.code };
    return this.#apply(await this.#core.call<SignInJson>('POST', this.#path('/attempt_first_factor'), { form }));
  }
}
