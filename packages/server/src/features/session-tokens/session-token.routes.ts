// Session tokens (Frontend API) and the keys that verify them (JWKS: Backend API and public).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses } from '../../http/schemas.ts';
import { Fapi, SessionIdParams } from '../clients/client.schemas.ts';
import { envelope } from '../clients/client.view.ts';
import { Jwks, SessionToken, SessionTokenBody } from './session-token.schemas.ts';
import { createSessionToken } from './session-token.service.ts';
import { listJwks } from './signing-key.service.ts';

const jwksTags = ['JWKS'];
const jwksDescription = 'The public keys (RFC 7517) that verify session tokens, newest first. A token names its key in the `kid` header.';

/** Frontend API scope: POST /v1/client/sessions/:session_id/tokens. */
export const sessionTokenRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.post('/v1/client/sessions/:session_id/tokens', {
    schema: {
      tags: ['Frontend API: session tokens'],
      summary: 'A session token (JWT, 60 s) for one of this browser\'s sessions',
      params: SessionIdParams,
      body: SessionTokenBody,
      response: { 200: Fapi(SessionToken), ...errorResponses(401, 403, 404) },
    },
  }, async (req, reply) => envelope(deps, await createSessionToken(deps, { req, reply }, req.params.session_id, req.body.organization_id)));
};

/** Backend API scope (secret key): GET /v1/jwks, what @clerk/backend's verifyToken fetches. */
export const jwksBackendRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/jwks', {
    schema: { tags: jwksTags, security: [{ bearerAuth: [] }], summary: 'The JWKS', description: jwksDescription, response: { 200: Jwks, ...errorResponses(401) } },
  }, async () => ({ keys: await listJwks(deps) }));
};

/** Public: GET /.well-known/jwks.json, for verifiers without the secret key. */
export const jwksPublicRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/.well-known/jwks.json', {
    schema: { tags: jwksTags, summary: 'The JWKS (public, cacheable for 5 minutes)', description: jwksDescription, response: { 200: Jwks } },
  }, async (_req, reply) => {
    const keys = await listJwks(deps);
    reply.header('cache-control', 'public, max-age=300');
    return { keys };
  });
};
