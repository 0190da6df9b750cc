// Every string the prebuilt components show, in English, and how an app replaces them: a
// `localization` object (any subset of these keys) on <TesseraUIProvider> and/or on each
// component (the component's wins). Strings may hold `{placeholders}`, filled in by `format`.
// Errors are looked up by the server's error code (`errors[code]`); a code without an entry
// shows the server's long_message, and `errors.unknown` when there is none.
import type { TesseraErrorCode } from '../../errors.ts';

export const enUS = {
  common: {
    loading: 'Loading…',
    continue: 'Continue',
    cancel: 'Cancel',
    signOut: 'Sign out',
    emailAddress: 'Email address',
    password: 'Password',
    firstName: 'First name',
    lastName: 'Last name',
    optional: '(optional)',
    working: 'Working…',
    loadFailed: 'Could not reach the server. Check your connection and reload the page.',
  },
  signIn: {
    title: 'Sign in to {appName}',
    subtitle: 'Sign in to your {appName} account.',
    submit: 'Continue',
    noAccount: 'No account?',
    signUpLink: 'Sign up',
    /** The invited address and the organization are known (the hosted pages). */
    invitedAs: 'You have been invited to join {organization} on {appName} as {email}.',
    invitedToOrganization: 'You have been invited to join {organization} on {appName}.',
    invited: 'You have been invited to {appName}.',
    ticketNote: 'Sign in to accept the invitation: no password needed, the invitation link is the proof.',
    ticketSubmit: 'Accept invitation and sign in',
    ticketNoAccount: 'There is no account for this address yet: create one to accept the invitation.',
    ticketNoAccountLink: 'Sign up to accept',
    alreadySignedIn: 'You are signed in as {email}.',
    signedIn: 'Signed in. Redirecting…',
  },
  signUp: {
    title: 'Sign up to {appName}',
    subtitle: 'Create your {appName} account.',
    submit: 'Continue',
    haveAccount: 'Already have an account?',
    signInLink: 'Sign in',
    restricted: 'Sign-up to {appName} is by invitation only. Ask an administrator to invite you.',
    ticketNote: 'Your email address will be verified by this invitation.',
    ticketSubmit: 'Accept invitation and sign up',
    ticketAccountExists: 'An account already exists for this address: sign in to accept the invitation.',
    ticketAccountExistsLink: 'Sign in to accept',
    passwordHint: 'At least {min} characters.',
    codeTitle: 'Check your email',
    codeSent: 'We emailed a 6-digit code to {email}. Enter it to verify your address.',
    code: 'Verification code',
    codeSubmit: 'Verify and continue',
    resend: 'Send a new code',
    resent: 'A new code is on its way to {email}.',
    signedUp: 'Account created. Redirecting…',
  },
  invitation: {
    /** The ticket in the URL cannot be used; expired, revoked, accepted and unknown look alike. */
    unusable: 'This invitation link can no longer be used. Ask for a new invitation.',
    unusableOrSignIn: 'This invitation link can no longer be used. Ask for a new invitation, or sign in below.',
    unusableOrSignUp: 'This invitation link can no longer be used. Ask for a new invitation, or create an account below.',
    completeTitle: 'Invitation accepted',
    joinedTitle: 'You have joined {organization}',
    completeBody: 'The invitation has been accepted. You can continue to {appName}.',
    wrongAccountTitle: 'You are signed in as someone else',
    wrongAccountBody: 'You are signed in as {current}, but this invitation is for {invited}.',
    wrongAccountBodyUnknown: 'You are signed in as {current}. This invitation is for another account.',
    signOutAndContinue: 'Sign out and continue',
    continueAs: 'Continue as {current}',
  },
  userButton: {
    open: 'Account menu for {name}',
    signedInAs: 'Signed in as',
    signOut: 'Sign out',
    manageOrganization: 'Manage organization',
  },
  organizationSwitcher: {
    open: 'Switch organization (current: {name})',
    noOrganization: 'No organization',
    personal: 'No active organization',
    heading: 'Your organizations',
    active: 'Active',
    switchTo: 'Switch to {name}',
    none: 'You are not a member of any organization yet.',
    pendingInvitations: '{count} pending invitation(s)',
    pendingBadge: '{count} pending',
    switched: 'Switched to {name}.',
  },
  organizationList: {
    organizationsTitle: 'Your organizations',
    none: 'You are not a member of any organization yet.',
    role: 'Role: {role}',
    active: 'Active',
    setActive: 'Make active',
    manage: 'Manage',
    invitationsTitle: 'Invitations',
    noInvitations: 'No pending invitations.',
    invitedAs: 'Invited as {role} ({email})',
    accept: 'Accept',
    decline: 'Decline',
    acceptLabel: 'Accept the invitation to {organization}',
    declineLabel: 'Decline the invitation to {organization}',
    accepted: 'You have joined {organization}.',
    declined: 'Invitation to {organization} declined.',
  },
  organizationProfile: {
    noOrganization: 'No organization is active. Choose one first.',
    membersTitle: 'Members',
    membersCount: '{count} member(s)',
    noMembers: 'No members.',
    memberColumn: 'Member',
    emailColumn: 'Email',
    roleColumn: 'Role',
    joinedColumn: 'Joined',
    you: '(you)',
    cannotListMembers: 'You cannot see the members of this organization.',
    invitationsTitle: 'Invitations',
    status_pending: 'Pending',
    status_accepted: 'Accepted',
    status_revoked: 'Revoked',
    status_expired: 'Expired',
    noInvitations: 'None.',
    invitedOn: 'Invited {date}',
    expiresOn: 'expires {date}',
    revoke: 'Revoke',
    revokeLabel: 'Revoke the invitation to {email}',
    revoked: 'The invitation to {email} was revoked.',
    refresh: 'Refresh',
    inviteTitle: 'Invite members',
    inviteEmails: 'Email addresses',
    inviteEmailsHint: 'One or more addresses, separated by commas, spaces or new lines (at most 10 at once).',
    inviteRole: 'Role',
    inviteSubmit: 'Send invitations',
    invited: 'Invited {count}: {emails}.',
    inviteNoEmails: 'Enter at least one email address.',
    inviteTooMany: 'At most 10 addresses at once.',
    inviteInvalidEmail: '"{email}" is not an email address.',
    notAdmin: 'Only administrators of this organization can invite and revoke.',
  },
  errors: {
    unknown: 'Something went wrong. Try again.',
    network: 'Could not reach the server. Check your connection and try again.',
    too_many_requests: 'Too many attempts. Try again in {seconds} seconds.',
    too_many_requests_no_wait: 'Too many attempts. Wait a moment and try again.',
    request_conflict: 'Something else changed this at the same moment, and nothing was saved. Try again.',
    user_locked: 'This account is locked after too many failed attempts. Try again in {minutes} minute(s).',
    user_locked_permanent: 'This account is locked. Contact an administrator.',
    form_password_incorrect: 'Password is incorrect. Try again, or use another method.',
    form_identifier_not_found: "Couldn't find an account with that email address.",
    form_code_incorrect: 'The code is incorrect.',
    verification_failed: 'Too many wrong codes. Send a new code and try again.',
    verification_expired: 'The code has expired. Send a new code.',
    form_identifier_exists: 'That email address is taken. Sign in instead.',
    form_password_length_too_short: 'Passwords must be 8 characters or more.',
    form_password_pwned: 'This password has appeared in a data breach. Choose another one.',
    form_param_format_invalid: 'Check the highlighted field.',
    sign_up_mode_restricted: 'Sign-up is by invitation only.',
    not_allowed_access: 'This email address is not allowed to sign up.',
    ticket_expired_code: 'This invitation has expired. Ask for a new one.',
    ticket_invalid_code: 'This invitation link is not valid. Ask for a new invitation.',
    revoked_invitation: 'This invitation has been revoked. Ask for a new one.',
    organization_invitation_revoked_code: 'This invitation has been revoked. Ask for a new one.',
    invitation_already_accepted: 'This invitation has already been accepted. Sign in instead.',
    organization_invitation_already_accepted: 'This invitation has already been accepted. Sign in instead.',
    invitation_account_exists: 'An account already exists for this address. Sign in to accept the invitation.',
    organization_invitation_identification_already_exists: 'An account already exists for this address. Sign in to accept the invitation.',
    invitation_account_not_exists: 'There is no account for this address yet. Sign up to accept the invitation.',
    organization_invitation_identification_not_exist: 'There is no account for this address yet. Sign up to accept the invitation.',
    not_an_admin_in_organization: 'Only administrators of this organization can do this.',
    already_a_member_in_organization: 'One of these people is already a member.',
    organization_membership_quota_exceeded: 'The organization has no seats left.',
    organization_invitation_not_pending: 'This invitation is no longer pending.',
    duplicate_record: 'One of these addresses already has a pending invitation.',
    origin_invalid: 'This page is not allowed to talk to the server (origin not allowed).',
    signed_out: 'You are signed out. Sign in again.',
  } as Record<string, string>,
};

export type Localization = typeof enUS;

/** Any subset of the strings (each section partial). */
export type LocalizationResource = { [S in keyof Localization]?: Partial<Localization[S]> };

/** Error-message keys: the server's codes, plus the few the components add. */
export type ErrorMessageKey = TesseraErrorCode | 'unknown' | 'network' | 'too_many_requests_no_wait' | 'user_locked_permanent';

/** Merges localization resources over English, later ones winning. */
export function mergeLocalization(...resources: (LocalizationResource | undefined)[]): Localization {
  const pick = <S extends keyof Localization>(section: S): Localization[S] =>
    resources.reduce<Localization[S]>((acc, r) => ({ ...acc, ...r?.[section] }), enUS[section]);
  return {
    common: pick('common'),
    signIn: pick('signIn'),
    signUp: pick('signUp'),
    invitation: pick('invitation'),
    userButton: pick('userButton'),
    organizationSwitcher: pick('organizationSwitcher'),
    organizationList: pick('organizationList'),
    organizationProfile: pick('organizationProfile'),
    errors: pick('errors'),
  };
}

/** Fills `{name}` placeholders; unknown ones stay as written. */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => (key in vars ? String(vars[key]) : m));
}
