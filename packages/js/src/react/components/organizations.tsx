// <OrganizationList /> (the user's organizations and the invitations addressed to them, accepted
// or declined in place, and <CreateOrganization /> below them), <CreateOrganization /> (a name; the
// new organization is made active) and <OrganizationProfile /> (the active organization: members with their
// roles, invitations by status with revoke, and an invite form for several addresses with a role
// from the organization's roles). Administration needs org:sys_memberships:manage; members
// without it see the members (with org:sys_memberships:read) and a note.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useOrganization } from '../hooks.ts';
import { useTessera } from '../provider.tsx';
import type { OrganizationInvitation, OrganizationInvitationStatus } from '../../resources/organization.ts';
import { useUI, userInvitationsChanged, type ComponentBaseProps, type RoleOption } from './context.tsx';
import { format } from './localization.ts';
import { ActionButton, BusyButton, cx, ErrorAlert, errorMessage, Field, FieldWithAlert, formatDate, LoadFailed, Loading, StatusMessage, useAction } from './shared.tsx';
import { useUserLists } from './user-invitations.ts';

// ---------------------------------------------------------------- OrganizationList

export interface OrganizationListProps extends ComponentBaseProps {
  /** A "Manage" link on the active organization (e.g. `/organization`); omitted when not given. */
  organizationProfileUrl?: string;
  /** Hide the invitations section. */
  hideInvitations?: boolean;
  /** Hide the form that creates an organization. */
  hideCreateOrganization?: boolean;
}

