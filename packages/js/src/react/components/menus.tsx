// <UserButton /> and <OrganizationSwitcher />: a button that opens a small panel (the disclosure
// pattern: aria-expanded / aria-controls; Escape or a click outside closes it and focus returns to
// the button; opening moves focus to the panel's first control; Arrow keys move between items).
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTessera } from '../provider.tsx';
import { useUI, type ComponentBaseProps } from './context.tsx';
import { format } from './localization.ts';
import { cx, ErrorAlert, errorMessage, initials, StatusMessage, useAction } from './shared.tsx';
import { useUserLists } from './user-invitations.ts';

function usePopover() {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const anchorRef = useRef<HTMLDivElement>(null);
  const close = useCallback((focusButton: boolean) => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  }, []);
  useEffect(() => {
    if (!open) return;
    panelRef.current?.querySelector<HTMLElement>('button:not([disabled]), a[href]')?.focus();
    const onPointer = (e: Event) => {
      if (anchorRef.current && e.target instanceof Node && !anchorRef.current.contains(e.target)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open]);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && open) {
      e.preventDefault();
      close(true);
      return;
    }
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && open && panelRef.current) {
      const items = [...panelRef.current.querySelectorAll<HTMLElement>('button:not([disabled]), a[href]')];
      const i = items.indexOf(document.activeElement as HTMLElement);
      const next = items[(i + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length];
      if (next) {
        e.preventDefault();
        next.focus();
      }
    }
  };
  return { open, setOpen, close, buttonRef, panelRef, anchorRef, onKeyDown };
}

// ---------------------------------------------------------------- UserButton

export interface UserButtonProps extends ComponentBaseProps {
  /** Where to go after signing out (default `/sign-in`). */
  afterSignOutUrl?: string;
  /** A link in the menu to the organization page (omitted when not given). */
  organizationProfileUrl?: string;
  /** Show the user's name next to the avatar. */
  showName?: boolean;
}

