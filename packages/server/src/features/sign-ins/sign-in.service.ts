// Sign-in in the Frontend API.
//
// - With an invitation ticket (strategy=ticket), for a user who already has an account: the
//   invitation is claimed and (organization invitation) becomes a membership, the invited address
//   counts as verified, and the session starts: all in one transaction. No account for the
//   address: 400 organization_invitation_identification_not_exist (invitation_account_not_exists
//   for an application invitation).
// - With identifier + password, or identifier then a first factor (password, or a 6-digit email
//   code: prepare_first_factor / attempt_first_factor). An unknown identifier is 422
//   form_identifier_not_found, as in Clerk's flow.
// - Wrong passwords and wrong codes count against the account: the TESSERA_LOCKOUT_ATTEMPTS-th in a
//   row locks it for TESSERA_LOCKOUT_MINUTES (403 user_locked, meta lockout_expires_in_seconds),
//   even for the right password. A success resets the count. A code allows 5 tries and 10 minutes.
// - A user banned or locked through the Backend API cannot sign in (403 user_locked).
import type { Deps } from '../../deps.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid, paramMissing } from '../../http/errors.ts';
import { isDeadlock } from '../../db/errors.ts';
import { coalesceWrites, type Coalescer } from '../../lib/coalesce.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import { commitSessionCookie, ensureClient, mintClientToken, resolveClient, startSession, type StartedSession } from '../clients/client.service.ts';
import { startedResult, type FapiCall, type FapiResult } from '../clients/client.view.ts';
import { codeError, judgeCode, newEmailCode } from '../clients/verification.ts';
import { acceptTicketForUser, inspectTicket, ticketLookup } from '../tickets/ticket.accept.ts';
import { isMissingMemberOrganization } from '../memberships/membership.repository.ts';
import { hashPassword, needsRehash, verifyPassword, type PasswordHasher } from '../users/user.password.ts';
import { userRowToJson } from '../users/user.service.ts';
import {
  findSignInOfClient,
  findSignInOfClientForUpdate,
  findSignInUserByEmail,
  findSignInUserById,
  insertSignIn,
  markEmailVerified,
  recordFailedAttempt,
  replacePasswordDigest,
  resetFailedAttempts,
  signInWithOrganizationTickets,
  type TicketSignIn,
  type TicketSignedIn,
  updateSignIn,
  type SignInUser,
} from './sign-in.repository.ts';
import type { AttemptFirstFactorInput, CreateSignInInput, PrepareFirstFactorInput, SignInJson } from './sign-in.schemas.ts';
import type { SignInRow } from './sign-in.table.ts';
import { signInToJson } from './sign-in.view.ts';

const locked = (seconds: number) =>
  new ApiError('user_locked', { vars: { minutes: Math.max(1, Math.ceil(seconds / 60)) }, meta: { lockout_expires_in_seconds: seconds } });

function ensureMaySignIn(user: SignInUser): void {
  if (user.banned || user.locked) throw new ApiError('user_locked', { vars: { minutes: 'some' }, meta: { lockout_expires_in_seconds: null } });
  if (user.lockout_seconds_left !== null) throw locked(user.lockout_seconds_left);
}

/** Counts a wrong password or code, and answers with the lockout it may have started. */
async function failedAttempt(deps: Deps, user: SignInUser, error: ApiError): Promise<never> {
  const lockedFor = await recordFailedAttempt(deps.db, user.id, deps.config.lockoutAttempts, deps.config.lockoutSeconds);
  throw lockedFor !== null ? locked(lockedFor) : error;
}

/**
 * Checks the password against the account's digest. A digest imported with another hasher
 * (bcrypt) that matches is replaced by an argon2id digest of the same password, once.
 */
async function passwordMatches(deps: Deps, user: SignInUser, password: string): Promise<boolean> {
  if (user.password_digest === null || user.password_hasher === null) return false;
  const stored = { digest: user.password_digest, hasher: user.password_hasher as PasswordHasher };
  if (!(await verifyPassword(stored, password))) return false;
  if (needsRehash(stored)) await replacePasswordDigest(deps.db, user.id, stored.digest, await hashPassword(password), 'argon2id');
  return true;
}

