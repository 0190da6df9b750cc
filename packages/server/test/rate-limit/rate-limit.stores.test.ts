// The shared stores on their own: PostgreSQL (with DATABASE_URL) and Redis (127.0.0.1:6379, or
// REDIS_URL) each enforce a limit, and two RateLimits on one store (as two processes would hold)
// share one counter. Then the chosen failure mode: with the store unreachable the limits fail open,
// with a throttled warning, and count again once it is back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.ts';
import { ApiError } from '../../src/http/errors.ts';
import { createRateLimits, type CreateRateLimitsOptions, type RateLimits } from '../../src/http/rate-limit.ts';
import { RATE_LIMIT_TABLE } from '../../src/http/rate-limit.store.ts';
import { freePort, startTestApp } from '../helpers/app.ts';
import { bapi } from '../helpers/http.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL;

/** A logger whose JSON lines the test can read. */
function capturingLog(): { log: pino.Logger; lines: () => { level: number; msg: string; store?: string }[] } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  return {
    log: pino({ level: 'warn' }, stream),
    lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { level: number; msg: string; store?: string }),
  };
}

const newInstanceId = () => `ins_test${randomBytes(8).toString('hex')}`;

async function limitsFor(env: Record<string, string>, opts: Partial<CreateRateLimitsOptions> & { instanceId: string }): Promise<RateLimits> {
  return createRateLimits({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }), log: pino({ level: 'silent' }), ...opts });
}

/** Consumes until refused; returns how many went through (at most `max`) and the refusal. */
async function consumeUntilRefused(limits: RateLimits, max: number): Promise<{ allowed: number; refusal: ApiError | null }> {
  for (let i = 0; i < max; i++) {
    try {
      await limits.consume('invitations.create');
    } catch (err) {
      if (err instanceof ApiError) return { allowed: i, refusal: err };
      throw err;
    }
  }
  return { allowed: max, refusal: null };
}

function assertRefusal(refusal: ApiError | null, maxSeconds: number): void {
  assert.ok(refusal, 'expected a refusal');
  assert.equal(refusal.code, 'too_many_requests');
  assert.equal(refusal.status, 429);
  const seconds = Number(refusal.headers['retry-after']);
  assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= maxSeconds, `Retry-After ${refusal.headers['retry-after']}`);
}

