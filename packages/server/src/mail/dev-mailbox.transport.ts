// The dev mailbox: with no SMTP_URL, "sending" is storing the email in dev_emails, in the same
// transaction that locks the outbox rows and marks them sent (recordSent; the worker never calls
// send for it). A re-delivered row (same Message-ID) is stored once.
import { insertDevEmails } from '../features/dev-mailbox/dev-mailbox.repository.ts';
import type { MailTransport } from './transport.ts';

export function createDevMailboxTransport(): MailTransport {
  return {
    name: 'dev-mailbox',
    async send() {
      // Never called by the worker (recordSent delivers); nothing leaves the process.
    },
    async recordSent(trx, emails) {
      await insertDevEmails(
        trx,
        emails.map((e) => ({ message_id: e.messageId, from_address: e.from, to_address: e.to, subject: e.subject, html: e.html, text: e.text })),
      );
    },
    async close() {},
  };
}