/** Starts the session for a verified sign-in, marks the attempt complete. */
async function complete(deps: Deps, call: FapiCall, clientId: string | null, signInId: string | null, user: SignInUser, identifier: string): Promise<FapiResult<SignInJson>> {
  let started: StartedSession | undefined;
  const row = await deps.db.transaction().execute(async (trx) => {
    await resetFailedAttempts(trx, user.id);
    started = await startSession(deps, trx, clientId, user.id);
    if (signInId === null) {
      return insertSignIn(trx, { id: newId('sia'), client_id: started.clientId, status: 'complete', identifier, user_id: user.id, first_factor_strategy: 'password', first_factor_status: 'verified', created_session_id: started.session.id });
    }
    const locked = await findSignInOfClientForUpdate(trx, started.clientId, signInId);
    if (!locked || locked.status === 'complete') throw new ApiError('sign_in_already_complete');
    return updateSignIn(trx, signInId, { status: 'complete', created_session_id: started.session.id });
  });
  commitSessionCookie(deps, call.reply, started!);
  return startedResult(await signInToJson(deps, row, user), started!);
}

export async function createSignIn(deps: Deps, call: FapiCall, input: CreateSignInInput): Promise<FapiResult<SignInJson>> {
  if (input.strategy === 'ticket' || input.ticket !== undefined) return signInWithTicket(deps, call, input.ticket);
  if (input.identifier === undefined) {
    if (input.password !== undefined) throw paramMissing('identifier');
    const client = await ensureClient(deps, call.req, call.reply);
    const row = await insertSignIn(deps.db, { id: newId('sia'), client_id: client.id, status: 'needs_identifier' });
    return { response: await signInToJson(deps, row), clientId: client.id };
  }
  const email = canonicalEmail(input.identifier);
  if (email === null) throw paramFormatInvalid('identifier', 'email address');
  const user = await findSignInUserByEmail(deps.db, email);
  if (!user) throw new ApiError('form_identifier_not_found', { meta: { param_name: 'identifier' } });
  ensureMaySignIn(user);
  if (input.password !== undefined || input.strategy === 'password') {
    if (input.password === undefined) throw paramMissing('password');
    if (!(await passwordMatches(deps, user, input.password))) {
      return failedAttempt(deps, user, new ApiError('form_password_incorrect', { meta: { param_name: 'password' } }));
    }
    return complete(deps, call, (await resolveClient(deps, call.req))?.id ?? null, null, user, email);
  }
  const client = await ensureClient(deps, call.req, call.reply);
  const row = await insertSignIn(deps.db, { id: newId('sia'), client_id: client.id, status: 'needs_first_factor', identifier: email, user_id: user.id });
  return { response: await signInToJson(deps, row, user), clientId: client.id };
}

async function signInWithTicket(deps: Deps, call: FapiCall, token: string | undefined): Promise<FapiResult<SignInJson>> {
  const client = await resolveClient(deps, call.req);
  // The common case first, in one statement; it writes nothing when it does not apply. Every
  // unusable ticket then costs this statement and the lookup below, whatever made it unusable.
  if (client === null) {
    const done = await signInWithTicketAtOnce(deps, call, token);
    if (done) return done;
  }
  // The ticket and the invitee's account in one statement.
  const ticket = await inspectTicket(deps, token, { withAccount: true });
  const user = ticket.account ?? undefined;
  if (!user) throw new ApiError(ticket.kind === 'invitation' ? 'invitation_account_not_exists' : 'organization_invitation_identification_not_exist');
  if (user.banned || user.locked) ensureMaySignIn(user);
  let started: StartedSession | undefined;
  const row = await deps.db.transaction().execute(async (trx) => {
    await acceptTicketForUser(trx, ticket, user.id, `${ticket.kind}.accepted`);
    if (user.verification_status !== 'verified') await markEmailVerified(trx, user.email_address_id, 'ticket');
    started = await startSession(deps, trx, client?.id ?? null, user.id, ticket.organization_id);
    return insertSignIn(trx, {
      id: newId('sia'),
      client_id: started.clientId,
      status: 'complete',
      identifier: ticket.email,
      user_id: user.id,
      first_factor_strategy: 'ticket',
      first_factor_status: 'verified',
      created_session_id: started.session.id,
    });
  });
  commitSessionCookie(deps, call.reply, started!);
  return startedResult(await signInToJson(deps, row, user), started!);
}

