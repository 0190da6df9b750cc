// The outbox worker (stub; the real one claims rows with FOR UPDATE SKIP LOCKED).
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Instance } from '../deps.ts';

export interface WorkerDeps {
  config: Config;
  db: Kysely<Database>;
  instance: Instance;
  log: FastifyBaseLogger;
}

export interface OutboxWorker {
  /** Wake up now: rows were just committed. */
  nudge(): void;
  /** Process due rows until none is left; returns how many were handled. */
  drainOnce(): Promise<number>;
  /** Stop polling and wait for the batch in flight. */
  stop(): Promise<void>;
}

export function startOutboxWorker(_deps: WorkerDeps): OutboxWorker {
  return { nudge() {}, drainOnce: async () => 0, stop: async () => {} };
}
