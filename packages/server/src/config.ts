// The only reader of process.env. Everything is parsed and checked once, at boot; a bad value
// stops the server with a message that names the variable.
import { resolve } from 'node:path';
import { RATE_LIMIT_NAMES, RATE_LIMITS, rateLimitVariable, type RateLimitName, type RateLimitRule } from './http/rate-limit.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL connection string; null means embedded PGlite in dataDir. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  /** The Backend API secret key; null means "generate one in dataDir on first start". */
  readonly secretKey: string | null;
  readonly publicUrl: string;
  /** null means the dev mailbox (emails kept in the database). */
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  readonly allowedRedirectOrigins: readonly string[];
  readonly appName: string;
  readonly logLevel: string;
  /** Run the outbox worker inside the server process. */
  readonly inProcessWorker: boolean;
  readonly workerPollMs: number;
  /**
   * Days a finished record is kept before the housekeeping in the worker deletes it (sent emails,
   * clients whose sessions, sign-ins and sign-ups all ended that long ago); 0 keeps everything.
   */
  readonly retentionDays: number;
  readonly bodyLimitBytes: number;
  readonly databasePoolSize: number;
  /**
   * Write coalescing (lib/coalesce.ts): single creates of one kind (of one organization) run as at
   * most this many statements at once per process; creates arriving meanwhile are written together
   * by the next one, which starts when a slot frees or the latest one has run WRITE_HOLD_MS. The
   * same for ticket sign-ins in a new browser. 0 turns it off (every create or sign-in its own
   * statement, at once).
   */
  readonly writeCoalescing: number;
  /** Named prepared statements on PostgreSQL (off behind a pooler in transaction mode, such as PgBouncer before 1.21). */
  readonly databasePreparedStatements: boolean;
  /** redis:// or rediss://; when set, rate-limit counters live in Redis (shared by every process). */
  readonly redisUrl: string | null;
  /** TESSERA_RATE_LIMITS=off turns every limit off (benchmarks). */
  readonly rateLimitsEnabled: boolean;
  /** Clerk's documented limits unless overridden by TESSERA_RATE_LIMIT_<NAME>=<points>/<duration>. */
  readonly rateLimits: Readonly<Record<RateLimitName, RateLimitRule>>;
  /**
   * Who may sign up without an invitation: `public` (anyone), `restricted` (nobody: invitation
   * tickets only), `allowlist` (only identifiers on the allowlist; tickets always work).
   */
  readonly signUpMode: SignUpMode;
  /** How long a session lives after sign-in, in seconds (TESSERA_SESSION_LIFETIME_HOURS). */
  readonly sessionLifetimeSeconds: number;
  /** Wrong passwords in a row that lock an account, and for how long (seconds). */
  readonly lockoutAttempts: number;
  readonly lockoutSeconds: number;
  /** Trust X-Forwarded-For from this many proxies in front (for per-IP limits); 0 = none. */
  readonly trustProxyHops: number;
  /**
   * Organizations a user may create from the browser (Frontend API), unless the user's own
   * create_organizations_limit says otherwise; 0 = unlimited. Organizations the Backend API made
   * with the user as created_by count toward it; Backend API creates themselves are not limited.
   */
  readonly maxOrganizationsPerUser: number;
}