describe('rate-limit store: PostgreSQL', { skip: DATABASE_URL ? false : 'needs DATABASE_URL (the PostgreSQL store is used only with PostgreSQL)' }, () => {
  const schema = `rl_${randomBytes(6).toString('hex')}`;
  const admin = () => new pg.Client({ connectionString: DATABASE_URL });
  before(async () => {
    const c = admin();
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
  });
  after(async () => {
    const c = admin();
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  });

  it('creates its table in the given schema, enforces the limit, and shares the counter between two limiters', async () => {
    const instanceId = newInstanceId();
    const env = { DATABASE_URL: DATABASE_URL!, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '3/60s' };
    const a = await limitsFor(env, { instanceId, schema });
    const b = await limitsFor(env, { instanceId, schema });
    try {
      assert.equal(a.store, 'postgres');
      assert.equal(a.describe, 'PostgreSQL');
      await a.consume('invitations.create');
      await b.consume('invitations.create');
      await a.consume('invitations.create');
      const refused = await consumeUntilRefused(b, 1);
      assert.equal(refused.allowed, 0);
      assertRefusal(refused.refusal, 60);

      const c = admin();
      await c.connect();
      try {
        const rows = await c.query<{ key: string; points: number }>(`SELECT key, points FROM ${schema}.${RATE_LIMIT_TABLE} ORDER BY key`);
        assert.deepEqual(rows.rows, [{ key: `invitations.create:${instanceId}`, points: 4 }]);
      } finally {
        await c.end();
      }
      // Another instance in the same table has its own counter.
      const other = await limitsFor(env, { instanceId: newInstanceId(), schema });
      try {
        assert.equal((await consumeUntilRefused(other, 3)).allowed, 3);
      } finally {
        await other.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails open, with a warning, when the counters table is gone, and keeps serving', async () => {
    const instanceId = newInstanceId();
    const isolated = `rl_${randomBytes(6).toString('hex')}`;
    const c = admin();
    await c.connect();
    await c.query(`CREATE SCHEMA ${isolated}`);
    const { log, lines } = capturingLog();
    const limits = await createRateLimits({
      config: loadConfig({ DATABASE_URL: DATABASE_URL!, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '1/60s' }), instanceId, log, schema: isolated,
    });
    try {
      await limits.consume('invitations.create');
      await c.query(`DROP TABLE ${isolated}.${RATE_LIMIT_TABLE}`);
      // Over the limit of 1, yet allowed: the store cannot count.
      for (let i = 0; i < 5; i++) await limits.consume('invitations.create');
      const warnings = lines().filter((l) => l.level === 40 && /fail open/.test(l.msg));
      assert.equal(warnings.length, 1, 'one warning, then throttled');
      assert.equal(warnings[0]!.store, 'postgres');
    } finally {
      await limits.close();
      await c.query(`DROP SCHEMA ${isolated} CASCADE`);
      await c.end();
    }
  });

  it('survives its connections being killed (database restart) without crashing, and counts on', async () => {
    const instanceId = newInstanceId();
    const limits = await limitsFor({ DATABASE_URL: DATABASE_URL!, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '2/60s' }, { instanceId, schema });
    const c = admin();
    await c.connect();
    try {
      await limits.consume('invitations.create');
      // Idle pooled connections die; unhandled, the pool's 'error' event would end the process.
      await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tessera-rate-limits' AND pid <> pg_backend_pid()`);
      await new Promise((r) => setTimeout(r, 200));
      const r = await consumeUntilRefused(limits, 3);
      assert.equal(r.allowed, 1, 'the counter survived: one more, then refused');
      assertRefusal(r.refusal, 60);
    } finally {
      await c.end();
      await limits.close();
    }
  });
});

describe('rate-limit store: Redis', () => {
  it(`enforces the limit in ${REDIS_URL} and shares the counter between two limiters`, async () => {
    const instanceId = newInstanceId();
    const prefix = `tessera-test:${randomBytes(6).toString('hex')}`;
    const env = { REDIS_URL, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '3/60s' };
    const a = await limitsFor(env, { instanceId, redisKeyPrefix: prefix });
    const b = await limitsFor(env, { instanceId, redisKeyPrefix: prefix });
    const redis = new Redis(REDIS_URL);
    try {
      assert.equal(a.store, 'redis');
      assert.equal(a.describe, `Redis ${new URL(REDIS_URL).host}`);
      await a.consume('invitations.create');
      await b.consume('invitations.create');
      await a.consume('invitations.create');
      const refused = await consumeUntilRefused(b, 1);
      assert.equal(refused.allowed, 0);
      assertRefusal(refused.refusal, 60);
      const key = `${prefix}:invitations.create:${instanceId}`;
      assert.equal(await redis.get(key), '4');
      const ttl = await redis.ttl(key);
      assert.ok(ttl > 0 && ttl <= 60, `the key expires with the window (ttl ${ttl})`);
    } finally {
      await a.close();
      await b.close();
      redis.disconnect();
    }
  });

  it('is what startTestApp (and main.ts) use when REDIS_URL is set (it wins over DATABASE_URL)', async () => {
    const t = await startTestApp({ env: { REDIS_URL, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '2/60s' } });
    try {
      assert.equal(t.deps.rateLimits.store, 'redis');
      for (let i = 0; i < 2; i++) assert.equal((await bapi(t, 'POST', '/v1/invitations', { email_address: `redis${i}@example.com`, notify: false })).status, 200);
      const r = await bapi(t, 'POST', '/v1/invitations', { email_address: 'redis2@example.com', notify: false });
      assert.equal(r.status, 429);
      assert.equal(r.body.errors[0].code, 'too_many_requests');
    } finally {
      await t.close();
    }
  });
});

describe('rate-limit store unreachable: fail open', () => {
  it('starts without Redis, serves every request, and warns (throttled)', async () => {
    const port = await freePort(); // nothing listens there
    const { log, lines } = capturingLog();
    const limits = await createRateLimits({
      config: loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '1/60s' }),
      instanceId: newInstanceId(), log, redisReadyTimeoutMs: 300,
    });
    try {
      assert.equal(limits.describe, `Redis 127.0.0.1:${port}`);
      assert.equal((await consumeUntilRefused(limits, 10)).allowed, 10);
      const warnings = lines().filter((l) => l.level === 40);
      assert.ok(warnings.some((l) => /not reachable at start-up/.test(l.msg)), JSON.stringify(warnings));
      assert.equal(warnings.filter((l) => /fail open/.test(l.msg)).length, 1, 'one fail-open warning, then throttled');
    } finally {
      await limits.close();
    }
  });

  it('over HTTP: requests past the limit get through while Redis is unreachable', async () => {
    const port = await freePort();
    const t = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '1/60s' } });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await bapi(t, 'POST', '/v1/invitations', { email_address: `down${i}@example.com`, notify: false });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
    } finally {
      await t.close();
    }
  });

  const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
  describe('Redis going away and coming back', { skip: hasRedisServer ? false : 'needs the redis-server binary to run a private Redis it can stop' }, () => {
    let port: number;
    let server: ChildProcess | null = null;
    const startRedis = async () => {
      server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      // Wait until it answers: one short-lived client per attempt, no retries of its own.
      for (let i = 0; ; i++) {
        const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        probe.on('error', () => {});
        try {
          await probe.connect();
          await probe.ping();
          return;
        } catch (err) {
          if (i > 100) throw err;
          await new Promise((r) => setTimeout(r, 50));
        } finally {
          probe.disconnect();
        }
      }
    };
    const stopRedis = async () => {
      const s = server;
      server = null;
      if (!s || s.exitCode !== null) return;
      const exited = new Promise((r) => s.once('exit', r));
      s.kill('SIGKILL');
      await exited;
    };
    before(async () => {
      port = await freePort();
      await startRedis();
    });
    after(stopRedis);

    it('counts, fails open while Redis is down, and counts again once it is back', async () => {
      const { log, lines } = capturingLog();
      const limits = await createRateLimits({
        config: loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '3/60s' }),
        instanceId: newInstanceId(), log,
      });
      try {
        await limits.consume('invitations.create');
        await stopRedis();
        assert.equal((await consumeUntilRefused(limits, 10)).allowed, 10, 'fail open while Redis is down');
        assert.ok(lines().some((l) => /fail open/.test(l.msg)));

        await startRedis();
        // ioredis reconnects by itself (backoff up to 2 s); the fresh Redis has no counters.
        const deadline = Date.now() + 10_000;
        let r = await consumeUntilRefused(limits, 10);
        while (r.refusal === null && Date.now() < deadline) {
          await new Promise((res) => setTimeout(res, 200));
          r = await consumeUntilRefused(limits, 10);
        }
        assertRefusal(r.refusal, 60);
      } finally {
        await limits.close();
      }
    });
  });
});
