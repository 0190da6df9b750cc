import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';

export const userRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (_app, _opts) => {};
