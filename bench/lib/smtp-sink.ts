// A local SMTP sink for bench:drain and bench:compare (the `smtp-server` package, as in the mail
// tests): it accepts every message with 250 and records, per Message-ID, when the end of its DATA
// was accepted. It keeps no bodies (the bench counts and times; the mail tests check what is sent).
// With a delay, each 250 comes that long after the end of DATA (a slow mail provider).
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  /** Accepted messages: Message-ID (with its angle brackets) → Date.now() at the 250. */
  readonly accepted: Map<string, number>;
  /** Milliseconds between the end of a message's DATA and its 250, from now on (default 0). */
  setDelay(ms: number): void;
  /** Resolves once `n` messages were accepted; rejects after timeoutMs. */
  waitFor(n: number, timeoutMs: number): Promise<void>;
  /** Resolves once every one of these Message-IDs was accepted; rejects after timeoutMs. */
  waitForIds(ids: readonly string[], timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]+>)/im;

export async function startSmtpSink(): Promise<SmtpSink> {
  const accepted = new Map<string, number>();
  let delayMs = 0;
  let waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A pooled client keeps its connections open: close() would otherwise wait 30 s for them.
    closeTimeout: 50,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const id = MESSAGE_ID.exec(head.slice(0, head.indexOf('\r\n\r\n') === -1 ? undefined : head.indexOf('\r\n\r\n')))?.[1];
        if (id === undefined) return callback(new Error('no Message-ID header'));
        const accept = () => {
          accepted.set(id, Date.now());
          const ready = waiters;
          waiters = [];
          for (const w of ready) w();
          callback(null);
        };
        if (delayMs > 0) setTimeout(accept, delayMs);
        else accept();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
    });
  });
  /** Resolves when done() holds, checked after every accepted message; rejects after timeoutMs. */
  const until = (done: () => boolean, timeoutMs: number, what: () => string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what()} within ${timeoutMs / 1000} s`)), timeoutMs);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    setDelay: (ms) => {
      delayMs = ms;
    },
    waitFor: (n, timeoutMs) => until(() => accepted.size >= n, timeoutMs, () => `the sink accepted ${accepted.size} of ${n} emails`),
    waitForIds(ids, timeoutMs) {
      let next = 0; // ids before it are known to be accepted
      const done = () => {
        while (next < ids.length && accepted.has(ids[next]!)) next += 1;
        return next === ids.length;
      };
      return until(done, timeoutMs, () => `the sink accepted ${next} of ${ids.length} emails`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
