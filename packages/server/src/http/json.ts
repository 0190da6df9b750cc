// Wire details that @clerk/backend depends on:
// - it sends `Content-Type: application/json` on every request, even with no body (revoke,
//   DELETE): an empty body with that type is accepted and read as {};
// - it parses a reply as JSON only when Content-Type is exactly `application/json`, so the
//   `; charset=utf-8` Fastify adds is removed from every JSON reply;
// - body parameters are validated strictly (no coercion, unknown keys are errors), query
//   parameters leniently (strings coerced, a single value becomes an array where one is expected).
import type { FastifyInstance } from 'fastify';
import { Ajv, type Options as AjvOptions } from 'ajv';
import { ApiError, paramInvalid } from './errors.ts';

const common: AjvOptions = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false };
const bodyAjv = new Ajv({ ...common, coerceTypes: false });
const queryAjv = new Ajv({ ...common, coerceTypes: 'array' });

export function registerJsonWire(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError('request_body_invalid', { vars: { detail: 'the body is not valid JSON' } }), undefined);
    }
  });
  // Anything else with a body is refused with a Clerk error rather than Fastify's default 415.
  app.addContentTypeParser('*', (req, _payload, done) => {
    done(new ApiError('unsupported_media_type', { vars: { type: JSON.stringify(req.headers['content-type'] ?? '') } }), undefined);
  });

  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : queryAjv;
    return ajv.compile(schema);
  });

  // PostgreSQL text and jsonb cannot hold U+0000; refuse it up front (422) instead of letting the
  // database fail with a 500.
  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [['path', req.params], ['query', req.query], ['body', req.body]] as const) {
      const where = findNul(value, part);
      if (where !== null) throw paramInvalid(where, 'must not contain the NUL character');
    }
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', 'application/json');
    return payload;
  });
}

/** The path of the first string (or key) holding U+0000, or null. */
function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (typeof value !== 'object' || value === null || depth > 64) return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return path;
    const found = findNul(v, Array.isArray(value) ? path : `${path}.${k}`, depth + 1);
    if (found !== null) return found.replace(/^(path|query|body)\./, '');
  }
  return null;
}
