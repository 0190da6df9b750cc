// Building blocks of the prebuilt components: fields with labels and error wiring, the alert
// (role="alert") and status (aria-live) regions, an async action with busy/error state, error
// messages by code, and the page-URL helpers (the invitation ticket, a same-origin redirect).
import { useCallback, useEffect, useId, useRef, useState, type InputHTMLAttributes, type ReactNode, type RefObject } from 'react';
import { isTesseraAPIError } from '../../errors.ts';
import { format, type Localization } from './localization.ts';

export const cx = (...names: (string | false | null | undefined)[]): string => names.filter(Boolean).join(' ');

// ---------------------------------------------------------------- errors

/** The message for an error: by code from the strings, else the server's long_message, else a generic one. */
export function errorMessage(t: Localization, err: unknown): string {
  if (isTesseraAPIError(err)) {
    const first = err.errors[0];
    if (err.status === 429 || err.code === 'too_many_requests') {
      return err.retryAfter !== undefined ? format(t.errors.too_many_requests ?? '', { seconds: err.retryAfter }) : (t.errors.too_many_requests_no_wait ?? '');
    }
    if (err.code === 'user_locked') {
      const seconds = first?.meta.lockoutExpiresInSeconds;
      return typeof seconds === 'number'
        ? format(t.errors.user_locked ?? '', { minutes: Math.max(1, Math.ceil(seconds / 60)), seconds })
        : (t.errors.user_locked_permanent ?? '');
    }
    const localized = err.code ? t.errors[err.code] : undefined;
    if (localized) return localized;
    return first?.longMessage || first?.message || (t.errors.unknown ?? '');
  }
  // fetch rejects with a TypeError when the network fails.
  if (err instanceof TypeError) return t.errors.network ?? '';
  return t.errors.unknown ?? '';
}

/** The form parameter an error is about (meta.param_name), if any. */
export function errorParam(err: unknown): string | undefined {
  return isTesseraAPIError(err) ? err.errors[0]?.meta.paramName : undefined;
}

export const errorCode = (err: unknown): string | undefined => (isTesseraAPIError(err) ? err.code : undefined);

// ---------------------------------------------------------------- async actions

export interface Action {
  busy: boolean;
  error: unknown;
  /** Runs `fn` unless one is running; keeps its error (cleared at the next run). Resolves true on success. */
  run(fn: () => Promise<unknown>): Promise<boolean>;
  setError(e: unknown): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      if (mounted.current) setError(e);
      return false;
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

// ---------------------------------------------------------------- regions

/** An error region: role="alert" so screen readers announce it; rendered empty until there is an error. */
export function ErrorAlert(props: { id?: string; message: string | null }): ReactNode {
  return (
    <p className="tsr-alert" role="alert" id={props.id}>
      {props.message ?? ''}
    </p>
  );
}

/** A polite live region for progress and success messages. */
export function StatusMessage(props: { message: string | null }): ReactNode {
  return (
    <p className="tsr-status" role="status" aria-live="polite">
      {props.message ?? ''}
    </p>
  );
}

export function Loading(props: { t: Localization; className?: string | undefined }): ReactNode {
  return (
    <div className={cx('tsr-root', 'tsr-card', props.className)} aria-busy="true">
      <p className="tsr-muted" role="status" aria-live="polite">
        {props.t.common.loading}
      </p>
    </div>
  );
}

/** The load failed (the server could not be reached). */
export function LoadFailed(props: { t: Localization; className?: string | undefined }): ReactNode {
  return (
    <div className={cx('tsr-root', 'tsr-card', props.className)}>
      <ErrorAlert message={props.t.common.loadFailed} />
    </div>
  );
}

// ---------------------------------------------------------------- fields

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  hint?: string | undefined;
  invalid?: boolean | undefined;
  /** The id of the error region describing the field when it is invalid. */
  errorId?: string | undefined;
  inputRef?: RefObject<HTMLInputElement | null> | undefined;
}

