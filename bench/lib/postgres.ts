// The PostgreSQL the benches run against: BENCH_DATABASE_URL (default the local superuser's
// `postgres` database) is only the maintenance connection; every bench works in databases of its
// own, created fresh and dropped at the end. Loopback only: a bench never sends traffic elsewhere.
import { readFile } from 'node:fs/promises';
import pg from 'pg';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function maintenanceUrl(): string {
  const raw = process.env.BENCH_DATABASE_URL?.trim() || DEFAULT_URL;
  const u = new URL(raw);
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new Error(`BENCH_DATABASE_URL must be a postgres:// URL, got "${raw}"`);
  if (!LOOPBACK.has(u.hostname)) throw new Error(`BENCH_DATABASE_URL must point at this machine (127.0.0.1), got host "${u.hostname}"`);
  return u.href;
}

export function databaseUrl(name: string): string {
  const u = new URL(maintenanceUrl());
  u.pathname = `/${name}`;
  return u.href;
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: "${name}"`);
  return `"${name}"`;
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops (closing any session still on it) and creates the database; returns its URL. */
export async function recreateDatabase(name: string): Promise<string> {
  await withClient(maintenanceUrl(), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(name)}`);
  });
  return databaseUrl(name);
}

/** A fresh copy of `source` (which must have no open session) under the name `target`; returns its URL. */
export async function copyDatabase(source: string, target: string): Promise<string> {
  await withClient(maintenanceUrl(), async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(target)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(target)} TEMPLATE ${ident(source)}`);
  });
  return databaseUrl(target);
}

export async function dropDatabase(name: string): Promise<void> {
  await withClient(maintenanceUrl(), (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`).then(() => undefined));
}

/** Runs a file of plain SQL statements (no parameters) in one simple-protocol round trip. */
export async function runSqlFile(client: pg.Client, path: string): Promise<void> {
  await client.query(await readFile(path, 'utf8'));
}

export async function postgresVersion(): Promise<string> {
  return withClient(maintenanceUrl(), async (c) => {
    const r = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return r.rows[0]?.v ?? 'unknown';
  });
}

/**
 * The server settings that change what a write-heavy run measures, e.g. "autovacuum off,
 * synchronous_commit on, shared_buffers 128MB". With autovacuum off (as on the reference machine),
 * dead row versions (outbox claims and sends, counter updates) stay until a manual VACUUM.
 */
export async function postgresSettings(): Promise<string> {
  return withClient(maintenanceUrl(), async (c) => {
    const r = await c.query<{ name: string; setting: string }>(
      "SELECT name, current_setting(name) AS setting FROM unnest(ARRAY['autovacuum', 'synchronous_commit', 'fsync', 'shared_buffers', 'max_wal_size']) AS name",
    );
    return r.rows.map((x) => `${x.name} ${x.setting}`).join(', ');
  });
}
