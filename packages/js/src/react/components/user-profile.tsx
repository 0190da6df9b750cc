// <UserProfile />: the signed-in user's email addresses. The primary one, the others (make one
// primary, remove one), and adding one in two steps: the address (a code is emailed to it), then
// the 6-digit code. An added address is not the user's until its code is entered; invitations sent
// to it then show in <OrganizationList /> (the SDK's userInvitations event).
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTessera } from '../provider.tsx';
import type { EmailAddress } from '../../resources/user.ts';
import { useUI, type ComponentBaseProps } from './context.tsx';
import { format } from './localization.ts';
import { ActionButton, BusyButton, cx, errorMessage, FieldWithAlert, LoadFailed, Loading, StatusMessage, useAction, useFocusOnMount } from './shared.tsx';

export type UserProfileProps = ComponentBaseProps;

export function UserProfile(props: UserProfileProps): ReactNode {
  const { t } = useUI(props.localization);
  const p = t.userProfile;
  const tessera = useTessera();
  const action = useAction();
  /** The address being verified (a code was sent to it), or null. */
  const [pending, setPending] = useState<EmailAddress | null>(null);
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const titleId = useId();
  const addTitleId = useId();
  const errorId = useId();
  const emailRef = useRef<HTMLInputElement | null>(null);
  const codeRef = useFocusOnMount<HTMLInputElement>(pending?.id ?? false);
  if (!tessera.loaded) return tessera.loadError ? <LoadFailed t={t} className={props.className} /> : <Loading t={t} className={props.className} />;
  const user = tessera.user;
  if (!user) return null;
  const errorText = localError ?? (action.error ? errorMessage(t, action.error) : null);

  const start = (fn: () => Promise<void>) => {
    setStatus(null);
    setLocalError(null);
    void action.run(fn);
  };
  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    const wanted = email.trim();
    if (wanted === '') {
      setLocalError(p.emailMissing);
      emailRef.current?.focus();
      return;
    }
    start(async () => {
      const added = await user.createEmailAddress({ email: wanted });
      setPending(await added.prepareVerification({ strategy: 'email_code' }));
      setEmail('');
      setCode('');
      setStatus(format(p.codeSent, { email: added.emailAddress }));
    });
  };
  const onVerify = (e: FormEvent) => {
    e.preventDefault();
    if (!pending) return;
    if (code.trim() === '') {
      setLocalError(p.codeMissing);
      codeRef.current?.focus();
      return;
    }
    start(async () => {
      const verified = await pending.attemptVerification({ code: code.trim() });
      setPending(null);
      setCode('');
      setStatus(format(p.added, { email: verified.emailAddress }));
    });
  };

  return (
    <div className={cx('tsr-root', 'tsr-card', 'tsr-wide', props.className)} data-testid="user-profile">
      <section aria-labelledby={titleId}>
        <h2 className="tsr-section-title" id={titleId}>
          {p.title}
        </h2>
        <ul className="tsr-list" data-testid="email-addresses">
          {user.emailAddresses.map((a) => {
            const primary = a.id === user.primaryEmailAddressId;
            const verified = a.verification?.status === 'verified';
            return (
              <li key={a.id} className="tsr-list-item" data-testid="email-address" data-primary={primary || undefined}>
                <span className="tsr-list-main">
                  <span className="tsr-list-title">{a.emailAddress}</span>
                  <span className="tsr-list-meta">{verified ? p.verified : p.unverified}</span>
                </span>
                <span className="tsr-item-actions">
                  {primary ? <span className="tsr-badge">{p.primary}</span> : null}
                  {!primary && verified ? (
                    <ActionButton
                      variant="secondary"
                      small
                      busy={action.busy}
                      label={p.makePrimary}
                      ariaLabel={format(p.makePrimaryLabel, { email: a.emailAddress })}
                      onClick={() =>
                        start(async () => {
                          await user.update({ primaryEmailAddressId: a.id });
                          setStatus(format(p.madePrimary, { email: a.emailAddress }));
                        })
                      }
                    />
                  ) : null}
                  {!primary ? (
                    <ActionButton
                      variant="danger"
                      small
                      busy={action.busy}
                      label={p.remove}
                      ariaLabel={format(p.removeLabel, { email: a.emailAddress })}
                      onClick={() =>
                        start(async () => {
                          await a.destroy();
                          setStatus(format(p.removed, { email: a.emailAddress }));
                        })
                      }
                    />
                  ) : null}
                </span>
              </li>
            );
          })}
        </ul>
      </section>
      <section className="tsr-section" aria-labelledby={addTitleId}>
        <h2 className="tsr-section-title" id={addTitleId}>
          {pending ? format(p.codeTitle, { email: pending.emailAddress }) : p.addTitle}
        </h2>
        {pending ? (
          <form className="tsr-form" onSubmit={onVerify} noValidate data-testid="verify-email-address">
            <FieldWithAlert
              label={p.code}
              inputRef={codeRef}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={16}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={errorText}
              errorId={errorId}
            />
            <span className="tsr-item-actions">
              <BusyButton busy={action.busy} label={p.verify} />
              <ActionButton
                variant="secondary"
                busy={action.busy}
                label={p.resend}
                onClick={() =>
                  start(async () => {
                    setPending(await pending.prepareVerification({ strategy: 'email_code' }));
                    setStatus(format(p.codeResent, { email: pending.emailAddress }));
                  })
                }
              />
              <ActionButton
                variant="secondary"
                busy={action.busy}
                label={t.common.cancel}
                onClick={() =>
                  start(async () => {
                    await pending.destroy();
                    setPending(null);
                  })
                }
              />
            </span>
          </form>
        ) : (
          <form className="tsr-form" onSubmit={onAdd} noValidate data-testid="add-email-address">
            <p className="tsr-muted">{p.note}</p>
            <FieldWithAlert
              label={t.common.emailAddress}
              inputRef={emailRef}
              name="email"
              type="email"
              autoComplete="email"
              maxLength={320}
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errorText}
              errorId={errorId}
            />
            <BusyButton busy={action.busy} label={p.add} />
          </form>
        )}
        <StatusMessage message={status} />
      </section>
    </div>
  );
}
