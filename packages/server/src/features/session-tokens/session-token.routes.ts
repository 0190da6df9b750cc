// Placeholder: session tokens (JWT) and the JWKS are being written.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';

/** Frontend API scope: POST /v1/client/sessions/:session_id/tokens. */
export const sessionTokenRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async () => {};
/** Backend API scope (secret key): GET /v1/jwks. */
export const jwksBackendRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async () => {};
/** Public: GET /.well-known/jwks.json. */
export const jwksPublicRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async () => {};
