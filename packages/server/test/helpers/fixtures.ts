// Rows written straight into the database, for states the API under test does not create itself.
import { sql } from 'kysely';
import type { TestApp } from './app.ts';
import { newId } from '../../src/lib/ids.ts';

export async function insertUserWithEmail(t: TestApp, email: string): Promise<string> {
  const userId = newId('user');
  const emailId = newId('idn');
  await t.deps.db.transaction().execute(async (trx) => {
    await trx.insertInto('users').values({ id: userId, external_id: null, username: null, first_name: null, last_name: null, password_digest: null, password_hasher: null, public_metadata: '{}', private_metadata: '{}', unsafe_metadata: '{}', create_organizations_limit: null, locale: null, primary_email_address_id: emailId, last_sign_in_at: null, last_active_at: null }).execute();
    await trx.insertInto('email_addresses').values({ id: emailId, user_id: userId, email, verification_status: 'verified', verification_strategy: 'admin' }).execute();
  });
  return userId;
}

/** Moves an invitation's expiry into the past, as if its time had run out. */
export async function expireInvitation(t: TestApp, id: string): Promise<void> {
  await t.deps.db.updateTable('invitations').set({ expires_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute();
}

export async function setInvitationStatusRaw(t: TestApp, id: string, status: 'accepted' | 'revoked' | 'pending'): Promise<void> {
  await t.deps.db.updateTable('invitations').set({ status }).where('id', '=', id).execute();
}

export async function countRows(t: TestApp, table: 'invitations' | 'outbox' | 'audit_log' | 'users'): Promise<number> {
  const r = await t.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
