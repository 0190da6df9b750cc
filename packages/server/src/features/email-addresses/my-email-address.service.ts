// A signed-in user's own email addresses in the Frontend API (clerk-js user.createEmailAddress,
// emailAddress.prepareVerification / attemptVerification / destroy).
//
// - Adding an address makes a pending one (pending_email_addresses, migration 0008). Until the user
//   enters the 6-digit code emailed to it (5 tries, 10 minutes; a new code replaces the old one) it
//   counts for nothing: it is not in the user's email_addresses, nobody signs in by it, no
//   invitation ticket finds this account by it, and nobody is kept from signing up with it. Then it
//   becomes one of the user's addresses (verified by email_code, with the same id), and the
//   invitations to it show in the user's list.
// - An address somebody has (this user included) is 422 form_identifier_exists, when added and
//   again when verified (another user may have verified it first: the pending one is then dropped).
// - At most MAX_PENDING pending addresses per user; adding one that is pending already answers it.
// - Deleting: a pending address, or one of the user's addresses other than the primary one (the
//   Backend API's rule). Anyone else's id is 404, as for an unknown one.
import type { Deps } from '../../deps.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { ms, msOrNull } from '../../http/schemas.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import { requireSession } from '../clients/client.service.ts';
import type { FapiCall, FapiResult } from '../clients/client.view.ts';
import { codeError, judgeCode, newEmailCode } from '../clients/verification.ts';
import { findClaimedEmails, findUserByIdForUpdate, insertEmailAddresses, recordUserAudit } from '../users/user.repository.ts';
import type { EmailAddressJson } from '../users/user.schemas.ts';
import { emailAddressRowToJson, identifierTaken } from '../users/user.service.ts';
import { deleteEmailAddress } from './email-address.service.ts';
import {
  countPendingEmailAddresses,
  deletePendingEmailAddress,
  findPendingEmailAddressByEmail,
  findPendingEmailAddressForUpdate,
  insertPendingEmailAddress,
  updatePendingEmailAddress,
} from './pending-email-address.repository.ts';
import type { PendingEmailAddressRow } from './pending-email-address.table.ts';

/** Pending (unverified) addresses a user may have at once. */
export const MAX_PENDING = 10;

const codeScope = (id: string) => `email_address:${id}`;

/** A pending address as an EmailAddress: no verification before a code was sent. */
export function pendingEmailAddressToJson(row: PendingEmailAddressRow): EmailAddressJson {
  const status = row.failed ? 'failed' : row.code_expires_at !== null && row.code_expires_at.getTime() <= Date.now() ? 'expired' : 'unverified';
  return {
    object: 'email_address',
    id: row.id,
    email_address: row.email,
    reserved: false,
    verification:
      row.code_hash === null
        ? null
        : { object: 'verification_email_code', status, strategy: 'email_code', attempts: row.code_attempts, expire_at: msOrNull(row.code_expires_at) },
    linked_to: [],
    created_at: ms(row.created_at),
    updated_at: ms(row.updated_at),
  };
}

const unknownAddress = (id: string) => notFound('email address', id);

/** Adds a pending address to the signed-in user (see the top). */
export async function addMyEmailAddress(deps: Deps, call: FapiCall, input: string): Promise<FapiResult<EmailAddressJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const email = canonicalEmail(input);
  if (email === null) throw paramFormatInvalid('email_address', 'email address');
  const row = await deps.db.transaction().execute(async (trx) => {
    // The user's row orders this user's adds, so the count below holds.
    if (!(await findUserByIdForUpdate(trx, session.user_id))) throw new ApiError('signed_out');
    if ((await findClaimedEmails(trx, [email])).length > 0) throw identifierTaken('email_address', [email]);
    const existing = await findPendingEmailAddressByEmail(trx, session.user_id, email);
    if (existing) return existing;
    if ((await countPendingEmailAddresses(trx, session.user_id)) >= MAX_PENDING) {
      throw paramInvalid('email_address', `you have ${MAX_PENDING} addresses waiting for verification: verify or remove one first`);
    }
    return insertPendingEmailAddress(trx, { id: newId('idn'), user_id: session.user_id, email });
  });
  return { response: pendingEmailAddressToJson(row), clientId: client.id };
}

