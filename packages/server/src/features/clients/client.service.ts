// Browser clients and sessions.
//
// - A browser is a client: the `__client` cookie (HttpOnly, SameSite=Lax, Secure when the public
//   URL is https) holds a 256-bit token; the database keeps only its SHA-256. A client is created
//   the first time a browser starts a sign-in or sign-up.
// - A completed sign-in or sign-up starts a session and rotates the token (startSession), so a
//   token planted before sign-in (session fixation) is worthless afterwards.
// - One user per browser: starting a session ends the client's other active sessions.
// - A session is usable while active and before expire_at; signing out ends it for good.
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../http/errors.ts';
import { ms } from '../../http/schemas.ts';
import { newId } from '../../lib/ids.ts';
import { sha256 } from '../../lib/tickets.ts';
import { timeKey, timePart } from '../../lib/time-keyed.ts';
import { getUser } from '../users/user.service.ts';
import type { UserJson } from '../users/user.schemas.ts';
import { findMembership } from '../memberships/membership.repository.ts';
import {
  deleteClientById,
  endOtherSessions,
  findClientByTokenHash,
  findLiveSessionsOfClient,
  findSessionOfClient,
  insertClient,
  insertSessionStart,
  setSessionStatus,
  touchSession,
} from './client.repository.ts';
import type { FrontendUserJson, SessionJson } from './client.schemas.ts';
import type { ClientRow, SessionRow } from './client.table.ts';

export const CLIENT_COOKIE = '__client';
const CLIENT_COOKIE_MAX_AGE = 365 * 24 * 3600;

