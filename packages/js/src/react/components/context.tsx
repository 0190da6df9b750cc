// What the prebuilt components share: <TesseraUIProvider> (localization, navigation, the fetch
// for the two Frontend API calls the SDK has no method for yet, whether to add the stylesheet),
// the merged strings, and a small per-instance signal so that every component showing the user's
// invitations refetches after one is accepted or declined.
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { FetchLike } from '../../fapi.ts';
import { apiErrorFromResponse } from '../../errors.ts';
import type { Tessera } from '../../tessera.ts';
import { mergeLocalization, type Localization, type LocalizationResource } from './localization.ts';
import { injectTesseraStyles } from './styles.ts';

export interface TesseraUIOptions {
  /** Strings replacing the English ones (any subset); a component's own `localization` prop wins over these. */
  localization?: LocalizationResource;
  /** How components go to another page (default: `window.location.assign`). Single-page apps pass their router's. */
  navigate?: (to: string) => void;
  /**
   * The fetch for the Frontend API calls the components make themselves (declining an invitation,
   * an organization's roles). Default: the global fetch with `credentials: 'include'`. Pass the one
   * you gave createTessera() if you gave one.
   */
  fetch?: FetchLike;
  /** Add the components' stylesheet to the document (default true). */
  injectStyles?: boolean;
}

const UIContext = createContext<TesseraUIOptions>({});

export interface TesseraUIProviderProps extends TesseraUIOptions {
  children?: ReactNode;
}

/** Options for every prebuilt component below it (inside or outside <TesseraProvider>). */
export function TesseraUIProvider(props: TesseraUIProviderProps): ReactNode {
  const { children, ...options } = props;
  const parent = useContext(UIContext);
  const value = useMemo<TesseraUIOptions>(
    () => ({
      ...parent,
      ...options,
      localization: mergeResources(parent.localization, options.localization),
    }),
    [parent, options.localization, options.navigate, options.fetch, options.injectStyles],
  );
  return <UIContext.Provider value={value}>{children}</UIContext.Provider>;
}

function mergeResources(a: LocalizationResource | undefined, b: LocalizationResource | undefined): LocalizationResource | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, Record<string, string>> = {};
  for (const r of [a, b]) for (const [section, strings] of Object.entries(r)) out[section] = { ...out[section], ...(strings as Record<string, string>) };
  return out as LocalizationResource;
}

export interface ComponentBaseProps {
  /** Strings for this component (any subset of the English ones); wins over <TesseraUIProvider>'s. */
  localization?: LocalizationResource;
  /** Extra class names on the component's root element. */
  className?: string;
}

export interface UI {
  t: Localization;
  navigate: (to: string) => void;
  fetch: FetchLike | undefined;
}

/** The merged strings and options for one component; adds the stylesheet once. */
export function useUI(localization?: LocalizationResource): UI {
  const options = useContext(UIContext);
  useEffect(() => {
    if (options.injectStyles !== false) injectTesseraStyles();
  }, [options.injectStyles]);
  const t = useMemo(() => mergeLocalization(options.localization, localization), [options.localization, localization]);
  return {
    t,
    navigate: options.navigate ?? ((to: string) => globalThis.location.assign(to)),
    fetch: options.fetch,
  };
}

// ---------------------------------------------------------------- invitations signal

const invitationListeners = new WeakMap<Tessera, Set<() => void>>();

/** Calls `fn` whenever a component reports that the user's invitations changed. */
export function onUserInvitationsChanged(tessera: Tessera, fn: () => void): () => void {
  let set = invitationListeners.get(tessera);
  if (!set) invitationListeners.set(tessera, (set = new Set()));
  set.add(fn);
  return () => {
    set.delete(fn);
  };
}

export function userInvitationsChanged(tessera: Tessera): void {
  for (const fn of [...(invitationListeners.get(tessera) ?? [])]) fn();
}

// ---------------------------------------------------------------- Frontend API calls the SDK lacks

/**
 * One Frontend API call made by the components themselves, for the two routes the SDK has no
 * method for yet (POST /v1/me/organization_invitations/{id}/decline, GET
 * /v1/organizations/{id}/roles). Errors become TesseraAPIErrors as the SDK's do.
 */
export async function fapiRequest<T>(tessera: Tessera, fetchImpl: FetchLike | undefined, method: 'GET' | 'POST', path: string): Promise<T> {
  const init: RequestInit = { method, credentials: 'include', headers: { accept: 'application/json' } };
  if (method === 'POST') {
    init.headers = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    init.body = '';
  }
  const url = `${tessera.frontendApi}${path}`;
  const res = fetchImpl ? await fetchImpl(url, init) : await globalThis.fetch(url, init);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (!res.ok) throw apiErrorFromResponse(res.status, res.headers, body);
  if (typeof body !== 'object' || body === null || !('response' in body)) throw new Error(`Tessera: ${method} ${path} did not answer with a Frontend API envelope`);
  return (body as { response: T }).response;
}

export interface RoleOption {
  key: string;
  name: string;
}

/** The roles an invite form offers (GET /v1/organizations/{id}/roles). */
export async function getOrganizationRoles(tessera: Tessera, fetchImpl: FetchLike | undefined, organizationId: string): Promise<RoleOption[]> {
  const list = await fapiRequest<{ data: { key: string; name: string }[] }>(tessera, fetchImpl, 'GET', `/v1/organizations/${encodeURIComponent(organizationId)}/roles`);
  return list.data.map((r) => ({ key: r.key, name: r.name }));
}

/** Declines an invitation addressed to the user (it ends revoked). */
export async function declineUserInvitation(tessera: Tessera, fetchImpl: FetchLike | undefined, invitationId: string): Promise<void> {
  await fapiRequest(tessera, fetchImpl, 'POST', `/v1/me/organization_invitations/${encodeURIComponent(invitationId)}/decline`);
}
