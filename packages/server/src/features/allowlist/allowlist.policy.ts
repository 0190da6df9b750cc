// Who may sign up without an invitation (TESSERA_SIGN_UP_MODE):
// - public: anyone;
// - restricted: nobody (403 sign_up_mode_restricted): accounts come from invitations only (seed 002);
// - allowlist: only addresses on the allowlist, exactly or by `*@domain` (403 not_allowed_access).
// A valid invitation ticket is always enough: the invitation is the permission.
import type { Deps } from '../../deps.ts';
import { ApiError } from '../../http/errors.ts';
import { isEmailAllowlisted } from './allowlist.repository.ts';

export async function ensureMaySignUp(deps: Deps, email: string): Promise<void> {
  switch (deps.config.signUpMode) {
    case 'public':
      return;
    case 'restricted':
      throw new ApiError('sign_up_mode_restricted');
    case 'allowlist':
      if (!(await isEmailAllowlisted(deps.db, email))) throw new ApiError('not_allowed_access', { meta: { param_name: 'email_address' } });
  }
}
