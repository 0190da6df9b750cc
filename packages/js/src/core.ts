// What resources need from their Tessera instance. Internal: resources call the Frontend API
// through it, so every answer's piggybacked client updates the instance (as in clerk-js).
import type { FapiRequest } from './fapi.ts';

/** A change that the client state alone does not show (lists that hooks should fetch again). */
export type MutationEvent =
  | { type: 'organizationInvitations'; organizationId: string }
  | { type: 'userInvitations' }
  | { type: 'userMemberships' };

export interface GetTokenOptions {
  /** Mint the token for this organization (the user must be a member); `null` for none. Default: the session's active one. */
  organizationId?: string | null;
  /** Fetch a new token even if a cached one is still fresh. */
  skipCache?: boolean;
}

export interface Core {
  /** Calls the Frontend API, applies the answer's client, and returns its `response`. */
  call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, req?: FapiRequest): Promise<T>;
  /** Fetches the client again (and the active organization's membership). */
  reload(): Promise<void>;
  notify(event: MutationEvent): void;
  getToken(sessionId: string, options: GetTokenOptions): Promise<string | null>;
}

export const enc = encodeURIComponent;

export const dateOrNull = (ms: number | null | undefined): Date | null => (typeof ms === 'number' ? new Date(ms) : null);
