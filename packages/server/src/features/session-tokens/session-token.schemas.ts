// Session tokens and the JWKS on the wire (Clerk's Token object; RFC 7517 JWK Set).
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../../http/schemas.ts';

export const SessionTokenBody = Type.Object({
  organization_id: Type.Optional(
    Nullable(Type.String({ maxLength: 64, description: 'org_… to mint the token for (the user must be a member); "" or null for none; absent: the session\'s active organization' })),
  ),
});
export type SessionTokenInput = Static<typeof SessionTokenBody>;

export const SessionToken = Type.Object({
  object: Type.Literal('token'),
  jwt: Type.String({ description: 'RS256 JWT, valid 60 s: iss, sub, sid, iat, nbf, exp, azp (when the Origin is allowed) and org_id, org_slug, org_role, org_permissions for the organization' }),
});
export type SessionTokenJson = Static<typeof SessionToken>;

export const Jwk = Type.Object({
  kid: Type.String(),
  alg: Type.Literal('RS256'),
  use: Type.Literal('sig'),
  kty: Type.Literal('RSA'),
  n: Type.String({ description: 'Modulus, base64url' }),
  e: Type.String({ description: 'Exponent, base64url' }),
});
export type JwkJson = Static<typeof Jwk>;

export const Jwks = Type.Object({ keys: Type.Array(Jwk, { description: 'Every signing key, newest first' }) });
export type JwksJson = Static<typeof Jwks>;
