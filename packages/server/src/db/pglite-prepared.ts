// Named prepared statements on PGlite. PGlite's query() parses and plans every statement afresh
// (an unnamed statement), and PGlite runs inside the server's process: planning one of this
// service's large create statements took about 3.7 of the 5.4 ms the whole create took there.
// So statements are prepared on their first or third use, as the PostgreSQL pool's statement
// cache does it (statement-rules.ts: PREPARED_MARK and repetition), and then each call is
// Bind/Describe/Execute/Sync only, sent to PGlite as one message. PGlite is one session, so one
// cache serves the statements run alone and those of transactions.
//
// It uses what PGlite exports for this (its protocol serializer and result parser) and, to keep
// other queries out while its messages run, the locks query() takes: the transaction lock and the
// query lock alone, the query lock inside a transaction (whose callback holds the other).
import { parse, protocol, type PGlite, type Transaction } from '@electric-sql/pglite';
import { CACHE_PREPARED, CACHE_TEXTS, isSinglePreparable, isStalePlan, PREPARE_AFTER, PREPARED_MARK, RETRY_REQUEST } from './statement-rules.ts';

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
 * The PGlite instance as Kysely's PGlite dialect sees it, with query() (its own and its
 * transactions') running the statements the rules of statement-rules.ts pick as named prepared
 * statements, the oldest closed past CACHE_PREPARED. Everything else passes through.
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
    const p = { name, types: parse.parseDescribeStatementResults(described) };
    if (prepared.size >= CACHE_PREPARED) {
      const [oldText, old] = prepared.entries().next().value as [string, Prepared];
      prepared.delete(oldText);
      await stream(concat([serialize.close({ type: 'S', name: old.name }), serialize.sync()]));
    }
    prepared.set(text, p);
    return p;
  }

  /** Runs the statement prepared; `sync` outside a transaction (PGlite's query() does the same). */
  async function run(text: string, params: readonly unknown[], options: QueryOptions, sync: boolean): Promise<Results> {
    let p = prepared.get(text);
    if (p === undefined) p = await prepare(text);
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const toText = internals.serializers[p!.types[i]!];
      return toText ? toText(v) : String(v);
    });
    const messages = await stream(
      concat([serialize.bind({ statement: p.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
    );
    if (sync) await pglite.syncToFs();
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

  /** Runs prepared under the query lock; a stale plan is prepared afresh and, outside a transaction, run again. */
  const runLocked = (text: string, params: readonly unknown[], options: QueryOptions, inTransaction: boolean): Promise<Results> =>
    internals._runExclusiveQuery(async () => {
      try {
        return await run(text, params, options, !inTransaction);
      } catch (err) {
        if (!isStalePlan(err)) throw Object.assign(err as object, { query: text, params });
        // A migration changed what the statement returns: it is prepared afresh on its next use.
        const stale = prepared.get(text);
        prepared.delete(text);
        if (stale !== undefined) await stream(concat([serialize.close({ type: 'S', name: stale.name }), serialize.sync()]));
        // Inside a transaction, which the error aborted, the request is answered "retry".
        if (inTransaction) throw Object.assign(err as object, { [RETRY_REQUEST]: true });
        return run(text, params, options, true);
      }
    });

  const query = async (text: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<Results> => {
    if (!shouldPrepare(text) || options?.blob !== undefined) return pglite.query(text, params as unknown[], options);
    await internals._checkReady();
    return internals._runExclusiveTransaction(() => runLocked(text, params, options, false));
  };

  /** A transaction's handle, with its query() running prepared statements too (the transaction holds the transaction lock already). */
  const inTransaction = (tx: Transaction): Transaction =>
    new Proxy(tx, {
      get(target, prop) {
        if (prop === 'query') {
          return async (text: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<Results> => {
            if (!shouldPrepare(text) || options?.blob !== undefined) return target.query(text, params as unknown[], options);
            if (target.closed) throw new Error('Transaction is closed');
            return runLocked(text, params, options, true);
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });

  const transaction = <T>(callback: (tx: Transaction) => Promise<T>): Promise<T> => pglite.transaction((tx) => callback(inTransaction(tx)));

  return new Proxy(pglite, {
    get(target, prop) {
      if (prop === 'query') return query;
      if (prop === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
