// The test harness itself: a port taken between freePort() and listen (another process's outgoing
// connection can take it: ports come from the same ephemeral range) is retried on another port,
// and the attempt that failed leaves nothing running. Its outbox worker, left polling, once kept a
// test file's process alive and hung the whole run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { freePort, startTestApp, storeName } from '../helpers/app.ts';

describe(`test harness (${storeName})`, () => {
  it('retries on another port when the one it was given is taken, and the failed attempt stops its worker', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    const handed: number[] = [];
    const t = await startTestApp({
      worker: true,
      port: async () => {
        const port = handed.length === 0 ? taken : await freePort();
        handed.push(port);
        return port;
      },
    });
    try {
      assert.equal(handed.length, 2);
      assert.equal(handed[0], taken);
      assert.equal(t.url, `http://127.0.0.1:${handed[1]}`);
      assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
      // Only the second attempt's worker runs: the first one's was stopped (one drain per call here).
      assert.equal(await t.worker!.drainOnce(), 0);
    } finally {
      await t.close();
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
