// React hooks over a Tessera instance, shaped like @clerk/clerk-react's so pages ported from Clerk
// keep working. Every hook must be under a <TesseraProvider>. Until the instance has loaded,
// `isLoaded` is false and the resources are `undefined`; once loaded, a missing resource is `null`.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GetTokenOptions } from '../core.ts';
import type {
  GetInvitationsParams,
  GetMembershipsParams,
  Organization,
  OrganizationInvitation,
  OrganizationMembership,
  PaginatedResources,
  PaginationParams,
  UserOrganizationInvitation,
} from '../resources/organization.ts';
import type { Session } from '../resources/session.ts';
import type { SignIn } from '../resources/sign-in.ts';
import type { SignUp } from '../resources/sign-up.ts';
import type { GetUserInvitationsParams, User } from '../resources/user.ts';
import type { CreateOrganizationParams, SetActiveParams, SignOutOptions, Tessera, TesseraEvent } from '../tessera.ts';
import { useTesseraContext } from './provider.tsx';

export type SetActive = (params: SetActiveParams) => Promise<void>;
export type GetToken = (options?: GetTokenOptions) => Promise<string | null>;
export type SignOut = (options?: SignOutOptions) => Promise<void>;
/** Checks the active organization's role or permission (false when there is none). */
export type Has = (params: { role?: string; permission?: string }) => boolean;

function useSetActive(tessera: Tessera): SetActive {
  return useCallback((params: SetActiveParams) => tessera.setActive(params), [tessera]);
}

// ---------------------------------------------------------------- useAuth

interface AuthActions {
  /** A session token for your backend (cached, refreshed before it expires); null when signed out. */
  getToken: GetToken;
  signOut: SignOut;
  has: Has;
}

export type UseAuthReturn =
  | ({ isLoaded: false; isSignedIn: undefined; userId: undefined; sessionId: undefined; orgId: undefined; orgRole: undefined; orgSlug: undefined; orgPermissions: undefined } & AuthActions)
  | ({ isLoaded: true; isSignedIn: false; userId: null; sessionId: null; orgId: null; orgRole: null; orgSlug: null; orgPermissions: null } & AuthActions)
  | ({
      isLoaded: true;
      isSignedIn: true;
      userId: string;
      sessionId: string;
      /** The session's active organization, or null. */
      orgId: string | null;
      /** The user's role key in it (e.g. `org:admin`), or null. */
      orgRole: string | null;
      orgSlug: string | null;
      orgPermissions: string[] | null;
    } & AuthActions);

/** Who is signed in, the active organization and role, and getToken / signOut. */
export function useAuth(): UseAuthReturn {
  const { tessera } = useTesseraContext();
  const getToken = useCallback<GetToken>((options) => tessera.session?.getToken(options) ?? Promise.resolve(null), [tessera]);
  const signOut = useCallback<SignOut>((options) => tessera.signOut(options), [tessera]);
  const session = tessera.session;
  const orgId = session?.lastActiveOrganizationId ?? null;
  const membership = tessera.membership && tessera.membership.organization.id === orgId ? tessera.membership : null;
  const has = useCallback<Has>(
    ({ role, permission }) => {
      const m = tessera.membership;
      if (!m || (role === undefined && permission === undefined)) return false;
      return (role === undefined || m.role === role) && (permission === undefined || m.permissions.includes(permission));
    },
    [tessera],
  );
  const actions = { getToken, signOut, has };
  if (!tessera.loaded) {
    return { isLoaded: false, isSignedIn: undefined, userId: undefined, sessionId: undefined, orgId: undefined, orgRole: undefined, orgSlug: undefined, orgPermissions: undefined, ...actions };
  }
  if (!session) return { isLoaded: true, isSignedIn: false, userId: null, sessionId: null, orgId: null, orgRole: null, orgSlug: null, orgPermissions: null, ...actions };
  return {
    isLoaded: true,
    isSignedIn: true,
    userId: session.user.id,
    sessionId: session.id,
    orgId,
    orgRole: membership?.role ?? null,
    orgSlug: membership?.organization.slug ?? null,
    orgPermissions: membership?.permissions ?? null,
    ...actions,
  };
}

// ---------------------------------------------------------------- useUser / useSession

