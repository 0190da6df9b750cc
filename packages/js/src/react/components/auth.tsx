// <SignIn /> and <SignUp />. Both read the invitation parameters of the page URL themselves, so an
// application that embeds either on its invitations' redirect_url page needs no code (seed 000):
// - __clerk_status=sign_up: the ticket sign-up form (names and a password; the invited address is
//   verified by the ticket and shown fixed when known);
// - __clerk_status=sign_in: one click signs in with the ticket and accepts the invitation;
// - __clerk_status=complete: the invitation was accepted for this browser: done;
// - no ticket: SignIn is email + password; SignUp is email + password, then the emailed 6-digit
//   code (or "by invitation only" when the instance's sign-up mode is restricted).
// A browser signed in as someone else than the invited person is offered to sign out and go on.
// A ticket the page knows to be unusable (`invitation={{ usable: false }}`, the hosted pages) gets
// one notice for every reason (expired, revoked, accepted, unknown look alike); errors met while
// submitting (the invitation revoked meanwhile, rate limits, a locked account) are shown by code.
import { useId, useMemo, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { useTessera } from '../provider.tsx';
import type { Tessera } from '../../tessera.ts';
import { useUI, type ComponentBaseProps, type UI } from './context.tsx';
import { format } from './localization.ts';
import {
  cx,
  ErrorAlert,
  errorCode,
  errorMessage,
  errorParam,
  Field,
  LoadFailed,
  Loading,
  readUrlState,
  sameOriginUrl,
  StatusMessage,
  SubmitButton,
  useAction,
  useFocusOnMount,
  withQuery,
  type UrlState,
} from './shared.tsx';

/** What the page knows about the ticket in its URL (the hosted pages learn it from the server). */
export interface InvitationInfo {
  /** false: the ticket cannot be used (expired, revoked, already accepted or unknown: not told apart). */
  usable: boolean;
  /** The invited address (shown fixed on the sign-up form). */
  emailAddress?: string | null;
  /** The organization an organization invitation is for. */
  organizationName?: string | null;
  /** sign_in when an account owns the invited address, else sign_up (wins over __clerk_status). */
  status?: 'sign_in' | 'sign_up';
}

export interface AuthComponentProps extends ComponentBaseProps {
  /**
   * Where to go once signed in. Default: the page URL's `redirect_url` when it is on this origin,
   * else "/". (A `redirect_url` on another origin is never followed.)
   */
  redirectUrl?: string;
  /** The sign-in page, for links (default `/sign-in`). */
  signInUrl?: string;
  /** The sign-up page, for links (default `/sign-up`). */
  signUpUrl?: string;
  /** What is known about the URL's invitation ticket; without it the components learn by trying. */
  invitation?: InvitationInfo;
  /** For __clerk_status=complete: the organization joined, when known. */
  completedOrganizationName?: string | null;
}

type Kind = 'signIn' | 'signUp';

interface FlowContext {
  ui: UI;
  tessera: Tessera;
  appName: string;
  url: UrlState;
  /** Where to go when done (absolute or as given by the app). */
  redirect: string;
  /** redirect_url to carry on links between the pages (vetted), or null. */
  carried: string | null;
  signInUrl: string;
  signUpUrl: string;
  className: string | undefined;
  /** Marks the flow done and goes to `redirect`. */
  finish(message: string): void;
}

export function SignIn(props: AuthComponentProps): ReactNode {
  return <AuthRoot kind="signIn" props={props} />;
}

export function SignUp(props: AuthComponentProps): ReactNode {
  return <AuthRoot kind="signUp" props={props} />;
}

function AuthRoot({ kind, props }: { kind: Kind; props: AuthComponentProps }): ReactNode {
  const ui = useUI(props.localization);
  const tessera = useTessera();
  const url = useMemo(readUrlState, []);
  const [done, setDone] = useState<string | null>(null);
  if (done !== null) {
    return (
      <div className={cx('tsr-root', 'tsr-card', props.className)}>
        <StatusMessage message={done} />
      </div>
    );
  }
  if (!tessera.loaded) return tessera.loadError ? <LoadFailed t={ui.t} className={props.className} /> : <Loading t={ui.t} className={props.className} />;

  const vetted = url.redirectUrl ? sameOriginUrl(url.redirectUrl, '') : '';
  const redirect = props.redirectUrl ?? (vetted || '/');
  const ctx: FlowContext = {
    ui,
    tessera,
    appName: tessera.environment?.displayConfig.applicationName ?? '',
    url,
    redirect,
    carried: vetted || null,
    signInUrl: props.signInUrl ?? '/sign-in',
    signUpUrl: props.signUpUrl ?? '/sign-up',
    className: props.className,
    finish(message) {
      setDone(message);
      ui.navigate(redirect);
    },
  };
  const inv = props.invitation;
  if (url.status === 'complete' && inv?.usable !== true) return <CompleteView ctx={ctx} organizationName={props.completedOrganizationName ?? null} />;
  if (url.ticket && inv?.usable !== false) {
    const mode = inv?.status ?? (url.status === 'sign_in' || url.status === 'sign_up' ? url.status : kind === 'signIn' ? 'sign_in' : 'sign_up');
    return <TicketFlow ctx={ctx} ticket={url.ticket} initialMode={mode} invitation={inv} />;
  }
  const stale = url.ticket !== null && inv?.usable === false;
  return kind === 'signIn' ? <PasswordSignIn ctx={ctx} stale={stale} /> : <EmailSignUp ctx={ctx} stale={stale} />;
}

// ---------------------------------------------------------------- shared views

function Card(props: { ctx: FlowContext; children: ReactNode; label?: string }): ReactNode {
  return (
    <section className={cx('tsr-root', 'tsr-card', props.ctx.className)} aria-label={props.label}>
      {props.children}
    </section>
  );
}

/** A heading that takes focus when its step appears (not on the first render of the page). */
function StepTitle(props: { children: ReactNode; focus?: boolean }): ReactNode {
  const ref = useFocusOnMount<HTMLHeadingElement>(props.focus ?? false);
  return (
    <h1 className="tsr-title" ref={ref} tabIndex={-1}>
      {props.children}
    </h1>
  );
}

function CompleteView(props: { ctx: FlowContext; organizationName: string | null }): ReactNode {
  const { t } = props.ctx.ui;
  return (
    <Card ctx={props.ctx}>
      <StepTitle>{props.organizationName ? format(t.invitation.joinedTitle, { organization: props.organizationName }) : t.invitation.completeTitle}</StepTitle>
      <p className="tsr-subtitle">{format(t.invitation.completeBody, { appName: props.ctx.appName })}</p>
      <a className="tsr-button tsr-button-block" href={props.ctx.redirect}>
        {t.common.continue}
      </a>
    </Card>
  );
}

function currentUserLabel(tessera: Tessera): string {
  const u = tessera.user;
  return u?.primaryEmailAddress?.emailAddress ?? u?.fullName ?? u?.username ?? u?.id ?? '';
}

/** Signed in as someone else than the invitation's addressee: sign out and go on, or keep going as them. */
function WrongAccount(props: { ctx: FlowContext; invitedEmail: string | null; onSignedOut(): void }): ReactNode {
  const { ctx } = props;
  const { t } = ctx.ui;
  const action = useAction();
  const current = currentUserLabel(ctx.tessera);
  return (
    <Card ctx={ctx}>
      <StepTitle>{t.invitation.wrongAccountTitle}</StepTitle>
      <p className="tsr-subtitle">
        {props.invitedEmail
          ? format(t.invitation.wrongAccountBody, { current, invited: props.invitedEmail })
          : format(t.invitation.wrongAccountBodyUnknown, { current })}
      </p>
      <ErrorAlert message={action.error ? errorMessage(t, action.error) : null} />
      <div className="tsr-actions">
        <button
          type="button"
          className="tsr-button"
          disabled={action.busy}
          onClick={() => {
            void action.run(async () => {
              await ctx.tessera.signOut();
              props.onSignedOut();
            });
          }}
        >
          {t.invitation.signOutAndContinue}
        </button>
        <a className="tsr-button tsr-button-secondary" href={ctx.redirect}>
          {format(t.invitation.continueAs, { current })}
        </a>
      </div>
    </Card>
  );
}

function InvitedBanner(props: { ctx: FlowContext; invitation: InvitationInfo | undefined }): ReactNode {
  const { t } = props.ctx.ui;
  const email = props.invitation?.emailAddress;
  const organization = props.invitation?.organizationName;
  const appName = props.ctx.appName;
  if (email && organization) {
    const [before = '', after = ''] = format(t.signIn.invitedAs, { organization, appName }).split('{email}');
    return (
      <p className="tsr-invited">
        {before}
        <strong data-testid="invited-email">{email}</strong>
        {after}
      </p>
    );
  }
  if (email) {
    return (
      <p className="tsr-invited">
        {format(t.signIn.invited, { appName })} <strong data-testid="invited-email">{email}</strong>
      </p>
    );
  }
  return <p className="tsr-invited">{organization ? format(t.signIn.invitedToOrganization, { organization, appName }) : format(t.signIn.invited, { appName })}</p>;
}

// ---------------------------------------------------------------- with a ticket

function TicketFlow(props: { ctx: FlowContext; ticket: string; initialMode: 'sign_in' | 'sign_up'; invitation: InvitationInfo | undefined }): ReactNode {
  const { ctx, ticket, invitation } = props;
  const [mode, setMode] = useState(props.initialMode);
  // Set when the mode was switched because the server said so (the other flow's notice is shown).
  const [switched, setSwitched] = useState(false);
  const [signedOut, setSignedOut] = useState(false);
  // Once a submit started here, the session it creates is this person's: no "someone else" view.
  const [started, setStarted] = useState(false);
  const invitedEmail = invitation?.emailAddress ?? null;
  const user = ctx.tessera.user;
  const ownsInvited = invitedEmail !== null && user?.emailAddresses.some((e) => e.emailAddress.toLowerCase() === invitedEmail.toLowerCase()) === true;
  if (user && !ownsInvited && !started) return <WrongAccount ctx={ctx} invitedEmail={invitedEmail} onSignedOut={() => setSignedOut(true)} />;
  const switchTo = (m: 'sign_in' | 'sign_up') => {
    setMode(m);
    setSwitched(true);
  };
  return mode === 'sign_in' ? (
    <TicketSignIn ctx={ctx} onStart={() => setStarted(true)} ticket={ticket} invitation={invitation} focus={switched || signedOut} notice={switched ? ctx.ui.t.signUp.ticketAccountExists : null} onNoAccount={() => switchTo('sign_up')} />
  ) : (
    <TicketSignUp ctx={ctx} onStart={() => setStarted(true)} ticket={ticket} invitation={invitation} focus={switched || signedOut} notice={switched ? ctx.ui.t.signIn.ticketNoAccount : null} onAccountExists={() => switchTo('sign_in')} />
  );
}

const NO_ACCOUNT = new Set(['organization_invitation_identification_not_exist', 'invitation_account_not_exists']);
const ACCOUNT_EXISTS = new Set(['organization_invitation_identification_already_exists', 'invitation_account_exists']);

function TicketSignIn(props: { ctx: FlowContext; onStart(): void; ticket: string; invitation: InvitationInfo | undefined; focus: boolean; notice: string | null; onNoAccount(): void }): ReactNode {
  const { ctx } = props;
  const { t } = ctx.ui;
  const action = useAction();
  const errorId = useId();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      props.onStart();
      try {
        const signIn = await ctx.tessera.signIn.create({ strategy: 'ticket', ticket: props.ticket });
        if (signIn.status !== 'complete') throw new Error('sign-in not complete');
        await ctx.tessera.setActive({ session: signIn.createdSessionId });
        ctx.finish(t.signIn.signedIn);
      } catch (err) {
        if (NO_ACCOUNT.has(errorCode(err) ?? '')) return props.onNoAccount();
        throw err;
      }
    });
  };
  return (
    <Card ctx={ctx}>
      <StepTitle focus={props.focus}>{format(t.signIn.title, { appName: ctx.appName })}</StepTitle>
      {props.notice ? <p className="tsr-notice">{props.notice}</p> : null}
      <InvitedBanner ctx={ctx} invitation={props.invitation} />
      <p className="tsr-muted">{t.signIn.ticketNote}</p>
      <form className="tsr-form" onSubmit={onSubmit} noValidate>
        <ErrorAlert id={errorId} message={action.error ? errorMessage(t, action.error) : null} />
        <SubmitButton busy={action.busy} label={t.signIn.ticketSubmit} t={t} />
      </form>
    </Card>
  );
}

