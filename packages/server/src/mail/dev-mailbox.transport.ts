// The dev mailbox: with no SMTP_URL, "sending" is storing the email in dev_emails, in the same
// transaction that marks the outbox row sent (recordSent). A re-delivered row (same Message-ID)
// is stored once.
import { insertDevEmails } from '../features/dev-mailbox/dev-mailbox.repository.ts';
import type { MailTransport } from './transport.ts';

export function createDevMailboxTransport(): MailTransport {
  return {
    name: 'dev-mailbox',
    async send() {
      // Nothing leaves the process; the store happens in recordSent.
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
