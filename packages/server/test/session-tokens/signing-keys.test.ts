// Signing keys: shared by every process on one database. Each "process" here is a fresh
// in-memory cache (newSigningKeyCache) on the same database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Deps } from '../../src/deps.ts';
import { signJwtRs256 } from '../../src/lib/jwt.ts';
import {
  SIGNING_KEY_RECHECK_MS,
  currentSigningKey,
  listJwks,
  newSigningKeyCache,
  rotateSigningKey,
} from '../../src/features/session-tokens/signing-key.service.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { RELAXED_FAPI_LIMITS } from '../helpers/browser.ts';
import { decode, mintToken, signedInBrowser, verify } from './session-tokens.helpers.ts';

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await startTestApp({ env: RELAXED_FAPI_LIMITS });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

const storedKids = async (t: TestApp) => (await t.deps.db.selectFrom('signing_keys').select('kid').orderBy('created_at', 'desc').orderBy('kid', 'desc').execute()).map((r) => r.kid);

test('the key is stored sealed, and survives a restart (a fresh cache signs with the same key)', async () => {
  await withApp(async (t) => {
    const first = await currentSigningKey(t.deps, newSigningKeyCache());
    const afterRestart = await currentSigningKey(t.deps, newSigningKeyCache());
    assert.equal(afterRestart.kid, first.kid);
    assert.deepEqual(await storedKids(t), [first.kid]);
    const row = await t.deps.db.selectFrom('signing_keys').selectAll().executeTakeFirstOrThrow();
    assert.match(row.private_key_sealed, /^v1\./);
    assert.ok(!row.private_key_sealed.includes('PRIVATE KEY'));
    assert.equal(JSON.stringify(row.public_jwk).includes('"d"'), false, 'no private exponent in the public JWK');
    // A token signed before the "restart" is verified with the key listed after it.
    const s = await signedInBrowser(t, 'restart@example.com');
    const token = await mintToken(s);
    assert.equal(decode(token).header.kid, first.kid);
    await verify(t, token);
  });
});

test('processes creating the first key at once converge on one key that is in the table', async () => {
  await withApp(async (t) => {
    const N = 8;
    const keys = await Promise.all(Array.from({ length: N }, () => currentSigningKey(t.deps, newSigningKeyCache())));
    const kids = new Set(keys.map((k) => k.kid));
    assert.equal(kids.size, 1, `all processes sign with one key, got ${[...kids].join(', ')}`);
    assert.deepEqual(await storedKids(t), [...kids], 'exactly one key was stored');
    const jwks = await listJwks(t.deps);
    // Each process's token verifies against the published JWKS.
    const now = Math.floor(Date.now() / 1000);
    for (const [i, key] of keys.entries()) {
      const token = signJwtRs256({ sub: `user_${i}`, sid: `sess_${i}`, iat: now, nbf: now - 5, exp: now + 60, iss: t.url }, key);
      assert.ok(jwks.some((k) => k.kid === decode(token).header.kid));
      assert.equal((await verify(t, token)).sub, `user_${i}`);
    }
  });
});

test('a process creating the first key while another one commits its own waits for it and uses it', async () => {
  await withApp(async (t) => {
    let other: { kid: string } | undefined;
    let pending: Promise<{ kid: string }> | undefined;
    await t.deps.db.transaction().execute(async (trx) => {
      // The other process's key, inserted but not committed yet.
      other = await rotateSigningKey({ ...t.deps, db: trx }, newSigningKeyCache());
      pending = currentSigningKey(t.deps, newSigningKeyCache());
      // Long enough for this process to find no committed key and generate its own (on
      // PostgreSQL it then waits for the creation lock; PGlite has one connection, so it waits anyway).
      await new Promise((r) => setTimeout(r, 1500));
    });
    const mine = await pending!;
    assert.equal(mine.kid, other!.kid);
    assert.deepEqual(await storedKids(t), [other!.kid]);
  });
});

test('a rotation is picked up by other processes within the recheck interval', async () => {
  await withApp(async (t) => {
    const processA = newSigningKeyCache();
    const original = await currentSigningKey(t.deps, processA);
    const rotated = await rotateSigningKey(t.deps, newSigningKeyCache());
    assert.notEqual(rotated.kid, original.kid);
    assert.equal((await currentSigningKey(t.deps, processA)).kid, original.kid, 'cached until the recheck');
    const later: Deps = { ...t.deps, clock: { now: () => new Date(Date.now() + SIGNING_KEY_RECHECK_MS + 1000) } };
    assert.equal((await currentSigningKey(later, processA)).kid, rotated.kid);
    // Both keys are published, newest first: tokens signed with the old key still verify.
    assert.deepEqual((await listJwks(t.deps)).map((k) => k.kid), [rotated.kid, original.kid]);
  });
});

test('a key the secret key cannot unseal is replaced by a new one, with a warning', async () => {
  await withApp(async (t) => {
    const original = await currentSigningKey(t.deps, newSigningKeyCache());
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const changedSecret: Deps = {
      ...t.deps,
      instance: { ...t.deps.instance, secretKey: 'sk_test_a_different_secret_key_0002' },
      log: pino({ level: 'warn' }, sink),
    };
    const replacement = await currentSigningKey(changedSecret, newSigningKeyCache());
    assert.notEqual(replacement.kid, original.kid);
    assert.deepEqual(await storedKids(t), [replacement.kid, original.kid]);
    assert.equal(lines.length, 1, lines.join(''));
    const warning = JSON.parse(lines[0]!) as { level: number; kid: string };
    assert.equal(warning.level, 40);
    assert.equal(warning.kid, original.kid);
    // A second process with the changed secret key uses the replacement rather than making another.
    assert.equal((await currentSigningKey(changedSecret, newSigningKeyCache())).kid, replacement.kid);
    assert.equal((await storedKids(t)).length, 2);
  });
});

test('the JWKS is never empty: asking for it creates the first key', async () => {
  await withApp(async (t) => {
    assert.deepEqual(await storedKids(t), []);
    const res = await fetch(`${t.url}/.well-known/jwks.json`);
    const body = (await res.json()) as { keys: Array<{ kid: string }> };
    assert.equal(body.keys.length, 1);
    assert.deepEqual(await storedKids(t), [body.keys[0]!.kid]);
  });
});