export type SignUpMode = 'public' | 'restricted' | 'allowlist';
export const SIGN_UP_MODES: readonly SignUpMode[] = ['public', 'restricted', 'allowlist'];

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`Invalid configuration: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function httpUrl(name: string, raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(name, `must use http or https, got "${raw}"`);
  if (u.username || u.password) throw new ConfigError(name, 'must not contain credentials');
  return u;
}

function onOff(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (/^on$/i.test(raw)) return true;
  if (/^off$/i.test(raw)) return false;
  throw new ConfigError(name, `must be on or off, got "${raw}"`);
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** `<points>/<duration>`: 100/1h, 1000/10s, 25/3600s. Whole seconds only: the stores count in seconds. */
function rateRule(env: Env, name: string, def: RateLimitRule): RateLimitRule {
  const raw = str(env, name);
  if (raw === undefined) return def;
  const m = /^(\d{1,9})\/(\d{1,6})([smh])$/.exec(raw);
  if (!m) throw new ConfigError(name, `must look like <points>/<duration> with duration in s, m or h (e.g. 100/1h, 1000/10s), got "${raw}"`);
  const points = Number(m[1]);
  const durationSeconds = Number(m[2]) * UNIT_SECONDS[m[3] as keyof typeof UNIT_SECONDS];
  if (points < 1) throw new ConfigError(name, `must allow at least 1 request, got "${raw}"`);
  if (durationSeconds < 1 || durationSeconds > 86_400) throw new ConfigError(name, `duration must be between 1s and 24h, got "${raw}"`);
  return Object.freeze({ points, durationSeconds });
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = str(env, 'HOST') ?? '127.0.0.1';

  const databaseUrl = str(env, 'DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }

  const secretKey = str(env, 'TESSERA_SECRET_KEY') ?? null;
  if (secretKey !== null && !/^sk_(test|live)_[A-Za-z0-9_-]{16,}$/.test(secretKey)) {
    throw new ConfigError('TESSERA_SECRET_KEY', 'must look like sk_test_… or sk_live_… with at least 16 characters after the prefix');
  }

  const publicUrlRaw = str(env, 'TESSERA_PUBLIC_URL') ?? `http://localhost:${port}`;
  const publicUrl = httpUrl('TESSERA_PUBLIC_URL', publicUrlRaw);
  if (publicUrl.search || publicUrl.hash) throw new ConfigError('TESSERA_PUBLIC_URL', 'must not have a query or fragment');

  const smtpUrl = str(env, 'SMTP_URL') ?? null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^/]+/.test(smtpUrl)) {
    throw new ConfigError('SMTP_URL', 'must look like smtp://user:pass@host:587 or smtps://host:465');
  }

  const allowedRedirectOrigins = (str(env, 'TESSERA_ALLOWED_REDIRECT_ORIGINS') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const u = httpUrl('TESSERA_ALLOWED_REDIRECT_ORIGINS', s);
      if (u.pathname !== '/' || u.search || u.hash) {
        throw new ConfigError('TESSERA_ALLOWED_REDIRECT_ORIGINS', `must list origins only (scheme://host[:port]), got "${s}"`);
      }
      return u.origin;
    });

  const appName = str(env, 'TESSERA_APP_NAME') ?? 'Tessera';
  if (appName.length > 100) throw new ConfigError('TESSERA_APP_NAME', 'must be at most 100 characters');

  // The display name is quoted (RFC 5322), so an app name with <, > or , stays one mailbox.
  const mailFrom = str(env, 'TESSERA_MAIL_FROM') ?? `"${appName.replace(/["\\]/g, '\\$&')}" <no-reply@${publicUrl.hostname}>`;
  // A live instance has no dev mailbox: without SMTP its emails would go nowhere anyone can read.
  if (smtpUrl === null && secretKey?.startsWith('sk_live_')) {
    throw new ConfigError('SMTP_URL', 'is required on a live instance (TESSERA_SECRET_KEY sk_live_…): there is no dev mailbox there');
  }
  const logLevel = str(env, 'LOG_LEVEL') ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }

  const redisUrl = str(env, 'REDIS_URL') ?? null;
  if (redisUrl !== null) {
    let u: URL | null = null;
    try {
      u = new URL(redisUrl);
    } catch {
      // reported below
    }
    if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || u.hostname === '') {
      throw new ConfigError('REDIS_URL', 'must look like redis://[:password@]host:6379[/db] or rediss://host:6380');
    }
  }

  const rateLimits = Object.fromEntries(
    RATE_LIMIT_NAMES.map((n) => [n, rateRule(env, rateLimitVariable(n), RATE_LIMITS[n])]),
  ) as Record<RateLimitName, RateLimitRule>;

  const signUpMode = (str(env, 'TESSERA_SIGN_UP_MODE') ?? 'public').toLowerCase();
  if (!(SIGN_UP_MODES as readonly string[]).includes(signUpMode)) {
    throw new ConfigError('TESSERA_SIGN_UP_MODE', `must be one of ${SIGN_UP_MODES.join(', ')}; got "${signUpMode}"`);
  }

  return Object.freeze({
    port,
    host,
    databaseUrl,
    dataDir: resolve(cwd, str(env, 'TESSERA_DATA_DIR') ?? '.tessera'),
    secretKey,
    publicUrl: publicUrl.href.replace(/\/$/, ''),
    smtpUrl,
    mailFrom,
    allowedRedirectOrigins: Object.freeze(allowedRedirectOrigins),
    appName,
    logLevel,
    inProcessWorker: bool(env, 'TESSERA_IN_PROCESS_WORKER', true),
    workerPollMs: int(env, 'TESSERA_WORKER_POLL_MS', 1000, 10, 60_000),
    retentionDays: int(env, 'TESSERA_RETENTION_DAYS', 30, 0, 3650),
    bodyLimitBytes: int(env, 'TESSERA_BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    writeCoalescing: int(env, 'TESSERA_WRITE_COALESCING', 4, 0, 200),
    databasePreparedStatements: bool(env, 'DATABASE_PREPARED_STATEMENTS', true),
    redisUrl,
    rateLimitsEnabled: onOff(env, 'TESSERA_RATE_LIMITS', true),
    rateLimits: Object.freeze(rateLimits),
    signUpMode: signUpMode as SignUpMode,
    sessionLifetimeSeconds: int(env, 'TESSERA_SESSION_LIFETIME_HOURS', 24 * 7, 1, 24 * 365) * 3600,
    lockoutAttempts: int(env, 'TESSERA_LOCKOUT_ATTEMPTS', 10, 1, 1000),
    lockoutSeconds: int(env, 'TESSERA_LOCKOUT_MINUTES', 30, 1, 60 * 24 * 30) * 60,
    trustProxyHops: int(env, 'TESSERA_TRUST_PROXY_HOPS', 0, 0, 10),
    maxOrganizationsPerUser: int(env, 'TESSERA_MAX_ORGANIZATIONS_PER_USER', 100, 0, 1_000_000),
  });
}
