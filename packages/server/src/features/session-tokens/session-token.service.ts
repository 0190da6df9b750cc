// Session tokens: the short-lived JWT (Clerk's `__session`) a browser hands to the application's
// own backend, which verifies it offline against the JWKS (@clerk/backend verifyToken).
//
// Access rule: only for a live session of this browser's client (401 signed_out otherwise, also
// for another browser's session id). The token carries the session's active organization, or the
// one named by `organization_id` ("" or null: none); naming an organization the user is not a
// member of is 404 resource_not_found. An active organization the user has since left is simply
// left out of the token.
import type { Deps } from '../../deps.ts';
import { originPolicy, isAllowedOrigin } from '../../http/frontend.ts';
import { ApiError } from '../../http/errors.ts';
import { signJwtRs256, type JwtClaims } from '../../lib/jwt.ts';
import { touchSession } from '../clients/client.repository.ts';
import { requireSession } from '../clients/client.service.ts';
import type { FapiCall, FapiResult } from '../clients/client.view.ts';
import { findOrganizationById } from '../organizations/organization.repository.ts';
import { findMemberAccess } from '../roles/role.repository.ts';
import type { SessionTokenJson } from './session-token.schemas.ts';
import { currentSigningKey } from './signing-key.service.ts';

export const SESSION_TOKEN_TTL_SECONDS = 60;
/** nbf is set this far before iat, for relying parties whose clock runs slightly behind. */
const NOT_BEFORE_LEEWAY_SECONDS = 5;

export async function createSessionToken(
  deps: Deps,
  call: FapiCall,
  sessionId: string,
  organizationId: string | null | undefined,
): Promise<FapiResult<SessionTokenJson>> {
  const { client, session } = await requireSession(deps, call.req, sessionId);
  const named = organizationId === undefined ? undefined : organizationId || null;
  const orgId = named === undefined ? session.active_organization_id : named;
  const org = orgId === null ? {} : await organizationClaims(deps, orgId, session.user_id);
  if (org === null && named !== undefined) throw new ApiError('resource_not_found', { vars: { resource: 'organization membership', id: orgId! } });

  await touchSession(deps.db, session.id, undefined);
  const key = await currentSigningKey(deps);
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const origin = call.req.headers.origin;
  const claims: JwtClaims = {
    ...(typeof origin === 'string' && isAllowedOrigin(origin, originPolicy(deps)) ? { azp: origin } : {}),
    exp: iat + SESSION_TOKEN_TTL_SECONDS,
    iat,
    iss: deps.config.publicUrl,
    nbf: iat - NOT_BEFORE_LEEWAY_SECONDS,
    ...(org ?? {}),
    sid: session.id,
    sub: session.user_id,
  };
  return { response: { object: 'token', jwt: signJwtRs256(claims, key) }, clientId: client.id };
}

/** Clerk's v1 organization claims, or null when the user is not a member (or the org is gone). */
async function organizationClaims(deps: Deps, organizationId: string, userId: string): Promise<JwtClaims | null> {
  const [org, access] = await Promise.all([findOrganizationById(deps.db, organizationId), findMemberAccess(deps.db, organizationId, userId)]);
  if (!org || !access) return null;
  return { org_id: org.id, org_permissions: access.permissions, org_role: access.role.key, org_slug: org.slug };
}
