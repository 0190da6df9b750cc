// The Frontend API answers a few paths the Backend API also has (an organization's invitations
// and members: the calls behind useOrganization()). One server serves both, so a route constraint
// tells them apart: a request with `Authorization: Bearer …` is the Backend API's; one without is
// the Frontend API's when a frontend route exists for its path, and otherwise falls through to the
// Backend API route, which answers 401 as before.
import type { IncomingMessage } from 'node:http';
import type { ConstraintStrategy, HTTPVersion, Handler } from 'find-my-way';

type Store = Handler<HTTPVersion.V1>;

export const apiConstraint: ConstraintStrategy<HTTPVersion.V1, string> = {
  name: 'api',
  storage() {
    const stores = new Map<string, Store>();
    return {
      get: (value: string) => stores.get(value) ?? null,
      set: (value: string, store: Store) => void stores.set(value, store),
    };
  },
  deriveConstraint(req: IncomingMessage): string {
    const auth = req.headers.authorization;
    return typeof auth === 'string' && /^bearer\s/i.test(auth) ? 'backend' : 'frontend';
  },
  mustMatchWhenDerived: false,
  validate(value: unknown) {
    if (value !== 'frontend' && value !== 'backend') throw new Error('api constraint must be frontend or backend');
  },
};

/** Paths a browser calls cross-origin (CORS preflights are answered for these). */
export const FRONTEND_PATHS = [
  '/v1/environment',
  '/v1/client',
  '/v1/client/*',
  '/v1/me',
  '/v1/me/*',
  '/v1/organizations',
  '/v1/organizations/*',
] as const;
