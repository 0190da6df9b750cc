// Tickets (the secret in an invitation link) are 256 bits from the CSPRNG, written in base64url
// behind a short purpose tag. Only SHA-256(purpose ":" token) is stored, so a database read does
// not yield a usable link, and a token minted for one purpose hashes to nothing for another
// (an invitation ticket is not a sign-in token).
//
// A ticket starts with its minting time, and its stored key with that time's 6 bytes: see
// time-keyed.ts. Tickets of the earlier shape (43 characters, no time) are still recognised.
import * as crypto from 'node:crypto';
import { secureRandomBytes } from './ids.ts';
import { timeKey, timePart } from './time-keyed.ts';

export type TicketPurpose = 'invitation' | 'organization_invitation' | 'sign_in_token';

const TAG: Record<TicketPurpose, string> = {
  invitation: 'inv',
  organization_invitation: 'oinv',
  sign_in_token: 'sit',
};

export function mintTicket(purpose: TicketPurpose, now: number = Date.now()): { token: string; hash: Buffer } {
  const token = `tkt_${TAG[purpose]}_${timePart(now)}${secureRandomBytes(32).toString('base64url')}`;
  return { token, hash: hashTicket(purpose, token) };
}

/** tag, then the time (8 characters; absent in tickets of the earlier shape), then the 256 bits. */
const SHAPE = /^tkt_([a-z]+)_([A-Za-z0-9_-]{8})?[A-Za-z0-9_-]{43}$/;

/** SHA-256, one-shot (crypto.hash, Node ≥ 20.12) where available: cheaper than a Hash object per call. */
export const sha256: (data: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

/** The stored key of a token for a purpose: its time's 6 bytes (when it has one) and SHA-256(purpose ":" token). */
export function hashTicket(purpose: TicketPurpose, token: string): Buffer {
  const digest = sha256(`${purpose}:${token}`);
  const m = SHAPE.exec(token);
  return m ? timeKey(token.slice(token.indexOf('_', 4) + 1), digest) : digest;
}

/** The purpose a token claims from its tag; the hash lookup is what decides. */
export function ticketPurposeOf(token: string): TicketPurpose | null {
  const m = SHAPE.exec(token);
  if (!m) return null;
  const entry = (Object.entries(TAG) as [TicketPurpose, string][]).find(([, tag]) => tag === m[1]);
  return entry ? entry[0] : null;
}
