// SQL for browser clients (the __client cookie) and their sessions.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { ClientRow, SessionRow, SessionStatus } from './client.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function findClientByTokenHash(db: Db, hash: Buffer): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('token_hash', '=', hash).executeTakeFirst();
}

export async function findClientById(db: Db, id: string): Promise<ClientRow | undefined> {
  return db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertClient(db: Db, id: string, hash: Buffer): Promise<ClientRow> {
  return db.insertInto('clients').values({ id, token_hash: hash }).returningAll().executeTakeFirstOrThrow();
}

export async function deleteClientById(db: Db, id: string): Promise<void> {
  await db.deleteFrom('clients').where('id', '=', id).execute();
}

/** The client's sessions that are still usable: active and not past expire_at, newest first. */
export async function findLiveSessionsOfClient(db: Db, clientId: string): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('status', '=', 'active')
    .where('expire_at', '>', sql<Date>`now()`)
    .orderBy('last_active_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function findSessionOfClient(db: Db, clientId: string, sessionId: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('client_id', '=', clientId).where('id', '=', sessionId).executeTakeFirst();
}

export interface NewSession {
  id: string;
  clientId: string;
  userId: string;
  activeOrganizationId: string | null;
  lifetimeSeconds: number;
}

const sessionValues = (s: NewSession) => ({
  id: s.id,
  client_id: s.clientId,
  user_id: s.userId,
  status: 'active' as const,
  active_organization_id: s.activeOrganizationId,
  expire_at: sql<Date>`now() + make_interval(secs => ${s.lifetimeSeconds})`,
  abandon_at: sql<Date>`now() + make_interval(secs => ${s.lifetimeSeconds})`,
});

/**
 * Starts a session in one statement: the client is created (`newClientHash` given) or has its
 * other active sessions ended and its token replaced (`rotatedHash`), and the user's last sign-in
 * time is set. The CTEs all see the statement's starting snapshot, so ending the client's active
 * sessions never ends the one inserted here.
 */
export async function insertSessionStart(
  trx: Transaction<Database>,
  s: NewSession,
  token: { newClientHash: Buffer } | { rotatedHash: Buffer },
): Promise<SessionRow> {
  const base = trx.with('signed_in_user', (db) =>
    db.updateTable('users').set({ last_sign_in_at: sql<Date>`now()`, last_active_at: sql<Date>`now()` }).where('id', '=', s.userId).returning('id'),
  );
  if ('newClientHash' in token) {
    return base
      .with('new_client', (db) => db.insertInto('clients').values({ id: s.clientId, token_hash: token.newClientHash }).returning('id'))
      .insertInto('sessions')
      .values(sessionValues(s))
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return base
    .with('ended', (db) =>
      db.updateTable('sessions').set({ status: 'ended', updated_at: sql<Date>`now()` }).where('client_id', '=', s.clientId).where('status', '=', 'active').returning('id'),
    )
    .with('rotated', (db) => db.updateTable('clients').set({ token_hash: token.rotatedHash, updated_at: sql<Date>`now()` }).where('id', '=', s.clientId).returning('id'))
    .insertInto('sessions')
    .values(sessionValues(s))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Ends every active session of the client but `exceptId` (one signed-in user per browser). */
export async function endOtherSessions(trx: Transaction<Database>, clientId: string, exceptId: string | null, status: SessionStatus = 'ended'): Promise<void> {
  let q = trx.updateTable('sessions').set({ status, updated_at: sql<Date>`now()` }).where('client_id', '=', clientId).where('status', '=', 'active');
  if (exceptId !== null) q = q.where('id', '!=', exceptId);
  await q.execute();
}

export async function setSessionStatus(db: Db, sessionId: string, status: SessionStatus): Promise<SessionRow | undefined> {
  return db
    .updateTable('sessions')
    .set({ status, updated_at: sql<Date>`now()` })
    .where('id', '=', sessionId)
    .returningAll()
    .executeTakeFirst();
}

export async function touchSession(db: Db, sessionId: string, activeOrganizationId: string | null | undefined): Promise<SessionRow | undefined> {
  return db
    .updateTable('sessions')
    .set({
      last_active_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
      ...(activeOrganizationId !== undefined ? { active_organization_id: activeOrganizationId } : {}),
    })
    .where('id', '=', sessionId)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

export async function setActiveOrganization(db: Db, sessionId: string, organizationId: string | null): Promise<void> {
  await db.updateTable('sessions').set({ active_organization_id: organizationId, updated_at: sql<Date>`now()` }).where('id', '=', sessionId).execute();
}
