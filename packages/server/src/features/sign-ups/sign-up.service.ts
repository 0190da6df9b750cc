// Sign-up in the Frontend API.
//
// - With an invitation ticket (strategy=ticket): the address is the invitation's and is verified
//   by the ticket; the sign-up completes at once. In one transaction: the invitation is claimed
//   (one conditional UPDATE: of concurrent sign-ups with one ticket exactly one wins), the user is
//   created (an application invitation's public_metadata becomes the user's), an organization
//   invitation becomes a membership with its role and metadata, and a session starts. An address
//   that already has an account is 400 invitation_account_exists (application invitation) or
//   organization_invitation_identification_already_exists (organization invitation).
// - Without one: allowed by TESSERA_SIGN_UP_MODE (allowlist.policy.ts); email and password are
//   required; the sign-up stays missing_requirements until the address is verified with a 6-digit
//   code sent by email (prepare_verification / attempt_verification, at most 5 wrong codes, 10
//   minutes), and then completes.
// - Passwords are hashed (argon2id) before any transaction opens.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { assertStorable } from '../../http/json.ts';
import { ms } from '../../http/schemas.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import { ensureMaySignUp } from '../allowlist/allowlist.policy.ts';
import { commitSessionCookie, ensureClient, resolveClient, startSession, type StartedSession } from '../clients/client.service.ts';
import type { FrontendVerificationJson } from '../clients/client.schemas.ts';
import { startedResult, type FapiCall, type FapiResult } from '../clients/client.view.ts';
import { codeError, judgeCode, newEmailCode } from '../clients/verification.ts';
import { claimTicket, inspectTicket, joinInvitedOrganization, setAcceptedUser, type TicketRow } from '../tickets/ticket.accept.ts';
import { recordTicketAudits } from '../tickets/ticket.repository.ts';
import { findClaimedEmails, insertEmailAddresses, insertUser, recordUserAudit } from '../users/user.repository.ts';
import { resolvePassword } from '../users/user.password.ts';
import { findSignUpOfClient, findSignUpOfClientForUpdate, insertSignUp, updateSignUp } from './sign-up.repository.ts';
import type { AttemptVerificationInput, CreateSignUpInput, SignUpJson, UpdateSignUpInput } from './sign-up.schemas.ts';
import type { SignUpRow } from './sign-up.table.ts';

type Json = Record<string, unknown>;


const REQUIRED_FIELDS = ['email_address', 'password'];
const OPTIONAL_FIELDS = ['first_name', 'last_name'];

function verificationJson(row: SignUpRow): FrontendVerificationJson | null {
  if (row.verification_status === null) return null;
  const pending = row.verification_status === 'unverified';
  return {
    object: 'verification',
    status: row.verification_status,
    strategy: row.verification_strategy,
    attempts: row.verification_strategy === 'email_code' ? row.code_attempts : null,
    expire_at: row.code_expires_at ? ms(row.code_expires_at) : null,
    next_action: pending ? (row.code_hash ? 'needs_attempt' : 'needs_prepare') : '',
    supported_strategies: pending ? ['email_code'] : [],
  };
}

function missingFields(row: SignUpRow): string[] {
  // A ticket sign-up completes at creation: nothing was missing.
  if (row.verification_strategy === 'ticket') return [];
  const missing: string[] = [];
  if (row.email === null) missing.push('email_address');
  if (row.password_digest === null) missing.push('password');
  return missing;
}

export function signUpToJson(row: SignUpRow, publicMetadata: Json = {}): SignUpJson {
  return {
    object: 'sign_up_attempt',
    id: row.id,
    status: row.status,
    required_fields: row.verification_strategy === 'ticket' ? ['email_address'] : REQUIRED_FIELDS,
    optional_fields: row.verification_strategy === 'ticket' ? ['password', ...OPTIONAL_FIELDS] : OPTIONAL_FIELDS,
    missing_fields: row.status === 'complete' ? [] : missingFields(row),
    unverified_fields: row.email !== null && row.verification_status !== 'verified' ? ['email_address'] : [],
    verifications: { email_address: verificationJson(row) },
    username: null,
    email_address: row.email,
    phone_number: null,
    web3_wallet: null,
    password_enabled: row.password_digest !== null,
    first_name: row.first_name,
    last_name: row.last_name,
    unsafe_metadata: row.unsafe_metadata ?? {},
    public_metadata: publicMetadata,
    custom_action: false,
    external_id: null,
    created_session_id: row.created_session_id,
    created_user_id: row.created_user_id,
    abandon_at: ms(row.abandon_at),
    legal_accepted_at: null,
  };
}

