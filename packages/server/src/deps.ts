// What services need, passed explicitly: no module-level singletons.
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { Clock } from './lib/clock.ts';
import type { RateLimits } from './http/rate-limit.ts';

export interface Instance {
  /** `ins_…`, stored in the database on first start. */
  readonly id: string;
  readonly secretKey: string;
  /** A development instance (sk_test_ key): dev mailbox API, localhost redirects allowed. */
  readonly isDevelopment: boolean;
}

export interface Deps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly instance: Instance;
  /** Tells the outbox worker (if in this process) that new rows are committed. */
  readonly notifyOutbox: () => void;
  readonly log: FastifyBaseLogger;
  /** Backend API rate limits (rateLimitsOff when TESSERA_RATE_LIMITS=off). */
  readonly rateLimits: RateLimits;
}
