// `npm run migrate`: apply pending migrations and exit (1 on failure).
import { ConfigError, loadConfig } from '../config.ts';
import { migrateToLatest } from './migrator.ts';
import { openDatabase } from './open.ts';

try {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await database.close();
  }
} catch (err) {
  console.error(`tessera: ${err instanceof ConfigError ? err.message : `migration failed: ${err instanceof Error ? err.message : String(err)}`}`);
  process.exit(1);
}