export function OrganizationList(props: OrganizationListProps): ReactNode {
  const { t } = useUI(props.localization);
  const tessera = useTessera();
  const lists = useUserLists(tessera, { memberships: true, invitations: !props.hideInvitations });
  const action = useAction();
  const [status, setStatus] = useState<string | null>(null);
  const headingId = useId();
  const invitationsId = useId();
  if (!tessera.loaded) return tessera.loadError ? <LoadFailed t={t} className={props.className} /> : <Loading t={t} className={props.className} />;
  if (!tessera.user) return null;
  const active = tessera.organization?.id ?? null;
  const l = t.organizationList;
  return (
    <div className={cx('tsr-root', 'tsr-card', 'tsr-wide', props.className)}>
      <section aria-labelledby={headingId}>
        <h2 className="tsr-section-title" id={headingId}>
          {l.organizationsTitle}
        </h2>
        {lists.memberships === undefined ? <p className="tsr-muted">{t.common.loading}</p> : null}
        {lists.memberships?.data.length === 0 ? (
          <p className="tsr-muted" data-testid="no-organizations">
            {l.none}
          </p>
        ) : null}
        <ul className="tsr-list" data-testid="organizations">
          {(lists.memberships?.data ?? []).map((m) => {
            const isActive = m.organization.id === active;
            return (
              <li key={m.id} className="tsr-list-item" data-role={m.role}>
                <span className="tsr-list-main">
                  <span className="tsr-list-title" data-testid="organization-name">
                    {m.organization.name}
                  </span>
                  <span className="tsr-list-meta" data-testid="organization-role">
                    {format(l.role, { role: m.roleName })}
                  </span>
                </span>
                <span className="tsr-item-actions">
                  {isActive ? <span className="tsr-badge">{l.active}</span> : null}
                  {isActive && props.organizationProfileUrl && m.permissions.includes('org:sys_memberships:read') ? (
                    <a className="tsr-button tsr-button-secondary tsr-button-small" href={props.organizationProfileUrl}>
                      {l.manage}
                    </a>
                  ) : null}
                  {!isActive ? (
                    <ActionButton
                      variant="secondary"
                      small
                      busy={action.busy}
                      label={l.setActive}
                      ariaLabel={`${l.setActive}: ${m.organization.name}`}
                      onClick={() => void action.run(() => tessera.setActive({ organization: m.organization.id }))}
                    />
                  ) : null}
                </span>
              </li>
            );
          })}
        </ul>
      </section>
      {props.hideInvitations ? null : (
        <section className="tsr-section" aria-labelledby={invitationsId}>
          <h2 className="tsr-section-title" id={invitationsId}>
            {l.invitationsTitle}
          </h2>
          {lists.invitations === undefined ? <p className="tsr-muted">{t.common.loading}</p> : null}
          {lists.invitations?.data.length === 0 ? (
            <p className="tsr-muted" data-testid="no-invitations">
              {l.noInvitations}
            </p>
          ) : null}
          <ul className="tsr-list" data-testid="user-invitations">
            {(lists.invitations?.data ?? []).map((inv) => {
              // (An accepted invitation's answer may lack the organization: it is updated in place until the list refetches.)
              const organization = inv.publicOrganizationData?.name ?? '';
              return (
                <li key={inv.id} className="tsr-list-item">
                  <span className="tsr-list-main">
                    <span className="tsr-list-title">{organization}</span>
                    <span className="tsr-list-meta">{format(l.invitedAs, { role: inv.roleName, email: inv.emailAddress })}</span>
                  </span>
                  <span className="tsr-item-actions">
                    <ActionButton
                      small
                      busy={action.busy}
                      label={l.accept}
                      ariaLabel={format(l.acceptLabel, { organization })}
                      onClick={() => {
                        setStatus(null);
                        void action.run(async () => {
                          await inv.accept();
                          setStatus(format(l.accepted, { organization }));
                        });
                      }}
                    />
                    <ActionButton
                      variant="danger"
                      small
                      busy={action.busy}
                      label={l.decline}
                      ariaLabel={format(l.declineLabel, { organization })}
                      onClick={() => {
                        setStatus(null);
                        void action.run(async () => {
                          await inv.decline();
                          userInvitationsChanged(tessera);
                          setStatus(format(l.declined, { organization }));
                        });
                      }}
                    />
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      <ErrorAlert message={action.error ? errorMessage(t, action.error) : null} />
      <StatusMessage message={status} />
      {props.hideCreateOrganization ? null : <CreateOrganization embedded {...(props.localization ? { localization: props.localization } : {})} />}
    </div>
  );
}

// ---------------------------------------------------------------- CreateOrganization

export interface CreateOrganizationProps extends ComponentBaseProps {
  /** Where to go once the organization is created and active (through the UI provider's navigate); default: stay. */
  afterCreateOrganizationUrl?: string;
  /** @internal Inside another card (OrganizationList): a section, not a card of its own. */
  embedded?: boolean;
}

/** A name, then the signed-in user's new organization (they become its admin), made active. */
export function CreateOrganization(props: CreateOrganizationProps): ReactNode {
  const ui = useUI(props.localization);
  const { t } = ui;
  const c = t.createOrganization;
  const tessera = useTessera();
  const action = useAction();
  const [name, setName] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const titleId = useId();
  const errorId = useId();
  const inputRef = useRef<HTMLInputElement | null>(null);
  if (!tessera.loaded) return props.embedded ? null : tessera.loadError ? <LoadFailed t={t} className={props.className} /> : <Loading t={t} className={props.className} />;
  if (!tessera.user) return null;
  const errorText = localError ?? (action.error ? errorMessage(t, action.error) : null);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    setLocalError(null);
    const wanted = name.trim();
    if (wanted === '') {
      setLocalError(c.nameMissing);
      inputRef.current?.focus();
      return;
    }
    void action.run(async () => {
      const organization = await tessera.createOrganization({ name: wanted });
      await tessera.setActive({ organization: organization.id });
      setName('');
      setStatus(format(c.created, { name: organization.name }));
      if (props.afterCreateOrganizationUrl) ui.navigate(props.afterCreateOrganizationUrl);
    });
  };
  return (
    <section className={props.embedded ? 'tsr-section' : cx('tsr-root', 'tsr-card', props.className)} aria-labelledby={titleId} data-testid="create-organization">
      <h2 className="tsr-section-title" id={titleId}>
        {c.title}
      </h2>
      <form className="tsr-form" onSubmit={onSubmit} noValidate>
        <FieldWithAlert
          label={c.name}
          inputRef={inputRef}
          name="name"
          autoComplete="organization"
          maxLength={256}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errorText}
          errorId={errorId}
        />
        <BusyButton busy={action.busy} label={c.submit} />
        <StatusMessage message={status} />
      </form>
    </section>
  );
}

// ---------------------------------------------------------------- OrganizationProfile

const ALL_STATUSES: OrganizationInvitationStatus[] = ['pending', 'accepted', 'revoked', 'expired'];
const MANAGE = 'org:sys_memberships:manage';
const READ = 'org:sys_memberships:read';
const MAX_INVITES = 10;
const FALLBACK_ROLES: RoleOption[] = [
  { key: 'org:member', name: 'Member' },
  { key: 'org:admin', name: 'Admin' },
];

export interface OrganizationProfileProps extends ComponentBaseProps {
  /** Which invitations to list, grouped by status in this order (default: all four). */
  invitationStatuses?: OrganizationInvitationStatus[];
  /** The role selected in the invite form at first (default `org:member`). */
  defaultRole?: string;
}

export function OrganizationProfile(props: OrganizationProfileProps): ReactNode {
  const ui = useUI(props.localization);
  const { t } = ui;
  const tessera = useTessera();
  // Remounting the body fetches the lists again (the Refresh button).
  const [generation, setGeneration] = useState(0);
  if (!tessera.loaded) return tessera.loadError ? <LoadFailed t={t} className={props.className} /> : <Loading t={t} className={props.className} />;
  const organization = tessera.organization;
  if (!organization) {
    // No active organization: choose one of the user's (setActive) right here.
    return (
      <div className={cx('tsr-root', props.className)}>
        <p className="tsr-notice" data-testid="no-active-organization">
          {t.organizationProfile.noOrganization}
        </p>
        <OrganizationList hideInvitations {...(props.localization ? { localization: props.localization } : {})} />
      </div>
    );
  }
  return <ProfileBody key={`${organization.id}/${generation}`} props={props} onRefresh={() => setGeneration((g) => g + 1)} />;
}

function ProfileBody({ props, onRefresh }: { props: OrganizationProfileProps; onRefresh(): void }): ReactNode {
  const { t } = useUI(props.localization);
  const p = t.organizationProfile;
  const tessera = useTessera();
  const permissions = tessera.membership?.permissions ?? [];
  const canManage = permissions.includes(MANAGE);
  const canRead = canManage || permissions.includes(READ);
  const statuses = props.invitationStatuses ?? ALL_STATUSES;
  const { organization, invitationList, memberships } = useOrganization({
    ...(canManage ? { invitationList: { status: statuses, limit: 100 } } : {}),
    ...(canRead ? { memberships: { limit: 100 } } : {}),
  });
  const action = useAction();
  const [status, setStatus] = useState<string | null>(null);
  const membersId = useId();
  const invitationsId = useId();
  if (!organization) return null;
  const me = tessera.user?.id;

  const revoke = (inv: OrganizationInvitation) => {
    setStatus(null);
    void action.run(async () => {
      await inv.revoke();
      setStatus(format(p.revoked, { email: inv.emailAddress }));
    });
  };

  return (
    <div className={cx('tsr-root', 'tsr-card', 'tsr-wide', props.className)}>
      <div className="tsr-section-title">
        <h1 className="tsr-title" data-testid="organization-name">
          {organization.name}
        </h1>
        <button type="button" className="tsr-button tsr-button-secondary tsr-button-small" onClick={onRefresh}>
          {p.refresh}
        </button>
      </div>
      {canManage ? null : <p className="tsr-notice">{p.notAdmin}</p>}

      <section className="tsr-section" aria-labelledby={membersId}>
        <h2 className="tsr-section-title" id={membersId}>
          <span>{p.membersTitle}</span>
          {memberships ? <span className="tsr-list-meta">{format(p.membersCount, { count: memberships.totalCount })}</span> : null}
        </h2>
        {!canRead ? <p className="tsr-muted">{p.cannotListMembers}</p> : null}
        {canRead && memberships === undefined ? <p className="tsr-muted">{t.common.loading}</p> : null}
        {canRead && memberships === null ? <p className="tsr-muted">{p.cannotListMembers}</p> : null}
        {memberships && memberships.data.length === 0 ? <p className="tsr-muted">{p.noMembers}</p> : null}
        {memberships && memberships.data.length > 0 ? (
          <table className="tsr-table" data-testid="members">
            <thead>
              <tr>
                <th scope="col">{p.memberColumn}</th>
                <th scope="col">{p.emailColumn}</th>
                <th scope="col">{p.roleColumn}</th>
                <th scope="col">{p.joinedColumn}</th>
              </tr>
            </thead>
            <tbody>
              {memberships.data.map((m) => {
                const u = m.publicUserData;
                const name = [u.firstName, u.lastName].filter(Boolean).join(' ') || u.identifier;
                return (
                  <tr key={m.id} data-role={m.role}>
                    <td>
                      {name} {u.userId === me ? <span className="tsr-list-meta">{p.you}</span> : null}
                    </td>
                    <td>{u.identifier}</td>
                    <td data-testid="member-role">{m.roleName}</td>
                    <td>{formatDate(m.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </section>

      {canManage ? (
        <>
          <section className="tsr-section" aria-labelledby={invitationsId}>
            <h2 className="tsr-section-title" id={invitationsId}>
              {p.invitationsTitle}
            </h2>
            {invitationList === undefined ? <p className="tsr-muted">{t.common.loading}</p> : null}
            {invitationList
              ? statuses.map((s) => {
                  const items = invitationList.filter((i) => i.status === s);
                  const label = p[`status_${s}`];
                  return (
                    <div className="tsr-status-group" key={s} data-status={s}>
                      <h3 className="tsr-label">
                        {label} <span className="tsr-badge">{items.length}</span>
                      </h3>
                      {items.length === 0 ? <p className="tsr-muted">{p.noInvitations}</p> : null}
                      <ul className="tsr-list" aria-label={label}>
                        {items.map((inv) => (
                          <li key={inv.id} className="tsr-list-item" data-email={inv.emailAddress}>
                            <span className="tsr-list-main">
                              <span className="tsr-list-title">{inv.emailAddress}</span>
                              <span className="tsr-list-meta">
                                {inv.roleName} · {format(p.invitedOn, { date: formatDate(inv.createdAt) })}
                                {s === 'pending' && inv.expiresAt ? `, ${format(p.expiresOn, { date: formatDate(inv.expiresAt) })}` : ''}
                              </span>
                            </span>
                            <span className="tsr-item-actions">
                              <span className={`tsr-badge tsr-badge-${inv.status}`}>{p[`status_${inv.status}`]}</span>
                              {inv.status === 'pending' ? (
                                <button
                                  type="button"
                                  className="tsr-button tsr-button-danger tsr-button-small"
                                  disabled={action.busy}
                                  aria-label={format(p.revokeLabel, { email: inv.emailAddress })}
                                  onClick={() => revoke(inv)}
                                >
                                  {p.revoke}
                                </button>
                              ) : null}
                            </span>
                          </li>
                        ))}
                      </ul>
                    </div>
                  );
                })
              : null}
            <ErrorAlert message={action.error ? errorMessage(t, action.error) : null} />
            <StatusMessage message={status} />
          </section>
          <InviteForm props={props} />
        </>
      ) : null}
    </div>
  );
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function InviteForm({ props }: { props: OrganizationProfileProps }): ReactNode {
  const { t } = useUI(props.localization);
  const p = t.organizationProfile;
  const tessera = useTessera();
  const organization = tessera.organization;
  const [roles, setRoles] = useState<RoleOption[] | null>(null);
  const [role, setRole] = useState(props.defaultRole ?? 'org:member');
  const [emails, setEmails] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const action = useAction();
  const titleId = useId();
  const emailsId = useId();
  const hintId = useId();
  const errorId = useId();
  const roleId = useId();
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const orgId = organization?.id;

  useEffect(() => {
    if (!orgId) return;
    let current = true;
    organization!.getRoles().then(
      (list) => current && setRoles(list.data.length > 0 ? list.data.map((r) => ({ key: r.key, name: r.name })) : FALLBACK_ROLES),
      () => current && setRoles(FALLBACK_ROLES),
    );
    return () => {
      current = false;
    };
  }, [organization, orgId]);

  if (!organization) return null;
  const options = roles ?? FALLBACK_ROLES;
  const errorText = localError ?? (action.error ? errorMessage(t, action.error) : null);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    setLocalError(null);
    const list = [...new Set(emails.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
    const bad = list.find((s) => !EMAIL.test(s));
    const problem = list.length === 0 ? p.inviteNoEmails : list.length > MAX_INVITES ? p.inviteTooMany : bad ? format(p.inviteInvalidEmail, { email: bad }) : null;
    if (problem) {
      setLocalError(problem);
      textareaRef.current?.focus();
      return;
    }
    void action.run(async () => {
      try {
        const invited = list.length === 1 ? [await organization.inviteMember({ emailAddress: list[0]!, role })] : await organization.inviteMembers({ emailAddresses: list, role });
        setEmails('');
        setStatus(format(p.invited, { count: invited.length, emails: invited.map((i) => i.emailAddress).join(', ') }));
      } catch (err) {
        textareaRef.current?.focus();
        throw err;
      }
    });
  };

  return (
    <section className="tsr-section" aria-labelledby={titleId}>
      <h2 className="tsr-section-title" id={titleId}>
        {p.inviteTitle}
      </h2>
      <form className="tsr-form" onSubmit={onSubmit} noValidate>
        <div className="tsr-field">
          <label className="tsr-label" htmlFor={emailsId}>
            {p.inviteEmails}
          </label>
          <textarea
            id={emailsId}
            ref={textareaRef}
            className="tsr-textarea"
            name="email_addresses"
            autoComplete="off"
            value={emails}
            onChange={(e) => setEmails(e.target.value)}
            aria-describedby={errorText ? `${hintId} ${errorId}` : hintId}
            aria-invalid={errorText ? true : undefined}
          />
          <span className="tsr-hint" id={hintId}>
            {p.inviteEmailsHint}
          </span>
        </div>
        <div className="tsr-field">
          <label className="tsr-label" htmlFor={roleId}>
            {p.inviteRole}
          </label>
          <select id={roleId} className="tsr-select" name="role" value={role} onChange={(e) => setRole(e.target.value)}>
            {options.map((r) => (
              <option key={r.key} value={r.key}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <ErrorAlert id={errorId} message={errorText} />
        <button type="submit" className="tsr-button" disabled={action.busy} aria-busy={action.busy || undefined}>
          {p.inviteSubmit}
        </button>
        <StatusMessage message={status} />
      </form>
    </section>
  );
}
