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

  // PostgreSQL text and jsonb cannot hold U+0000, and jsonb refuses a lone UTF-16 surrogate (which
  // JSON can escape, and which text would silently turn into U+FFFD): refuse both up front (422)
  // instead of letting the database fail with a 500 or alter the value. So is a value nested more
  // than MAX_DEPTH levels deep, which this check would not look into.
  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [['path', req.params], ['query', req.query], ['body', req.body]] as const) {
      const found = findUnstorable(value, part);
      if (found !== null) throw paramInvalid(found.path, found.problem);
    }
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', 'application/json');
    return payload;
  });
}

const NUL = 'must not contain the NUL character';
const MAX_DEPTH = 64;
const LONE_SURROGATE = 'must be valid Unicode (it holds a lone surrogate)';

/** NUL, or a lone surrogate: with the u flag a well-formed pair is one code point, only a lone half is \p{Cs}. */
const UNSTORABLE = /\u0000|\p{Cs}/u;

/** What a string cannot be stored with, or null (one scan of the string). */
function unstorable(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (found === null) return null;
  return found[0] === '\u0000' ? NUL : LONE_SURROGATE;
}

/**
 * Refuses (422, naming `param`) a value that PostgreSQL cannot store as it is, for values parsed
 * after validation (a JSON text inside a form field).
 */
export function assertStorable(value: unknown, param: string): void {
  const found = findUnstorable(value, param);
  if (found !== null) throw paramInvalid(param, found.problem);
}

/** The path of the first string (or key) that cannot be stored, and why; or null. */
function findUnstorable(value: unknown, path: string, depth = 0): { path: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = unstorable(value);
    return problem === null ? null : { path, problem };
  }
  if (typeof value !== 'object' || value === null) return null;
  // Deeper than any metadata needs, and deeper than this check looks: refused rather than stored unchecked.
  if (depth > MAX_DEPTH) return { path, problem: `must not be nested more than ${MAX_DEPTH} levels deep` };
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = unstorable(k);
    if (keyProblem !== null) return { path, problem: keyProblem };
    const found = findUnstorable(v, Array.isArray(value) ? path : `${path}.${k}`, depth + 1);
    if (found !== null) return { path: found.path.replace(/^(path|query|body)\./, ''), problem: found.problem };
  }
  return null;
}