/** A labelled input; invalid ones point at the error region (aria-describedby). */
export function Field(props: FieldProps): ReactNode {
  const { label, hint, invalid, errorId, inputRef, className, ...input } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, invalid && errorId ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cx('tsr-field', className)}>
      <label className="tsr-label" htmlFor={id}>
        {label}
      </label>
      <input ref={inputRef} id={id} className="tsr-input" aria-invalid={invalid ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <span className="tsr-hint" id={hintId}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** A single-field form's field with the form's error region right below it. */
export function FieldWithAlert(props: FieldProps & { error: string | null; errorId: string }): ReactNode {
  const { error, errorId, ...field } = props;
  return (
    <>
      <Field {...field} invalid={error !== null} errorId={errorId} />
      <ErrorAlert id={errorId} message={error} />
    </>
  );
}

/** A form's submit button, disabled and marked busy while its action runs. */
export function BusyButton(props: { busy: boolean; label: string }): ReactNode {
  return (
    <button type="submit" className="tsr-button" disabled={props.busy} aria-busy={props.busy || undefined}>
      {props.label}
    </button>
  );
}

/** A button that starts an action (not a submit): disabled while one runs; small ones sit in list rows. */
export function ActionButton(props: {
  busy: boolean;
  label: string;
  onClick: () => void;
  variant?: 'primary' | 'secondary' | 'danger';
  small?: boolean;
  /** When the visible label alone is ambiguous (e.g. "Remove" in a list): what it acts on. */
  ariaLabel?: string;
}): ReactNode {
  const variant = props.variant ?? 'primary';
  return (
    <button
      type="button"
      className={cx('tsr-button', variant !== 'primary' && `tsr-button-${variant}`, props.small && 'tsr-button-small')}
      disabled={props.busy}
      aria-label={props.ariaLabel}
      onClick={props.onClick}
    >
      {props.label}
    </button>
  );
}

export function SubmitButton(props: { busy: boolean; label: string; t: Localization; disabled?: boolean }): ReactNode {
  return (
    <button type="submit" className="tsr-button tsr-button-block" disabled={props.busy || props.disabled} aria-busy={props.busy || undefined}>
      {props.label}
    </button>
  );
}

/** Moves focus to the element once it is shown (for step changes: the new step's first field or heading). */
export function useFocusOnMount<T extends HTMLElement>(when: unknown = true): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (when) ref.current?.focus();
  }, [when]);
  return ref;
}

// ---------------------------------------------------------------- the page URL

export type TicketStatus = 'sign_in' | 'sign_up' | 'complete';

export interface UrlState {
  ticket: string | null;
  status: TicketStatus | null;
  /** `redirect_url` of the page URL, as given (check it with sameOriginUrl before use). */
  redirectUrl: string | null;
}

export function readUrlState(): UrlState {
  const search = typeof location === 'undefined' ? '' : location.search;
  const q = new URLSearchParams(search);
  const status = q.get('__clerk_status');
  return {
    ticket: q.get('__clerk_ticket') || null,
    status: status === 'sign_in' || status === 'sign_up' || status === 'complete' ? status : null,
    redirectUrl: q.get('redirect_url') || null,
  };
}

/**
 * `raw` as an absolute URL when it stays on this page's origin; otherwise `fallback`. No open
 * redirect: other hosts, `//host`, backslashes, userinfo and other schemes all fall back.
 */
export function sameOriginUrl(raw: string | null | undefined, fallback = '/'): string {
  const origin = typeof location === 'undefined' ? null : location.origin;
  if (!raw || !origin || raw.length > 2048 || /[\\\u0000-\u0020\u007f]/.test(raw)) return fallback;
  try {
    const u = new URL(raw, origin + '/');
    if (u.origin !== origin || u.username !== '' || u.password !== '') return fallback;
    return u.href;
  } catch {
    return fallback;
  }
}

/** `path` with query parameters (null ones left out). */
export function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const [base = '', existing = ''] = path.split('?', 2);
  const q = new URLSearchParams(existing);
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

/** Up to two initials of a name or address. */
export function initials(name: string): string {
  const words = name.replace(/@.*/, '').split(/[\s._-]+/).filter(Boolean);
  return ((words[0]?.[0] ?? '?') + (words[1]?.[0] ?? '')).toUpperCase();
}

export function formatDate(d: Date | null): string {
  if (!d) return '';
  try {
    return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
  } catch {
    return d.toISOString().slice(0, 10);
  }
}
