import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';

export const devMailboxPageRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (_app, _opts) => {};
export const devMailboxApiRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (_app, _opts) => {};