function TicketSignUp(props: { ctx: FlowContext; onStart(): void; ticket: string; invitation: InvitationInfo | undefined; focus: boolean; notice: string | null; onAccountExists(): void }): ReactNode {
  const { ctx } = props;
  const { t } = ctx.ui;
  const action = useAction();
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [password, setPassword] = useState('');
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorId = useId();
  const minLength = ctx.tessera.environment?.userSettings.passwordMinLength ?? 8;
  const invalidParam = errorParam(action.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      props.onStart();
      try {
        const signUp = await ctx.tessera.signUp.create({
          strategy: 'ticket',
          ticket: props.ticket,
          password,
          ...(firstName.trim() ? { firstName: firstName.trim() } : {}),
          ...(lastName.trim() ? { lastName: lastName.trim() } : {}),
        });
        if (signUp.status !== 'complete') throw new Error('sign-up not complete');
        await ctx.tessera.setActive({ session: signUp.createdSessionId });
        ctx.finish(t.signUp.signedUp);
      } catch (err) {
        if (ACCOUNT_EXISTS.has(errorCode(err) ?? '')) return props.onAccountExists();
        if (errorParam(err) === 'password') passwordRef.current?.focus();
        throw err;
      }
    });
  };
  return (
    <Card ctx={ctx}>
      <StepTitle focus={props.focus}>{format(t.signUp.title, { appName: ctx.appName })}</StepTitle>
      {props.notice ? <p className="tsr-notice">{props.notice}</p> : null}
      <InvitedBanner ctx={ctx} invitation={props.invitation} />
      <p className="tsr-muted">{t.signUp.ticketNote}</p>
      <form className="tsr-form" onSubmit={onSubmit} noValidate>
        {props.invitation?.emailAddress ? <Field label={t.common.emailAddress} type="email" name="email_address" value={props.invitation.emailAddress} readOnly /> : null}
        <NewAccountFields
          t={t}
          minLength={minLength}
          firstName={[firstName, setFirstName]}
          lastName={[lastName, setLastName]}
          password={[password, setPassword]}
          passwordInvalid={invalidParam === 'password'}
          errorId={errorId}
          passwordRef={passwordRef}
        />
        <ErrorAlert id={errorId} message={action.error ? errorMessage(t, action.error) : null} />
        <SubmitButton busy={action.busy} label={t.signUp.ticketSubmit} t={t} />
      </form>
    </Card>
  );
}

