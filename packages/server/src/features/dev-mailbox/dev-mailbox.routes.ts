import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../../deps.ts';
import { errorResponses, Paginated } from '../../http/schemas.ts';
import { DEV_MAILBOX_CSP, renderDevMailboxPage } from './dev-mailbox.page.ts';
import { DevEmail, ListDevEmailsQuery } from './dev-mailbox.schemas.ts';
import { listDevEmailsPage, listRecentDevEmails } from './dev-mailbox.service.ts';

const PAGE_LIMIT = 100;

/** Public scope: the page, like a local mail catcher, needs no key (development instances only). */
export const devMailboxPageRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/dev/mailbox', { schema: { hide: true } }, async (_req, reply) => {
    const emails = await listRecentDevEmails(deps, PAGE_LIMIT);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', DEV_MAILBOX_CSP)
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(renderDevMailboxPage({ appName: deps.config.appName, emails, limit: PAGE_LIMIT }));
  });
};

/** Inside the secret-key scope. */
export const devMailboxApiRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/v1/dev/emails', {
    schema: {
      tags: ['Dev mailbox'],
      security: [{ bearerAuth: [] }],
      summary: 'List emails in the dev mailbox',
      description:
        'Development instances (sk_test_ key) without SMTP_URL deliver email here. Newest first; `to` filters by recipient. ' +
        'Other instances answer 404 dev_only.',
      querystring: ListDevEmailsQuery,
      response: { 200: Paginated(DevEmail), ...errorResponses(401, 404, 422) },
    },
  }, async (req) => listDevEmailsPage(deps, req.query));
};
