// The instance: its id (kept in the database) and its Backend API secret key (from
// TESSERA_SECRET_KEY, or generated on first start and kept in the data directory, mode 0600).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Instance } from '../deps.ts';
import { encodeBase62, newId } from './ids.ts';

export interface ResolvedInstance extends Instance {
  /** Where the key came from, for the start-up banner. */
  readonly keySource: 'env' | 'file' | 'generated';
  readonly keyFile: string | null;
}

export async function ensureInstanceId(db: Kysely<Database>): Promise<string> {
  await db.insertInto('instance').values({ id: newId('ins') }).onConflict((oc) => oc.doNothing()).execute();
  // Concurrent first starts may each insert a row; the oldest one is the instance.
  const row = await db.selectFrom('instance').select('id').orderBy(sql`created_at`).orderBy('id').limit(1).executeTakeFirstOrThrow();
  return row.id;
}

export function resolveSecretKey(config: Config): { key: string; source: ResolvedInstance['keySource']; file: string | null } {
  if (config.secretKey) return { key: config.secretKey, source: 'env', file: null };
  const file = join(config.dataDir, 'secret_key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (!/^sk_(test|live)_[A-Za-z0-9_-]{16,}$/.test(key)) throw new Error(`${file} does not hold a valid secret key; delete it to generate a new one`);
    return { key, source: 'file', file };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = `sk_test_${encodeBase62(randomBytes(20))}${encodeBase62(randomBytes(20))}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, source: 'generated', file };
}

export async function resolveInstance(config: Config, db: Kysely<Database>): Promise<ResolvedInstance> {
  const { key, source, file } = resolveSecretKey(config);
  return {
    id: await ensureInstanceId(db),
    secretKey: key,
    isDevelopment: key.startsWith('sk_test_'),
    keySource: source,
    keyFile: file,
  };
}
