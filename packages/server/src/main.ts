// The server process: config → database (migrated) → instance → outbox worker → HTTP.
// SIGTERM/SIGINT: stop accepting, let in-flight requests finish, stop the worker, close the
// rate-limit store and the database, exit 0.
import pino from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { migrateToLatest } from './db/migrator.ts';
import { openDatabase } from './db/open.ts';
import { createRateLimits } from './http/rate-limit.ts';
import { resolveInstance } from './lib/instance.ts';
import { systemClock } from './lib/clock.ts';
import { startOutboxWorker, type OutboxWorker } from './mail/worker.ts';
import { deliversToMailbox } from './mail/transport.ts';
import { startExpirySweeper } from './features/invitations/invitation.sweeper.ts';

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`tessera: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = pino({ level: config.logLevel });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.dataDir, poolSize: config.databasePoolSize, preparedStatements: config.databasePreparedStatements });
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
  const instance = await resolveInstance(config, database.db);
  const rateLimits = await createRateLimits({ config, instanceId: instance.id, log, schema: database.schema });

  let worker: OutboxWorker | null = null;
  const deps = {
    config,
    db: database.db,
    clock: systemClock,
    instance,
    // Without SMTP_URL the emails this server writes are delivered into the dev mailbox by their
    // own transaction (mail/transport.ts): nothing for the worker to be woken for.
    notifyOutbox: deliversToMailbox(config) ? () => {} : () => worker?.nudge(),
    log,
    rateLimits,
  };
  if (config.inProcessWorker) worker = startOutboxWorker({ config, db: database.db, instance, log });
  const sweeper = startExpirySweeper(database.db, log);

  const app = await buildApp(deps);
  let stopping = false;
  // While shutting down, answer in-flight requests with `Connection: close` so their keep-alive
  // sockets do not hold the process open until the keep-alive timeout.
  app.addHook('onSend', async (_req, reply, payload) => {
    if (stopping) reply.header('connection', 'close');
    return payload;
  });
  await app.listen({ port: config.port, host: config.host });

  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${(app.server.address() as { port: number }).port}`;
  const lines = [
    '',
    `  Tessera is running at ${base}  (public URL ${config.publicUrl})`,
    `  Database:  ${database.describe}`,
    `  Mail:      ${config.smtpUrl ? `SMTP ${new URL(config.smtpUrl).host}` : `dev mailbox at ${config.publicUrl}/dev/mailbox`}${config.inProcessWorker ? '' : ' (worker runs separately: npm run worker)'}`,
    ...(config.smtpUrl === null && !['127.0.0.1', 'localhost', '::1'].includes(config.host)
      ? [`  Warning:   the dev mailbox shows invitation links to anyone who can reach ${config.host}; set SMTP_URL before exposing it`]
      : []),
    `  Rate limits: ${rateLimits.describe}`,
    `  API docs:  ${config.publicUrl}/v1/docs`,
    `  Pages:     ${config.publicUrl}/sign-in, /sign-up, / (your organizations, invitations and email addresses), /organization (admin)`,
    // Clerk's publishable-key format: pk_test_ | pk_live_ + base64("<Frontend API host>$").
    `  Browser:   createTessera({ publishableKey: '${instance.isDevelopment ? 'pk_test' : 'pk_live'}_${Buffer.from(`${new URL(config.publicUrl).host}$`).toString('base64')}' })  (@tessera/js)`,
    instance.keySource === 'generated'
      ? `  Secret key (shown once, kept in ${instance.keyFile}):\n\n      ${instance.secretKey}\n`
      : `  Secret key: ${instance.keySource === 'env' ? 'from TESSERA_SECRET_KEY' : `in ${instance.keyFile}`}`,
    `  Authenticate with:  Authorization: Bearer <secret key>   (or createClerkClient({ secretKey, apiUrl: '${config.publicUrl}' }))`,
    '',
  ];
  console.log(lines.join('\n'));

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await app.close();
      await worker?.stop();
      await sweeper.stop();
      await rateLimits.close();
      await database.close();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('tessera: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
