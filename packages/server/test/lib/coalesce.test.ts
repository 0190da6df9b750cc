// Write coalescing (src/lib/coalesce.ts): which items share a run, in which order, and how each
// item gets its own answer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCoalescer, settled, type Outcome } from '../../src/lib/coalesce.ts';

interface Item {
  id: string;
  group?: string;
  key?: string;
  fail?: boolean;
}

/** A run that records its batch and finishes only when the test says so. */
function controlledRun() {
  const runs: { batch: string[]; finish: () => void; crash: (err: Error) => void }[] = [];
  const run = (batch: Item[]) =>
    new Promise<Outcome<string>[]>((resolve, reject) => {
      runs.push({
        batch: batch.map((i) => i.id),
        finish: () => resolve(batch.map((i) => (i.fail ? { ok: false, error: new Error(`no ${i.id}`) } : { ok: true, value: `done ${i.id}` }))),
        crash: reject,
      });
    });
  return { run, runs };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createCoalescer', () => {
  it('runs a lone item at once, alone', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 1, maxBatch: 10 });
    const a = c.submit({ id: 'a' });
    assert.deepEqual(runs.map((r) => r.batch), [['a']]);
    runs[0]!.finish();
    assert.equal(await a, 'done a');
  });

  it('writes the items that arrive during a run together in the next one, in arrival order', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 1, maxBatch: 10 });
    const all = ['a', 'b', 'c', 'd'].map((id) => c.submit({ id }));
    assert.deepEqual(runs.map((r) => r.batch), [['a']]);
    runs[0]!.finish();
    await tick();
    assert.deepEqual(runs.map((r) => r.batch), [['a'], ['b', 'c', 'd']]);
    runs[1]!.finish();
    assert.deepEqual(await Promise.all(all), ['done a', 'done b', 'done c', 'done d']);
  });

  it('sends the next run on its way before answering the items of the one that just ended', async () => {
    let aAnswered = false;
    let aAnsweredWhenBStarted: boolean | undefined;
    const c = createCoalescer<Item, string>(async (batch) => {
      if (batch[0]!.id === 'b') aAnsweredWhenBStarted = aAnswered;
      await tick();
      return batch.map((i) => ({ ok: true, value: i.id }));
    }, { maxInFlight: 1, maxBatch: 10 });
    const a = c.submit({ id: 'a' }).then((v) => { aAnswered = true; return v; });
    const b = c.submit({ id: 'b' });
    assert.deepEqual(await Promise.all([a, b]), ['a', 'b']);
    assert.equal(aAnsweredWhenBStarted, false);
  });

  it('never puts two items with one key in a run: the later waits for the next run', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 1, maxBatch: 10, key: (i: Item) => i.key ?? i.id });
    const all = [c.submit({ id: '0' }), c.submit({ id: 'x1', key: 'x' }), c.submit({ id: 'y1', key: 'y' }), c.submit({ id: 'x2', key: 'x' }), c.submit({ id: 'x3', key: 'x' })];
    runs[0]!.finish();
    await tick();
    runs[1]!.finish();
    await tick();
    runs[2]!.finish();
    await tick();
    runs[3]!.finish();
    await Promise.all(all);
    assert.deepEqual(runs.map((r) => r.batch), [['0'], ['x1', 'y1'], ['x2'], ['x3']]);
  });

  it('with a hold, waiting items start another run only once the latest one has run that long', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 3, maxBatch: 10, holdMs: 40 });
    const started = performance.now();
    const all = [c.submit({ id: 'a' }), c.submit({ id: 'b' }), c.submit({ id: 'c' })];
    assert.deepEqual(runs.map((r) => r.batch), [['a']], 'b and c are held back while a runs');
    while (runs.length < 2 && performance.now() - started < 5_000) await new Promise((r) => setTimeout(r, 2));
    assert.ok(performance.now() - started >= 39, 'not before the hold');
    assert.deepEqual(runs.map((r) => r.batch), [['a'], ['b', 'c']], 'a is slow: b and c start without it');
    const d = c.submit({ id: 'd' });
    assert.equal(runs.length, 2, 'd is held back: the latest run has only just started');
    runs[0]!.finish();
    await tick();
    runs[1]!.finish();
    await tick();
    assert.deepEqual(runs.map((r) => r.batch), [['a'], ['b', 'c'], ['d']]);
    runs[2]!.finish();
    assert.deepEqual(await Promise.all([...all, d]), ['done a', 'done b', 'done c', 'done d']);
  });

  it('keeps runs to maxBatch items', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 1, maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((id) => c.submit({ id }));
    for (let i = 0; i < 3; i++) {
      runs[i]!.finish();
      await tick();
    }
    await Promise.all(all);
    assert.deepEqual(runs.map((r) => r.batch), [['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('runs groups side by side: a stuck group holds up only its own items', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 1, maxBatch: 10, group: (i: Item) => i.group! });
    const stuck = c.submit({ id: 's1', group: 'org_1' });
    const waiting = c.submit({ id: 's2', group: 'org_1' });
    const other = c.submit({ id: 'o1', group: 'org_2' });
    const other2 = c.submit({ id: 'o2', group: 'org_2' });
    assert.deepEqual(runs.map((r) => r.batch), [['s1'], ['o1']]);
    runs[1]!.finish();
    await tick();
    assert.deepEqual(runs.map((r) => r.batch), [['s1'], ['o1'], ['o2']]);
    runs[2]!.finish();
    assert.deepEqual(await Promise.all([other, other2]), ['done o1', 'done o2']);
    runs[0]!.finish();
    await tick();
    runs[3]!.finish();
    assert.deepEqual(await Promise.all([stuck, waiting]), ['done s1', 'done s2']);
  });

  it('answers each item on its own: one failure does not fail the others', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 1, maxBatch: 10 });
    const first = c.submit({ id: 'a' });
    const rest = [c.submit({ id: 'b', fail: true }), c.submit({ id: 'c' })];
    runs[0]!.finish();
    await first;
    await tick();
    runs[1]!.finish();
    const [b, cc] = await Promise.allSettled(rest);
    assert.equal(b?.status, 'rejected');
    assert.equal((b as PromiseRejectedResult).reason.message, 'no b');
    assert.deepEqual(cc, { status: 'fulfilled', value: 'done c' });
  });

  it('a run that throws fails its own batch only; the next batch still runs', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 1, maxBatch: 10 });
    const a = c.submit({ id: 'a' });
    const b = c.submit({ id: 'b' });
    runs[0]!.crash(new Error('connection lost'));
    await assert.rejects(a, /connection lost/);
    await tick();
    runs[1]!.finish();
    assert.equal(await b, 'done b');
  });

  it('a run that throws synchronously is answered as a failure, not thrown at the caller', async () => {
    const c = createCoalescer<Item, string>(() => { throw new Error('bad run'); }, { maxInFlight: 1, maxBatch: 10 });
    await assert.rejects(c.submit({ id: 'a' }), /bad run/);
    await assert.rejects(c.submit({ id: 'b' }), /bad run/);
  });

  it('a run that answers fewer items than it got fails the unanswered ones', async () => {
    const c = createCoalescer<Item, string>(async (batch) => batch.slice(1).map(() => ({ ok: true, value: 'x' })), { maxInFlight: 1, maxBatch: 10 });
    await assert.rejects(c.submit({ id: 'a' }), /answered 0 of 1/);
  });

  it('with maxInFlight 0, every item runs at once, alone', async () => {
    const { run, runs } = controlledRun();
    const c = createCoalescer(run, { maxInFlight: 0, maxBatch: 10 });
    const all = ['a', 'b', 'c'].map((id) => c.submit({ id }));
    assert.deepEqual(runs.map((r) => r.batch), [['a'], ['b'], ['c']]);
    runs.forEach((r) => r.finish());
    assert.deepEqual(await Promise.all(all), ['done a', 'done b', 'done c']);
  });

  it('refuses nonsense options', () => {
    assert.throws(() => createCoalescer(async () => [], { maxInFlight: -1, maxBatch: 1 }), /maxInFlight/);
    assert.throws(() => createCoalescer(async () => [], { maxInFlight: 1, maxBatch: 0 }), /maxBatch/);
  });
});

describe('settled', () => {
  it('gives one outcome per promise, in order', async () => {
    const err = new Error('x');
    assert.deepEqual(await settled([Promise.resolve(1), Promise.reject(err), Promise.resolve(3)]), [
      { ok: true, value: 1 },
      { ok: false, error: err },
      { ok: true, value: 3 },
    ]);
  });
});
