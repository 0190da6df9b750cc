// SQL for the instance's JWT signing keys. "Newest" is by created_at, then kid, so every process
// that reads the table agrees on which key is current.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { SigningKeyRow } from './signing-key.table.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function findNewestSigningKey(db: Db): Promise<SigningKeyRow | undefined> {
  return db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').limit(1).executeTakeFirst();
}

/** Every key's public JWK, newest first (the JWKS). */
export async function listSigningKeyJwks(db: Db): Promise<Array<SigningKeyRow['public_jwk']>> {
  const rows = await db.selectFrom('signing_keys').select('public_jwk').orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
  return rows.map((r) => r.public_jwk);
}

export interface NewSigningKey {
  kid: string;
  privateKeySealed: string;
  publicJwk: Record<string, unknown>;
}

export async function insertSigningKey(db: Db, key: NewSigningKey): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({ kid: key.kid, private_key_sealed: key.privateKeySealed, public_jwk: JSON.stringify(key.publicJwk) })
    .execute();
}

/**
 * Serializes key creation across processes until the transaction ends. SHARE ROW EXCLUSIVE
 * conflicts with itself and with writes, not with plain reads: signing and the JWKS never wait.
 */
export async function lockSigningKeysForCreation(trx: Transaction<Database>): Promise<void> {
  await sql`LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
}
