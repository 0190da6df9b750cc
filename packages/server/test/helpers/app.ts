// Test harness: a real server on a real database. With DATABASE_URL set, each test app gets a
// fresh PostgreSQL schema (dropped on close); otherwise an in-memory PGlite. Never a mock.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { openDatabase, type OpenedDatabase } from '../../src/db/open.ts';
import { ensureInstanceId } from '../../src/lib/instance.ts';
import { createRateLimits } from '../../src/http/rate-limit.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { startOutboxWorker, type OutboxWorker } from '../../src/mail/worker.ts';

export const TEST_SECRET_KEY = 'sk_test_tessera_integration_tests_0001';

export interface TestApp {
  app: FastifyInstance;
  /** Base URL of the listening server, e.g. http://127.0.0.1:54321 */
  url: string;
  deps: Deps;
  config: Config;
  database: OpenedDatabase;
  worker: OutboxWorker | null;
  /** Headers for the Backend API. */
  auth: Record<string, string>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const storeName = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/**
 * Migrates a test app's schema in the database every PostgreSQL test shares. Kysely's migrator
 * looks for its bookkeeping table by introspecting every schema of the database, and calls
 * has_schema_privilege on each: a schema another test app drops at that instant fails the call
 * ('schema "t_…" does not exist'), and so does one of its tables dropped with it ('relation
 * "t_….organization_memberships" does not exist'), naming the other schema, or one of their
 * columns ('column "external_id" of relation "users" does not exist'). Only those failures are
 * retried.
 */
async function migrateInSharedDatabase(database: OpenedDatabase, schema: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateToLatest(database.db, schema);
      return;
    } catch (err) {
      const m = /(?:schema "(t_[0-9a-f]+|rl_[0-9a-f]+)"|relation "(t_[0-9a-f]+|rl_[0-9a-f]+)\.[^"]*") does not exist/.exec(err instanceof Error ? err.message : String(err));
      const other = m?.[1] ?? m?.[2];
      // The same race on a column of a table being dropped with its schema: PostgreSQL's message
      // then names the column and its table but not the schema (seen as 'column "external_id" of
      // relation "users" does not exist'). A failure of this app's own migration would repeat on
      // every attempt, and is thrown after the last.
      const droppedColumn = /column "[^"]+" of relation "[^"]+" does not exist/.test(err instanceof Error ? err.message : String(err));
      if ((other === undefined && !droppedColumn) || other === schema || attempt >= 5) throw err;
    }
  }
}

/** Opens a fresh, migrated database for one test app. */
export async function openTestDatabase(): Promise<{ database: OpenedDatabase; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const database = await openDatabase({ databaseUrl: null, pgliteDir: null });
    await migrateToLatest(database.db);
    return { database, drop: async () => {} };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const database = await openDatabase({ databaseUrl: url, pgliteDir: null, searchPath: schema, poolSize: 20 });
  await migrateInSharedDatabase(database, schema);
  return {
    database,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/**
 * A migrated test database (openTestDatabase) for the enclosing describe: opened before its tests,
 * closed and dropped after them. Returns the handle's getter.
 */
export function useTestDatabase(): () => OpenedDatabase {
  let opened: { database: OpenedDatabase; drop: () => Promise<void> } | undefined;
  before(async () => {
    opened = await openTestDatabase();
  });
  after(async () => {
    await opened?.database.close();
    await opened?.drop();
  });
  return () => {
    if (!opened) throw new Error('useTestDatabase: the database is opened in before()');
    return opened.database;
  };
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Run the outbox worker in-process (default false: tests drive it explicitly). */
  worker?: boolean;
  /** Where the port comes from (default freePort; the harness's own test hands out a taken one). */
  port?: () => Promise<number>;
}

/**
 * A test app on a port of its own. freePort() hands out a port that is free at that instant; by
 * the time the app listens, another process (a concurrent test file's outgoing connection takes
 * ports from the same ephemeral range) may hold it. That EADDRINUSE is retried on a new port.
 */
export async function startTestApp(opts: StartOptions = {}): Promise<TestApp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTestAppOnce(opts);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw err;
    }
  }
}

async function startTestAppOnce(opts: StartOptions): Promise<TestApp> {
  const port = await (opts.port ?? freePort)();
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const config = loadConfig({
    PORT: String(port),
    TESSERA_PUBLIC_URL: `http://127.0.0.1:${port}`,
    TESSERA_SECRET_KEY: TEST_SECRET_KEY,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_APP_NAME: 'Acme Test',
    TESSERA_WORKER_POLL_MS: '50',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const { database, drop } = await openTestDatabase();
  const id = await ensureInstanceId(database.db);
  const instance = { id, secretKey: config.secretKey!, isDevelopment: config.secretKey!.startsWith('sk_test_') };
  const { default: pino } = await import('pino');
  const log = pino({ level: 'silent' });
  let worker: OutboxWorker | null = null;
  // Built as main.ts builds them: memory on PGlite, PostgreSQL (in this app's own schema) with
  // DATABASE_URL, Redis when opts.env has REDIS_URL (under a prefix of its own, so runs never share
  // counters).
  const rateLimits = await createRateLimits({
    config, instanceId: id, log, databaseUrl: process.env.DATABASE_URL ?? null, schema: database.schema,
    redisKeyPrefix: `tessera-test:${randomBytes(6).toString('hex')}`,
  });
  const deps: Deps = { config, db: database.db, clock: systemClock, instance, notifyOutbox: () => worker?.nudge(), log, rateLimits };
  if (opts.worker) worker = startOutboxWorker({ config, db: database.db, instance, log });
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    app = await buildApp(deps, { logger: false });
    await app.listen({ port, host: '127.0.0.1' });
  } catch (err) {
    // Release what was started: a worker left polling would keep this test file's process alive
    // (seen once: the port taken between freePort() and listen, and the run hung).
    await app?.close().catch(() => {});
    await worker?.stop();
    await rateLimits.close();
    await database.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const listening = app;
  return {
    app: listening,
    url: `http://127.0.0.1:${port}`,
    deps,
    config,
    database,
    get worker() {
      return worker;
    },
    auth: { authorization: `Bearer ${TEST_SECRET_KEY}`, 'content-type': 'application/json' },
    async close() {
      await listening.close();
      await worker?.stop();
      await rateLimits.close();
      await database.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