/** unsafe_metadata arrives as an object (JSON) or as its JSON text (form). */
export function parseUnsafeMetadata(v: Json | string | undefined): Json | undefined {
  if (v === undefined || typeof v === 'object') return v;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    // reported below
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    assertStorable(parsed, 'unsafe_metadata');
    return parsed as Json;
  }
  throw paramInvalid('unsafe_metadata', 'must be a JSON object');
}

function emailOf(raw: string): string {
  const email = canonicalEmail(raw);
  if (email === null) throw paramFormatInvalid('email_address', 'email address');
  return email;
}

interface VerifiedUser {
  email: string;
  strategy: 'ticket' | 'email_code';
  firstName: string | null;
  lastName: string | null;
  password: { digest: string | null; hasher: string | null };
  publicMetadata: Json;
  unsafeMetadata: Json;
  legalAcceptedAt?: Date | null;
}

/** Inserts a user whose only address is verified (by the ticket or the code); returns its id. */
async function insertVerifiedUser(trx: Transaction<Database>, u: VerifiedUser): Promise<string> {
  const userId = newId('user');
  const emailId = newId('idn');
  await insertUser(trx, {
    id: userId,
    external_id: null,
    username: null,
    first_name: u.firstName,
    last_name: u.lastName,
    password_digest: u.password.digest,
    password_hasher: u.password.hasher,
    public_metadata: u.publicMetadata,
    private_metadata: {},
    unsafe_metadata: u.unsafeMetadata,
    primary_email_address_id: emailId,
    legal_accepted_at: u.legalAcceptedAt ?? null,
  });
  await insertEmailAddresses(trx, [{ id: emailId, user_id: userId, email: u.email, verification_status: 'verified', verification_strategy: u.strategy }]);
  return userId;
}

const identifierTaken = () => new ApiError('form_identifier_exists', { vars: { param: 'email_address' }, meta: { param_name: 'email_address' } });

async function ensureEmailFree(deps: Deps, email: string): Promise<void> {
  if ((await findClaimedEmails(deps.db, [email])).length > 0) throw identifierTaken();
}

// ---------------------------------------------------------------------------------------------

export async function createSignUp(deps: Deps, call: FapiCall, input: CreateSignUpInput): Promise<FapiResult<SignUpJson>> {
  if (input.strategy === 'ticket' || input.ticket !== undefined) return signUpWithTicket(deps, call, input);
  if (deps.config.signUpMode === 'restricted') throw new ApiError('sign_up_mode_restricted');
  const email = input.email_address !== undefined ? emailOf(input.email_address) : null;
  if (email !== null) {
    await ensureMaySignUp(deps, email);
    await ensureEmailFree(deps, email);
  }
  const password = input.password !== undefined ? await resolvePassword({ password: input.password }) : null;
  const unsafe = parseUnsafeMetadata(input.unsafe_metadata);
  const client = await ensureClient(deps, call.req, call.reply);
  const row = await insertSignUp(deps.db, {
    id: newId('sua'),
    client_id: client.id,
    status: 'missing_requirements',
    email,
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    password_digest: password?.digest ?? null,
    password_hasher: password?.hasher ?? null,
    unsafe_metadata: JSON.stringify(unsafe ?? {}),
    verification_status: email !== null ? 'unverified' : null,
    verification_strategy: email !== null ? 'email_code' : null,
  });
  return { response: signUpToJson(row), clientId: client.id };
}