/**
 * Ticket sign-ins in their common case, coalesced (lib/coalesce.ts): those that arrive while
 * earlier ones are being written go in one statement (signInWithOrganizationTickets), each with
 * its own answer; two with the same ticket never share one. A statement that failed (an
 * organization deleted meanwhile, a deadlock with a concurrent writer of the same user) is run
 * again item by item, so each request gets the answer it would have got alone.
 */
function ticketSignIns(deps: Deps): Coalescer<TicketSignIn, TicketSignedIn | undefined> {
  let coalescer = ticketCoalescers.get(deps.db);
  if (coalescer === undefined) {
    const write = (batch: TicketSignIn[]) => signInWithOrganizationTickets(deps.db, batch, deps.config.sessionLifetimeSeconds);
    coalescer = coalesceWrites<TicketSignIn, TicketSignedIn | undefined, TicketSignedIn | undefined>({
      what: 'ticket sign-in',
      alone: (item) => write([item]).then(([done]) => done),
      together: write,
      answer: (_item, done) => Promise.resolve(done),
      isRace: (err) => isMissingMemberOrganization(err) || isDeadlock(err),
      log: deps.log,
      maxInFlight: deps.config.writeCoalescing,
      maxBatch: TICKET_SIGN_IN_BATCH,
      key: (item) => item.ticketHash.toString('hex'),
    });
    ticketCoalescers.set(deps.db, coalescer);
  }
  return coalescer;
}
const ticketCoalescers = new WeakMap<Deps['db'], Coalescer<TicketSignIn, TicketSignedIn | undefined>>();
/** Sign-ins in one statement, at most. */
const TICKET_SIGN_IN_BATCH = 32;

/**
 * signInWithTicket's common case (an organization invitation, an existing account, no client yet,
 * no seat limit) in one statement, shared with concurrent ones (ticketSignIns); undefined when it
 * does not apply.
 */
async function signInWithTicketAtOnce(deps: Deps, call: FapiCall, token: string | undefined): Promise<FapiResult<SignInJson> | undefined> {
  const { token: clientToken, hash } = mintClientToken();
  const clientId = newId('client');
  let done: TicketSignedIn | undefined;
  try {
    done = await ticketSignIns(deps).submit({
      ticketHash: ticketLookup(token).hash,
      membershipId: newId('orgmem'),
      clientId,
      clientTokenHash: hash,
      sessionId: newId('sess'),
      signInId: newId('sia'),
    });
  } catch (err) {
    // The organization was deleted meanwhile (the membership's foreign key).
    if (isMissingMemberOrganization(err)) throw new ApiError('ticket_invalid_code');
    throw err;
  }
  if (done === undefined) return undefined;
  const started: StartedSession = { session: done.session, clientId, token: clientToken, newClient: true, user: userRowToJson(done.user.user, done.user.emails) };
  commitSessionCookie(deps, call.reply, started);
  return startedResult(await signInToJson(deps, done.signIn, done.account), started);
}

async function ownSignIn(deps: Deps, call: FapiCall, id: string): Promise<{ clientId: string; row: SignInRow }> {
  const client = await resolveClient(deps, call.req);
  const row = client ? await findSignInOfClient(deps.db, client.id, id) : undefined;
  if (!client || !row || row.status === 'abandoned' || row.abandon_at.getTime() <= Date.now()) throw notFound('sign in', id);
  if (row.status === 'complete') throw new ApiError('sign_in_already_complete');
  return { clientId: client.id, row };
}

