// The Frontend API's wire, for the scope that serves browsers (app.ts):
// - bodies may be `application/x-www-form-urlencoded` (as Clerk's clients send them) or JSON; form
//   values are strings, so body validation here coerces scalars ("true" → true, "5" → 5), and a
//   key repeated in a form becomes an array;
// - CORS: a browser may call from the public URL's origin and the allowed origins
//   (TESSERA_ALLOWED_REDIRECT_ORIGINS; localhost too on a development instance), with credentials;
//   other origins get no CORS headers, so the browser keeps the response from the page;
// - CSRF: a state-changing request (any method but GET/HEAD/OPTIONS) from a browser must come from
//   one of those origins. A browser always says where a request comes from (Origin, or
//   Sec-Fetch-Site); a request that names another site is refused with 403 origin_invalid before
//   any work. Requests without either header are not from a browser, and carry no ambient
//   cookies of a victim. This also stops login CSRF (a cross-site form that signs a victim in
//   as the attacker), which SameSite=Lax alone does not.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import type { Deps } from '../deps.ts';
import { isAllowedRedirect, type RedirectPolicy } from '../lib/redirect.ts';
import { ApiError } from './errors.ts';

const formAjv = new Ajv({ allErrors: false, removeAdditional: false, useDefaults: true, strict: false, coerceTypes: 'array' });

/** The origins a browser may call the Frontend API from (and be redirected to). */
export function originPolicy(deps: Deps): RedirectPolicy {
  return {
    allowedOrigins: [new URL(deps.config.publicUrl).origin, ...deps.config.allowedRedirectOrigins],
    allowLocalhost: deps.instance.isDevelopment,
  };
}

export function isAllowedOrigin(origin: string, policy: RedirectPolicy): boolean {
  return origin !== 'null' && isAllowedRedirect(`${origin}/`, policy) && new URL(origin).origin === origin;
}

/** Parses a form body: repeated keys become arrays; `[]`-suffixed keys too (`email_address[]`). */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
    const prev = out[key];
    if (prev === undefined) out[key] = rawKey.endsWith('[]') ? [value] : value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses a cross-site, state-changing browser request (see the top of this file). */
export function ensureSameSiteOrAllowed(req: FastifyRequest, policy: RedirectPolicy): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  // A page with `Referrer-Policy: no-referrer` may send `Origin: null` on its own same-origin
  // requests (Fetch standard); the browser's Sec-Fetch-Site then still says same-origin.
  if (origin === 'null' && site === 'same-origin') return;
  if (typeof origin === 'string' && origin !== '') {
    if (!isAllowedOrigin(origin, policy)) throw new ApiError('origin_invalid');
    return;
  }
  if (site === 'cross-site' || site === 'same-site') throw new ApiError('origin_invalid');
}

export function registerFrontendWire(app: FastifyInstance, deps: Deps): void {
  const policy = originPolicy(deps);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
  });
  app.setValidatorCompiler(({ schema }) => formAjv.compile(schema));
  // A form POST with nothing to say may arrive with no body at all: treat it as an empty one.
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined || req.body === null) req.body = {};
  });

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && isAllowedOrigin(origin, policy)) {
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-credentials', 'true')
        // So a page on another allowed origin can read how long to wait after a 429.
        .header('access-control-expose-headers', 'Retry-After');
    }
    reply.header('vary', 'Origin').header('cache-control', 'no-store');
    ensureSameSiteOrAllowed(req, policy);
  });
}

/** Answers CORS preflights for the Frontend API's paths (registered once, at the root). */
export function registerFrontendPreflight(app: FastifyInstance, deps: Deps, paths: readonly string[]): void {
  const policy = originPolicy(deps);
  for (const path of paths) {
    app.options(path, { schema: { hide: true } }, async (req, reply) => {
      const origin = req.headers.origin;
      reply.header('vary', 'Origin');
      if (typeof origin === 'string' && isAllowedOrigin(origin, policy)) {
        reply
          .header('access-control-allow-origin', origin)
          .header('access-control-allow-credentials', 'true')
          .header('access-control-allow-methods', 'GET, POST, PATCH, DELETE')
          .header('access-control-allow-headers', 'content-type, authorization')
          .header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    });
  }
}
