// Backend API access: only with `Authorization: Bearer <secret key>`. The comparison is on
// SHA-256 digests with timingSafeEqual, so neither length nor prefix leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';

export function registerSecretKeyAuth(app: FastifyInstance, secretKey: string): void {
  const expected = createHash('sha256').update(secretKey).digest();
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') throw new ApiError('authentication_invalid');
    const m = /^Bearer ([^\s]+)$/.exec(header);
    if (!m) throw new ApiError('authorization_header_format_invalid');
    const given = createHash('sha256').update(m[1]!).digest();
    if (!timingSafeEqual(given, expected)) throw new ApiError('clerk_key_invalid');
  });
}
