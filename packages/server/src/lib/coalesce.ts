// Write coalescing: creates that arrive while earlier ones are being written are written together,
// in ONE statement, by the next one to run (group commit at the level of requests).
//
// Why: a create is a single statement, and most of its database cost is per statement (executor
// start-up for a many-CTE plan, the statement trigger, WAL flush at commit, a round trip), not per
// row. Under load, N requests written by one statement cost little more than one.
//
// The rules:
// - items are grouped (e.g. by organization): a batch holds items of one group, and at most
//   `maxInFlight` batches of one group run at once (per process). A request that finds nothing of
//   its group running runs at once, alone: no added latency when the server is not busy. One that
//   finds a run going waits until a slot frees or, with `holdMs`, until the latest run has gone on
//   that long, and is then written with whatever else waited meanwhile. Groups do not wait on each
//   other: a statement stuck on one organization's row lock holds up only that organization's
//   creates.
// - a batch never holds two items with the same `key` (e.g. one address): the later one waits for
//   a later batch, so they are written in arrival order, exactly as if one after the other.
// - `run` answers each item on its own (one outcome per item, in order): a batch is not
//   all-or-nothing. If `run` throws, every item of the batch gets that error; isolating one bad
//   item from the others is `run`'s job (retry the items one by one).

/**
 * The hold of the services' create coalescers: about what a coalesced create statement takes on a
 * healthy PostgreSQL (1–1.5 ms for a handful of items, commit included). Requests that arrive
 * while one runs wait at most this long for it before another statement starts, so a commit stuck
 * on a slow WAL flush does not serialise everything behind it. Measured on 2 cores at c=8: one
 * statement at a time did best while commits were fast (3,300–3,500 creates/s) and worst while
 * they were slow (750/s, against 1,750/s with no coalescing); up to 4 with this hold gave
 * 2,050–2,760/s in a phase where one at a time gave 1,820–1,850/s.
 */
export const WRITE_HOLD_MS = 2;

export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface CoalescerOptions<I> {
  /** Runs of one group at once; 0 means no coalescing (every item its own run, at once). */
  maxInFlight: number;
  /** Items in one run. */
  maxBatch: number;
  /** Items of different groups never share a run. */
  group?: (item: I) => string;
  /** Items with the same key never share a run. */
  key?: (item: I) => string;
  /**
   * While a group has a run going, waiting items start another one (up to maxInFlight) only once
   * the group's latest run has been going this long: they are held back to be written together,
   * but not behind a run that is slow for its own reasons (a commit waiting on a slow disk, a row
   * lock), which would leave the database idle. Default: no limit (wait for a free slot).
   */
  holdMs?: number;
}

