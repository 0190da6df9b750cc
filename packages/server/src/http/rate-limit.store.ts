// Where rate-limit counters live. A limit is only as global as its store: in memory it holds for one
// process (the embedded, single-process default); in PostgreSQL or Redis every server process
// sharing that store counts against the same counter. REDIS_URL wins over DATABASE_URL: Redis does
// the counting in memory, without a row lock per request.
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitRule {
  readonly points: number;
  readonly durationSeconds: number;
}

export type RateLimitStoreKind = 'memory' | 'postgres' | 'redis';

export interface RateLimitStore {
  readonly kind: RateLimitStoreKind;
  /** For the start-up banner: "memory", "PostgreSQL", "Redis host:port". */
  readonly describe: string;
  /** One limiter per named limit; the caller consumes with the instance id as the key. */
  readonly limiters: ReadonlyMap<string, RateLimiterAbstract>;
  close(): Promise<void>;
}

export interface OpenRateLimitStoreOptions {
  rules: ReadonlyMap<string, RateLimitRule>;
  databaseUrl: string | null;
  redisUrl: string | null;
  /** PostgreSQL schema for the counters table (the test harness gives each app its own). */
  schema: string | null;
  /** Connections for the counters' own pool (kept apart so a busy API cannot starve the limiter). */
  poolSize: number;
  /** Redis keys are `<keyPrefix>:<limit>:<instance id>`. */
  keyPrefix: string;
  /** How long start-up waits for Redis before going on without it (fail open, warned). */
  redisReadyTimeoutMs: number;
  log: FastifyBaseLogger;
}

/** rate-limiter-flexible creates this table itself (CREATE TABLE IF NOT EXISTS) on start-up. */
export const RATE_LIMIT_TABLE = 'rate_limits';

// A store failing for minutes must not write a log line per request.
export function throttledWarn(log: FastifyBaseLogger, everyMs: number): (obj: Record<string, unknown>, msg: string) => void {
  let last = 0;
  let suppressed = 0;
  return (obj, msg) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    log.warn({ ...obj, ...(suppressed > 0 ? { suppressed } : {}) }, msg);
    last = now;
    suppressed = 0;
  };
}

export async function openRateLimitStore(opts: OpenRateLimitStoreOptions): Promise<RateLimitStore> {
  if (opts.redisUrl) return openRedisStore(opts.redisUrl, opts);
  if (opts.databaseUrl) return openPostgresStore(opts.databaseUrl, opts);
  const limiters = new Map<string, RateLimiterAbstract>();
  for (const [name, rule] of opts.rules) {
    limiters.set(name, new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.durationSeconds }));
  }
  return { kind: 'memory', describe: 'memory', limiters, close: async () => {} };
}

/**
 * Once a key is over its limit in the shared store, later requests in this process are refused from
 * memory until the window ends (inMemoryBlockOnConsumed), so a flood of refused requests costs the
 * store nothing. The window end comes from the store, so every process unblocks at the same time.
 */
function storeOptions(rule: RateLimitRule) {
  return { points: rule.points, duration: rule.durationSeconds, inMemoryBlockOnConsumed: rule.points + 1 };
}

async function openPostgresStore(databaseUrl: string, opts: OpenRateLimitStoreOptions): Promise<RateLimitStore> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.poolSize,
    application_name: 'tessera-rate-limits',
    // Bounded waits: an unreachable or stalled database fails the check quickly (and the request
    // goes through, see rate-limit.ts) instead of holding the request.
    connectionTimeoutMillis: 2000,
    query_timeout: 2000,
  });
  // An idle client losing its connection (database restart) emits 'error' on the pool; unhandled,
  // that would crash the process.
  const warn = throttledWarn(opts.log, 10_000);
  pool.on('error', (err) => warn({ err, store: 'postgres' }, 'rate-limit store connection lost'));

  const limiters = new Map<string, RateLimiterAbstract>();
  try {
    for (const [name, rule] of opts.rules) {
      const first = limiters.size === 0;
      const options = {
        ...storeOptions(rule),
        storeClient: pool,
        storeType: 'pool',
        tableName: RATE_LIMIT_TABLE,
        ...(opts.schema ? { schemaName: opts.schema } : {}),
        // One table, one row per limit and instance: key `<limit>:<instance id>`.
        keyPrefix: name,
        tableCreated: !first,
        // Every limiter would schedule the same sweep of expired rows; one is enough.
        clearExpiredByTimeout: first,
      };
      limiters.set(name, first ? await createTableAndLimiter(options) : new RateLimiterPostgres(options));
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return { kind: 'postgres', describe: 'PostgreSQL', limiters, close: () => pool.end() };
}

// The library creates its table asynchronously in the constructor and refuses to count until that
// is done; wait for it, so the first request is counted and a failure stops the start.
function createTableAndLimiter(options: ConstructorParameters<typeof RateLimiterPostgres>[0]): Promise<RateLimiterPostgres> {
  return new Promise((resolve, reject) => {
    // The callback runs after the CREATE TABLE query, so `limiter` is assigned by then.
    const limiter: RateLimiterPostgres = new RateLimiterPostgres(options, (err) => (err ? reject(err) : resolve(limiter)));
  });
}

async function openRedisStore(redisUrl: string, opts: OpenRateLimitStoreOptions): Promise<RateLimitStore> {
  const client = new Redis(redisUrl, {
    // Without the offline queue a command fails at once while Redis is away, instead of waiting
    // for a reconnect with the request held open.
    enableOfflineQueue: false,
    commandTimeout: 1000,
    connectionName: 'tessera-rate-limits',
  });
  const warn = throttledWarn(opts.log, 10_000);
  // ioredis reconnects by itself; without a listener every failed attempt is printed to stderr.
  client.on('error', (err: Error) => warn({ err, store: 'redis' }, 'rate-limit store unreachable'));

  const ready = await new Promise<boolean>((resolve) => {
    if (client.status === 'ready') return resolve(true);
    const timer = setTimeout(() => resolve(false), opts.redisReadyTimeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  const host = new URL(redisUrl).host;
  if (!ready) {
    // Start anyway: the limits fail open until Redis answers (ioredis keeps reconnecting).
    opts.log.warn({ store: 'redis', host }, 'rate-limit store not reachable at start-up; requests are not limited until it is');
  }

  const limiters = new Map<string, RateLimiterAbstract>();
  for (const [name, rule] of opts.rules) {
    limiters.set(name, new RateLimiterRedis({
      ...storeOptions(rule),
      storeClient: client,
      keyPrefix: `${opts.keyPrefix}:${name}`,
      // Refuse at once while disconnected rather than queue the command.
      rejectIfRedisNotReady: true,
    }));
  }
  return {
    kind: 'redis',
    describe: `Redis ${host}`,
    limiters,
    close: async () => {
      if (client.status === 'ready') {
        await client.quit().catch(() => client.disconnect());
      } else {
        client.disconnect();
      }
    },
  };
}