// ---------------------------------------------------------------- without a ticket

function SignedInAlready(props: { ctx: FlowContext }): ReactNode {
  const { ctx } = props;
  const { t } = ctx.ui;
  const action = useAction();
  return (
    <Card ctx={ctx}>
      <StepTitle>{format(t.signIn.title, { appName: ctx.appName })}</StepTitle>
      <p className="tsr-subtitle">{format(t.signIn.alreadySignedIn, { email: currentUserLabel(ctx.tessera) })}</p>
      <ErrorAlert message={action.error ? errorMessage(t, action.error) : null} />
      <div className="tsr-actions">
        <a className="tsr-button" href={ctx.redirect}>
          {t.common.continue}
        </a>
        <button type="button" className="tsr-button tsr-button-secondary" disabled={action.busy} onClick={() => void action.run(() => ctx.tessera.signOut())}>
          {t.common.signOut}
        </button>
      </div>
    </Card>
  );
}

const IDENTIFIER_PARAMS = new Set(['identifier', 'email_address']);

function PasswordSignIn(props: { ctx: FlowContext; stale: boolean }): ReactNode {
  const { ctx } = props;
  const { t } = ctx.ui;
  const action = useAction();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorId = useId();
  // Once a submit started here, the session it creates is this form's result, not "already signed in".
  const [started, setStarted] = useState(false);
  if (ctx.tessera.session && !started) return <SignedInAlready ctx={ctx} />;
  const param = errorParam(action.error);
  const code = errorCode(action.error);
  const emailInvalid = IDENTIFIER_PARAMS.has(param ?? '') || code === 'form_identifier_not_found';
  const passwordInvalid = param === 'password' || code === 'form_password_incorrect';
  const restricted = ctx.tessera.environment?.userSettings.signUp.mode === 'restricted';
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setStarted(true);
    void action.run(async () => {
      try {
        const signIn = await ctx.tessera.signIn.create({ identifier: email.trim(), password });
        if (signIn.status !== 'complete') throw new Error(`sign-in ${signIn.status ?? 'not started'}`);
        await ctx.tessera.setActive({ session: signIn.createdSessionId });
        ctx.finish(t.signIn.signedIn);
      } catch (err) {
        const p = errorParam(err);
        if (p === 'password' || errorCode(err) === 'form_password_incorrect') passwordRef.current?.focus();
        else if (IDENTIFIER_PARAMS.has(p ?? '') || errorCode(err) === 'form_identifier_not_found') emailRef.current?.focus();
        throw err;
      }
    });
  };
  return (
    <Card ctx={ctx}>
      <StepTitle>{format(t.signIn.title, { appName: ctx.appName })}</StepTitle>
      {props.stale ? (
        <p className="tsr-notice" data-testid="stale-ticket">
          {t.invitation.unusableOrSignIn}
        </p>
      ) : null}
      <p className="tsr-subtitle">{format(t.signIn.subtitle, { appName: ctx.appName })}</p>
      <form className="tsr-form" onSubmit={onSubmit} noValidate>
        <Field
          label={t.common.emailAddress}
          type="email"
          name="identifier"
          autoComplete="username"
          required
          maxLength={320}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          invalid={emailInvalid}
          errorId={errorId}
          inputRef={emailRef}
        />
        <Field
          label={t.common.password}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          maxLength={1024}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          invalid={passwordInvalid}
          errorId={errorId}
          inputRef={passwordRef}
        />
        <ErrorAlert id={errorId} message={action.error ? errorMessage(t, action.error) : null} />
        <SubmitButton busy={action.busy} label={t.signIn.submit} t={t} />
      </form>
      {restricted ? null : (
        <p className="tsr-footer">
          {t.signIn.noAccount}{' '}
          <a className="tsr-link" href={withQuery(ctx.signUpUrl, { redirect_url: ctx.carried })}>
            {t.signIn.signUpLink}
          </a>
        </p>
      )}
    </Card>
  );
}

