// Passwords. A password given in plain text is stored only as an argon2id digest with the OWASP
// Password Storage Cheat Sheet's first recommended parameters (m=19456 KiB, t=2, p=1). A digest
// imported from another system (password_digest + password_hasher) is stored as given, after a
// format check, so a later sign-in can verify it; only argon2id and bcrypt are accepted. A bcrypt
// digest that a sign-in verifies is replaced by an argon2id digest of the same password
// (sign-in.service.ts), so imported accounts move to Tessera's own hashing as their owners sign in.
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import { ApiError, paramFormatInvalid, paramInvalid, paramMissing } from '../../http/errors.ts';

export const ARGON2ID_PARAMS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN_LENGTH = 8;
/** A bound on the work a single request can ask for, kept even with skip_password_checks. */
export const PASSWORD_MAX_LENGTH = 256;

export const SUPPORTED_HASHERS = ['argon2id', 'bcrypt'] as const;
export type PasswordHasher = (typeof SUPPORTED_HASHERS)[number];

const DIGEST_FORMATS: Record<PasswordHasher, RegExp> = {
  // PHC string; node-argon2 writes the parameters as m,p,t and the reference tool as m,t,p.
  argon2id: /^\$argon2id\$v=19\$[mtp]=\d{1,10},[mtp]=\d{1,10},[mtp]=\d{1,10}\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/,
  // $2a$, $2b$, $2y$ (PHP's name for $2b$) and the original $2$. Not $2x$: the variant of a
  // broken implementation, which no correct verifier reproduces.
  bcrypt: /^\$2[aby]?\$\d{2}\$[./A-Za-z0-9]{53}$/,
};

export interface StoredPassword {
  digest: string;
  hasher: PasswordHasher;
}

/**
 * argon2id runs on libuv's thread pool (4 threads by default). With more hashes in flight than the
 * machine has cores, each one costs more CPU (19 MiB each fighting over the caches: 23–24 ms of
 * CPU instead of 20–21 on 2 cores, bench:accept), so at most one hash per core runs at a time and
 * the rest wait their turn here.
 */
const HASH_SLOTS = Math.max(1, availableParallelism());
let hashesRunning = 0;
const hashQueue: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (hashesRunning >= HASH_SLOTS) await new Promise<void>((resolve) => hashQueue.push(resolve));
  else hashesRunning++;
  try {
    return await work();
  } finally {
    const next = hashQueue.shift();
    if (next) next();
    else hashesRunning--;
  }
}

export async function hashPassword(password: string): Promise<string> {
  return withHashSlot(() => argon2.hash(password, ARGON2ID_PARAMS));
}

/** Verifies a password against a stored digest: argon2id (Tessera's own, or imported) or an imported bcrypt one. */
export async function verifyPassword(stored: StoredPassword, password: string): Promise<boolean> {
  if (stored.hasher === 'bcrypt') {
    // bcryptjs reads $2y$ as nothing; it is $2b$ under another name.
    const digest = stored.digest.replace(/^\$2y\$/, '$2b$');
    return withHashSlot(() => bcrypt.compare(password, digest));
  }
  return withHashSlot(() => argon2.verify(stored.digest, password));
}

/** Whether a verified password should be hashed again with Tessera's own argon2id parameters. */
export function needsRehash(stored: StoredPassword): boolean {
  return stored.hasher !== 'argon2id';
}

/** Length in code points, so a character outside the BMP counts once. */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export interface PasswordInput {
  password?: string | null;
  password_digest?: string | null;
  password_hasher?: string | null;
  skip_password_checks?: boolean | null;
}

/**
 * Turns the password fields of a request into what is stored, or null when none was given.
 * Rules: password and password_digest exclude each other; a digest needs its hasher (argon2id or
 * bcrypt) and must look like one; a password has at least 8 code points unless
 * skip_password_checks (and is never empty), and never more than 256.
 */
export async function resolvePassword(input: PasswordInput): Promise<StoredPassword | null> {
  const { password, password_digest: digest, password_hasher: hasher } = input;
  if (password != null && digest != null) throw paramInvalid('password_digest', 'password and password_digest cannot be given together');
  if (digest != null) {
    if (hasher == null) throw paramMissing('password_hasher');
    if (!isSupportedHasher(hasher)) {
      throw paramInvalid('password_hasher', `"${hasher}" is not supported; Tessera accepts ${SUPPORTED_HASHERS.join(' and ')}`);
    }
    if (!DIGEST_FORMATS[hasher].test(digest)) throw paramFormatInvalid('password_digest', `${hasher} digest`);
    return { digest, hasher };
  }
  if (hasher != null) throw paramMissing('password_digest');
  if (password == null) return null;
  const length = codePoints(password);
  if (length > PASSWORD_MAX_LENGTH) {
    throw new ApiError('form_password_length_too_long', { vars: { max: PASSWORD_MAX_LENGTH }, meta: { param_name: 'password' } });
  }
  if (length === 0 || (length < PASSWORD_MIN_LENGTH && input.skip_password_checks !== true)) {
    throw new ApiError('form_password_length_too_short', { vars: { min: PASSWORD_MIN_LENGTH }, meta: { param_name: 'password' } });
  }
  return { digest: await hashPassword(password), hasher: 'argon2id' };
}

function isSupportedHasher(h: string): h is PasswordHasher {
  return (SUPPORTED_HASHERS as readonly string[]).includes(h);
}
