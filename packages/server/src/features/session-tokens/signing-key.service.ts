// The instance's JWT signing keys (RS256, 2048-bit RSA).
//
// - Keys live in `signing_keys`: the private key (PKCS#8 PEM) sealed under the instance secret key
//   (lib/secret-box.ts, purpose 'signing-key'), the public JWK in clear. The kid is the key's
//   RFC 7638 thumbprint. The JWKS lists every stored key, newest first.
// - A process signs with the newest stored key. The first key is created on first need, under a
//   table lock that re-reads the newest key inside it: processes starting at once (several
//   stateless servers on one database) converge on one key, and no process ever signs with a key
//   that is not committed to the table.
// - Each process caches the current key per database and re-reads the newest row every
//   SIGNING_KEY_RECHECK_MS, so a rotation (rotateSigningKey, in any process) is picked up within a
//   minute. Tokens signed with an older key stay verifiable: its JWK stays in the JWKS, and a
//   token lives 60 s.
// - A stored key that cannot be unsealed (the secret key changed) is logged and passed over: a new
//   key is created, under the same lock, so processes sharing the new secret converge on it too.
import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Deps } from '../../deps.ts';
import type { JwtSigner } from '../../lib/jwt.ts';
import { rsaJwkThumbprint } from '../../lib/jwt.ts';
import { createSecretBox, type SecretBox } from '../../lib/secret-box.ts';
import { findNewestSigningKey, insertSigningKey, listSigningKeyJwks, lockSigningKeysForCreation, type NewSigningKey } from './signing-key.repository.ts';
import type { SigningKeyRow } from './signing-key.table.ts';
import type { JwkJson } from './session-token.schemas.ts';

export const SIGNING_KEY_RECHECK_MS = 60_000;
const RSA_MODULUS_BITS = 2048;

const generateRsaKeyPair = promisify(generateKeyPair);

export type SigningKey = JwtSigner;

/** A process's view of the signing keys of one database. */
export interface SigningKeyCache {
  current: SigningKey | null;
  /** deps.clock time (ms) when `current` was last checked against the newest row. */
  checkedAt: number;
  /** Private keys unsealed so far, by kid; null for a key this secret key cannot open. */
  opened: Map<string, KeyObject | null>;
  /** The load in progress, shared by concurrent callers (one database read, one key generation). */
  loading: Promise<SigningKey> | null;
}

export function newSigningKeyCache(): SigningKeyCache {
  return { current: null, checkedAt: 0, opened: new Map(), loading: null };
}

// The in-memory cache is per process by design (that is what makes signing cheap), so it lives
// here rather than in deps; it is keyed by the database, so apps on different databases in one
// process (tests) never share keys.
const caches = new WeakMap<object, SigningKeyCache>();
function cacheOf(deps: Deps): SigningKeyCache {
  let cache = caches.get(deps.db);
  if (!cache) caches.set(deps.db, (cache = newSigningKeyCache()));
  return cache;
}

const boxOf = (deps: Deps): SecretBox => createSecretBox(deps.instance.secretKey, 'signing-key');

/** The key to sign with now: the newest stored key (created when there is none). */
export async function currentSigningKey(deps: Deps, cache: SigningKeyCache = cacheOf(deps)): Promise<SigningKey> {
  if (cache.current && deps.clock.now().getTime() - cache.checkedAt < SIGNING_KEY_RECHECK_MS) return cache.current;
  cache.loading ??= loadNewestKey(deps, cache)
    .then((key) => {
      cache.current = key;
      cache.checkedAt = deps.clock.now().getTime();
      return key;
    })
    .finally(() => {
      cache.loading = null;
    });
  return cache.loading;
}

/**
 * Adds a new key that becomes the newest: this process signs with it at once, others within
 * SIGNING_KEY_RECHECK_MS. Older keys stay in the JWKS.
 */
export async function rotateSigningKey(deps: Deps, cache: SigningKeyCache = cacheOf(deps)): Promise<SigningKey> {
  const fresh = await generateSigningKey(deps);
  await insertSigningKey(deps.db, fresh.row);
  cache.opened.set(fresh.key.kid, fresh.key.privateKey);
  cache.current = fresh.key;
  cache.checkedAt = deps.clock.now().getTime();
  return fresh.key;
}

/** Every stored public key, newest first; never empty (the first key is created if need be). */
export async function listJwks(deps: Deps): Promise<JwkJson[]> {
  await currentSigningKey(deps);
  return (await listSigningKeyJwks(deps.db)).map(toJwk);
}

async function loadNewestKey(deps: Deps, cache: SigningKeyCache): Promise<SigningKey> {
  const newest = await findNewestSigningKey(deps.db);
  const usable = newest ? openStoredKey(deps, cache, newest) : null;
  return usable ?? createKeyUnlessAnotherProcessDid(deps, cache);
}

/**
 * Creates a key unless, under the creation lock, the newest row is one this process can open
 * (another process just created it): then that one is used and ours is dropped unseen.
 */
async function createKeyUnlessAnotherProcessDid(deps: Deps, cache: SigningKeyCache): Promise<SigningKey> {
  // Generated before the lock: RSA generation takes tens of milliseconds others need not wait for.
  const fresh = await generateSigningKey(deps);
  const key = await deps.db.transaction().execute(async (trx) => {
    await lockSigningKeysForCreation(trx);
    const newest = await findNewestSigningKey(trx);
    const usable = newest ? openStoredKey(deps, cache, newest) : null;
    if (usable) return usable;
    await insertSigningKey(trx, fresh.row);
    return fresh.key;
  });
  if (key === fresh.key) cache.opened.set(key.kid, key.privateKey);
  return key;
}

function openStoredKey(deps: Deps, cache: SigningKeyCache, row: SigningKeyRow): SigningKey | null {
  let privateKey = cache.opened.get(row.kid);
  if (privateKey === undefined) {
    try {
      privateKey = createPrivateKey(boxOf(deps).open(row.private_key_sealed));
    } catch (err) {
      deps.log.warn(
        { kid: row.kid, reason: err instanceof Error ? err.message : String(err) },
        'signing key cannot be unsealed with this secret key (was TESSERA_SECRET_KEY changed?): a new signing key will be used',
      );
      privateKey = null;
    }
    cache.opened.set(row.kid, privateKey);
  }
  return privateKey ? { kid: row.kid, privateKey } : null;
}

async function generateSigningKey(deps: Deps): Promise<{ key: SigningKey; row: NewSigningKey }> {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: RSA_MODULUS_BITS });
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw new Error('RSA public key export lacks n or e');
  const kid = rsaJwkThumbprint({ n, e });
  const jwk: JwkJson = { kid, alg: 'RS256', use: 'sig', kty: 'RSA', n, e };
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  return {
    key: { kid, privateKey },
    row: { kid, privateKeySealed: boxOf(deps).seal(typeof pem === 'string' ? pem : pem.toString('utf8')), publicJwk: { ...jwk } },
  };
}

function toJwk(stored: Record<string, unknown>): JwkJson {
  const field = (name: string): string => {
    const v = stored[name];
    if (typeof v !== 'string') throw new Error(`stored public JWK lacks ${name}`);
    return v;
  };
  return { kid: field('kid'), alg: 'RS256', use: 'sig', kty: 'RSA', n: field('n'), e: field('e') };
}
