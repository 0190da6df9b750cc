// The Frontend API envelope: `{ "response": …, "client": … }`, where `client` is the browser's
// Client after the request (its live sessions and the sign-in / sign-up in progress).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { ms } from '../../http/schemas.ts';
import { findOpenSignInOfClient } from '../sign-ins/sign-in.repository.ts';
import { signInToJson } from '../sign-ins/sign-in.view.ts';
import { findOpenSignUpOfClient } from '../sign-ups/sign-up.repository.ts';
import { signUpToJson } from '../sign-ups/sign-up.service.ts';
import { findClientById, findLiveSessionsOfClient } from './client.repository.ts';
import type { ClientJson } from './client.schemas.ts';
import { sessionToJson, type StartedSession } from './client.service.ts';
import type { SessionRow } from './client.table.ts';
import type { UserJson } from '../users/user.schemas.ts';

export interface FapiCall {
  req: FastifyRequest;
  reply: FastifyReply;
}

/** What a Frontend API service returns: the resource, and the client whose state to send along. */
export interface FapiResult<T> {
  response: T;
  clientId: string | null;
  /**
   * Set when the request created the client together with this session (startSession): the
   * client then has nothing else (no other session, no sign-in or sign-up in progress), and its
   * JSON is built without reading it back.
   */
  newClientSession?: SessionRow;
  /** The new session's user, when the statement that started it returned them. */
  newClientUser?: UserJson;
}

/** The FapiResult of a completed sign-in or sign-up. */
export function startedResult<T>(response: T, started: StartedSession): FapiResult<T> {
  return {
    response,
    clientId: started.clientId,
    ...(started.newClient ? { newClientSession: started.session, ...(started.user ? { newClientUser: started.user } : {}) } : {}),
  };
}

export async function clientToJson(deps: Deps, clientId: string): Promise<ClientJson | null> {
  const client = await findClientById(deps.db, clientId);
  if (!client) return null;
  const [sessions, signIn, signUp] = await Promise.all([
    findLiveSessionsOfClient(deps.db, client.id),
    findOpenSignInOfClient(deps.db, client.id),
    findOpenSignUpOfClient(deps.db, client.id),
  ]);
  return {
    object: 'client',
    id: client.id,
    sessions: await Promise.all(sessions.map((s) => sessionToJson(deps, s))),
    sign_in: signIn ? await signInToJson(deps, signIn) : null,
    sign_up: signUp ? signUpToJson(signUp) : null,
    last_active_session_id: sessions[0]?.id ?? null,
    created_at: ms(client.created_at),
    updated_at: ms(client.updated_at),
  };
}

/** A client created in the same transaction as its one session (same now(): same timestamps). */
async function newClientToJson(deps: Deps, session: SessionRow, user?: UserJson): Promise<ClientJson> {
  return {
    object: 'client',
    id: session.client_id,
    sessions: [await sessionToJson(deps, session, user)],
    sign_in: null,
    sign_up: null,
    last_active_session_id: session.id,
    created_at: ms(session.created_at),
    updated_at: ms(session.created_at),
  };
}

export async function envelope<T>(deps: Deps, result: FapiResult<T>): Promise<{ response: T; client: ClientJson | null }> {
  if (result.newClientSession !== undefined) return { response: result.response, client: await newClientToJson(deps, result.newClientSession, result.newClientUser) };
  return { response: result.response, client: result.clientId === null ? null : await clientToJson(deps, result.clientId) };
}
