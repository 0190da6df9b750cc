import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { resolveTicketRedirect } from './ticket.service.ts';

export const ticketRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/tickets/accept', {
    schema: {
      tags: ['Tickets'],
      summary: 'Follow an invitation link',
      description:
        'Never consumes the ticket for a browser without the invited user\'s session. A pending invitation redirects (303) to its redirect_url, or else to /sign-up ' +
        '(an organization invitation to an address that has an account: /sign-in), with __clerk_ticket and ' +
        '__clerk_status (sign_up | sign_in). When the browser is signed in as the invited user (verified address), an ' +
        'organization invitation is accepted at once and the redirect carries __clerk_status=complete (to redirect_url, or /). ' +
        'Any other ticket redirects to /sign-up without one.',
      querystring: Type.Object({ ticket: Type.Optional(Type.String({ maxLength: 512 })) }, { additionalProperties: true }),
      response: { 303: Type.Null({ description: 'Redirect; see Location' }) },
    },
  }, async (req, reply) => {
    const location = await resolveTicketRedirect(deps, req.query.ticket, req);
    return reply
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .redirect(location, 303);
  });
};
