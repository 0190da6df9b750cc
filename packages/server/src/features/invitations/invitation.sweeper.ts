// Background upkeep: pending invitations (application and organization) past their expiry are
// rewritten to 'expired' in batches.
// Correctness never depends on it (reads compute expiry themselves); it keeps list counts cheap.
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/database.ts';
import { expireOverdueInvitations } from './invitation.repository.ts';
import { expireOverdueOrganizationInvitations } from '../organization-invitations/organization-invitation.repository.ts';

export interface Sweeper {
  /** Sweep until no overdue row is left; returns how many rows were rewritten. */
  sweepNow(): Promise<number>;
  stop(): Promise<void>;
}

export function startExpirySweeper(db: Kysely<Database>, log: FastifyBaseLogger, intervalMs = 60_000, batch = 2_000): Sweeper {
  let running: Promise<number> | null = null;
  const sweepNow = async (): Promise<number> => {
    let total = 0;
    for (const sweep of [expireOverdueInvitations, expireOverdueOrganizationInvitations]) {
      for (;;) {
        const n = await sweep(db, batch);
        total += n;
        if (n < batch) break;
      }
    }
    return total;
  };
  const tick = () => {
    if (running) return;
    running = sweepNow()
      .catch((err: unknown) => {
        log.warn({ err }, 'invitation expiry sweep failed');
        return 0;
      })
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    sweepNow,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
