import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { findClaimedEmails } from '../users/user.repository.ts';
import { findUsableInvitation } from '../tickets/ticket.service.ts';
import { renderSignUpPage } from './sign-up.page.ts';

export const pageRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/sign-up', {
    schema: {
      hide: true,
      querystring: Type.Object({ __clerk_ticket: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: true }),
    },
  }, async (req, reply) => {
    const invitation = await findUsableInvitation(deps, req.query.__clerk_ticket);
    const ticketStatus = invitation ? ((await findClaimedEmails(deps.db, [invitation.email])).length > 0 ? 'sign_in' : 'sign_up') : null;
    return reply
      .type('text/html; charset=utf-8')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
      .header('x-content-type-options', 'nosniff')
      .send(renderSignUpPage({ appName: deps.config.appName, invitedEmail: invitation?.email ?? null, ticketStatus }));
  });
};
