// How an email leaves the outbox. Two transports: SMTP (config.smtpUrl set) and the dev mailbox
// (outbox rows marked `mailbox`, rendered when the mailbox is read). `send` hands the message to
// the next hop and resolves only once that hop accepted it. A transport with `recordSent` delivers
// inside the database instead: the worker never calls its `send`, and marks a batch delivered with
// `recordSent` in the transaction that locks the outbox rows.
//
// A server without SMTP_URL does not even need the worker for the emails it writes itself: they
// are delivered into the dev mailbox by the transaction that writes them (deliversToMailbox). The
// worker's dev-mailbox path serves rows written otherwise (by a server with SMTP_URL, before a
// restart without it).
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
  /** Delivers these outbox rows (already rendered once, so known to render) inside the database. */
  recordSent?(trx: Transaction<Database>, outboxIds: readonly number[]): Promise<void>;
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

/**
 * Whether the emails this server writes are delivered into the dev mailbox by the transaction that
 * writes them: yes without SMTP_URL (only test instances may run without it, config.ts).
 */
export function deliversToMailbox(config: Pick<Config, 'smtpUrl'>): boolean {
  return config.smtpUrl === null;
}

export function createMailTransport(config: Config): MailTransport {
  return config.smtpUrl ? createSmtpTransport(config.smtpUrl) : createDevMailboxTransport();
}
