// Backend API access: only with `Authorization: Bearer <secret key>`. The comparison is on
// SHA-256 digests with timingSafeEqual, so neither length nor prefix leaks through timing.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';
import { sha256 } from '../lib/tickets.ts';

export function registerSecretKeyAuth(app: FastifyInstance, secretKey: string): void {
  const expected = sha256(secretKey);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') throw new ApiError('authentication_invalid');
    const m = /^Bearer ([^\s]+)$/.exec(header);
    if (!m) throw new ApiError('authorization_header_format_invalid');
    const given = sha256(m[1]!);
    if (!timingSafeEqual(given, expected)) throw new ApiError('clerk_key_invalid');
  });
}
