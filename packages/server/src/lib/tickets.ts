// Tickets (the secret in an invitation link) are 256 bits from the CSPRNG, written in base64url
// behind a short purpose tag. Only SHA-256(purpose ":" token) is stored, so a database read does
// not yield a usable link, and a token minted for one purpose hashes to nothing for another
// (an invitation ticket is not a sign-in token).
import * as crypto from 'node:crypto';
import { secureRandomBytes } from './ids.ts';

export type TicketPurpose = 'invitation' | 'organization_invitation' | 'sign_in_token';

const TAG: Record<TicketPurpose, string> = {
  invitation: 'inv',
  organization_invitation: 'oinv',
  sign_in_token: 'sit',
};

export function mintTicket(purpose: TicketPurpose): { token: string; hash: Buffer } {
  const token = `tkt_${TAG[purpose]}_${secureRandomBytes(32).toString('base64url')}`;
  return { token, hash: hashTicket(purpose, token) };
}

/** SHA-256, one-shot (crypto.hash, Node ≥ 20.12) where available: cheaper than a Hash object per call. */
export const sha256: (data: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

export function hashTicket(purpose: TicketPurpose, token: string): Buffer {
  return sha256(`${purpose}:${token}`);
}

/** The purpose a token claims from its tag; the hash lookup is what decides. */
export function ticketPurposeOf(token: string): TicketPurpose | null {
  const m = /^tkt_([a-z]+)_[A-Za-z0-9_-]{43}$/.exec(token);
  if (!m) return null;
  const entry = (Object.entries(TAG) as [TicketPurpose, string][]).find(([, tag]) => tag === m[1]);
  return entry ? entry[0] : null;
}
