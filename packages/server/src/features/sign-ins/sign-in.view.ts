// The SignIn object: what the browser may know of an attempt (never whether a password is right
// before it is tried, never the address in full before the identifier was given).
import type { Deps } from '../../deps.ts';
import { ms } from '../../http/schemas.ts';
import type { FrontendVerificationJson } from '../clients/client.schemas.ts';
import { findSignInUserById, type SignInUser } from './sign-in.repository.ts';
import type { SignInJson } from './sign-in.schemas.ts';
import type { SignInRow } from './sign-in.table.ts';

/** "ad***@example.com" */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  return `${local.slice(0, Math.min(2, local.length))}***${email.slice(at)}`;
}

export function firstFactorsOf(user: SignInUser): SignInJson['supported_first_factors'] {
  const factors: SignInJson['supported_first_factors'] = [];
  if (user.password_digest !== null) factors.push({ strategy: 'password' });
  factors.push({ strategy: 'email_code', safe_identifier: maskEmail(user.email), email_address_id: user.email_address_id, primary: true });
  return factors;
}

function verificationJson(row: SignInRow): FrontendVerificationJson | null {
  if (row.first_factor_status === null) return null;
  return {
    object: 'verification',
    status: row.first_factor_status,
    strategy: row.first_factor_strategy,
    attempts: row.first_factor_strategy === 'email_code' ? row.code_attempts : null,
    expire_at: row.code_expires_at ? ms(row.code_expires_at) : null,
    next_action: row.first_factor_status === 'unverified' ? 'needs_attempt' : '',
    supported_strategies: [],
  };
}

export async function signInToJson(deps: Deps, row: SignInRow, knownUser?: SignInUser): Promise<SignInJson> {
  const user = knownUser ?? (row.user_id !== null ? await findSignInUserById(deps.db, row.user_id, row.code_email_address_id) : undefined);
  return {
    object: 'sign_in_attempt',
    id: row.id,
    status: row.status,
    supported_identifiers: ['email_address'],
    identifier: row.identifier,
    supported_first_factors: user && row.status !== 'complete' ? firstFactorsOf(user) : [],
    supported_second_factors: null,
    first_factor_verification: verificationJson(row),
    second_factor_verification: null,
    user_data: user ? { first_name: user.first_name, last_name: user.last_name, image_url: '', has_image: false } : null,
    created_session_id: row.created_session_id,
    abandon_at: ms(row.abandon_at),
  };
}
