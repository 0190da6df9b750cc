// Email addresses in the Backend API, one at a time (what @clerk/backend's emailAddresses calls).
//
// - An address belongs to one user (the unique index decides races: 422 form_identifier_exists).
// - Created unverified unless `verified`; by the admin strategy either way (the backend vouches
//   for it, as for addresses given at user creation). A user's first address becomes primary.
// - The primary address is verified: making an unverified address primary, or unverifying the
//   primary, is 422 form_param_value_invalid; deleting it is 422 primary_email_address_not_deletable
//   (make another one primary first), so a user never loses the address they sign in with.
// - Every change locks the owner's row first, so concurrent changes of one user's addresses (a
//   delete and a make-primary) take turns.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { ApiError, notFound, paramFormatInvalid, paramInvalid } from '../../http/errors.ts';
import { canonicalEmail } from '../../lib/email.ts';
import { newId } from '../../lib/ids.ts';
import { findClaimedEmails, findUserByIdForUpdate, insertEmailAddresses, recordUserAudit, updateUserById, type UserView } from '../users/user.repository.ts';
import type { EmailAddressJson } from '../users/user.schemas.ts';
import { emailAddressRowToJson, identifierTaken, withIdentifierGuard } from '../users/user.service.ts';
import { deleteEmailAddressById, findEmailAddressById, findEmailAddressOwner, setEmailAddressVerified } from './email-address.repository.ts';
import type { CreateEmailAddressInput, UpdateEmailAddressInput } from './email-address.schemas.ts';

const notFoundAddress = (id: string) => notFound('email address', id);
const primaryNeedsVerified = () => paramInvalid('primary', 'the primary email address must be verified (send verified: true)');

export async function getEmailAddress(deps: Deps, id: string): Promise<EmailAddressJson> {
  const row = await findEmailAddressById(deps.db, id);
  if (!row) throw notFoundAddress(id);
  return emailAddressRowToJson(row);
}

/** Adds an address to a user; an unknown user is 404, a taken address 422 form_identifier_exists. */
export async function createEmailAddress(deps: Deps, input: CreateEmailAddressInput): Promise<EmailAddressJson> {
  const email = canonicalEmail(input.email_address);
  if (email === null) throw paramFormatInvalid('email_address', 'email address');
  const verified = input.verified ?? false;
  if (input.primary === true && !verified) throw primaryNeedsVerified();
  return withIdentifierGuard(deps, [email], () =>
    deps.db.transaction().execute(async (trx) => {
      const user = await findUserByIdForUpdate(trx, input.user_id);
      if (!user) throw notFound('user', input.user_id);
      if ((await findClaimedEmails(trx, [email])).length > 0) throw identifierTaken('email_address', [email]);
      const [row] = await insertEmailAddresses(trx, [
        { id: newId('idn'), user_id: user.id, email, verification_status: verified ? 'verified' : 'unverified', verification_strategy: 'admin' },
      ]);
      if (input.primary === true || user.primary_email_address_id === null) await updateUserById(trx, user.id, { primary_email_address_id: row!.id });
      await recordUserAudit(trx, 'email_address.created', user.id, { email_address_id: row!.id });
      return emailAddressRowToJson(row!);
    }),
  );
}

/** Runs `change` with the address's owner locked; an unknown address (or one deleted meanwhile) is 404. */
async function withOwnerLocked<T>(deps: Deps, id: string, change: (trx: Transaction<Database>, user: UserView) => Promise<T>): Promise<T> {
  const ownerId = await findEmailAddressOwner(deps.db, id);
  if (ownerId === undefined) throw notFoundAddress(id);
  return deps.db.transaction().execute(async (trx) => {
    const user = await findUserByIdForUpdate(trx, ownerId);
    if (!user) throw notFoundAddress(id);
    return change(trx, user);
  });
}

/** Marks the address verified or not, and/or makes it primary (see the rules at the top). */
export async function updateEmailAddress(deps: Deps, id: string, input: UpdateEmailAddressInput): Promise<EmailAddressJson> {
  return withOwnerLocked(deps, id, async (trx, user) => {
    let row = await findEmailAddressById(trx, id);
    if (!row || row.user_id !== user.id) throw notFoundAddress(id);
    const fields: string[] = [];
    if (input.verified != null && input.verified !== (row.verification_status === 'verified')) {
      if (!input.verified && user.primary_email_address_id === id) throw paramInvalid('verified', 'the primary email address stays verified: make another address primary first');
      row = await setEmailAddressVerified(trx, id, input.verified);
      fields.push('verified');
    }
    if (input.primary === true && user.primary_email_address_id !== id) {
      if (row.verification_status !== 'verified') throw primaryNeedsVerified();
      await updateUserById(trx, user.id, { primary_email_address_id: id });
      fields.push('primary');
    }
    if (fields.length > 0) await recordUserAudit(trx, 'email_address.updated', user.id, { email_address_id: id, fields });
    return emailAddressRowToJson(row);
  });
}

/** Deletes a user's address; not the primary one. With `ownerId` (the Frontend API), only that user's: else 404. */
export async function deleteEmailAddress(deps: Deps, id: string, ownerId?: string): Promise<{ object: 'email_address'; id: string; deleted: true }> {
  return withOwnerLocked(deps, id, async (trx, user) => {
    const row = await findEmailAddressById(trx, id);
    if (!row || row.user_id !== user.id || (ownerId !== undefined && user.id !== ownerId)) throw notFoundAddress(id);
    if (user.primary_email_address_id === id) throw new ApiError('primary_email_address_not_deletable');
    await deleteEmailAddressById(trx, id);
    await recordUserAudit(trx, 'email_address.deleted', user.id, { email_address_id: id });
    return { object: 'email_address', id, deleted: true };
  });
}
