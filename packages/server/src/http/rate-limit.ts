// Backend API rate limits: Clerk's documented limits (clerk-wire.md §8), each counted per instance
// (one counter per limit, keyed by the instance id) and shared by every server process through the
// store (rate-limit.store.ts). Over a limit: 429 too_many_requests with `Retry-After: <seconds>`;
// later requests stay refused until the window that was exceeded ends (a fixed window per limit).
//
// A route opts into a named limit with one line, `config: { rateLimit: 'invitations.create' }`; the
// hook registered in the secret-key scope (app.ts) also applies `backend_api` to every route there.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { ApiError } from './errors.ts';
import { openRateLimitStore, throttledWarn, type RateLimitRule, type RateLimitStoreKind } from './rate-limit.store.ts';

export type { RateLimitRule } from './rate-limit.store.ts';

/** The named limits and Clerk's values for them (overridable: TESSERA_RATE_LIMIT_<NAME>). */
export const RATE_LIMITS = {
  /** Every Backend API request, per instance (Clerk: 1000 / 10 s for a production instance). */
  backend_api: { points: 1000, durationSeconds: 10 },
  /** POST /v1/invitations */
  'invitations.create': { points: 100, durationSeconds: 3600 },
  /** POST /v1/invitations/bulk (up to 10 invitations a call) */
  'invitations.bulk': { points: 25, durationSeconds: 3600 },
  /** POST /v1/organizations/{id}/invitations */
  'organization_invitations.create': { points: 250, durationSeconds: 3600 },
  /** POST /v1/organizations/{id}/invitations/bulk */
  'organization_invitations.bulk': { points: 50, durationSeconds: 3600 },
  /** Frontend API sign-in attempts (create, prepare/attempt first factor), per client IP. */
  'sign_ins.create': { points: 5, durationSeconds: 10 },
  /** Frontend API sign-up attempts (create, prepare/attempt verification), per client IP. */
  'sign_ups.create': { points: 5, durationSeconds: 10 },
  /** Frontend API: adding an email address to one's account and sending its code, per client IP. */
  'email_addresses.verify': { points: 5, durationSeconds: 10 },
} as const satisfies Record<string, RateLimitRule>;

export type RateLimitName = keyof typeof RATE_LIMITS;
export const RATE_LIMIT_NAMES = Object.keys(RATE_LIMITS) as RateLimitName[];

/** `invitations.create` → `TESSERA_RATE_LIMIT_INVITATIONS_CREATE`. */
export const rateLimitVariable = (name: RateLimitName): string => `TESSERA_RATE_LIMIT_${name.replace(/\./g, '_').toUpperCase()}`;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A named limit this route counts against, on top of `backend_api`. */
    rateLimit?: RateLimitName;
  }
}

export interface RateLimits {
  readonly store: RateLimitStoreKind | 'off';
  /** For the start-up banner: "memory", "PostgreSQL", "Redis host:port" or "off". */
  readonly describe: string;
  /**
   * Counts one request against `name` for `key` (default: this instance); throws 429
   * too_many_requests when over.
   */
  consume(name: RateLimitName, key?: string): Promise<void>;
  close(): Promise<void>;
}

export interface CreateRateLimitsOptions {
  config: Config;
  instanceId: string;
  log: FastifyBaseLogger;
  /** The PostgreSQL database for the counters; default config.databaseUrl (the test harness passes its own). */
  databaseUrl?: string | null;
  /** PostgreSQL schema of this app's tables (the test harness's per-app schema); null: search_path. */
  schema?: string | null;
  /** Prefix of Redis keys; tests pass a unique one. Default `tessera:rl`. */
  redisKeyPrefix?: string;
  /** How long start-up waits for Redis (default 3 s); then it starts without it (fail open). */
  redisReadyTimeoutMs?: number;
}

export const rateLimitsOff: RateLimits = {
  store: 'off',
  describe: 'off',
  consume: async () => {},
  close: async () => {},
};

export async function createRateLimits(opts: CreateRateLimitsOptions): Promise<RateLimits> {
  const { config, instanceId, log } = opts;
  if (!config.rateLimitsEnabled) return rateLimitsOff;
  const store = await openRateLimitStore({
    rules: new Map(RATE_LIMIT_NAMES.map((n) => [n, config.rateLimits[n]])),
    databaseUrl: opts.databaseUrl === undefined ? config.databaseUrl : opts.databaseUrl,
    redisUrl: config.redisUrl,
    schema: opts.schema ?? null,
    poolSize: Math.max(2, Math.ceil(config.databasePoolSize / 2)),
    keyPrefix: opts.redisKeyPrefix ?? 'tessera:rl',
    redisReadyTimeoutMs: opts.redisReadyTimeoutMs ?? 3000,
    log,
  });
  const warnFailOpen = throttledWarn(log, 10_000);

  return {
    store: store.kind,
    describe: store.describe,
    async consume(name, key) {
      const limiter = store.limiters.get(name);
      if (!limiter) throw new Error(`unknown rate limit ${name}`);
      try {
        await limiter.consume(key === undefined ? instanceId : `${instanceId}:${key}`);
      } catch (err) {
        // The library rejects with a RateLimiterRes when the limit is exceeded, with an Error when
        // the store failed.
        if (err instanceof RateLimiterRes) {
          const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
          throw new ApiError('too_many_requests', { headers: { 'retry-after': String(seconds) } });
        }
        // Fail open: with the shared store unreachable the request goes through, with a warning.
        // The limits protect the service and mirror Clerk's; refusing every request because Redis
        // or the counters table is away would turn a degraded limiter into an outage.
        warnFailOpen({ err, limit: name, store: store.kind }, 'rate-limit store failed; request allowed without counting (fail open)');
      }
    },
    close: () => store.close(),
  };
}

/**
 * Registers the limits on a scope: `backend_api` for every route in it, and the route's own named
 * limit (`config.rateLimit`) after it. Register it after the secret-key hook: hooks run in order, so a
 * request that fails authentication never reaches this one and cannot spend the instance's budget.
 *
 * What counts: every authenticated request, whatever its outcome. The hook runs at onRequest, before
 * the body is parsed and validated, so a request answered 4xx (422 validation, 400 duplicate) has
 * consumed its points: it was made, Clerk counts requests rather than successes, and malformed
 * requests must not be a free way around the limit. A request refused by `backend_api` does not
 * count against the route's own limit.
 */
export function registerRateLimits(app: FastifyInstance, limits: RateLimits): void {
  if (limits.store === 'off') return;
  app.addHook('onRequest', async (req) => {
    await limits.consume('backend_api');
    const name = req.routeOptions.config.rateLimit;
    if (name !== undefined) await limits.consume(name);
  });
}

/**
 * The Frontend API's limits: a route's named limit (`config.rateLimit`), counted per client IP
 * (req.ip: the socket's address, or X-Forwarded-For through TESSERA_TRUST_PROXY_HOPS proxies).
 */
export function registerPerIpRateLimits(app: FastifyInstance, limits: RateLimits): void {
  if (limits.store === 'off') return;
  app.addHook('onRequest', async (req) => {
    const name = req.routeOptions.config.rateLimit;
    if (name !== undefined) await limits.consume(name, `ip:${req.ip}`);
  });
}
