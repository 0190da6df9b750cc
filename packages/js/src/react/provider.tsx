// <TesseraProvider>: one Tessera instance for a React tree. It loads the instance once and
// re-renders its consumers whenever the instance reports a change.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { createTessera, type Tessera } from '../tessera.ts';
import type { FetchLike } from '../fapi.ts';

export interface TesseraContextValue {
  tessera: Tessera;
  /** The instance's revision when this value was made (a new value on every change). */
  revision: number;
}

export const TesseraContext = createContext<TesseraContextValue | null>(null);

export interface TesseraProviderProps {
  children?: ReactNode;
  /** The Frontend API's base URL (the server's public URL). */
  frontendApi?: string;
  /** A publishable key naming the Frontend API (used when `frontendApi` is not given). */
  publishableKey?: string;
  /** An instance made with createTessera() (then frontendApi / publishableKey / fetch are not used). */
  tessera?: Tessera;
  /** The fetch the instance calls the Frontend API with. */
  fetch?: FetchLike;
}

export function TesseraProvider(props: TesseraProviderProps): ReactNode {
  // Made once per provider: later prop changes do not replace the instance.
  const [tessera] = useState<Tessera>(
    () =>
      props.tessera ??
      createTessera({
        ...(props.frontendApi === undefined ? {} : { frontendApi: props.frontendApi }),
        ...(props.publishableKey === undefined ? {} : { publishableKey: props.publishableKey }),
        ...(props.fetch === undefined ? {} : { fetch: props.fetch }),
      }),
  );
  const subscribe = useCallback((onChange: () => void) => tessera.addListener(() => onChange()), [tessera]);
  const revision = useSyncExternalStore(subscribe, () => tessera.revision, () => tessera.revision);
  useEffect(() => {
    // load() is idempotent (StrictMode's second effect shares the first call); a failure is
    // kept in tessera.loadError and a later mount tries again.
    if (!tessera.loaded) tessera.load().catch(() => {});
  }, [tessera]);
  const value = useMemo(() => ({ tessera, revision }), [tessera, revision]);
  return <TesseraContext.Provider value={value}>{props.children}</TesseraContext.Provider>;
}

/** The provider's value; throws outside a <TesseraProvider>. */
export function useTesseraContext(): TesseraContextValue {
  const value = useContext(TesseraContext);
  if (!value) throw new Error('Tessera: this hook must be used inside <TesseraProvider>');
  return value;
}

/** The Tessera instance of the nearest <TesseraProvider> (re-renders on every change). */
export function useTessera(): Tessera {
  return useTesseraContext().tessera;
}