async function signUpWithTicket(deps: Deps, call: FapiCall, input: CreateSignUpInput): Promise<FapiResult<SignUpJson>> {
  const ticket = await inspectTicket(deps, input.ticket);
  if (input.email_address !== undefined && canonicalEmail(input.email_address) !== ticket.email) {
    throw paramInvalid('email_address', 'must be the invited address, or left out');
  }
  const accountExists = () =>
    new ApiError(ticket.kind === 'invitation' ? 'invitation_account_exists' : 'organization_invitation_identification_already_exists');
  if ((await findClaimedEmails(deps.db, [ticket.email])).length > 0) throw accountExists();
  const password = input.password !== undefined ? await resolvePassword({ password: input.password }) : null;
  const unsafe = parseUnsafeMetadata(input.unsafe_metadata) ?? {};
  const client = await resolveClient(deps, call.req);

  let started: StartedSession | undefined;
  try {
    const row = await deps.db.transaction().execute(async (trx) => {
      await claimTicket(trx, ticket, null);
      const userId = await insertVerifiedUser(trx, {
        email: ticket.email,
        strategy: 'ticket',
        firstName: input.first_name ?? null,
        lastName: input.last_name ?? null,
        password: { digest: password?.digest ?? null, hasher: password?.hasher ?? null },
        publicMetadata: ticket.kind === 'invitation' ? ticket.public_metadata : {},
        unsafeMetadata: unsafe,
        legalAcceptedAt: input.legal_accepted === true ? new Date() : null,
      });
      await setAcceptedUser(trx, ticket.kind, ticket.id, userId);
      await recordTicketAudits(trx, await joinInvitedOrganization(trx, ticket, userId));
      await recordUserAudit(trx, 'user.created', userId, { via: ticket.kind, invitation_id: ticket.id });
      started = await startSession(deps, trx, client?.id ?? null, userId, ticket.organization_id);
      return insertSignUp(trx, {
        id: newId('sua'),
        client_id: started.clientId,
        status: 'complete',
        email: ticket.email,
        first_name: input.first_name ?? null,
        last_name: input.last_name ?? null,
        password_digest: password?.digest ?? null,
        password_hasher: password?.hasher ?? null,
        unsafe_metadata: JSON.stringify(unsafe),
        verification_status: 'verified',
        verification_strategy: 'ticket',
        created_user_id: userId,
        created_session_id: started.session.id,
      });
    });
    commitSessionCookie(deps, call.reply, started!);
    return startedResult(signUpToJson(row, ticket.kind === 'invitation' ? ticket.public_metadata : {}), started!);
  } catch (err) {
    // A user created the same address meanwhile (through the Backend API, say).
    if (isUniqueViolation(err, 'email_addresses_email_key')) throw accountExists();
    throw err;
  }
}

async function ownSignUp(deps: Deps, call: FapiCall, id: string): Promise<{ clientId: string; row: SignUpRow }> {
  const client = await resolveClient(deps, call.req);
  const row = client ? await findSignUpOfClient(deps.db, client.id, id) : undefined;
  if (!client || !row) throw notFound('sign up', id);
  return { clientId: client.id, row };
}

function ensureOpen(row: SignUpRow): void {
  if (row.status === 'complete') throw new ApiError('sign_up_already_complete');
  if (row.status === 'abandoned' || row.abandon_at.getTime() <= Date.now()) throw notFound('sign up', row.id);
}

export async function getSignUp(deps: Deps, call: FapiCall, id: string): Promise<FapiResult<SignUpJson>> {
  const { clientId, row } = await ownSignUp(deps, call, id);
  return { response: signUpToJson(row), clientId };
}

/** Sets or changes fields of a sign-up in progress. A new address must be verified again. */
export async function patchSignUp(deps: Deps, call: FapiCall, id: string, input: UpdateSignUpInput): Promise<FapiResult<SignUpJson>> {
  const { clientId, row } = await ownSignUp(deps, call, id);
  ensureOpen(row);
  if (row.verification_strategy === 'ticket') throw new ApiError('sign_up_already_complete');
  const email = input.email_address !== undefined ? emailOf(input.email_address) : undefined;
  if (email !== undefined && email !== row.email) {
    await ensureMaySignUp(deps, email);
    await ensureEmailFree(deps, email);
  }
  const password = input.password !== undefined ? await resolvePassword({ password: input.password }) : undefined;
  const unsafe = parseUnsafeMetadata(input.unsafe_metadata);
  const emailChanged = email !== undefined && email !== row.email;
  const updated = await updateSignUp(deps.db, row.id, {
    ...(emailChanged ? { email, verification_status: 'unverified', verification_strategy: 'email_code', code_hash: null, code_expires_at: null, code_attempts: 0 } : {}),
    ...(password ? { password_digest: password.digest, password_hasher: password.hasher } : {}),
    ...(input.first_name !== undefined ? { first_name: input.first_name } : {}),
    ...(input.last_name !== undefined ? { last_name: input.last_name } : {}),
    ...(unsafe !== undefined ? { unsafe_metadata: JSON.stringify(unsafe) } : {}),
  });
  return completeIfReady(deps, call, clientId, updated);
}

