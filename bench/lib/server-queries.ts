// The SQL the server really sends, compiled from its own repository functions (no database
// needed: Kysely's DummyDriver only compiles and returns no rows). The benches EXPLAIN exactly
// this, and check that bench/sql/*.sql still match it, since others keep changing the server.
//
// The repository is imported dynamically and called through a loose shape on purpose: a change
// of its signatures must not break the type-check of the server package (which includes bench/);
// here it only turns a check into "could not compile", said out loud.
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';

export interface CompiledQuery {
  sql: string;
  parameters: readonly unknown[];
}

interface RepositoryModule {
  listInvitations?: (db: unknown, filter: unknown, page: unknown) => Promise<unknown>;
  countInvitations?: (db: unknown, filter: unknown) => Promise<unknown>;
  insertInvitationsIfFree?: (db: unknown, items: unknown[], opts: { allOrNothing: boolean }) => Promise<unknown>;
}

const REPOSITORY = new URL('../../packages/server/src/features/invitations/invitation.repository.ts', import.meta.url).href;
const ORG_REPOSITORY = new URL('../../packages/server/src/features/organization-invitations/organization-invitation.repository.ts', import.meta.url).href;

interface OrgRepositoryModule {
  countOrganizationInvitations?: (db: unknown, filter: unknown) => Promise<unknown>;
}

async function repository(): Promise<RepositoryModule> {
  return (await import(REPOSITORY)) as RepositoryModule;
}

/** Runs `fn` against a Kysely that only compiles; returns every query it sent, in order. */
async function capture(fn: (db: Kysely<object>) => Promise<unknown>): Promise<CompiledQuery[]> {
  const seen: CompiledQuery[] = [];
  const db = new Kysely<object>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => void seen.push({ sql: event.query.sql, parameters: event.query.parameters }),
  });
  // With no rows back, a "take first or throw" throws — after its query was logged.
  await fn(db).catch(() => undefined);
  return seen;
}

/** The page query, and every query countInvitations sends for total_count (paginated=true). */
export async function serverListQueries(limit: number): Promise<{ page: CompiledQuery; counts: CompiledQuery[] }> {
  const repo = await repository();
  const { listInvitations, countInvitations } = repo;
  if (!listInvitations || !countInvitations) throw new Error('invitation.repository.ts no longer exports listInvitations/countInvitations: update bench/lib/server-queries.ts');
  const [page] = await capture((db) => listInvitations(db, { statuses: ['pending'] }, { limit, offset: 0, orderBy: 'created_at', direction: 'desc' }));
  const counts = await capture((db) => countInvitations(db, { statuses: ['pending'] }));
  if (!page || counts.length === 0) throw new Error('could not compile the server list queries');
  return { page, counts };
}

/**
 * Every query countOrganizationInvitations sends for total_count of
 * GET /v1/organizations/{org}/invitations?status=pending (today: the per-organization counters and
 * the count of the organization's pending rows past expiry).
 */
export async function serverOrgCountQueries(organizationId: string): Promise<CompiledQuery[]> {
  const { countOrganizationInvitations } = (await import(ORG_REPOSITORY)) as OrgRepositoryModule;
  if (!countOrganizationInvitations) throw new Error('organization-invitation.repository.ts no longer exports countOrganizationInvitations: update bench/lib/server-queries.ts');
  const counts = await capture((db) => countOrganizationInvitations(db, { organizationId, statuses: ['pending'] }));
  if (counts.length === 0) throw new Error('could not compile the server organization list total_count queries');
  return counts;
}

/** The statement(s) POST /v1/invitations sends for one new invitation, or null if it cannot tell. */
export async function serverCreateStatements(): Promise<CompiledQuery[] | null> {
  const { insertInvitationsIfFree } = await repository();
  if (!insertInvitationsIfFree) return null;
  const item = {
    row: {
      id: 'inv_x', email: 'x@example.com', publicMetadata: {}, redirectUrl: null, notify: true, allowDuplicate: false,
      templateSlug: 'invitation', ticketHash: Buffer.alloc(32), expiresInDays: 30,
    },
    checkUsers: true,
    email: { messageId: '<x@example.com>', payload: {} },
  };
  const seen = await capture((db) => insertInvitationsIfFree(db, [item], { allOrNothing: false }));
  return seen.length > 0 ? seen : null;
}

/** The query with its parameters written in as literals (only strings and numbers occur here). */
export function inlineParameters(q: CompiledQuery): string {
  return q.sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = q.parameters[Number(n) - 1];
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
    throw new Error(`unexpected parameter ${String(v)}`);
  });
}

/**
 * SQL text without comments (block comments too, such as the server's PREPARED_MARK: pgbench runs
 * the scripts with -M prepared anyway), pgbench meta-commands, trailing semicolons or whitespace
 * differences.
 */
export function normalizeSql(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .split('\n')
    .filter((l) => !l.trim().startsWith('--') && !l.trim().startsWith('\\'))
    .join(' ')
    .replace(/;\s*$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The statements of a script (whole-line comments and meta-commands dropped), normalized. */
export function scriptStatements(text: string): string[] {
  return normalizeSql(text)
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
