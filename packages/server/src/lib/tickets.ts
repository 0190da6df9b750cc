// Tickets (the secret in an invitation link) are 256 bits from the CSPRNG, written in base64url
// behind a short purpose tag. Only SHA-256(purpose ":" token) is stored, so a database read does
// not yield a usable link, and a token minted for one purpose hashes to nothing for another
// (an invitation ticket is not a sign-in token).
//
// A ticket also carries the time it was minted (milliseconds, 48 bits: 8 base64url characters
// before the 256 random bits), and its stored key is those 6 bytes followed by the SHA-256. Keys
// of new invitations then land at the end of the unique index, as time-ordered ids do, instead of
// on a random page of it: an insert touches the pages other recent inserts touched, and after a
// checkpoint the WAL carries a few full-page images instead of one per insert (random keys were
// about 40% of a create's WAL). The time is no secret (an invitation's created_at says as much);
// the 256 bits are. Tickets of the earlier shape (43 characters, no time) are still recognised,
// keyed by the SHA-256 alone.
import * as crypto from 'node:crypto';
import { secureRandomBytes } from './ids.ts';

export type TicketPurpose = 'invitation' | 'organization_invitation' | 'sign_in_token';

const TAG: Record<TicketPurpose, string> = {
  invitation: 'inv',
  organization_invitation: 'oinv',
  sign_in_token: 'sit',
};

export function mintTicket(purpose: TicketPurpose, now: number = Date.now()): { token: string; hash: Buffer } {
  const time = Buffer.allocUnsafe(TIME_BYTES);
  time.writeUIntBE(now, 0, TIME_BYTES);
  const token = `tkt_${TAG[purpose]}_${time.toString('base64url')}${secureRandomBytes(32).toString('base64url')}`;
  return { token, hash: hashTicket(purpose, token) };
}

const TIME_BYTES = 6;
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
  const time = SHAPE.exec(token)?.[2];
  return time === undefined ? digest : Buffer.concat([Buffer.from(time, 'base64url'), digest]);
}

/** The purpose a token claims from its tag; the hash lookup is what decides. */
export function ticketPurposeOf(token: string): TicketPurpose | null {
  const m = SHAPE.exec(token);
  if (!m) return null;
  const entry = (Object.entries(TAG) as [TicketPurpose, string][]).find(([, tag]) => tag === m[1]);
  return entry ? entry[0] : null;
}
