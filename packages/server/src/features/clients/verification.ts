// Email codes, shared by sign-up (verifying the address) and sign-in (a first factor): mint one,
// queue its email in the caller's transaction, and judge an attempt against the stored state.
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../http/errors.ts';
import { CODE_MAX_ATTEMPTS, CODE_TTL_SECONDS, codeMatches, hashCode, mintCode } from '../../lib/codes.ts';
import { outboxSecretBox } from '../../lib/secret-box.ts';
import { enqueueEmails } from '../../mail/outbox.repository.ts';
import { deliversToMailbox } from '../../mail/transport.ts';

export interface MintedCode {
  hash: Buffer;
  expiresAt: Date;
  /** Queues the email with the code, in the transaction that stores the hash. */
  enqueue(trx: Transaction<Database>): Promise<void>;
}

/** A new code for `scope` (e.g. `sign_up:<id>`), to be emailed to `to`. */
export function newEmailCode(deps: Deps, scope: string, to: string, purpose: 'sign_up' | 'sign_in' | 'email_address'): MintedCode {
  const code = mintCode();
  const expiresAt = new Date(Date.now() + CODE_TTL_SECONDS * 1000);
  return {
    hash: hashCode(scope, code),
    expiresAt,
    enqueue: (trx) =>
      enqueueEmails(
        trx,
        [{
          template: 'verification_code',
          to,
          vars: { app_name: deps.config.appName, expires_at: expiresAt.getTime(), purpose },
          sealed: { code: outboxSecretBox(deps.instance.secretKey).seal(code) },
        }],
        new URL(deps.config.publicUrl).hostname,
        deliversToMailbox(deps.config),
      ),
  };
}

export interface StoredCode {
  hash: Uint8Array | null;
  expiresAt: Date | null;
  attempts: number;
  failed: boolean;
}

/**
 * What an attempt comes to: `ok`; `not_started` (no code sent); `failed` (5 wrong codes already);
 * `expired`; `wrong` (counts an attempt), `wrong_final` (the fifth wrong one: the code is dead).
 */
export type CodeVerdict = 'ok' | 'not_started' | 'failed' | 'expired' | 'wrong' | 'wrong_final';

export function judgeCode(stored: StoredCode, scope: string, code: string): CodeVerdict {
  if (stored.hash === null || stored.expiresAt === null) return 'not_started';
  if (stored.failed || stored.attempts >= CODE_MAX_ATTEMPTS) return 'failed';
  if (stored.expiresAt.getTime() <= Date.now()) return 'expired';
  if (codeMatches(scope, code, stored.hash)) return 'ok';
  return stored.attempts + 1 >= CODE_MAX_ATTEMPTS ? 'wrong_final' : 'wrong';
}

export function codeError(verdict: Exclude<CodeVerdict, 'ok'>): ApiError {
  switch (verdict) {
    case 'not_started':
      return new ApiError('verification_not_started');
    case 'expired':
      return new ApiError('verification_expired');
    case 'wrong':
      return new ApiError('form_code_incorrect', { meta: { param_name: 'code' } });
    default:
      return new ApiError('verification_failed', { meta: { param_name: 'code' } });
  }
}
