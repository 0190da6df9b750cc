// Housekeeping: what would otherwise grow for ever is deleted once it is old and finished.
//
// - Sent emails (the outbox's 'sent' rows, the dev mailbox's too) after TESSERA_RETENTION_DAYS
//   (default 30). Pending and dead ones stay: they are work to do, or to look into.
// - Clients (one per browser that signed in or up) whose sessions, sign-ins and sign-ups were all
//   last touched more than TESSERA_RETENTION_DAYS ago and none of whose sessions is still active;
//   with them go those sessions, sign-ins and sign-ups.
// - Addresses added from the browser and left unverified for a day (a code lives 10 minutes).
// - Kept for ever: users, organizations, memberships, invitations of every status, the audit log.
//
// It runs in the outbox worker (in the server process by default, or `npm run worker`): a minute
// after it starts, then every hour, in batches of BATCH rows, at most MAX_BATCHES per table and run.
// TESSERA_RETENTION_DAYS=0 turns it off.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { deleteSentEmails, deleteStaleClients, deleteStalePendingEmailAddresses } from './retention.repository.ts';

const DAY_MS = 24 * 3600 * 1000;
const BATCH = 1000;
const MAX_BATCHES = 100;
export const RETENTION_FIRST_RUN_MS = 60_000;
export const RETENTION_EVERY_MS = 3600_000;

export interface Pruned {
  sentEmails: number;
  clients: number;
  pendingEmailAddresses: number;
}

async function inBatches(run: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await run();
    total += n;
    if (n < BATCH) break;
  }
  return total;
}

/** One housekeeping pass, with `now` as the present. */
export async function pruneOldRecords(db: Kysely<Database>, retentionDays: number, now = new Date()): Promise<Pruned> {
  const before = new Date(now.getTime() - retentionDays * DAY_MS);
  const dayAgo = new Date(now.getTime() - DAY_MS);
  return {
    sentEmails: await inBatches(() => deleteSentEmails(db, before, BATCH)),
    clients: await inBatches(() => deleteStaleClients(db, before, BATCH)),
    pendingEmailAddresses: await inBatches(() => deleteStalePendingEmailAddresses(db, dayAgo, BATCH)),
  };
}

export interface Housekeeping {
  /** Cancels the next run and waits for one in progress. */
  stop(): Promise<void>;
}

/** Runs pruneOldRecords on its schedule until stopped; a failure is logged and retried at the next run. */
export function startHousekeeping(deps: {
  db: Kysely<Database>;
  retentionDays: number;
  log: { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}): Housekeeping {
  if (deps.retentionDays === 0) return { stop: async () => {} };
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    // Never what keeps a process alive.
    timer = setTimeout(() => {
      running = run();
    }, ms).unref();
  };
  const run = async () => {
    try {
      const pruned = await pruneOldRecords(deps.db, deps.retentionDays);
      if (pruned.sentEmails + pruned.clients + pruned.pendingEmailAddresses > 0) deps.log.info({ pruned }, 'housekeeping: old records deleted');
    } catch (err) {
      deps.log.error({ err }, 'housekeeping failed; retrying at the next run');
    }
    schedule(RETENTION_EVERY_MS);
  };
  schedule(RETENTION_FIRST_RUN_MS);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
