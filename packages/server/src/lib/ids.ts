// IDs are `<prefix>_<27 base62 chars>`: 20 bytes (6 bytes of milliseconds since the Unix epoch,
// then 14 random bytes) written in fixed-width base62. The alphabet is in ASCII order, so string
// order is creation order; within one millisecond the random part is incremented (monotonic), so
// IDs minted by one process sort in the order they were made.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const WIDTH = 27;

export type IdPrefix = 'user' | 'idn' | 'inv' | 'org' | 'orginv' | 'orgmem' | 'ins' | 'sess' | 'client' | 'role' | 'perm' | 'sua' | 'sia' | 'msg' | 'alid' | 'ver';

let lastMs = -1;
let lastRandom = Buffer.alloc(14);

function nextRandom(ms: number): Buffer {
  if (ms <= lastMs) {
    // Same (or earlier, clock went back) millisecond: keep the last timestamp and count up.
    const r = Buffer.from(lastRandom);
    for (let i = r.length - 1; i >= 0; i--) {
      r[i] = (r[i]! + 1) & 0xff;
      if (r[i] !== 0) break;
    }
    lastRandom = r;
    return r;
  }
  lastMs = ms;
  lastRandom = randomBytes(14);
  return lastRandom;
}

export function encodeBase62(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out.padStart(WIDTH, '0');
}

export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  const ms = Math.max(now, lastMs);
  const random = nextRandom(now);
  const buf = Buffer.alloc(20);
  buf.writeUIntBE(ms, 0, 6);
  random.copy(buf, 6);
  return `${prefix}_${encodeBase62(buf)}`;
}

const ID_RE = /^[a-z]+_[0-9A-Za-z]{27}$/;
export function isWellFormedId(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`) && ID_RE.test(id);
}
