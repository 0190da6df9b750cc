// The dev mailbox as the worker's transport: "sending" a row is marking it delivered into the
// mailbox (mailbox = true, status 'sent', its link kept sealed), in the transaction that locks it;
// the mailbox renders it when read. The worker never calls send. Rows a server without SMTP_URL
// writes are delivered by their own transaction and never reach the worker (transport.ts).
import { markDeliveredToMailbox } from './outbox.repository.ts';
import type { MailTransport } from './transport.ts';

export function createDevMailboxTransport(): MailTransport {
  return {
    name: 'dev-mailbox',
    async send() {
      // Never called by the worker (recordSent delivers); nothing leaves the process.
    },
    async recordSent(trx, outboxIds) {
      await markDeliveredToMailbox(trx, outboxIds);
    },
    async close() {},
  };
}