/** Sends a new 6-digit code to the sign-up's address (the previous one stops working). */
export async function prepareSignUpVerification(deps: Deps, call: FapiCall, id: string): Promise<FapiResult<SignUpJson>> {
  const { clientId, row } = await ownSignUp(deps, call, id);
  ensureOpen(row);
  if (row.email === null) throw paramInvalid('strategy', 'the sign-up has no email address to verify yet');
  if (row.verification_status === 'verified') return { response: signUpToJson(row), clientId };
  const minted = newEmailCode(deps, `sign_up:${row.id}`, row.email, 'sign_up');
  const updated = await deps.db.transaction().execute(async (trx) => {
    const u = await updateSignUp(trx, row.id, { verification_status: 'unverified', code_hash: minted.hash, code_expires_at: minted.expiresAt, code_attempts: 0 });
    await minted.enqueue(trx);
    return u;
  });
  deps.notifyOutbox();
  return { response: signUpToJson(updated), clientId };
}

/**
 * Checks the code. Wrong: 422 form_code_incorrect, and after 5 wrong codes the verification fails
 * for good (400 verification_failed: prepare a new code). Too late: 400 verification_expired.
 * Right: the address is verified, and the sign-up completes when nothing else is missing.
 */
export async function attemptSignUpVerification(deps: Deps, call: FapiCall, id: string, input: AttemptVerificationInput): Promise<FapiResult<SignUpJson>> {
  const { clientId } = await ownSignUp(deps, call, id);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const row = await findSignUpOfClientForUpdate(trx, clientId, id);
    if (!row) throw notFound('sign up', id);
    ensureOpen(row);
    if (row.verification_status === 'verified') return { row, error: null };
    const verdict = judgeCode(
      { hash: row.code_hash, expiresAt: row.code_expires_at, attempts: row.code_attempts, failed: row.verification_status === 'failed' },
      `sign_up:${row.id}`,
      input.code,
    );
    if (verdict === 'expired') return { row: await updateSignUp(trx, row.id, { verification_status: 'expired' }), error: codeError(verdict) };
    if (verdict === 'wrong' || verdict === 'wrong_final') {
      const failed = verdict === 'wrong_final' ? { verification_status: 'failed' as const } : {};
      return { row: await updateSignUp(trx, row.id, { code_attempts: row.code_attempts + 1, ...failed }), error: codeError(verdict) };
    }
    if (verdict !== 'ok') return { row, error: codeError(verdict) };
    return { row: await updateSignUp(trx, row.id, { verification_status: 'verified', code_hash: null }), error: null };
  });
  // The failed attempt is counted (committed) before the error goes out.
  if (outcome.error) throw outcome.error;
  return completeIfReady(deps, call, clientId, outcome.row);
}

/** Creates the user and the session when the address is verified and nothing is missing. */
async function completeIfReady(deps: Deps, call: FapiCall, clientId: string, row: SignUpRow): Promise<FapiResult<SignUpJson>> {
  if (row.status !== 'missing_requirements' || row.verification_status !== 'verified' || missingFields(row).length > 0) {
    return { response: signUpToJson(row), clientId };
  }
  const email = row.email!;
  // The mode or the allowlist may have changed since the sign-up started.
  await ensureMaySignUp(deps, email);
  let started: StartedSession | undefined;
  try {
    const done = await deps.db.transaction().execute(async (trx) => {
      const locked = await findSignUpOfClientForUpdate(trx, clientId, row.id);
      if (!locked || locked.status !== 'missing_requirements') throw new ApiError('sign_up_already_complete');
      const userId = await insertVerifiedUser(trx, {
        email,
        strategy: 'email_code',
        firstName: locked.first_name,
        lastName: locked.last_name,
        password: { digest: locked.password_digest, hasher: locked.password_hasher },
        publicMetadata: {},
        unsafeMetadata: locked.unsafe_metadata ?? {},
      });
      await recordUserAudit(trx, 'user.created', userId, { via: 'sign_up' });
      started = await startSession(deps, trx, clientId, userId);
      return updateSignUp(trx, row.id, { status: 'complete', created_user_id: userId, created_session_id: started.session.id });
    });
    commitSessionCookie(deps, call.reply, started!);
    return { response: signUpToJson(done), clientId };
  } catch (err) {
    if (isUniqueViolation(err, 'email_addresses_email_key')) throw identifierTaken();
    throw err;
  }
}

export type { TicketRow };
