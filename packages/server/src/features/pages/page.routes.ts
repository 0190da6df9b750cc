import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import { findUsableTicket, ticketStatusOf } from '../tickets/ticket.service.ts';
import { renderSignInPage } from './sign-in.page.ts';
import { renderSignUpPage } from './sign-up.page.ts';

const TicketQuery = Type.Object({ __clerk_ticket: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: true });

/** Pages that may carry a ticket in their URL: never cached, never sent on as a referrer. */
function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .header('x-content-type-options', 'nosniff')
    .send(html);
}

export const pageRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/sign-up', { schema: { hide: true, querystring: TicketQuery } }, async (req, reply) => {
    const usable = await findUsableTicket(deps, req.query.__clerk_ticket);
    const ticketStatus = usable ? await ticketStatusOf(deps, usable.email) : null;
    return sendPage(
      reply,
      renderSignUpPage({ appName: deps.config.appName, invitedEmail: usable?.email ?? null, ticketStatus, organizationName: usable?.organizationName ?? null }),
    );
  });

  app.get('/sign-in', { schema: { hide: true, querystring: TicketQuery } }, async (req, reply) => {
    const usable = await findUsableTicket(deps, req.query.__clerk_ticket);
    return sendPage(reply, renderSignInPage({ appName: deps.config.appName, invitedEmail: usable?.email ?? null, organizationName: usable?.organizationName ?? null }));
  });
};
