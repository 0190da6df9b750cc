// Named prepared statements on PGlite. PGlite's query() parses and plans every statement afresh
// (an unnamed statement), and PGlite runs inside the server's process: planning one of this
// service's large create statements took about 3.7 of the 5.4 ms the whole create took there.
// So statements outside transactions are prepared on their first or third use, as the
// PostgreSQL pool's statement cache does it (statement-rules.ts: PREPARED_MARK and repetition),
// and then each call is Bind/Describe/Execute/Sync only, sent to PGlite as one message.
//
// It uses what PGlite exports for this (its protocol serializer and result parser) and, to keep
// other queries out while its messages run, the same two locks query() takes. Statements inside a
// transaction (Kysely's PGlite driver runs them through the transaction's own query()) are not
// touched: preparing them too was tried and made bench:pglite slower (267–497 against 463–573
// application invitations per second, alternating runs), plans of the worker's transactional
// statements being the likely cause; not pursued.
import { parse, protocol, type PGlite } from '@electric-sql/pglite';
import { CACHE_PREPARED, CACHE_TEXTS, isSinglePreparable, isStalePlan, PREPARE_AFTER, PREPARED_MARK, replanAfter } from './statement-rules.ts';

const { serialize } = protocol;

type Results = Awaited<ReturnType<PGlite['query']>>;
type QueryOptions = Parameters<PGlite['query']>[2];

/** PGlite's query() and its locks, as this module uses them (PGlite 0.5). */
interface PGliteInternals {
  _checkReady(): Promise<void>;
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  serializers: Record<number, (v: unknown) => string>;
  parsers: Parameters<typeof parse.parseResults>[1];
}

interface Prepared {
  name: string;
  /** Parameter type oids, from Describe. */
  types: number[];
  /** Executions of this text since it was first prepared (kept when it is prepared afresh). */
  executions: number;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The PGlite instance as Kysely's PGlite dialect sees it, with query() running the statements the
 * rules of statement-rules.ts pick as named prepared statements, the oldest closed past
 * CACHE_PREPARED. Statements in transactions pass through, as does everything else.
 */
export function preparingPGlite(pglite: PGlite): PGlite {
  const internals = pglite as unknown as PGliteInternals;
  const uses = new Map<string, number>();
  const prepared = new Map<string, Prepared>();
  let counter = 0;

  const stream = (message: Uint8Array) => pglite.execProtocolStream(message, { syncToFs: false });

  /** Parse + Describe under a new name; the statement is known to PGlite once this returns. */
  async function prepare(text: string): Promise<Prepared> {
    const name = `tessera_p${++counter}`;
    const described = await stream(concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]));
    const p = { name, types: parse.parseDescribeStatementResults(described), executions: 0 };
    if (prepared.size >= CACHE_PREPARED) {
      const [oldText, old] = prepared.entries().next().value as [string, Prepared];
      prepared.delete(oldText);
      await close(old);
    }
    prepared.set(text, p);
    return p;
  }

  async function close(p: Prepared): Promise<void> {
    await stream(concat([serialize.close({ type: 'S', name: p.name }), serialize.sync()]));
  }

  async function run(text: string, params: readonly unknown[], options: QueryOptions): Promise<Results> {
    let p = prepared.get(text);
    const executions = (p?.executions ?? 0) + 1;
    // Planned afresh now and then (statement-rules.ts, replanAfter): PGlite never analyzes, so a
    // plan made on a nearly empty table would otherwise stay for the life of the process.
    if (p !== undefined && replanAfter(executions)) {
      prepared.delete(text);
      await close(p);
      p = undefined;
    }
    if (p === undefined) p = await prepare(text);
    p.executions = executions;
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const toText = internals.serializers[p!.types[i]!];
      return toText ? toText(v) : String(v);
    });
    const messages = await stream(
      concat([serialize.bind({ statement: p.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
    );
    await pglite.syncToFs();
    return parse.parseResults(messages, internals.parsers, options)[0]!;
  }

  /** Whether `text` runs prepared now (counting its uses). */
  function shouldPrepare(text: string): boolean {
    if (prepared.has(text)) return true;
    if (text.startsWith(PREPARED_MARK)) return true;
    if (!isSinglePreparable(text)) return false;
    const n = (uses.get(text) ?? 0) + 1;
    if (uses.size >= CACHE_TEXTS && !uses.has(text)) uses.clear();
    uses.set(text, n);
    return n >= PREPARE_AFTER;
  }

  const query = async (text: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<Results> => {
    if (!shouldPrepare(text) || options?.blob !== undefined) return pglite.query(text, params as unknown[], options);
    await internals._checkReady();
    return internals._runExclusiveTransaction(() =>
      internals._runExclusiveQuery(async () => {
        try {
          return await run(text, params, options);
        } catch (err) {
          if (!isStalePlan(err)) throw Object.assign(err as object, { query: text, params });
          // A migration changed what the statement returns: prepare it afresh and run it again.
          const stale = prepared.get(text);
          prepared.delete(text);
          if (stale !== undefined) await close(stale);
          return run(text, params, options);
        }
      }),
    );
  };

  return new Proxy(pglite, {
    get(target, prop) {
      if (prop === 'query') return query;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