export async function getSignIn(deps: Deps, call: FapiCall, id: string): Promise<FapiResult<SignInJson>> {
  const client = await resolveClient(deps, call.req);
  const row = client ? await findSignInOfClient(deps.db, client.id, id) : undefined;
  if (!client || !row) throw notFound('sign in', id);
  return { response: await signInToJson(deps, row), clientId: client.id };
}

async function userOf(deps: Deps, row: SignInRow, emailAddressId: string | null = null): Promise<SignInUser> {
  if (row.user_id === null) throw paramMissing('identifier');
  const user = await findSignInUserById(deps.db, row.user_id, emailAddressId);
  if (!user) throw emailAddressId !== null ? paramInvalid('email_address_id', 'is not an address of this account') : notFound('sign in', row.id);
  return user;
}

/** Sends a 6-digit code to the account's address (or the one named); the previous code stops working. */
export async function prepareFirstFactor(deps: Deps, call: FapiCall, id: string, input: PrepareFirstFactorInput): Promise<FapiResult<SignInJson>> {
  const { clientId, row } = await ownSignIn(deps, call, id);
  const user = await userOf(deps, row, input.email_address_id ?? null);
  ensureMaySignIn(user);
  const minted = newEmailCode(deps, `sign_in:${row.id}`, user.email, 'sign_in');
  const updated = await deps.db.transaction().execute(async (trx) => {
    const u = await updateSignIn(trx, row.id, {
      first_factor_strategy: 'email_code',
      first_factor_status: 'unverified',
      code_email_address_id: user.email_address_id,
      code_hash: minted.hash,
      code_expires_at: minted.expiresAt,
      code_attempts: 0,
    });
    await minted.enqueue(trx);
    return u;
  });
  deps.notifyOutbox();
  return { response: await signInToJson(deps, updated, user), clientId };
}

export async function attemptFirstFactor(deps: Deps, call: FapiCall, id: string, input: AttemptFirstFactorInput): Promise<FapiResult<SignInJson>> {
  const { clientId, row } = await ownSignIn(deps, call, id);
  const user = await userOf(deps, row, input.strategy === 'email_code' ? row.code_email_address_id : null);
  ensureMaySignIn(user);
  if (input.strategy === 'password') {
    if (input.password === undefined) throw paramMissing('password');
    if (!(await passwordMatches(deps, user, input.password))) {
      return failedAttempt(deps, user, new ApiError('form_password_incorrect', { meta: { param_name: 'password' } }));
    }
    return complete(deps, call, clientId, row.id, user, row.identifier ?? user.email);
  }
  if (input.code === undefined) throw paramMissing('code');
  const code = input.code;
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const r = await findSignInOfClientForUpdate(trx, clientId, id);
    if (!r || r.status !== 'needs_first_factor') throw new ApiError('sign_in_already_complete');
    const verdict =
      r.first_factor_strategy !== 'email_code'
        ? 'not_started'
        : judgeCode({ hash: r.code_hash, expiresAt: r.code_expires_at, attempts: r.code_attempts, failed: r.first_factor_status === 'failed' }, `sign_in:${r.id}`, code);
    if (verdict === 'expired') await updateSignIn(trx, r.id, { first_factor_status: 'expired' });
    if (verdict === 'wrong' || verdict === 'wrong_final') {
      await updateSignIn(trx, r.id, { code_attempts: r.code_attempts + 1, ...(verdict === 'wrong_final' ? { first_factor_status: 'failed' as const } : {}) });
      return { error: codeError(verdict), wrong: true };
    }
    if (verdict !== 'ok') return { error: codeError(verdict), wrong: false };
    await updateSignIn(trx, r.id, { first_factor_status: 'verified', code_hash: null });
    return { error: null, wrong: false };
  });
  if (outcome.error) return outcome.wrong ? failedAttempt(deps, user, outcome.error) : Promise.reject(outcome.error);
  // The code proves the address: it counts as verified from now on.
  await markEmailVerified(deps.db, user.email_address_id, 'email_code');
  return complete(deps, call, clientId, row.id, user, row.identifier ?? user.email);
}
