import type { ColumnType, Selectable } from 'kysely';

export interface SigningKeysTable {
  kid: string;
  /** The PKCS#8 PEM private key, sealed (lib/secret-box.ts) under the instance secret key. */
  private_key_sealed: string;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  created_at: ColumnType<Date, never, never>;
}

export type SigningKeyRow = Selectable<SigningKeysTable>;
