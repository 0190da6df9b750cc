// The signed-in user's memberships and pending invitations, for the components that show them
// (OrganizationList, OrganizationSwitcher). Fetched again when the user changes, after an
// invitation is accepted (the SDK's userInvitations / userMemberships events) and after one is
// declined (the components' own signal: the SDK has no decline() yet).
import { useCallback, useEffect, useState } from 'react';
import type { OrganizationMembership, PaginatedResources, UserOrganizationInvitation } from '../../resources/organization.ts';
import type { Tessera } from '../../tessera.ts';
import { onUserInvitationsChanged } from './context.tsx';

const LIST_LIMIT = 100;

export interface UserLists {
  /** undefined while loading, null when signed out or the fetch failed. */
  memberships: PaginatedResources<OrganizationMembership> | null | undefined;
  invitations: PaginatedResources<UserOrganizationInvitation> | null | undefined;
  refresh(): void;
}

export function useUserLists(tessera: Tessera, opts: { memberships: boolean; invitations: boolean }): UserLists {
  const userId = tessera.loaded ? (tessera.user?.id ?? null) : undefined;
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  const [memberships, setMemberships] = useState<{ key: string; value: PaginatedResources<OrganizationMembership> | null } | null>(null);
  const [invitations, setInvitations] = useState<{ key: string; value: PaginatedResources<UserOrganizationInvitation> | null } | null>(null);

  useEffect(() => {
    const offSdk = tessera.addListener((e) => {
      if (e.type === 'userInvitations' || e.type === 'userMemberships') refresh();
    });
    const offOwn = onUserInvitationsChanged(tessera, refresh);
    return () => {
      offSdk();
      offOwn();
    };
  }, [tessera, refresh]);

  useEffect(() => {
    if (!userId) return;
    const user = tessera.user;
    if (!user) return;
    let current = true;
    if (opts.memberships) {
      user.getOrganizationMemberships({ limit: LIST_LIMIT }).then(
        (value) => current && setMemberships({ key: userId, value }),
        () => current && setMemberships({ key: userId, value: null }),
      );
    }
    if (opts.invitations) {
      user.getOrganizationInvitations({ status: 'pending', limit: LIST_LIMIT }).then(
        (value) => current && setInvitations({ key: userId, value }),
        () => current && setInvitations({ key: userId, value: null }),
      );
    }
    return () => {
      current = false;
    };
  }, [tessera, userId, tick, opts.memberships, opts.invitations]);

  const pick = <T>(s: { key: string; value: T | null } | null): T | null | undefined => (userId === null ? null : !userId || !s || s.key !== userId ? undefined : s.value);
  return { memberships: pick(memberships), invitations: pick(invitations), refresh };
}