/** The key the database keeps of a client token: its time part and SHA-256 (lib/time-keyed.ts). */
const hashToken = (token: string): Buffer => timeKey(token, sha256(`client:${token}`));
/** A client cookie token: its creation time, then 256 random bits. */
const CLIENT_TOKEN = /^(?:[A-Za-z0-9_-]{8})?[A-Za-z0-9_-]{43}$/;
/** A new client cookie token and the key the database keeps of it. */
export const mintClientToken = (): { token: string; hash: Buffer } => {
  const token = `${timePart()}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
};

/** The value of one cookie in a Cookie header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function setClientCookie(deps: Deps, reply: FastifyReply, token: string | null): void {
  const secure = deps.config.publicUrl.startsWith('https:') ? '; Secure' : '';
  const value = token === null ? `${CLIENT_COOKIE}=; Max-Age=0` : `${CLIENT_COOKIE}=${token}; Max-Age=${CLIENT_COOKIE_MAX_AGE}`;
  reply.header('set-cookie', `${value}; Path=/; HttpOnly; SameSite=Lax${secure}`);
}

/** The browser's client from its cookie, or null (no cookie, or one that matches nothing). */
export async function resolveClient(deps: Deps, req: FastifyRequest): Promise<ClientRow | null> {
  const token = readCookie(req.headers.cookie, CLIENT_COOKIE);
  if (token === null || !CLIENT_TOKEN.test(token)) return null;
  return (await findClientByTokenHash(deps.db, hashToken(token))) ?? null;
}

/** The browser's client, created (with its cookie) when it has none. */
export async function ensureClient(deps: Deps, req: FastifyRequest, reply: FastifyReply): Promise<ClientRow> {
  const existing = await resolveClient(deps, req);
  if (existing) return existing;
  const { token, hash } = mintClientToken();
  const client = await insertClient(deps.db, newId('client'), hash);
  setClientCookie(deps, reply, token);
  return client;
}

export interface StartedSession {
  session: SessionRow;
  /** The client the session belongs to (created here when the browser had none). */
  clientId: string;
  /** The client's new cookie token: set it with commitSessionCookie after the transaction commits. */
  token: string;
  /** Whether the client was created with the session (so it has nothing else: no other session, sign-in or sign-up). */
  newClient: boolean;
  /** The session's user as the statement that started it returned them, when it did (no read needed). */
  user?: UserJson;
}

/**
 * Starts a session for the user inside the caller's transaction. A browser without a client gets
 * one here (so a failed sign-in leaves none behind); a known client has its other sessions ended
 * and its token rotated.
 */
export async function startSession(
  deps: Deps,
  trx: Transaction<Database>,
  clientId: string | null,
  userId: string,
  activeOrganizationId: string | null = null,
): Promise<StartedSession> {
  const { token, hash } = mintClientToken();
  const id = clientId ?? newId('client');
  const session = await insertSessionStart(
    trx,
    { id: newId('sess'), clientId: id, userId, activeOrganizationId, lifetimeSeconds: deps.config.sessionLifetimeSeconds },
    clientId === null ? { newClientHash: hash } : { rotatedHash: hash },
  );
  return { session, clientId: id, token, newClient: clientId === null };
}

export function commitSessionCookie(deps: Deps, reply: FastifyReply, started: StartedSession): void {
  setClientCookie(deps, reply, started.token);
}

export function clearClientCookie(deps: Deps, reply: FastifyReply): void {
  setClientCookie(deps, reply, null);
}

export function toFrontendUser(user: Awaited<ReturnType<typeof getUser>>): FrontendUserJson {
  const { private_metadata: _private, ...rest } = user;
  return rest;
}

export async function sessionToJson(deps: Deps, s: SessionRow, knownUser?: UserJson): Promise<SessionJson> {
  const user = knownUser ?? (await getUser(deps, s.user_id));
  const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id)?.email_address;
  return {
    object: 'session',
    id: s.id,
    status: s.status,
    expire_at: ms(s.expire_at),
    abandon_at: ms(s.abandon_at),
    last_active_at: ms(s.last_active_at),
    last_active_organization_id: s.active_organization_id,
    actor: null,
    user: toFrontendUser(user),
    public_user_data: {
      user_id: user.id,
      first_name: user.first_name,
      last_name: user.last_name,
      image_url: '',
      has_image: false,
      identifier: primary ?? user.username ?? '',
      profile_image_url: '',
      username: user.username,
      banned: user.banned,
    },
    created_at: ms(s.created_at),
    updated_at: ms(s.updated_at),
  };
}

export interface SignedIn {
  client: ClientRow;
  session: SessionRow;
}

/**
 * The signed-in session of this browser: the client's newest live session, or, when the request
 * names one (`_clerk_session_id`), that one. 401 signed_out otherwise.
 */
export async function requireSession(deps: Deps, req: FastifyRequest, sessionId?: string): Promise<SignedIn> {
  const client = await resolveClient(deps, req);
  if (!client) throw new ApiError('signed_out');
  const sessions = await findLiveSessionsOfClient(deps.db, client.id);
  const session = sessionId === undefined ? sessions[0] : sessions.find((s) => s.id === sessionId);
  if (!session) throw new ApiError('signed_out');
  return { client, session };
}

// ---------------------------------------------------------------------------------------------
// Signing out, and the active organization

/** Ends one session of this browser (sign out of it): ended, or removed (dropped from the list). */
export async function endSession(deps: Deps, req: FastifyRequest, sessionId: string, status: 'ended' | 'removed'): Promise<{ clientId: string; session: SessionRow }> {
  const client = await resolveClient(deps, req);
  const session = client ? await findSessionOfClient(deps.db, client.id, sessionId) : undefined;
  if (!client || !session) throw new ApiError('resource_not_found', { vars: { resource: 'session', id: sessionId } });
  const updated = session.status === 'active' ? await setSessionStatus(deps.db, session.id, status) : session;
  return { clientId: client.id, session: updated ?? session };
}

/** Ends every session of this browser (sign out of all of them). */
export async function endAllSessions(deps: Deps, req: FastifyRequest): Promise<string | null> {
  const client = await resolveClient(deps, req);
  if (!client) return null;
  await deps.db.transaction().execute((trx) => endOtherSessions(trx, client.id, null));
  return client.id;
}

/** Forgets this browser: its sessions end, its client is deleted, the cookie is cleared. */
export async function destroyClient(deps: Deps, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const client = await resolveClient(deps, req);
  if (client) {
    await deps.db.transaction().execute(async (trx) => {
      await endOtherSessions(trx, client.id, null);
      await deleteClientById(trx, client.id);
    });
  }
  clearClientCookie(deps, reply);
}

/**
 * Marks the session active now and, when `organizationId` is given, makes that organization the
 * active one (null or "" for none). Only an organization the user is a member of: 404 otherwise.
 */
export async function touchCurrentSession(deps: Deps, req: FastifyRequest, sessionId: string, organizationId: string | null | undefined): Promise<{ clientId: string; session: SessionRow }> {
  const { client, session } = await requireSession(deps, req, sessionId);
  const orgId = organizationId === '' ? null : organizationId;
  if (orgId !== undefined && orgId !== null) {
    if (!(await findMembership(deps.db, orgId, session.user_id))) throw new ApiError('resource_not_found', { vars: { resource: 'organization membership', id: orgId } });
  }
  const touched = await touchSession(deps.db, session.id, orgId);
  return { clientId: client.id, session: touched ?? session };
}
