// Placeholder: the allowlist's Backend API routes are being written.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';

export const allowlistRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async () => {};
