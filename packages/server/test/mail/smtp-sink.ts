// A real SMTP server (the `smtp-server` package) for the mail tests, with a minimal MIME reader
// for what the worker sends: a multipart/alternative message with a text and an HTML part, each
// quoted-printable or base64 encoded. Replies can be scripted per RCPT/DATA to simulate 4xx/5xx.
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  /** RCPT TO addresses of the SMTP envelope. */
  envelopeTo: string[];
  headers: Map<string, string>;
  messageId: string;
  subject: string;
  text: string;
  html: string;
}

/** An SMTP reply to force, e.g. { code: 451, message: 'try later' }; undefined accepts. */
export interface ScriptedReply {
  code: number;
  message: string;
}

export interface SmtpSinkOptions {
  /** Listen on this port (e.g. one from freePort() that a worker already failed to reach). */
  port?: number;
  /** Called for every RCPT TO with a running count (1-based) across the sink's life. */
  onRcptTo?: (address: string, count: number) => ScriptedReply | undefined;
  /** Called after the message body was read; the reply to the end of DATA. */
  onData?: (mail: ReceivedMail, count: number) => ScriptedReply | undefined | Promise<ScriptedReply | undefined>;
}

export interface SmtpSink {
  port: number;
  /** SMTP_URL for the worker. */
  url: string;
  /** Messages accepted with 250, in arrival order. */
  received: ReceivedMail[];
  rcptCount(): number;
  /** Resolves once `n` messages were accepted, or rejects after timeoutMs. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

function replyError(r: ScriptedReply): Error {
  return Object.assign(new Error(r.message), { responseCode: r.code });
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let rcpts = 0;
  let datas = 0;
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // close() otherwise waits up to 30 s for clients (a pooled transport keeps its connections).
    closeTimeout: 50,
    onRcptTo(address, _session, callback) {
      rcpts += 1;
      const r = opts.onRcptTo?.(address.address, rcpts);
      callback(r ? replyError(r) : null);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        datas += 1;
        const mail = parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((a) => a.address));
        Promise.resolve(opts.onData?.(mail, datas)).then(
          (r) => {
            if (r) return callback(replyError(r));
            received.push(mail);
            for (const w of waiters.splice(0)) w();
            callback(null);
          },
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
        );
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const addr = server.server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : 0);
    });
  });
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    rcptCount: () => rcpts,
    waitFor(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${n} emails, got ${received.length} within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          if (received.length >= n) {
            clearTimeout(timer);
            resolve(received.slice());
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// --- a minimal MIME reader -------------------------------------------------------------------

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const idx = raw.indexOf('\r\n\r\n');
  const head = idx === -1 ? raw : raw.slice(0, idx);
  const body = idx === -1 ? '' : raw.slice(idx + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const soft = s.replace(/=\r\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) in a header value. */
export function decodeHeader(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _cs: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function parseMail(raw: string, envelopeTo: string[]): ReceivedMail {
  const { headers, body } = splitHeaders(raw);
  let text = '';
  let html = '';
  const collect = (h: Map<string, string>, b: string) => {
    const type = h.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      for (const part of b.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break;
        const p = splitHeaders(part.replace(/^\r\n/, ''));
        collect(p.headers, p.body.replace(/\r\n$/, ''));
      }
    } else if (/^text\/html/i.test(type)) {
      html += decodeBody(b, h.get('content-transfer-encoding'));
    } else if (/^text\/plain/i.test(type)) {
      text += decodeBody(b, h.get('content-transfer-encoding'));
    }
  };
  collect(headers, body);
  return {
    raw,
    envelopeTo,
    headers,
    messageId: headers.get('message-id') ?? '',
    subject: decodeHeader(headers.get('subject') ?? ''),
    text,
    html,
  };
}