export interface Coalescer<I, O> {
  submit(item: I): Promise<O>;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export function createCoalescer<I, O>(run: (batch: I[]) => Promise<Outcome<O>[]>, opts: CoalescerOptions<I>): Coalescer<I, O> {
  if (!Number.isInteger(opts.maxInFlight) || opts.maxInFlight < 0) throw new Error('coalescer: maxInFlight must be a non-negative integer');
  if (!Number.isInteger(opts.maxBatch) || opts.maxBatch < 1) throw new Error('coalescer: maxBatch must be a positive integer');
  const groupOf = opts.group ?? (() => '');
  const key = opts.key;
  const holdMs = opts.holdMs ?? Number.POSITIVE_INFINITY;
  interface Lane {
    queue: Waiting<I, O>[];
    inFlight: number;
    /** When the latest run started (performance.now()). */
    lastStart: number;
    /** A pump scheduled for when the hold ends. */
    timer: NodeJS.Timeout | null;
  }
  /** Per group with anything queued or running; removed when both are empty. */
  const lanes = new Map<string, Lane>();

  /** The lane's head, in arrival order, up to maxBatch, skipping repeated keys; the rest stays queued. */
  const take = (lane: { queue: Waiting<I, O>[] }): Waiting<I, O>[] => {
    const keys = new Set<string>();
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    for (const w of lane.queue) {
      const k = key?.(w.item);
      if (batch.length < opts.maxBatch && (k === undefined || !keys.has(k))) {
        batch.push(w);
        if (k !== undefined) keys.add(k);
      } else {
        rest.push(w);
      }
    }
    lane.queue = rest;
    return batch;
  };

  const settle = (batch: Waiting<I, O>[], outcomes: Outcome<O>[]) => {
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if (o === undefined) w.reject(new Error(`coalescer: the run answered ${outcomes.length} of ${batch.length} items`));
      else if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    });
  };

  /**
   * Runs one batch; `ran` is called as soon as the run is over and BEFORE its items are answered,
   * so that the next batch is already on its way to the database while this one's answers are
   * being sent. Never rejects.
   */
  const execute = (batch: Waiting<I, O>[], ran: () => void): Promise<void> => {
    let done: Promise<Outcome<O>[]>;
    try {
      done = run(batch.map((w) => w.item));
    } catch (err) {
      done = Promise.reject(err);
    }
    return done.then(
      (outcomes) => {
        ran();
        settle(batch, outcomes);
      },
      (err: unknown) => {
        ran();
        batch.forEach((w) => w.reject(err));
      },
    );
  };

  const pump = (group: string) => {
    const lane = lanes.get(group);
    if (lane === undefined) return;
    while (lane.queue.length > 0 && lane.inFlight < opts.maxInFlight) {
      if (lane.inFlight > 0) {
        const wait = lane.lastStart + holdMs - performance.now();
        if (wait > 0) {
          if (lane.timer === null && Number.isFinite(wait)) {
            lane.timer = setTimeout(() => {
              lane.timer = null;
              pump(group);
            }, Math.ceil(wait));
          }
          return;
        }
      }
      lane.inFlight += 1;
      lane.lastStart = performance.now();
      void execute(take(lane), () => {
        lane.inFlight -= 1;
        if (lane.inFlight === 0 && lane.queue.length === 0) {
          if (lane.timer !== null) clearTimeout(lane.timer);
          lanes.delete(group);
        } else {
          pump(group);
        }
      });
    }
  };

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        const waiting = { item, resolve, reject };
        if (opts.maxInFlight === 0) {
          void execute([waiting], () => {}); // no coalescing: run now, alone
          return;
        }
        const group = groupOf(item);
        let lane = lanes.get(group);
        if (lane === undefined) {
          lane = { queue: [], inFlight: 0, lastStart: 0, timer: null };
          lanes.set(group, lane);
        }
        lane.queue.push(waiting);
        pump(group);
      });
    },
  };
}

/** One outcome per promise, in order (for `run`). */
export async function settled<O>(promises: Promise<O>[]): Promise<Outcome<O>[]> {
  const results = await Promise.allSettled(promises);
  return results.map((r) => (r.status === 'fulfilled' ? { ok: true, value: r.value } : { ok: false, error: r.reason as unknown }));
}

export interface WriteCoalescing<I, O, V> {
  /** What is being written, for the log. */
  what: string;
  /** Writes one item on its own, with every rule a single request has. */
  alone: (item: I) => Promise<O>;
  /** Writes a batch (2 items or more, one group) in one statement: one verdict per item, in order. */
  together: (batch: I[]) => Promise<V[]>;
  /** An item's answer from its verdict (`alone(item)` for what the batch could not decide). */
  answer: (item: I, verdict: V) => Promise<O>;
  /** A failure of `together` that a concurrent writer can cause: redone item by item without a warning. */
  isRace: (err: unknown) => boolean;
  log: { warn: (obj: object, msg: string) => void };
  maxInFlight: number;
  maxBatch: number;
  group?: (item: I) => string;
  key?: (item: I) => string;
}

/**
 * The services' coalescer for single creates: a lone item is written alone; a batch in one
 * statement, each item answered from its own verdict; a batch whose statement failed is written
 * again item by item (an unexpected failure is logged), so each request gets exactly the answer it
 * would have got alone. Held back for WRITE_HOLD_MS.
 */
export function coalesceWrites<I, O, V>(w: WriteCoalescing<I, O, V>): Coalescer<I, O> {
  const { maxInFlight, maxBatch, group, key } = w;
  return createCoalescer<I, O>(
    async (batch) => {
      if (batch.length === 1) return settled([w.alone(batch[0]!)]);
      let verdicts: V[];
      try {
        verdicts = await w.together(batch);
      } catch (err) {
        if (!w.isRace(err)) w.log.warn({ err }, `a coalesced ${w.what} failed; writing its items one by one`);
        return settled(batch.map((item) => w.alone(item)));
      }
      return settled(batch.map((item, i) => w.answer(item, verdicts[i]!)));
    },
    { maxInFlight, maxBatch, holdMs: WRITE_HOLD_MS, group, key },
  );
}
