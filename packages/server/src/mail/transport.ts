// How an email leaves the outbox. Two transports: SMTP (config.smtpUrl set) and the dev mailbox
// (the dev_emails table). `send` hands the message to the next hop and resolves only once that hop
// accepted it. A transport with `recordSent` delivers inside the database instead: the worker
// never calls its `send`, and stores a batch with `recordSent` in the transaction that locks the
// outbox rows and marks them sent, so storing and marking are one commit.
import type { Transaction } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { createDevMailboxTransport } from './dev-mailbox.transport.ts';
import { createSmtpTransport } from './smtp.transport.ts';

export interface OutgoingEmail {
  /** The outbox row's stable Message-ID, `<uuid@host>`: the same on every attempt. */
  messageId: string;
  from: string;
  /** One canonical address (security.md), never a list. */
  to: string;
  subject: string;
  html: string;
  text: string;
}

export interface MailTransport {
  readonly name: 'smtp' | 'dev-mailbox';
  /** Resolves when the next hop accepted the message (SMTP 250); rejects otherwise. */
  send(email: OutgoingEmail): Promise<void>;
  recordSent?(trx: Transaction<Database>, emails: readonly OutgoingEmail[]): Promise<void>;
  close(): Promise<void>;
}

/** Why a send failed, and whether trying again can help. */
export class DeliveryError extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
    this.name = 'DeliveryError';
  }
}

interface SmtpLikeError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/**
 * Only a 5xx reply to the message itself (MAIL/RCPT/DATA: nodemailer's EENVELOPE/EMESSAGE) is
 * permanent: the server said this message will never be accepted. Everything else is retried:
 * 4xx replies, refused connections, timeouts, and also a 5xx at connect or AUTH time (EAUTH,
 * a 554 greeting), because those say the server or our credentials are wrong, not the message —
 * dead-lettering every queued invitation over a bad password would lose them all at once.
 */
export function classifySendError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e: SmtpLikeError = typeof err === 'object' && err !== null ? (err as SmtpLikeError) : {};
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const code = typeof e.code === 'string' ? e.code : null;
  const detail =
    typeof e.response === 'string' && e.response !== ''
      ? e.response
      : typeof e.message === 'string'
        ? e.message
        : String(err);
  const permanent = responseCode !== null && responseCode >= 500 && responseCode < 600 && (code === 'EENVELOPE' || code === 'EMESSAGE');
  // e.g. "EENVELOPE: 550 no such user", "ESOCKET: connect ECONNREFUSED 127.0.0.1:2525"
  return new DeliveryError(`${code !== null ? `${code}: ` : ''}${detail}`.slice(0, 1000), permanent);
}

export function createMailTransport(config: Config): MailTransport {
  return config.smtpUrl ? createSmtpTransport(config.smtpUrl) : createDevMailboxTransport();
}
