// `npm run worker`: the outbox worker as its own process, for deployments that run the server
// with TESSERA_IN_PROCESS_WORKER=false (or want more delivery capacity). It shares the outbox
// through PostgreSQL; embedded PGlite can be opened by one process only, so there it works only
// while the server is not running.
//
// SIGTERM/SIGINT: stop claiming, finish (or give back) what is in flight, close the database,
// exit 0. A kill -9 loses nothing either: the rows it held are claimed again when their leases end.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { openDatabase } from '../db/open.ts';
import { resolveInstance } from '../lib/instance.ts';
import { startOutboxWorker } from './worker.ts';

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`tessera worker: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = pino({ level: config.logLevel });
  // The sealed links in the outbox open only with the server's secret key. resolveInstance would
  // generate a fresh key when there is none, and every email would then be dead-lettered as
  // unreadable; refuse to start instead.
  if (config.secretKey === null && !existsSync(join(config.dataDir, 'secret_key'))) {
    console.error(`tessera worker: no TESSERA_SECRET_KEY and no key in ${config.dataDir}; set the server's key (or start the server once first)`);
    process.exit(1);
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.dataDir, poolSize: config.databasePoolSize, preparedStatements: config.databasePreparedStatements });
  const instance = await resolveInstance(config, database.db);
  const worker = startOutboxWorker({ config, db: database.db, instance, log });
  log.info(
    { database: database.describe, mail: config.smtpUrl ? `SMTP ${new URL(config.smtpUrl).host}` : 'dev mailbox', pollMs: config.workerPollMs },
    'outbox worker started',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'outbox worker stopping');
    try {
      await worker.stop();
      await database.close();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'outbox worker shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('tessera worker: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
