// The arithmetic behind list totals read from trigger-kept counters (application and organization
// invitations alike): stored counters still count a pending row past its expiry as pending, while
// every read treats it as expired, so `stale` moves from one to the other.
import type { InvitationStatus } from './invitation.table.ts';

export function totalFromCounters(
  stored: readonly { status: InvitationStatus; n: number | string | bigint | null }[],
  stale: number,
  statuses: readonly InvitationStatus[],
): number {
  const count = (s: InvitationStatus) => Number(stored.find((r) => r.status === s)?.n ?? 0);
  const effective: Record<InvitationStatus, number> = {
    pending: count('pending') - stale,
    expired: count('expired') + stale,
    accepted: count('accepted'),
    revoked: count('revoked'),
  };
  return [...new Set(statuses)].reduce((sum, s) => sum + effective[s], 0);
}
