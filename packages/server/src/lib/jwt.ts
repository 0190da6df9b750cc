// Compact JWS (RFC 7515) signed with RS256 (RSASSA-PKCS1-v1_5 + SHA-256), the only algorithm
// Tessera issues. Verification is the relying party's job (@clerk/backend's verifyToken with the
// JWKS); this module only signs, and decodes for inspection.
import { createHash, sign, type KeyObject } from 'node:crypto';

export interface JwtSigner {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

export type JwtClaims = Record<string, unknown>;

const b64urlJson = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** `header.payload.signature`, header `{ alg: 'RS256', typ: 'JWT', kid }`. */
export function signJwtRs256(claims: JwtClaims, signer: JwtSigner): string {
  const input = `${b64urlJson({ alg: 'RS256', typ: 'JWT', kid: signer.kid })}.${b64urlJson(claims)}`;
  const signature = sign('sha256', Buffer.from(input, 'ascii'), signer.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** The header and claims of a compact JWS, NOT verified. Throws on a malformed token. */
export function decodeJwtUnverified(token: string): { header: JwtClaims; claims: JwtClaims } {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('a compact JWS has three parts');
  const part = (s: string): JwtClaims => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as JwtClaims;
  return { header: part(parts[0]!), claims: part(parts[1]!) };
}

/** The RFC 7638 thumbprint of an RSA public key (base64url SHA-256 of its canonical JWK). */
export function rsaJwkThumbprint(jwk: { e: string; n: string }): string {
  // Members in lexicographic order, no whitespace: the canonical form the RFC specifies.
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}
