// A sign-up attempt (Clerk's SignUp). With an invitation ticket it completes at once; otherwise an
// email address and password are verified by an emailed 6-digit code. Methods update this object
// in place (as clerk-js does) and return it, so both `await signUp.create(…)` followed by
// `signUp.status` and `const res = await signUp.create(…); res.status` work.
import { enc, dateOrNull, type Core } from '../core.ts';
import type { Form } from '../fapi.ts';
import type { JsonObject, SignUpJson } from '../wire.ts';
import { ticketFromLocation, verificationFromJson, type Verification } from './verification.ts';

export type SignUpStatus = SignUpJson['status'];

export interface SignUpUpdateParams {
  emailAddress?: string;
  password?: string;
  firstName?: string;
  lastName?: string;
  /** Any JSON object; stored on the user as unsafe metadata. */
  unsafeMetadata?: JsonObject;
  legalAccepted?: boolean;
}

export interface SignUpCreateParams extends SignUpUpdateParams {
  /** `ticket` accepts an invitation (needs `ticket`); otherwise email + password, verified by an email code. */
  strategy?: 'ticket' | 'email_code' | 'password';
  /** The `__clerk_ticket` of an invitation link. */
  ticket?: string;
}

function signUpForm(p: SignUpCreateParams): Form {
  return {
    strategy: p.strategy,
    ticket: p.ticket,
    email_address: p.emailAddress,
    password: p.password,
    first_name: p.firstName,
    last_name: p.lastName,
    unsafe_metadata: p.unsafeMetadata,
    legal_accepted: p.legalAccepted,
  };
}

export class SignUp {
  /** Null before the first `create()`. */
  declare readonly id: string | null;
  declare readonly status: SignUpStatus | null;
  declare readonly requiredFields: string[];
  declare readonly optionalFields: string[];
  declare readonly missingFields: string[];
  declare readonly unverifiedFields: string[];
  declare readonly verifications: { emailAddress: Verification | null };
  declare readonly username: string | null;
  declare readonly emailAddress: string | null;
  declare readonly phoneNumber: string | null;
  declare readonly passwordEnabled: boolean;
  declare readonly firstName: string | null;
  declare readonly lastName: string | null;
  declare readonly unsafeMetadata: JsonObject;
  declare readonly publicMetadata: JsonObject;
  declare readonly createdSessionId: string | null;
  declare readonly createdUserId: string | null;
  declare readonly abandonAt: Date | null;
  readonly #core: Core;

  constructor(core: Core, j: SignUpJson | null) {
    this.#core = core;
    this.#apply(j);
  }

  #apply(j: SignUpJson | null): this {
    return Object.assign(this, {
      id: j?.id ?? null,
      status: j?.status ?? null,
      requiredFields: j?.required_fields ?? [],
      optionalFields: j?.optional_fields ?? [],
      missingFields: j?.missing_fields ?? [],
      unverifiedFields: j?.unverified_fields ?? [],
      verifications: { emailAddress: verificationFromJson(j?.verifications.email_address ?? null) },
      username: j?.username ?? null,
      emailAddress: j?.email_address ?? null,
      phoneNumber: j?.phone_number ?? null,
      passwordEnabled: j?.password_enabled ?? false,
      firstName: j?.first_name ?? null,
      lastName: j?.last_name ?? null,
      unsafeMetadata: j?.unsafe_metadata ?? {},
      publicMetadata: j?.public_metadata ?? {},
      createdSessionId: j?.created_session_id ?? null,
      createdUserId: j?.created_user_id ?? null,
      abandonAt: dateOrNull(j?.abandon_at),
    });
  }

  #path(action = ''): string {
    if (!this.id) throw new Error('Tessera: this sign-up has not been created yet: call signUp.create() first');
    return `/v1/client/sign_ups/${enc(this.id)}${action}`;
  }

  /** Starts a new sign-up (this object becomes it). */
  async create(params: SignUpCreateParams): Promise<this> {
    return this.#apply(await this.#core.call<SignUpJson>('POST', '/v1/client/sign_ups', { form: signUpForm(params) }));
  }

  /** Accepts an invitation: `create({ strategy: 'ticket', ticket })`, the ticket defaulting to the page URL's `__clerk_ticket`. */
  async ticket(params: Omit<SignUpCreateParams, 'strategy'> = {}): Promise<this> {
    const ticket = params.ticket ?? ticketFromLocation();
    if (!ticket) throw new Error('Tessera: no ticket given and none in the page URL (__clerk_ticket)');
    return this.create({ ...params, strategy: 'ticket', ticket });
  }

  /** Sets missing fields of the sign-up in progress. */
  async update(params: SignUpUpdateParams): Promise<this> {
    return this.#apply(await this.#core.call<SignUpJson>('PATCH', this.#path(), { form: signUpForm(params) }));
  }

  /** Emails a 6-digit code to the sign-up's address (valid 10 minutes, 5 tries). */
  async prepareEmailAddressVerification(params: { strategy: 'email_code' } = { strategy: 'email_code' }): Promise<this> {
    return this.prepareVerification(params);
  }

  async prepareVerification(params: { strategy: 'email_code' }): Promise<this> {
    return this.#apply(await this.#core.call<SignUpJson>('POST', this.#path('/prepare_verification'), { form: { strategy: params.strategy } }));
  }

  /** Checks the emailed code; on success the sign-up is `complete` and signed in. */
  async attemptEmailAddressVerification(params: { code: string }): Promise<this> {
    return this.attemptVerification({ strategy: 'email_code', code: params.code });
  }

  async attemptVerification(params: { strategy: 'email_code'; code: string }): Promise<this> {
    return this.#apply(await this.#core.call<SignUpJson>('POST', this.#path('/attempt_verification'), { form: { strategy: params.strategy, code: params.code } }));
  }
}
