// buildApp: the whole HTTP application as a Fastify instance that never listens (main.ts does).
// Tests call it with their own deps and use inject() or listen on an ephemeral port.
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Deps } from './deps.ts';
import { registerSecretKeyAuth } from './http/auth.ts';
import { registerErrorHandling } from './http/error-handler.ts';
import { registerJsonWire } from './http/json.ts';
import { registerRateLimits } from './http/rate-limit.ts';
import { openApiOptions, redactUrl } from './http/openapi.ts';
import { ErrorEnvelope } from './http/schemas.ts';
import { Invitation } from './features/invitations/invitation.schemas.ts';
import { invitationRoutes } from './features/invitations/invitation.routes.ts';
import { ticketRoutes } from './features/tickets/ticket.routes.ts';
import { healthRoutes } from './features/health/health.routes.ts';
import { pageRoutes } from './features/pages/page.routes.ts';
import { userRoutes } from './features/users/user.routes.ts';
import { userSchemas } from './features/users/user.schemas.ts';
import { devMailboxApiRoutes, devMailboxPageRoutes } from './features/dev-mailbox/dev-mailbox.routes.ts';
import { organizationRoutes } from './features/organizations/organization.routes.ts';
import { organizationSchemas } from './features/organizations/organization.schemas.ts';
import { membershipRoutes } from './features/memberships/membership.routes.ts';
import { membershipSchemas } from './features/memberships/membership.schemas.ts';
import { roleRoutes } from './features/roles/role.routes.ts';
import { roleSchemas } from './features/roles/role.schemas.ts';
import { organizationInvitationRoutes } from './features/organization-invitations/organization-invitation.routes.ts';
import { organizationInvitationSchemas } from './features/organization-invitations/organization-invitation.schemas.ts';

export interface BuildAppOptions {
  /** Pino logger options, or false for none (tests). */
  logger?: boolean | Record<string, unknown>;
}

export async function buildApp(deps: Deps, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      opts.logger === false
        ? false
        : {
            level: deps.config.logLevel,
            serializers: {
              // Tickets are secrets: never write them to a log.
              req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
            },
            ...(typeof opts.logger === 'object' ? opts.logger : {}),
          },
    bodyLimit: deps.config.bodyLimitBytes,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerJsonWire(app);
  registerErrorHandling(app);
  app.addSchema(ErrorEnvelope);
  app.addSchema(Invitation);
  for (const s of [...userSchemas, ...organizationSchemas, ...membershipSchemas, ...roleSchemas, ...organizationInvitationSchemas]) app.addSchema(s);

  await app.register(swagger, openApiOptions(deps.config.publicUrl));
  await app.register(swaggerUi, { routePrefix: '/v1/docs', staticCSP: true });
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { deps });
  await app.register(ticketRoutes, { deps });
  await app.register(pageRoutes, { deps });
  await app.register(devMailboxPageRoutes, { deps });

  // The Backend API: everything in this scope needs the secret key.
  await app.register(async (api) => {
    registerSecretKeyAuth(api, deps.instance.secretKey);
    // After authentication, so unauthenticated requests do not spend the instance's budget.
    registerRateLimits(api, deps.rateLimits);
    await api.register(invitationRoutes, { deps });
    await api.register(userRoutes, { deps });
    await api.register(devMailboxApiRoutes, { deps });
    await api.register(organizationRoutes, { deps });
    await api.register(membershipRoutes, { deps });
    await api.register(roleRoutes, { deps });
    await api.register(organizationInvitationRoutes, { deps });
  });

  return app;
}