/** Emails a new 6-digit code to a pending address of the signed-in user. */
export async function prepareMyEmailAddressVerification(deps: Deps, call: FapiCall, id: string): Promise<FapiResult<EmailAddressJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const row = await deps.db.transaction().execute(async (trx) => {
    const pending = await findPendingEmailAddressForUpdate(trx, session.user_id, id);
    if (!pending) throw unknownAddress(id);
    const minted = newEmailCode(deps, codeScope(id), pending.email, 'email_address');
    const updated = await updatePendingEmailAddress(trx, id, { code_hash: minted.hash, code_expires_at: minted.expiresAt, code_attempts: 0, failed: false });
    await minted.enqueue(trx);
    return updated;
  });
  deps.notifyOutbox();
  return { response: pendingEmailAddressToJson(row), clientId: client.id };
}

/**
 * Checks the code; the right one makes the address the user's, verified. A wrong one counts (the
 * fifth kills the code), and is answered once that count is stored.
 */
export async function attemptMyEmailAddressVerification(deps: Deps, call: FapiCall, id: string, code: string): Promise<FapiResult<EmailAddressJson>> {
  const { client, session } = await requireSession(deps, call.req);
  const userId = session.user_id;
  let outcome: { error: ApiError } | { verified: EmailAddressJson };
  try {
    outcome = await deps.db.transaction().execute(async (trx) => {
      const pending = await findPendingEmailAddressForUpdate(trx, userId, id);
      if (!pending) throw unknownAddress(id);
      const verdict = judgeCode({ hash: pending.code_hash, expiresAt: pending.code_expires_at, attempts: pending.code_attempts, failed: pending.failed }, codeScope(id), code);
      if (verdict === 'wrong' || verdict === 'wrong_final') {
        await updatePendingEmailAddress(trx, id, { code_attempts: pending.code_attempts + 1, ...(verdict === 'wrong_final' ? { failed: true } : {}) });
        return { error: codeError(verdict) };
      }
      if (verdict !== 'ok') return { error: codeError(verdict) };
      if ((await findClaimedEmails(trx, [pending.email])).length > 0) {
        await deletePendingEmailAddress(trx, userId, id);
        return { error: identifierTaken('email_address', [pending.email]) };
      }
      const [row] = await insertEmailAddresses(trx, [{ id, user_id: userId, email: pending.email, verification_status: 'verified', verification_strategy: 'email_code' }]);
      await deletePendingEmailAddress(trx, userId, id);
      await recordUserAudit(trx, 'email_address.created', userId, { email_address_id: id, via: 'email_code' });
      return { verified: emailAddressRowToJson(row!) };
    });
  } catch (err) {
    // Another user verified the same address between the check and the insert.
    if (!isUniqueViolation(err, 'email_addresses_email_key')) throw err;
    const email = (await deps.db.selectFrom('pending_email_addresses').select('email').where('id', '=', id).executeTakeFirst())?.email;
    await deletePendingEmailAddress(deps.db, userId, id);
    throw identifierTaken('email_address', email ? [email] : []);
  }
  if ('error' in outcome) throw outcome.error;
  return { response: outcome.verified, clientId: client.id };
}

/** Removes a pending address, or one of the user's own other than the primary. */
export async function deleteMyEmailAddress(deps: Deps, call: FapiCall, id: string): Promise<FapiResult<{ object: 'email_address'; id: string; deleted: true }>> {
  const { client, session } = await requireSession(deps, call.req);
  if (await deletePendingEmailAddress(deps.db, session.user_id, id)) return { response: { object: 'email_address', id, deleted: true }, clientId: client.id };
  return { response: await deleteEmailAddress(deps, id, session.user_id), clientId: client.id };
}
