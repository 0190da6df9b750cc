// What the prebuilt components share: <TesseraUIProvider> (localization, navigation, whether to
// add the stylesheet),
// the merged strings, and a small per-instance signal so that every component showing the user's
// invitations refetches after one is accepted or declined.
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import type { Tessera } from '../../tessera.ts';
import { mergeLocalization, type Localization, type LocalizationResource } from './localization.ts';
import { injectTesseraStyles } from './styles.ts';

export interface TesseraUIOptions {
  /** Strings replacing the English ones (any subset); a component's own `localization` prop wins over these. */
  localization?: LocalizationResource;
  /** How components go to another page (default: `window.location.assign`). Single-page apps pass their router's. */
  navigate?: (to: string) => void;
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
    [parent, options.localization, options.navigate, options.injectStyles],
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

export interface RoleOption {
  key: string;
  name: string;
}