export type UseUserReturn =
  | { isLoaded: false; isSignedIn: undefined; user: undefined }
  | { isLoaded: true; isSignedIn: false; user: null }
  | { isLoaded: true; isSignedIn: true; user: User };

export function useUser(): UseUserReturn {
  const { tessera } = useTesseraContext();
  if (!tessera.loaded) return { isLoaded: false, isSignedIn: undefined, user: undefined };
  const user = tessera.user;
  return user ? { isLoaded: true, isSignedIn: true, user } : { isLoaded: true, isSignedIn: false, user: null };
}

export type UseSessionReturn =
  | { isLoaded: false; isSignedIn: undefined; session: undefined }
  | { isLoaded: true; isSignedIn: false; session: null }
  | { isLoaded: true; isSignedIn: true; session: Session };

export function useSession(): UseSessionReturn {
  const { tessera } = useTesseraContext();
  if (!tessera.loaded) return { isLoaded: false, isSignedIn: undefined, session: undefined };
  const session = tessera.session;
  return session ? { isLoaded: true, isSignedIn: true, session } : { isLoaded: true, isSignedIn: false, session: null };
}

// ---------------------------------------------------------------- useSignUp / useSignIn

export type UseSignUpReturn = { isLoaded: false; signUp: undefined; setActive: undefined } | { isLoaded: true; signUp: SignUp; setActive: SetActive };

/** The sign-up attempt (`signUp.create(…)` starts one) and setActive for its `createdSessionId`. */
export function useSignUp(): UseSignUpReturn {
  const { tessera } = useTesseraContext();
  const setActive = useSetActive(tessera);
  return tessera.loaded ? { isLoaded: true, signUp: tessera.signUp, setActive } : { isLoaded: false, signUp: undefined, setActive: undefined };
}

export type UseSignInReturn = { isLoaded: false; signIn: undefined; setActive: undefined } | { isLoaded: true; signIn: SignIn; setActive: SetActive };

/** The sign-in attempt (`signIn.create(…)` starts one) and setActive for its `createdSessionId`. */
export function useSignIn(): UseSignInReturn {
  const { tessera } = useTesseraContext();
  const setActive = useSetActive(tessera);
  return tessera.loaded ? { isLoaded: true, signIn: tessera.signIn, setActive } : { isLoaded: false, signIn: undefined, setActive: undefined };
}

// ---------------------------------------------------------------- lists

/**
 * A list fetched for `key` (null: nothing to fetch), fetched again when `key` changes or an event
 * of `refreshOn` (for `organizationId`, when given) arrives. While a new key loads: undefined;
 * while the same key refreshes: the previous value (no flicker). A failed fetch: null.
 */
function useFetched<T>(tessera: Tessera, key: string | null, fetcher: () => Promise<T>, refreshOn: TesseraEvent['type'], organizationId?: string): T | null | undefined {
  const [state, setState] = useState<{ key: string; value: T | null } | null>(null);
  const [tick, setTick] = useState(0);
  const fetcherRef = useRef(fetcher);
  useEffect(() => {
    fetcherRef.current = fetcher;
  });
  useEffect(
    () =>
      tessera.addListener((e) => {
        if (e.type === refreshOn && (organizationId === undefined || e.organizationId === organizationId)) setTick((t) => t + 1);
      }),
    [tessera, refreshOn, organizationId],
  );
  useEffect(() => {
    if (key === null) return;
    let current = true;
    fetcherRef.current().then(
      (value) => {
        if (current) setState({ key, value });
      },
      () => {
        if (current) setState({ key, value: null });
      },
    );
    return () => {
      current = false;
    };
  }, [key, tick]);
  if (key === null || !state || state.key !== key) return undefined;
  return state.value;
}

export interface UseOrganizationParams {
  /** Fetch the active organization's invitations (pending unless `status` says otherwise); admins only. */
  invitationList?: GetInvitationsParams;
  /** Fetch its memberships (needs org:sys_memberships:read). */
  memberships?: GetMembershipsParams | true;
}

export interface UseOrganizationReturn {
  isLoaded: boolean;
  /** The session's active organization: undefined until loaded, null when there is none. */
  organization: Organization | null | undefined;
  /** The user's membership in it (role, permissions). */
  membership: OrganizationMembership | null | undefined;
  /**
   * The invitations (an array), when `invitationList` was asked for: undefined until fetched,
   * null without an active organization or when the list cannot be read (not an admin).
   * Fetched again after `organization.inviteMember(s)` and `invitation.revoke()`.
   */
  invitationList: OrganizationInvitation[] | null | undefined;
  /** The memberships, when `memberships` was asked for (same states as invitationList). */
  memberships: PaginatedResources<OrganizationMembership> | null | undefined;
}

