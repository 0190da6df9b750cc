// The hosted pages (packages/web, a React app built by Vite): one shell route per page path, and
// the built files under /assets/.
//
// - Pages may carry a ticket in their URL and show who is signed in: never cached (no-store),
//   never sent on as a referrer, never framed, nothing inline (PAGE_CSP), no MIME sniffing.
// - Assets have content-hashed names: cached for a year, immutable.
// - With the build missing (someone deleted packages/web/dist), page routes answer 503 with a
//   page saying how to build; the API is unaffected.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import { pageData, type PageName } from './page.service.ts';
import { DEFAULT_WEB_DIST, notBuiltPage, PAGE_CSP, WebDist } from './page.shell.ts';

const PageQuery = Type.Object(
  {
    __clerk_ticket: Type.Optional(Type.String({ maxLength: 512 })),
    __clerk_status: Type.Optional(Type.String({ maxLength: 32 })),
    redirect_url: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: true },
);

const PAGES: Array<[path: string, page: PageName]> = [
  ['/sign-in', 'sign-in'],
  ['/sign-up', 'sign-up'],
  ['/accept-invitation', 'accept-invitation'],
  ['/', 'home'],
  ['/organization', 'organization'],
];

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .send(html);
}

export interface PageRoutesOptions {
  deps: Deps;
  /** The built pages (default packages/web/dist); tests point it elsewhere. */
  webDist?: string;
}

export const pageRoutes: FastifyPluginAsyncTypebox<PageRoutesOptions> = async (app, { deps, webDist }) => {
  const dist = new WebDist(webDist ?? DEFAULT_WEB_DIST);
  if (dist.shell() === null) deps.log.warn({ dir: dist.dir }, 'the hosted pages are not built: page routes answer 503 until `npm run build -w @tessera/web`');

  for (const [path, page] of PAGES) {
    app.get(path, { schema: { hide: true, querystring: PageQuery } }, async (req, reply) => {
      const html = dist.render(await pageData(deps, req, page, req.query));
      return html === null ? sendHtml(reply, 503, notBuiltPage(deps.config.appName)) : sendHtml(reply, 200, html);
    });
  }

  app.get('/assets/*', { schema: { hide: true, params: Type.Object({ '*': Type.String() }) } }, async (req, reply) => {
    const asset = await dist.asset(req.params['*']);
    if (!asset) return reply.callNotFound();
    return reply
      .type(asset.contentType)
      .header('cache-control', asset.cacheControl)
      .header('x-content-type-options', 'nosniff')
      .header('cross-origin-resource-policy', 'same-origin')
      .send(asset.body);
  });
};
