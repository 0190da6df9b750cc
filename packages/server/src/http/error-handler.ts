// Every failure leaves as Clerk's error envelope with a stable code. Nothing a client can send
// produces a 500: body-parser and validation failures map to 4xx codes here; a 500 is logged
// with its cause and answered with a body that leaks nothing.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RETRY_REQUEST } from '../db/open.ts';
import { ApiError, paramInvalid, paramMissing, paramUnknown, type ApiErrorItem } from './errors.ts';

interface AjvLikeError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Turns one Ajv error into the Clerk error a client expects for that parameter. */
function validationToApiError(v: AjvLikeError, context: string | undefined): ApiError {
  const path = v.instancePath.split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
  const base = path.join('.');
  const join = (p: string) => (base ? `${base}.${p}` : p);
  switch (v.keyword) {
    case 'required':
      return paramMissing(join(String(v.params.missingProperty)));
    case 'additionalProperties':
      return paramUnknown(join(String(v.params.additionalProperty)));
    default: {
      const name = base || (context === 'body' ? 'body' : context ?? 'request');
      return paramInvalid(name, v.message ?? 'invalid value');
    }
  }
}

export function sendApiError(reply: FastifyReply, err: ApiError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.code(err.status).type('application/json').send(envelope(reply.request, err.items));
}

function envelope(req: FastifyRequest, errors: ApiErrorItem[]) {
  return { errors, clerk_trace_id: req.id };
}

/**
 * PostgreSQL's answers to two transactions that could not both go on: deadlock_detected (40P01)
 * and serialization_failure (40001). The database rolled the request's transaction back, so it
 * changed nothing: 409 request_conflict, to be retried (Retry-After: 1).
 */
const CONCURRENCY_FAILURES = new Set(['40P01', '40001']);
const requestConflict = (long?: string) => new ApiError('request_conflict', { headers: { 'retry-after': '1' }, ...(long ? { long } : {}) });

export function toApiError(error: FastifyError & { validation?: AjvLikeError[]; validationContext?: string }): ApiError | null {
  if (error instanceof ApiError) return error;
  if (CONCURRENCY_FAILURES.has(String(error.code))) return requestConflict();
  if ((error as { [RETRY_REQUEST]?: boolean })[RETRY_REQUEST] === true) {
    return requestConflict('The database schema changed while this request ran (a new version of the service migrated it); it changed nothing; retry it.');
  }
  if (error.validation && error.validation.length > 0) return validationToApiError(error.validation[0]!, error.validationContext);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('request_body_too_large', { vars: { limit: 'the configured' } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', { vars: { type: 'given' } });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('request_body_invalid', { vars: { detail: error.message } });
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return new ApiError('request_body_invalid', { vars: { detail: 'malformed JSON' } });
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('request_body_invalid', { vars: { detail: error.message } });
  }
  return null;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const apiError = toApiError(error);
    if (apiError) {
      if (apiError.status >= 500) req.log.error({ err: error }, 'request failed');
      else if (apiError.code === 'request_conflict') req.log.warn({ err: error }, 'request gave way to a concurrent one');
      return sendApiError(reply, apiError);
    }
    req.log.error({ err: error }, 'unhandled error');
    return sendApiError(reply, new ApiError('internal_clerk_error'));
  });
  app.setNotFoundHandler((req, reply) =>
    sendApiError(reply, new ApiError('route_not_found', { vars: { method: req.method, path: req.url.split('?')[0]! } })),
  );
}
