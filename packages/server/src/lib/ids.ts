// IDs are `<prefix>_<27 base62 chars>`: 20 bytes (6 bytes of milliseconds since the Unix epoch,
// then 14 random bytes) written in fixed-width base62. The alphabet is in ASCII order, so string
// order is creation order; within one millisecond the random part is incremented (monotonic), so
// IDs minted by one process sort in the order they were made.
import { randomBytes, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const WIDTH = 27;

export type IdPrefix = 'user' | 'idn' | 'inv' | 'org' | 'orginv' | 'orgmem' | 'ins' | 'sess' | 'client' | 'role' | 'perm' | 'sua' | 'sia' | 'msg' | 'alid' | 'ver';

// CSPRNG bytes for ids, tickets and IVs, drawn from a 4 KiB buffer refilled from the CSPRNG when
// used up (as crypto.randomUUID does with its own cache): one randomBytes call per request and
// purpose costs far more than copying a few bytes. Each caller gets its own copy, and the bytes
// handed out are zeroed in the buffer.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** `n` bytes from the CSPRNG (crypto.randomBytes semantics, from a pooled buffer for small n). */
export function secureRandomBytes(n: number): Buffer {
  if (n > 256) return randomBytes(n);
  if (poolOffset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n));
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

let lastMs = -1;
let lastRandom: Buffer = Buffer.alloc(14);

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
  lastRandom = secureRandomBytes(14);
  return lastRandom;
}

export function encodeBase62(bytes: Uint8Array): string {
  // Long division of the big-endian number by 62, on 16-bit limbs (remainder * 65536 + limb stays
  // far below 2^53): the same digits as BigInt arithmetic, without allocating a BigInt per step.
  const limbs: number[] = [];
  if (bytes.length % 2 === 1) limbs.push(bytes[0]!);
  for (let i = bytes.length % 2; i < bytes.length; i += 2) limbs.push((bytes[i]! << 8) | bytes[i + 1]!);
  let start = 0;
  while (start < limbs.length && limbs[start] === 0) start++;
  let out = '';
  while (start < limbs.length) {
    let rem = 0;
    for (let i = start; i < limbs.length; i++) {
      const cur = rem * 65536 + limbs[i]!;
      const q = Math.floor(cur / 62);
      limbs[i] = q;
      rem = cur - q * 62;
    }
    out = ALPHABET[rem]! + out;
    while (start < limbs.length && limbs[start] === 0) start++;
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
