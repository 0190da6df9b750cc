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
import { registerPerIpRateLimits, registerRateLimits } from './http/rate-limit.ts';
import { FRONTEND_PATHS, apiConstraint } from './http/constraint.ts';
import { registerFrontendPreflight, registerFrontendWire } from './http/frontend.ts';
import { openApiOptions, redactUrl } from './http/openapi.ts';
import { ErrorEnvelope } from './http/schemas.ts';
import { Invitation } from './features/invitations/invitation.schemas.ts';
import { invitationRoutes } from './features/invitations/invitation.routes.ts';
import { ticketRoutes } from './features/tickets/ticket.routes.ts';
import { healthRoutes } from './features/health/health.routes.ts';
import { pageRoutes } from './features/pages/page.routes.ts';
import { userRoutes } from './features/users/user.routes.ts';
import { emailAddressRoutes } from './features/email-addresses/email-address.routes.ts';
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
import { clientRoutes } from './features/clients/client.routes.ts';
import { clientSchemas } from './features/clients/client.schemas.ts';
import { signUpRoutes } from './features/sign-ups/sign-up.routes.ts';
import { signUpSchemas } from './features/sign-ups/sign-up.schemas.ts';
import { signInRoutes } from './features/sign-ins/sign-in.routes.ts';
import { signInSchemas } from './features/sign-ins/sign-in.schemas.ts';
import { meRoutes } from './features/me/me.routes.ts';
import { meSchemas } from './features/me/me.schemas.ts';
import { organizationAdminRoutes } from './features/organization-admin/organization-admin.routes.ts';
import { jwksBackendRoutes, jwksPublicRoutes, sessionTokenRoutes } from './features/session-tokens/session-token.routes.ts';
import { allowlistRoutes } from './features/allowlist/allowlist.routes.ts';
import { environmentRoutes } from './features/environment/environment.routes.ts';

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
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200, constraints: { api: apiConstraint } },
    // X-Forwarded-For is believed for exactly the configured number of proxy hops (per-IP limits).
    trustProxy: deps.config.trustProxyHops > 0 ? (_addr: string, hop: number) => hop < deps.config.trustProxyHops : false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerJsonWire(app);
  registerErrorHandling(app);
  app.addSchema(ErrorEnvelope);
  app.addSchema(Invitation);
  for (const s of [...userSchemas, ...organizationSchemas, ...membershipSchemas, ...roleSchemas, ...organizationInvitationSchemas,
    ...clientSchemas, ...signUpSchemas, ...signInSchemas, ...meSchemas]) app.addSchema(s);

  await app.register(swagger, openApiOptions(deps.config.publicUrl));
  await app.register(swaggerUi, { routePrefix: '/v1/docs', staticCSP: true });
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { deps });
  await app.register(ticketRoutes, { deps });
  await app.register(pageRoutes, { deps });
  await app.register(devMailboxPageRoutes, { deps });
  await app.register(jwksPublicRoutes, { deps });

  // The Frontend API: browsers, authenticated by the __client cookie's session (http/frontend.ts).
  registerFrontendPreflight(app, deps, FRONTEND_PATHS);
  await app.register(async (fapi) => {
    registerFrontendWire(fapi, deps);
    registerPerIpRateLimits(fapi, deps.rateLimits);
    await fapi.register(environmentRoutes, { deps });
    await fapi.register(clientRoutes, { deps });
    await fapi.register(signUpRoutes, { deps });
    await fapi.register(signInRoutes, { deps });
    await fapi.register(sessionTokenRoutes, { deps });
    await fapi.register(meRoutes, { deps });
    await fapi.register(organizationAdminRoutes, { deps });
  });

  // The Backend API: everything in this scope needs the secret key.
  await app.register(async (api) => {
    registerSecretKeyAuth(api, deps.instance.secretKey);
    // After authentication, so unauthenticated requests do not spend the instance's budget.
    registerRateLimits(api, deps.rateLimits);
    await api.register(invitationRoutes, { deps });
    await api.register(userRoutes, { deps });
    await api.register(emailAddressRoutes, { deps });
    await api.register(devMailboxApiRoutes, { deps });
    await api.register(organizationRoutes, { deps });
    await api.register(membershipRoutes, { deps });
    await api.register(roleRoutes, { deps });
    await api.register(organizationInvitationRoutes, { deps });
    await api.register(allowlistRoutes, { deps });
    await api.register(jwksBackendRoutes, { deps });
  });

  return app;
}