function EmailSignUp(props: { ctx: FlowContext; stale: boolean }): ReactNode {
  const { ctx } = props;
  const { t } = ctx.ui;
  const action = useAction();
  const [step, setStep] = useState<'form' | 'code'>('form');
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const errorId = useId();
  const codeRef = useFocusOnMount<HTMLInputElement>(step === 'code');
  const minLength = ctx.tessera.environment?.userSettings.passwordMinLength ?? 8;
  const signInLink = (
    <p className="tsr-footer">
      {t.signUp.haveAccount}{' '}
      <a className="tsr-link" href={withQuery(ctx.signInUrl, { redirect_url: ctx.carried })}>
        {t.signUp.signInLink}
      </a>
    </p>
  );
  if (ctx.tessera.session && step === 'form') return <SignedInAlready ctx={ctx} />;
  const restricted = ctx.tessera.environment?.userSettings.signUp.mode === 'restricted';
  const staleNotice = props.stale ? (
    <p className="tsr-notice" data-testid="stale-ticket">
      {restricted ? t.invitation.unusable : t.invitation.unusableOrSignUp}
    </p>
  ) : null;
  if (restricted) {
    return (
      <Card ctx={ctx}>
        <StepTitle>{format(t.signUp.title, { appName: ctx.appName })}</StepTitle>
        {staleNotice}
        <p className="tsr-subtitle" data-testid="sign-up-restricted">
          {format(t.signUp.restricted, { appName: ctx.appName })}
        </p>
        {signInLink}
      </Card>
    );
  }
  const param = errorParam(action.error);
  if (step === 'code') {
    const codeInvalid = param === 'code' || ['form_code_incorrect', 'verification_failed', 'verification_expired'].includes(errorCode(action.error) ?? '');
    const onVerify = (e: FormEvent) => {
      e.preventDefault();
      setStatus(null);
      void action.run(async () => {
        try {
          const signUp = await ctx.tessera.signUp.attemptEmailAddressVerification({ code: code.trim() });
          if (signUp.status !== 'complete') throw new Error('sign-up not complete');
          await ctx.tessera.setActive({ session: signUp.createdSessionId });
          ctx.finish(t.signUp.signedUp);
        } catch (err) {
          codeRef.current?.focus();
          throw err;
        }
      });
    };
    const onResend = () => {
      setStatus(null);
      void action.run(async () => {
        await ctx.tessera.signUp.prepareEmailAddressVerification();
        setCode('');
        setStatus(format(t.signUp.resent, { email: ctx.tessera.signUp.emailAddress ?? email }));
      });
    };
    return (
      <Card ctx={ctx}>
        <StepTitle>{t.signUp.codeTitle}</StepTitle>
        <p className="tsr-subtitle">
          {format(t.signUp.codeSent, { email: ctx.tessera.signUp.emailAddress ?? email })}
        </p>
        <form className="tsr-form" onSubmit={onVerify} noValidate>
          <Field
            label={t.signUp.code}
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            invalid={codeInvalid}
            errorId={errorId}
            inputRef={codeRef}
          />
          <ErrorAlert id={errorId} message={action.error ? errorMessage(t, action.error) : null} />
          <SubmitButton busy={action.busy} label={t.signUp.codeSubmit} t={t} />
        </form>
        <div className="tsr-actions">
          <button type="button" className="tsr-link" onClick={onResend} disabled={action.busy}>
            {t.signUp.resend}
          </button>
        </div>
        <StatusMessage message={status} />
      </Card>
    );
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      try {
        await ctx.tessera.signUp.create({
          emailAddress: email.trim(),
          password,
          ...(firstName.trim() ? { firstName: firstName.trim() } : {}),
          ...(lastName.trim() ? { lastName: lastName.trim() } : {}),
        });
        await ctx.tessera.signUp.prepareEmailAddressVerification();
        setStep('code');
      } catch (err) {
        const p = errorParam(err);
        if (p === 'password') passwordRef.current?.focus();
        else if (p === 'email_address') emailRef.current?.focus();
        throw err;
      }
    });
  };
  return (
    <Card ctx={ctx}>
      <StepTitle>{format(t.signUp.title, { appName: ctx.appName })}</StepTitle>
      {staleNotice}
      <p className="tsr-subtitle">{format(t.signUp.subtitle, { appName: ctx.appName })}</p>
      <form className="tsr-form" onSubmit={onSubmit} noValidate>
        <Field
          label={t.common.emailAddress}
          type="email"
          name="email_address"
          autoComplete="email"
          required
          maxLength={320}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          invalid={param === 'email_address' || errorCode(action.error) === 'form_identifier_exists'}
          errorId={errorId}
          inputRef={emailRef}
        />
        <NewAccountFields
          t={t}
          minLength={minLength}
          firstName={[firstName, setFirstName]}
          lastName={[lastName, setLastName]}
          password={[password, setPassword]}
          passwordInvalid={param === 'password'}
          errorId={errorId}
          passwordRef={passwordRef}
        />
        <ErrorAlert id={errorId} message={action.error ? errorMessage(t, action.error) : null} />
        <SubmitButton busy={action.busy} label={t.signUp.submit} t={t} />
      </form>
      {signInLink}
    </Card>
  );
}