/** The active organization, the user's membership, and (on request) its invitations and members. */
export function useOrganization(params: UseOrganizationParams = {}): UseOrganizationReturn {
  const { tessera } = useTesseraContext();
  const organization = tessera.loaded ? tessera.organization : undefined;
  const orgId = organization?.id;
  const invitationParams: GetInvitationsParams | undefined = params.invitationList && { status: 'pending', ...params.invitationList };
  const membershipParams: GetMembershipsParams | undefined = params.memberships === true ? {} : params.memberships;
  const invitationKey = orgId && invitationParams ? `${orgId}|${JSON.stringify(invitationParams)}` : null;
  const membershipKey = orgId && membershipParams ? `${orgId}|${JSON.stringify(membershipParams)}` : null;
  const invitations = useFetched(
    tessera,
    invitationKey,
    async () => (await tessera.organization!.getInvitations(invitationParams)).data,
    'organizationInvitations',
    orgId,
  );
  const memberships = useFetched(tessera, membershipKey, () => tessera.organization!.getMemberships(membershipParams), 'userMemberships');
  const noOrg = tessera.loaded && !organization;
  return {
    isLoaded: tessera.loaded,
    organization,
    membership: tessera.loaded ? tessera.membership : undefined,
    invitationList: params.invitationList === undefined ? undefined : noOrg ? null : invitations,
    memberships: params.memberships === undefined ? undefined : noOrg ? null : memberships,
  };
}

export interface UseOrganizationListParams {
  /** The user's memberships (fetched by default; `false` to skip). */
  userMemberships?: PaginationParams | boolean;
  /** Invitations to the user's verified addresses (pending by default); fetched only when asked for. */
  userInvitations?: GetUserInvitationsParams | boolean;
}

export interface UseOrganizationListReturn {
  isLoaded: boolean;
  /** undefined until fetched (or when not asked for), null when signed out or the fetch failed. */
  userMemberships: PaginatedResources<OrganizationMembership> | null | undefined;
  /** Each with `accept()`; fetched again after one is accepted. */
  userInvitations: PaginatedResources<UserOrganizationInvitation> | null | undefined;
  /** Switch the active organization: `setActive({ organization: id })`. */
  setActive: SetActive;
  /** A new organization with the signed-in user as its admin (not made active: call setActive). */
  createOrganization: (params: CreateOrganizationParams) => Promise<Organization>;
}

/** The user's organizations and invitations, setActive to switch between them, and createOrganization. */
export function useOrganizationList(params: UseOrganizationListParams = {}): UseOrganizationListReturn {
  const { tessera } = useTesseraContext();
  const setActive = useSetActive(tessera);
  const userId = tessera.loaded ? tessera.user?.id ?? null : undefined;
  const membershipParams = params.userMemberships === false ? undefined : params.userMemberships === true || params.userMemberships === undefined ? {} : params.userMemberships;
  const invitationParams = params.userInvitations === undefined || params.userInvitations === false ? undefined : params.userInvitations === true ? {} : params.userInvitations;
  const membershipKey = userId && membershipParams ? `${userId}|${JSON.stringify(membershipParams)}` : null;
  const invitationKey = userId && invitationParams ? `${userId}|${JSON.stringify(invitationParams)}` : null;
  const userMemberships = useFetched(tessera, membershipKey, () => tessera.user!.getOrganizationMemberships(membershipParams), 'userMemberships');
  const userInvitations = useFetched(tessera, invitationKey, () => tessera.user!.getOrganizationInvitations(invitationParams), 'userInvitations');
  const signedOut = userId === null;
  const createOrganization = useCallback((p: CreateOrganizationParams) => tessera.createOrganization(p), [tessera]);
  return {
    isLoaded: tessera.loaded,
    userMemberships: membershipParams === undefined ? undefined : signedOut ? null : userMemberships,
    userInvitations: invitationParams === undefined ? undefined : signedOut ? null : userInvitations,
    setActive,
    createOrganization,
  };
}