/** The signed-in user: a button with their initials; its menu shows who it is and signs out. Nothing when signed out. */
export function UserButton(props: UserButtonProps): ReactNode {
  const { t, navigate } = useUI(props.localization);
  const tessera = useTessera();
  const pop = usePopover();
  const panelId = useId();
  const action = useAction();
  const user = tessera.user;
  if (!tessera.loaded || !user) return null;
  const email = user.primaryEmailAddress?.emailAddress ?? '';
  const name = user.fullName ?? (email || user.id);
  return (
    <div className={cx('tsr-root', 'tsr-popover-anchor', props.className)} ref={pop.anchorRef} onKeyDown={pop.onKeyDown}>
      <button
        type="button"
        className="tsr-trigger"
        ref={pop.buttonRef}
        aria-expanded={pop.open}
        aria-controls={panelId}
        aria-label={format(t.userButton.open, { name })}
        onClick={() => pop.setOpen(!pop.open)}
      >
        <span className="tsr-avatar" aria-hidden="true">
          {initials(name)}
        </span>
        {props.showName ? <span>{name}</span> : null}
      </button>
      <div className="tsr-popover" id={panelId} ref={pop.panelRef} hidden={!pop.open}>
        <div className="tsr-popover-header">
          <div className="tsr-muted">{t.userButton.signedInAs}</div>
          {user.fullName ? <div className="tsr-list-title">{user.fullName}</div> : null}
          <div className="tsr-list-meta" data-testid="user-button-email">
            {email}
          </div>
        </div>
        {props.organizationProfileUrl ? (
          <a className="tsr-menu-item" href={props.organizationProfileUrl}>
            {t.userButton.manageOrganization}
          </a>
        ) : null}
        <button
          type="button"
          className="tsr-menu-item"
          disabled={action.busy}
          onClick={() => {
            void action.run(async () => {
              await tessera.signOut();
              navigate(props.afterSignOutUrl ?? '/sign-in');
            });
          }}
        >
          {t.userButton.signOut}
        </button>
        <ErrorAlert message={action.error ? errorMessage(t, action.error) : null} />
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- OrganizationSwitcher

export interface OrganizationSwitcherProps extends ComponentBaseProps {
  /** Where the pending invitations are listed (a link in the panel; default "/"). Null hides it. */
  invitationsUrl?: string | null;
  /** Called after the active organization changed (e.g. to reload data). */
  afterSwitch?: (organizationId: string) => void;
}

/** The active organization; its panel lists the user's organizations (switching with setActive) and counts pending invitations. */
export function OrganizationSwitcher(props: OrganizationSwitcherProps): ReactNode {
  const { t } = useUI(props.localization);
  const tessera = useTessera();
  const pop = usePopover();
  const panelId = useId();
  const action = useAction();
  const [status, setStatus] = useState<string | null>(null);
  const lists = useUserLists(tessera, { memberships: true, invitations: true });
  if (!tessera.loaded || !tessera.user) return null;
  const active = tessera.organization;
  const activeName = active?.name ?? t.organizationSwitcher.noOrganization;
  const pending = lists.invitations?.totalCount ?? 0;
  const invitationsUrl = props.invitationsUrl === undefined ? '/' : props.invitationsUrl;
  return (
    <div className={cx('tsr-root', 'tsr-popover-anchor', props.className)} ref={pop.anchorRef} onKeyDown={pop.onKeyDown}>
      <button
        type="button"
        className="tsr-trigger"
        ref={pop.buttonRef}
        aria-expanded={pop.open}
        aria-controls={panelId}
        aria-label={format(t.organizationSwitcher.open, { name: activeName }) + (pending > 0 ? `, ${format(t.organizationSwitcher.pendingInvitations, { count: pending })}` : '')}
        onClick={() => pop.setOpen(!pop.open)}
      >
        <span className="tsr-avatar tsr-avatar-square" aria-hidden="true">
          {initials(activeName)}
        </span>
        <span data-testid="active-organization">{activeName}</span>
        {pending > 0 ? (
          <span className="tsr-badge tsr-badge-pending" aria-hidden="true" data-testid="pending-invitations-badge">
            {format(t.organizationSwitcher.pendingBadge, { count: pending })}
          </span>
        ) : null}
      </button>
      <div className="tsr-popover tsr-popover-left" id={panelId} ref={pop.panelRef} hidden={!pop.open}>
        <div className="tsr-popover-header tsr-list-title">{t.organizationSwitcher.heading}</div>
        {lists.memberships === undefined ? <p className="tsr-muted">{t.common.loading}</p> : null}
        {lists.memberships && lists.memberships.data.length === 0 ? <p className="tsr-muted">{t.organizationSwitcher.none}</p> : null}
        <ul className="tsr-list">
          {(lists.memberships?.data ?? []).map((m) => {
            const isActive = m.organization.id === active?.id;
            return (
              <li key={m.id}>
                <button
                  type="button"
                  className="tsr-menu-item"
                  aria-current={isActive ? 'true' : undefined}
                  aria-label={isActive ? `${m.organization.name} (${t.organizationSwitcher.active})` : format(t.organizationSwitcher.switchTo, { name: m.organization.name })}
                  disabled={action.busy}
                  onClick={() => {
                    if (isActive) return pop.close(true);
                    void action.run(async () => {
                      await tessera.setActive({ organization: m.organization.id });
                      setStatus(format(t.organizationSwitcher.switched, { name: m.organization.name }));
                      pop.close(true);
                      props.afterSwitch?.(m.organization.id);
                    });
                  }}
                >
                  <span>
                    {m.organization.name} <span className="tsr-list-meta">{m.roleName}</span>
                  </span>
                  {isActive ? <span className="tsr-badge">{t.organizationSwitcher.active}</span> : null}
                </button>
              </li>
            );
          })}
        </ul>
        {pending > 0 && invitationsUrl !== null ? (
          <a className="tsr-menu-item" href={invitationsUrl}>
            {format(t.organizationSwitcher.pendingInvitations, { count: pending })}
          </a>
        ) : null}
        <ErrorAlert message={action.error ? errorMessage(t, action.error) : null} />
      </div>
      <span className="tsr-visually-hidden">
        <StatusMessage message={status} />
      </span>
    </div>
  );
}