/** The names and the new password of a sign-up form (with or without a ticket). */
function NewAccountFields(props: {
  t: UI['t'];
  minLength: number;
  firstName: [string, (v: string) => void];
  lastName: [string, (v: string) => void];
  password: [string, (v: string) => void];
  passwordInvalid: boolean;
  errorId: string;
  passwordRef: RefObject<HTMLInputElement | null>;
}): ReactNode {
  const { t, minLength } = props;
  return (
    <>
      <div className="tsr-field-row">
        <Field label={t.common.firstName} name="first_name" autoComplete="given-name" maxLength={256} value={props.firstName[0]} onChange={(e) => props.firstName[1](e.target.value)} />
        <Field label={t.common.lastName} name="last_name" autoComplete="family-name" maxLength={256} value={props.lastName[0]} onChange={(e) => props.lastName[1](e.target.value)} />
      </div>
      <Field
        label={t.common.password}
        hint={format(t.signUp.passwordHint, { min: minLength })}
        type="password"
        name="password"
        autoComplete="new-password"
        required
        minLength={minLength}
        maxLength={1024}
        value={props.password[0]}
        onChange={(e) => props.password[1](e.target.value)}
        invalid={props.passwordInvalid}
        errorId={props.errorId}
        inputRef={props.passwordRef}
      />
    </>
  );
}
