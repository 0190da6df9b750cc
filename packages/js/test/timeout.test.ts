// A Frontend API request that never gets an answer fails after requestTimeoutMs, as a network
// error (TypeError: the components show their network message), instead of leaving the page busy
// for good. The peer is a real TCP server that accepts the connection and never answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createTessera } from '../src/index.ts';

describe('request timeout', () => {
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  before(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('an unanswered request fails as a network error after requestTimeoutMs', async () => {
    const tessera = createTessera({ frontendApi: `http://127.0.0.1:${port}`, requestTimeoutMs: 200 });
    const started = Date.now();
    await assert.rejects(tessera.load(), (err: unknown) => err instanceof TypeError && /got no answer within 200 ms/.test(err.message));
    const took = Date.now() - started;
    assert.ok(took >= 150 && took < 5_000, `failed after ${took} ms`);
  });
});
