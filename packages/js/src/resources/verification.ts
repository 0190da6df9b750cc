import { dateOrNull } from '../core.ts';
import type { VerificationJson } from '../wire.ts';

/** A verification in progress or done (a sign-up's email address, a sign-in's first factor). */
export interface Verification {
  status: VerificationJson['status'];
  /** ticket | email_code | password */
  strategy: string | null;
  /** Failed attempts so far. */
  attempts: number | null;
  expireAt: Date | null;
  /** "" or `needs_prepare` | `needs_attempt`. */
  nextAction: string;
  supportedStrategies: string[];
}

export function verificationFromJson(j: VerificationJson | null): Verification | null {
  if (!j) return null;
  return {
    status: j.status,
    strategy: j.strategy,
    attempts: j.attempts,
    expireAt: dateOrNull(j.expire_at),
    nextAction: j.next_action,
    supportedStrategies: j.supported_strategies,
  };
}

/** The `__clerk_ticket` of the page's URL (invitation links land there), if any. */
export function ticketFromLocation(): string | undefined {
  const search = (globalThis as { location?: { search?: string } }).location?.search;
  return search ? new URLSearchParams(search).get('__clerk_ticket') ?? undefined : undefined;
}
