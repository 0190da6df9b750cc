// A statement built with Kysely once, then run many times with other values. Building and
// compiling a large statement (many CTEs, embedded query builders) costs the server more CPU than
// sending it; on a hot path (a ticket sign-in) that is worth doing once. Every value that changes
// from call to call is a named slot; the text is the very same string every time, so the
// statement cache (db/open.ts) finds its prepared statement without hashing a new string.
import { CompiledQuery, type Kysely, type RawBuilder, sql } from 'kysely';

const SLOT = Symbol('tessera.slot');
interface Slot {
  readonly [SLOT]: string;
}
const isSlot = (p: unknown): p is Slot => typeof p === 'object' && p !== null && SLOT in p;

/** Stands for the value of the slot `name` in the statement being built. */
export type SlotValue = <T = unknown>(name: string) => RawBuilder<T>;

interface Template {
  sql: string;
  /** The compiled parameters: constants as they are, slots where a call's values go. */
  parameters: readonly unknown[];
  names: ReadonlySet<string>;
}

/**
 * `build` is called once per database handle (the first time the statement runs on it), with
 * `v(name)` for each value that varies; the returned function gives the compiled statement for
 * one call's values (every slot needs one; an extra or missing name is a programming error).
 */
export function compileOnce<K extends string>(
  build: (db: Kysely<any>, v: (name: K) => RawBuilder<any>) => RawBuilder<unknown>,
): <R>(db: Kysely<any>, values: Readonly<Record<K, unknown>>) => CompiledQuery<R> {
  const templates = new WeakMap<object, Template>();
  return <R>(db: Kysely<any>, values: Readonly<Record<K, unknown>>): CompiledQuery<R> => {
    let t = templates.get(db);
    if (t === undefined) {
      const names = new Set<string>();
      const compiled = build(db, (name) => {
        names.add(name);
        const slot: Slot = { [SLOT]: name };
        return sql.val(slot);
      }).compile(db);
      t = { sql: compiled.sql, parameters: compiled.parameters, names };
      templates.set(db, t);
    }
    for (const name of t.names) if (!(name in values)) throw new Error(`compileOnce: no value for slot "${name}"`);
    if (Object.keys(values).length !== t.names.size) throw new Error(`compileOnce: values for slots the statement does not have: ${Object.keys(values).filter((k) => !t!.names.has(k)).join(', ')}`);
    const parameters = t.parameters.map((p) => (isSlot(p) ? values[p[SLOT] as K] : p));
    return CompiledQuery.raw(t.sql, parameters) as CompiledQuery<R>;
  };
}
