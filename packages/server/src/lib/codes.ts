// One-time email codes (sign-up verification, sign-in by code): 6 digits from the CSPRNG, valid
// for 10 minutes, at most 5 wrong attempts. Only SHA-256(scope ":" code) is stored, and the
// comparison is constant-time.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

export const CODE_TTL_SECONDS = 600;
export const CODE_MAX_ATTEMPTS = 5;

export function mintCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** scope binds a code to one attempt (e.g. the sign-up id), so it is useless anywhere else. */
export function hashCode(scope: string, code: string): Buffer {
  return createHash('sha256').update(`${scope}:${code}`).digest();
}

export function codeMatches(scope: string, code: string, stored: Uint8Array | null): boolean {
  if (stored === null || !/^\d{6}$/.test(code)) return false;
  return timingSafeEqual(hashCode(scope, code), Buffer.from(stored));
}
