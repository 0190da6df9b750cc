// SMTP through one pooled nodemailer transport: a few long-lived connections carry many messages,
// which is what makes a thousand emails a second possible; opening a connection per email is not.
import nodemailer from 'nodemailer';
import { classifySendError, type MailTransport, type OutgoingEmail } from './transport.ts';

export interface SmtpTransportOptions {
  /** Parallel SMTP connections (default 10). */
  maxConnections?: number;
}

/**
 * Splits `Name <address>` into its parts. config.ts builds the default TESSERA_MAIL_FROM as
 * `${appName} <no-reply@host>` without quoting the name, so an app name with `<`, `>`, `,` or `"`
 * would be read by nodemailer as a different (invalid) sender; given as an object, the name is
 * quoted and encoded by nodemailer instead. The address is the last `<…>` that holds an `@`.
 */
export function parseMailbox(s: string): { name: string; address: string } {
  const m = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/s.exec(s);
  if (!m) return { name: '', address: s.trim() };
  const raw = m[1]!;
  const quoted = /^"(.*)"$/s.exec(raw);
  return { name: quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : raw, address: m[2]! };
}

export function createSmtpTransport(url: string, opts: SmtpTransportOptions = {}): MailTransport {
  const mailer = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: opts.maxConnections ?? 10,
    // Reconnecting every 100 messages (the default) costs a handshake for little gain.
    maxMessages: 1000,
    // nodemailer's defaults (2 min to connect, 10 min of socket silence) would keep a row leased
    // for that long on a dead server; these bound one attempt to well under the worker's lease.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    dnsTimeout: 10_000,
  });
  return {
    name: 'smtp',
    async send(email: OutgoingEmail) {
      try {
        // sendMail resolves only after the server's 2xx to the end of DATA.
        await mailer.sendMail({
          messageId: email.messageId,
          from: parseMailbox(email.from),
          // An address object, not a string: nodemailer does not parse it for more addresses.
          to: { name: '', address: email.to },
          subject: email.subject,
          text: email.text,
          html: email.html,
          // Our content never refers to files or URLs; refuse them outright.
          disableFileAccess: true,
          disableUrlAccess: true,
        });
      } catch (err) {
        throw classifySendError(err);
      }
    },
    async close() {
      mailer.close();
    },
  };
}
