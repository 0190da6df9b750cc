import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { pingDatabase } from '../../db/open.ts';
import { ApiError } from '../../http/errors.ts';

const Status = Type.Object({ status: Type.String() });

export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/healthz', { schema: { tags: ['Health'], summary: 'Alive', response: { 200: Status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: { tags: ['Health'], summary: 'Ready: the database answers', response: { 200: Status, 503: Type.Ref('ClerkErrors') } },
  }, async (req) => {
    try {
      await pingDatabase(deps.db);
    } catch (err) {
      req.log.warn({ err }, 'readiness check failed');
      throw new ApiError('service_unavailable');
    }
    return { status: 'ready' };
  });
};
