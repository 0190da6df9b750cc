// The server-rendered pages (/sign-up, /sign-in, the landing page /) and their one script.
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import { AUTH_SCRIPT_PATH, PAGE_CSP } from './auth-page.layout.ts';
import { renderHomePage } from './home.page.ts';
import { authPageState, homeView } from './page.service.ts';
import { renderSignInPage } from './sign-in.page.ts';
import { renderSignUpPage } from './sign-up.page.ts';

/** The browser script, read once at startup (a plain .js file beside this one: no build step). */
const AUTH_SCRIPT = readFileSync(new URL('./auth.client.js', import.meta.url), 'utf8');

const PageQuery = Type.Object(
  {
    __clerk_ticket: Type.Optional(Type.String({ maxLength: 512 })),
    __clerk_status: Type.Optional(Type.String({ maxLength: 32 })),
    redirect_url: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: true },
);

/**
 * Every page may carry a ticket in its URL or show who is signed in: never cached, never sent on
 * as a referrer, never framed, and no script but /assets/auth.js (PAGE_CSP).
 */
function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .send(html);
}

export const pageRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/sign-up', { schema: { hide: true, querystring: PageQuery } }, async (req, reply) => {
    const state = await authPageState(deps, req, req.query);
    return sendPage(reply, renderSignUpPage({ appName: deps.config.appName, signUpMode: deps.config.signUpMode, state }));
  });

  app.get('/sign-in', { schema: { hide: true, querystring: PageQuery } }, async (req, reply) => {
    const state = await authPageState(deps, req, req.query);
    return sendPage(reply, renderSignInPage({ appName: deps.config.appName, state }));
  });

  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    return sendPage(reply, renderHomePage({ appName: deps.config.appName, view: await homeView(deps, req) }));
  });

  app.get(AUTH_SCRIPT_PATH, { schema: { hide: true } }, async (_req, reply) => {
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('cross-origin-resource-policy', 'same-origin')
      .send(AUTH_SCRIPT);
  });
};
