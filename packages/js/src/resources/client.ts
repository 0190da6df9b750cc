// The browser's Client: its sessions and the sign-in / sign-up in progress.
import type { Core } from '../core.ts';
import type { ClientJson } from '../wire.ts';
import { Session } from './session.ts';
import { SignIn } from './sign-in.ts';
import { SignUp } from './sign-up.ts';

export class Client {
  readonly id: string;
  /** Signed-in sessions (at most one: one user per browser). */
  readonly sessions: Session[];
  /** The sign-in in progress (an empty one, `id === null`, when none). */
  readonly signIn: SignIn;
  /** The sign-up in progress (an empty one, `id === null`, when none). */
  readonly signUp: SignUp;
  readonly lastActiveSessionId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;

  constructor(core: Core, j: ClientJson) {
    this.id = j.id;
    this.sessions = j.sessions.map((s) => new Session(core, s));
    this.signIn = new SignIn(core, j.sign_in);
    this.signUp = new SignUp(core, j.sign_up);
    this.lastActiveSessionId = j.last_active_session_id;
    this.createdAt = new Date(j.created_at);
    this.updatedAt = new Date(j.updated_at);
  }

  /** The last active session, or null when signed out. */
  get activeSession(): Session | null {
    const live = this.sessions.filter((s) => s.status === 'active');
    return live.find((s) => s.id === this.lastActiveSessionId) ?? [...live].sort((a, b) => b.lastActiveAt.getTime() - a.lastActiveAt.getTime())[0] ?? null;
  }
}
