// Generates the OpenAPI document from the route schemas, with the default configuration, so the
// committed copy (openapi.json) is stable and a wire change shows up in review.
import { join } from 'node:path';
import pino from 'pino';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/open.ts';
import { systemClock } from '../lib/clock.ts';
import { rateLimitsOff } from './rate-limit.ts';

export const OPENAPI_PATH = join(import.meta.dirname, '..', '..', 'openapi.json');

export async function generateOpenApiDocument(): Promise<string> {
  const config = loadConfig({ TESSERA_SECRET_KEY: 'sk_test_openapi_document_only', LOG_LEVEL: 'silent' });
  const database = await openDatabase({ databaseUrl: null, pgliteDir: null });
  const app = await buildApp(
    {
      config,
      db: database.db,
      clock: systemClock,
      instance: { id: 'ins_openapi', secretKey: config.secretKey!, isDevelopment: true },
      notifyOutbox: () => {},
      log: pino({ level: 'silent' }),
      // Limits change no schema; nothing is served.
      rateLimits: rateLimitsOff,
    },
    { logger: false },
  );
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await database.close();
  }
}
