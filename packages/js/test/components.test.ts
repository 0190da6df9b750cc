// The prebuilt components (@tessera/js/react) rendered by react-dom into happy-dom against a real
// Tessera server: <SignIn /> and <SignUp /> with and without invitation tickets (one-click ticket
// sign-in, ticket sign-up, the emailed code, unusable tickets by code, signed in as someone else,
// __clerk_status=complete, sign-up by invitation only, rate limits with Retry-After, a locked
// account), localization, <OrganizationProfile /> (members, invite several with a role from the
// organization's roles, invitations by status, revoke), <OrganizationList /> (accept, decline),
// <OrganizationSwitcher /> and <UserButton /> (keyboard, focus, sign-out).
import { dom } from './helpers/dom-register.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import React, { act, createElement as h, type ReactElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { Tessera } from '../src/index.ts';
import type { FetchLike } from '../src/fapi.ts';
import {
  CreateOrganization,
  OrganizationList,
  OrganizationProfile,
  OrganizationSwitcher,
  SignIn,
  SignUp,
  TesseraProvider,
  TesseraUIProvider,
  UserButton,
  type LocalizationResource,
} from '../src/react/index.ts';
import type { Dom } from './helpers/dom.ts';
import {
  addMember,
  bapi,
  codeSentTo,
  inviteToOrg,
  newBrowser,
  newOrg,
  newUser,
  PASSWORD,
  signedInBrowser,
  startSdkApp,
  uniqueEmail,
  type TestApp,
} from './helpers/sdk.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Screen {
  root: Root | null = null;
  container!: HTMLElement;
  /** Where the components asked to go (their `navigate`). */
  readonly navigations: string[] = [];

  constructor(readonly dom: Dom) {
    // The components read the page URL from the global location, as in a browser.
    Object.defineProperty(globalThis, 'location', { value: dom.window.location, configurable: true, writable: true });
  }

  /** Sets the page URL (path and query) before a render. */
  setUrl(pathAndQuery: string): void {
    this.dom.window.happyDOM.setURL(`http://localhost:3000${pathAndQuery}`);
  }

  async render(tessera: Tessera, element: ReactElement, opts: { localization?: LocalizationResource } = {}): Promise<void> {
    await this.unmount();
    this.navigations.length = 0;
    this.container = document.createElement('div');
    document.body.appendChild(this.container);
    this.root = createRoot(this.container);
    const ui = h(TesseraUIProvider, { navigate: (to: string) => this.navigations.push(to), ...(opts.localization ? { localization: opts.localization } : {}) }, element);
    await act(async () => {
      this.root!.render(h(TesseraProvider, { tessera }, ui));
    });
  }

  async unmount(): Promise<void> {
    if (this.root) {
      const root = this.root;
      await act(async () => root.unmount());
      this.container.remove();
      this.root = null;
    }
  }

  /** Lets React and the network settle until `check` passes (15 s at most: CI machines are busy). */
  async waitFor(check: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (check()) return;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; the page shows: ${this.text()}`);
      await act(async () => {
        await sleep(20);
      });
    }
  }

  text(): string {
    return (this.container.textContent ?? '').replace(/\s+/g, ' ').trim();
  }

  has(text: string): boolean {
    return this.text().includes(text);
  }

  /** The form control labelled `label` (label[for] → id). */
  field(label: string): HTMLInputElement {
    const l = [...this.container.querySelectorAll('label')].find((x) => x.textContent?.trim() === label);
    assert.ok(l, `no label "${label}" in: ${this.text()}`);
    const el = document.getElementById(l.htmlFor);
    assert.ok(el, `no control for label "${label}"`);
    return el as HTMLInputElement;
  }

  /** A button or link by its accessible name (aria-label, else its text). */
  button(name: string | RegExp): HTMLElement {
    const all = [...this.container.querySelectorAll('button, a')] as HTMLElement[];
    const found = all.find((b) => {
      const n = (b.getAttribute('aria-label') ?? b.textContent ?? '').trim();
      return typeof name === 'string' ? n === name : name.test(n);
    });
    assert.ok(found, `no button "${String(name)}" in: ${this.text()}`);
    return found;
  }

  hasButton(name: string): boolean {
    return ([...this.container.querySelectorAll('button, a')] as HTMLElement[]).some((b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').trim() === name);
  }

  async click(name: string | RegExp | HTMLElement): Promise<void> {
    const el = typeof name === 'string' || name instanceof RegExp ? this.button(name) : name;
    await act(async () => el.click());
  }

  /** Types into a React-controlled input, textarea or select (native setter, then input/change). */
  async type(label: string, value: string): Promise<void> {
    const el = this.field(label);
    const w = this.dom.window;
    const proto = el.tagName === 'TEXTAREA' ? w.HTMLTextAreaElement.prototype : el.tagName === 'SELECT' ? w.HTMLSelectElement.prototype : w.HTMLInputElement.prototype;
    const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
    assert.ok(setter);
    await act(async () => {
      setter.call(el, value);
      el.dispatchEvent(new w.Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }) as unknown as Event);
    });
  }

  /** The text of the visible role="alert" regions. */
  alerts(): string[] {
    return ([...this.container.querySelectorAll('[role="alert"]')] as HTMLElement[]).map((e) => (e.textContent ?? '').trim()).filter(Boolean);
  }

  async waitForAlert(): Promise<string> {
    await this.waitFor(() => this.alerts().length > 0, 'an error (role="alert")');
    return this.alerts()[0]!;
  }
}

// The runner's tsx compiles .tsx with the classic JSX runtime (the server's tsconfig sets none),
// which reads a global React.
(globalThis as { React?: unknown }).React = React;

const ROLES_OF = async (t: TestApp, orgId: string, status = 'pending') =>
  (await bapi<{ data: { email_address: string; role: string }[] }>(t, 'GET', `/v1/organizations/${orgId}/invitations?status=${status}&limit=100`)).body.data;

describe('prebuilt components', () => {
  let t: TestApp;
  let screen: Screen;

  before(async () => {
    t = await startSdkApp({ worker: true });
    screen = new Screen(dom);
  });
  after(async () => {
    await screen.unmount();
    await t.close();
  });

  // ------------------------------------------------------------------ SignIn / SignUp without a ticket

  test('SignIn: a wrong password is an alert tied to the password field; the right one signs in; redirect_url only on this origin', async () => {
    const user = await newUser(t);
    screen.setUrl(`/sign-in?redirect_url=${encodeURIComponent('https://evil.example/steal')}`);
    const { tessera } = newBrowser(t);
    await screen.render(tessera, h(SignIn));
    await screen.waitFor(() => screen.has('Sign in to Acme Test'), 'the sign-in form');
    await screen.type('Email address', user.email);
    await screen.type('Password', 'not the password');
    await screen.click('Continue');
    assert.equal(await screen.waitForAlert(), 'Password is incorrect. Try again, or use another method.');
    const password = screen.field('Password');
    assert.equal(password.getAttribute('aria-invalid'), 'true');
    const alertId = screen.container.querySelector('[role="alert"]')!.id;
    assert.ok(alertId && password.getAttribute('aria-describedby')?.split(' ').includes(alertId), 'the field points at the alert');
    assert.equal(document.activeElement, password, 'focus moves to the field in error');

    await screen.type('Password', PASSWORD);
    await screen.click('Continue');
    await screen.waitFor(() => screen.navigations.length > 0, 'the redirect');
    assert.deepEqual(screen.navigations, ['/'], 'a redirect_url on another origin is not followed');
    assert.equal(tessera.user?.id, user.id);

    screen.setUrl(`/sign-in?redirect_url=${encodeURIComponent('/dashboard?tab=1')}`);
    const second = newBrowser(t);
    await screen.render(second.tessera, h(SignIn));
    await screen.waitFor(() => screen.has('Sign in to Acme Test'), 'the form');
    assert.equal(screen.button('Sign up').getAttribute('href'), `/sign-up?redirect_url=${encodeURIComponent('http://localhost:3000/dashboard?tab=1')}`, 'the link to sign up keeps it');
    await screen.type('Email address', user.email);
    await screen.type('Password', PASSWORD);
    await screen.click('Continue');
    await screen.waitFor(() => screen.navigations.length > 0, 'the redirect');
    assert.deepEqual(screen.navigations, ['http://localhost:3000/dashboard?tab=1']);
  });

  test('SignUp without a ticket: email + password → the emailed 6-digit code (a wrong one first) → signed in', async () => {
    screen.setUrl('/sign-up');
    const email = uniqueEmail('plain');
    const { tessera } = newBrowser(t);
    await screen.render(tessera, h(SignUp));
    await screen.waitFor(() => screen.has('Create your Acme Test account.'), 'the sign-up form');
    await screen.type('Email address', email);
    await screen.type('First name', 'Katherine');
    await screen.type('Password', PASSWORD);
    await screen.click('Continue');
    await screen.waitFor(() => screen.has('Check your email'), 'the code step');
    assert.ok(screen.has(`We emailed a 6-digit code to ${email.toLowerCase()}`));
    assert.equal(document.activeElement, screen.field('Verification code'), 'focus moves to the code');
    const code = await codeSentTo(t, email.toLowerCase());

    await screen.type('Verification code', code === '000000' ? '111111' : '000000');
    await screen.click('Verify and continue');
    assert.equal(await screen.waitForAlert(), 'The code is incorrect.');
    assert.equal(screen.field('Verification code').getAttribute('aria-invalid'), 'true');

    await screen.click('Send a new code');
    await screen.waitFor(() => screen.has('A new code is on its way'), 'the resend status');
    assert.equal(screen.container.querySelector('[aria-live="polite"]')?.textContent?.includes('A new code'), true, 'announced politely');
    const second = await codeSentTo(t, email.toLowerCase());
    await screen.type('Verification code', second);
    await screen.click('Verify and continue');
    await screen.waitFor(() => screen.navigations.length > 0, 'the redirect');
    assert.equal(tessera.user?.primaryEmailAddress?.emailAddress, email.toLowerCase());
    assert.equal(tessera.user?.firstName, 'Katherine');
  });

  // ------------------------------------------------------------------ tickets

  test('embedded on a redirect_url page with no code (seed 000): <SignIn /> handles __clerk_status=sign_up with the ticket sign-up form', async () => {
    const admin = await newUser(t);
    const org = await newOrg(t, admin.id, 'Embedded Org');
    const email = uniqueEmail('ticket');
    const { ticket } = await inviteToOrg(t, org.id, email, 'org:admin');
    screen.setUrl(`/accept-invitation?__clerk_ticket=${encodeURIComponent(ticket)}&__clerk_status=sign_up`);
    const { tessera } = newBrowser(t);
    await screen.render(tessera, h(SignIn));
    await screen.waitFor(() => screen.hasButton('Accept invitation and sign up'), 'the ticket sign-up form');
    assert.ok(screen.has('Your email address will be verified by this invitation.'));
    await screen.type('First name', 'Ada');
    await screen.type('Last name', 'Lovelace');
    await screen.type('Password', PASSWORD);
    await screen.click('Accept invitation and sign up');
    await screen.waitFor(() => screen.navigations.length > 0, 'the redirect');
    assert.equal(tessera.user?.primaryEmailAddress?.emailAddress, email.toLowerCase());
    assert.equal(tessera.organization?.id, org.id);
    assert.equal(tessera.membership?.role, 'org:admin');
  });

  test('an existing user: one click signs in with the ticket (the address and organization shown when the page knows them)', async () => {
    const member = await newUser(t);
    const owner = await newUser(t);
    const org = await newOrg(t, owner.id, 'Bletchley Park');
    const { ticket } = await inviteToOrg(t, org.id, member.email, 'org:member');
    screen.setUrl(`/sign-up?__clerk_ticket=${encodeURIComponent(ticket)}&__clerk_status=sign_in`);
    const { tessera } = newBrowser(t);
    await screen.render(tessera, h(SignUp, { invitation: { usable: true, emailAddress: member.email, organizationName: 'Bletchley Park', status: 'sign_in' } }));
    await screen.waitFor(() => screen.hasButton('Accept invitation and sign in'), 'the one-click sign-in');
    assert.equal(screen.container.querySelector('[data-testid="invited-email"]')?.textContent, member.email);
    assert.ok(screen.has(`You have been invited to join Bletchley Park on Acme Test as ${member.email}.`));
    assert.equal(screen.container.querySelectorAll('input[type="password"]').length, 0, 'no password: the ticket is the proof');
    await screen.click('Accept invitation and sign in');
    await screen.waitFor(() => screen.navigations.length > 0, 'the redirect');
    assert.equal(tessera.user?.id, member.id);
    assert.equal(tessera.organization?.id, org.id);
  });

  test('unusable tickets met on submit are told apart by code: expired, revoked, already accepted; nobody is signed in', async () => {
    const owner = await newUser(t);
    const org = await newOrg(t, owner.id, 'States Org');
    const cases: Array<[string, (inv: { id: string; ticket: string }) => Promise<void>, RegExp]> = [
      ['expired', async (inv) => void (await t.deps.db.updateTable('organization_invitations').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', inv.id).execute()), /expired/],
      ['revoked', async (inv) => void (await bapi(t, 'POST', `/v1/organizations/${org.id}/invitations/${inv.id}/revoke`, {})), /revoked/],
      [
        'accepted',
        async (inv) => {
          const other = newBrowser(t);
          await other.tessera.signUp.create({ strategy: 'ticket', ticket: inv.ticket, password: PASSWORD });
        },
        /already been accepted/,
      ],
    ];
    for (const [name, breakIt, expected] of cases) {
      const inv = await inviteToOrg(t, org.id, uniqueEmail(name));
      screen.setUrl(`/sign-up?__clerk_ticket=${encodeURIComponent(inv.ticket)}&__clerk_status=sign_up`);
      const { tessera } = newBrowser(t);
      await screen.render(tessera, h(SignUp));
      await screen.waitFor(() => screen.hasButton('Accept invitation and sign up'), `${name}: the form`);
      await breakIt(inv);
      await screen.type('Password', PASSWORD);
      await screen.click('Accept invitation and sign up');
      assert.match(await screen.waitForAlert(), expected, name);
      assert.equal(tessera.user, null, `${name}: not signed in`);
      assert.deepEqual(screen.navigations, []);
    }
  });

  test('a ticket the page knows is unusable: one notice for every reason, no address, the plain form', async () => {
    screen.setUrl('/sign-up?__clerk_ticket=whatever&__clerk_status=sign_up');
    const { tessera } = newBrowser(t);
    await screen.render(tessera, h(SignUp, { invitation: { usable: false } }));
    await screen.waitFor(() => screen.has('Create your Acme Test account.'), 'the plain form');
    assert.equal(screen.container.querySelector('[data-testid="stale-ticket"]')?.textContent, 'This invitation link can no longer be used. Ask for a new invitation, or create an account below.');
    assert.equal(screen.field('Email address').readOnly, false);
    assert.equal(screen.container.querySelector('[data-testid="invited-email"]'), null);
  });

  test('signed in as someone else than the invited address: sign out and continue, or continue as them', async () => {
    const other = await newUser(t);
    const owner = await newUser(t);
    const org = await newOrg(t, owner.id, 'Elsewhere Org');
    const email = uniqueEmail('invited');
    const { ticket } = await inviteToOrg(t, org.id, email);
    const { tessera } = await signedInBrowser(t, other);
    screen.setUrl(`/sign-up?__clerk_ticket=${encodeURIComponent(ticket)}&__clerk_status=sign_up`);
    await screen.render(tessera, h(SignUp, { invitation: { usable: true, emailAddress: email.toLowerCase(), organizationName: 'Elsewhere Org', status: 'sign_up' } }));
    await screen.waitFor(() => screen.has('You are signed in as someone else'), 'the wrong-account view');
    assert.ok(screen.has(`You are signed in as ${other.email}, but this invitation is for ${email.toLowerCase()}.`));
    assert.ok(screen.hasButton(`Continue as ${other.email}`));
    await screen.click('Sign out and continue');
    await screen.waitFor(() => screen.hasButton('Accept invitation and sign up'), 'the ticket form after signing out');
    assert.equal(tessera.user, null);
    assert.equal(document.activeElement?.tagName, 'H1', 'focus moves to the new step');
    assert.equal(screen.field('Email address').value, email.toLowerCase());
    assert.equal(screen.field('Email address').readOnly, true, 'the invited address is fixed');
  });

  test('__clerk_status=complete: done, naming the organization when the page knows it', async () => {
    screen.setUrl('/?__clerk_ticket=anything&__clerk_status=complete');
    const { tessera } = newBrowser(t);
    await screen.render(tessera, h(SignIn, { completedOrganizationName: 'Joined & Co' }));
    await screen.waitFor(() => screen.has('You have joined Joined & Co'), 'the done view');
    assert.equal(screen.button('Continue').getAttribute('href'), '/');
    await screen.render(tessera, h(SignUp));
    await screen.waitFor(() => screen.has('Invitation accepted'), 'the done view without a name');
  });

  test('a locked account: the minutes until it unlocks', async () => {
    const user = await newUser(t);
    await t.deps.db.updateTable('users').set({ locked_until: new Date(Date.now() + 30 * 60_000) }).where('id', '=', user.id).execute();
    screen.setUrl('/sign-in');
    const { tessera } = newBrowser(t);
    await screen.render(tessera, h(SignIn));
    await screen.waitFor(() => screen.has('Sign in to Acme Test'), 'the form');
    await screen.type('Email address', user.email);
    await screen.type('Password', PASSWORD);
    await screen.click('Continue');
    assert.equal(await screen.waitForAlert(), 'This account is locked after too many failed attempts. Try again in 30 minute(s).');
  });

  test('localization: the provider\'s strings, the component\'s over them, errors by code, else the server\'s long_message', async () => {
    const user = await newUser(t);
    screen.setUrl('/sign-in');
    const { tessera } = newBrowser(t);
    await screen.render(tessera, h(SignIn, { localization: { signIn: { submit: 'Weiter' }, errors: { form_password_incorrect: 'Falsches Passwort.' } } }), {
      localization: { signIn: { title: 'Anmelden bei {appName}', submit: 'Los' }, common: { password: 'Passwort', emailAddress: 'E-Mail-Adresse' } },
    });
    await screen.waitFor(() => screen.has('Anmelden bei Acme Test'), 'the localized form');
    await screen.type('E-Mail-Adresse', user.email);
    await screen.type('Passwort', 'wrong password');
    await screen.click('Weiter');
    assert.equal(await screen.waitForAlert(), 'Falsches Passwort.');

    // A code the strings do not name: the server's long_message.
    await screen.render(tessera, h(SignIn, { localization: { errors: { form_identifier_not_found: '' } } }));
    await screen.waitFor(() => screen.has('Sign in to Acme Test'), 'the form');
    await screen.type('Email address', uniqueEmail('nobody'));
    await screen.type('Password', PASSWORD);
    await screen.click('Continue');
    const message = await screen.waitForAlert();
    assert.ok(message.length > 0 && message !== "Couldn't find an account with that email address.", message);
  });

  // ------------------------------------------------------------------ organizations

  test('OrganizationProfile: members with roles; invite two with a role from the organization\'s roles; invitations by status; revoke', async () => {
    const admin = await newUser(t, uniqueEmail('admin'), { first_name: 'Ada', last_name: 'Admin' });
    const org = await newOrg(t, admin.id, 'Profile Org');
    const member = await newUser(t, uniqueEmail('member'), { first_name: 'Mem' });
    await addMember(t, org.id, member.id, 'org:member');
    const { tessera, browser } = await signedInBrowser(t, admin);
    await tessera.setActive({ organization: org.id });
    await screen.render(tessera, h(OrganizationProfile));
    await screen.waitFor(() => screen.container.querySelectorAll('[data-testid="members"] tbody tr').length === 2, 'the members');
    const roles = [...screen.container.querySelectorAll('[data-testid="member-role"]')].map((e) => e.textContent);
    assert.deepEqual(roles.sort(), ['Admin', 'Member']);
    assert.ok(screen.has('Ada Admin (you)'));
    const select = screen.field('Role') as unknown as HTMLSelectElement;
    await screen.waitFor(() => [...select.options].some((o) => o.value === 'org:admin') && [...select.options].some((o) => o.value === 'org:member'), 'the roles');

    await screen.type('Email addresses', 'not-an-email');
    await screen.click('Send invitations');
    assert.equal(await screen.waitForAlert(), '"not-an-email" is not an email address.');

    const a = uniqueEmail('inv-a').toLowerCase();
    const b = uniqueEmail('inv-b').toLowerCase();
    await screen.type('Email addresses', `${a}, ${b}`);
    await screen.type('Role', 'org:admin');
    await screen.click('Send invitations');
    await screen.waitFor(() => screen.has('Invited 2:'), 'the invited status');
    const pending = () => [...screen.container.querySelectorAll('[data-status="pending"] li')].map((li) => li.getAttribute('data-email'));
    const revoked = () => [...screen.container.querySelectorAll('[data-status="revoked"] li')].map((li) => li.getAttribute('data-email'));
    await screen.waitFor(() => pending().length === 2, 'two pending invitations');
    assert.deepEqual((await ROLES_OF(t, org.id)).map((i) => [i.email_address, i.role]).sort(), [[a, 'org:admin'], [b, 'org:admin']].sort());
    assert.equal(screen.field('Email addresses').value, '', 'the form is cleared');

    await screen.click(`Revoke the invitation to ${a}`);
    await screen.waitFor(() => pending().length === 1 && revoked().length === 1, 'the lists to change');
    assert.deepEqual(revoked(), [a]);
    assert.ok(screen.has(`The invitation to ${a} was revoked.`));
  });

  test('OrganizationProfile for a member without org:sys_memberships:manage: the members, no invite form', async () => {
    const owner = await newUser(t);
    const org = await newOrg(t, owner.id, 'Read Only Org');
    const member = await newUser(t);
    await addMember(t, org.id, member.id, 'org:member');
    const { tessera, browser } = await signedInBrowser(t, member);
    await tessera.setActive({ organization: org.id });
    await screen.render(tessera, h(OrganizationProfile));
    await screen.waitFor(() => screen.container.querySelectorAll('[data-testid="members"] tbody tr').length === 2, 'the members');
    assert.ok(screen.has('Only administrators of this organization can invite and revoke.'));
    assert.equal(screen.hasButton('Send invitations'), false);
  });

  test('OrganizationList and OrganizationSwitcher: accept one invitation, decline another, the pending count follows; switch with the keyboard-friendly panel', async () => {
    const user = await newUser(t);
    const home = await newOrg(t, user.id, 'Home Org');
    const owner = await newUser(t);
    const bravo = await newOrg(t, owner.id, 'Bravo');
    const charlie = await newOrg(t, owner.id, 'Charlie');
    await inviteToOrg(t, bravo.id, user.email, 'org:admin');
    const declined = await inviteToOrg(t, charlie.id, user.email);
    const { tessera, browser } = await signedInBrowser(t, user);
    await tessera.setActive({ organization: home.id });
    await screen.render(tessera, h('div', null, h(OrganizationSwitcher), h(OrganizationList, { organizationProfileUrl: '/organization' })));
    const badge = () => screen.container.querySelector('[data-testid="pending-invitations-badge"]')?.textContent ?? null;
    await screen.waitFor(() => screen.hasButton('Accept the invitation to Bravo') && screen.hasButton('Decline the invitation to Charlie') && badge() === '2 pending', 'the invitations');
    // The memberships load separately from the invitations.
    await screen.waitFor(() => !screen.has('Loading…'), 'the organizations');
    assert.equal(screen.button('Manage').getAttribute('href'), '/organization');

    await screen.click('Accept the invitation to Bravo');
    await screen.waitFor(() => screen.has('You have joined Bravo.') && badge() === '1 pending', 'the accepted invitation');
    await screen.waitFor(() => [...screen.container.querySelectorAll('[data-testid="organization-name"]')].some((e) => e.textContent === 'Bravo'), 'Bravo among the organizations');
    assert.equal(tessera.organization?.id, bravo.id, 'the accepted organization is active');

    await screen.click('Decline the invitation to Charlie');
    await screen.waitFor(() => screen.has('Invitation to Charlie declined.') && badge() === null, 'the declined invitation');
    // The list of invitations reloads on its own after the decline.
    await screen.waitFor(() => screen.container.querySelector('[data-testid="no-invitations"]') !== null, 'the empty list of invitations');
    const stored = await bapi<{ status: string }>(t, 'GET', `/v1/organizations/${charlie.id}/invitations/${declined.id}`);
    assert.equal(stored.body.status, 'revoked');

    // The switcher: a disclosure button; opening focuses the panel, Escape closes and refocuses.
    const trigger = screen.button(/^Switch organization \(current: Bravo\)/);
    assert.equal(trigger.getAttribute('aria-expanded'), 'false');
    await screen.click(trigger);
    assert.equal(trigger.getAttribute('aria-expanded'), 'true');
    const panel = document.getElementById(trigger.getAttribute('aria-controls')!);
    assert.ok(panel && !panel.hidden);
    assert.ok(panel.contains(document.activeElement), 'focus moves into the panel');
    await act(async () => {
      document.activeElement!.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }) as unknown as Event);
    });
    assert.equal(trigger.getAttribute('aria-expanded'), 'false');
    assert.equal(document.activeElement, trigger, 'focus returns to the button');
    await screen.click(trigger);
    await screen.click('Switch to Home Org');
    await screen.waitFor(() => tessera.organization?.id === home.id && screen.has('Switched to Home Org.'), 'the switch');
  });

  test('CreateOrganization (under OrganizationList): a name, then the new organization, active and listed; a refusal is an alert', async () => {
    const user = await newUser(t);
    const { tessera } = await signedInBrowser(t, user);
    await screen.render(tessera, h(OrganizationList, { hideInvitations: true }));
    await screen.waitFor(() => screen.container.querySelector('[data-testid="no-organizations"]') !== null, 'the empty list');
    await screen.click('Create organization');
    assert.deepEqual(screen.alerts(), ['Enter a name for the organization.']);
    await screen.type('Organization name', '  Made On The Page  ');
    await screen.click('Create organization');
    await screen.waitFor(() => screen.has('Made On The Page is created, and active.'), 'the created organization');
    assert.equal(tessera.organization?.name, 'Made On The Page');
    assert.equal(tessera.membership?.role, 'org:admin');
    await screen.waitFor(() => [...screen.container.querySelectorAll('[data-testid="organization-name"]')].some((e) => e.textContent === 'Made On The Page'), 'the organization in the list');
    assert.equal(screen.field('Organization name').value, '');

    // Standalone, for a user who may not create one: the server's refusal, by code.
    await bapi(t, 'PATCH', `/v1/users/${user.id}`, { create_organization_enabled: false });
    await screen.render(tessera, h(CreateOrganization, { afterCreateOrganizationUrl: '/organization' }));
    await screen.type('Organization name', 'Refused');
    await screen.click('Create organization');
    assert.equal(await screen.waitForAlert(), 'Your account is not allowed to create organizations.');
    assert.deepEqual(screen.navigations, []);
    await bapi(t, 'PATCH', `/v1/users/${user.id}`, { create_organization_enabled: true });
    await screen.click('Create organization');
    await screen.waitFor(() => screen.navigations.includes('/organization'), 'the navigation after creating');
    assert.equal(tessera.organization?.name, 'Refused');
  });

  test('UserButton: who is signed in, and sign out', async () => {
    const user = await newUser(t, uniqueEmail('button'), { first_name: 'Grace', last_name: 'Hopper' });
    const { tessera } = await signedInBrowser(t, user);
    await screen.render(tessera, h(UserButton, { afterSignOutUrl: '/bye' }));
    await screen.waitFor(() => screen.hasButton('Account menu for Grace Hopper'), 'the button');
    const trigger = screen.button('Account menu for Grace Hopper');
    assert.equal(trigger.textContent, 'GH');
    await screen.click(trigger);
    assert.equal(screen.container.querySelector('[data-testid="user-button-email"]')?.textContent, user.email);
    await screen.click('Sign out');
    await screen.waitFor(() => screen.navigations.length > 0, 'the redirect');
    assert.deepEqual(screen.navigations, ['/bye']);
    assert.equal(tessera.user, null);
  });
});

describe('prebuilt components: instance settings and limits', () => {
  let screen: Screen;
  before(() => {
    screen = new Screen(dom);
  });
  after(async () => {
    await screen.unmount();
    await dom.close();
  });

  test('sign-up by invitation only (TESSERA_SIGN_UP_MODE=restricted): no form without a ticket, and no link to one', async () => {
    const t = await startSdkApp({ env: { TESSERA_SIGN_UP_MODE: 'restricted' } });
    try {
      screen.setUrl('/sign-up');
      const { tessera } = newBrowser(t);
      await screen.render(tessera, h(SignUp));
      await screen.waitFor(() => screen.has('Sign-up to Acme Test is by invitation only.'), 'the notice');
      assert.equal(screen.container.querySelectorAll('input').length, 0);
      screen.setUrl('/sign-in');
      await screen.render(tessera, h(SignIn));
      await screen.waitFor(() => screen.has('Sign in to Acme Test'), 'the sign-in form');
      assert.equal(screen.hasButton('Sign up'), false);
    } finally {
      await screen.unmount();
      await t.close();
    }
  });

  test('rate limited (429): the Retry-After seconds', async () => {
    const t = await startSdkApp({ env: { TESSERA_RATE_LIMIT_SIGN_INS_CREATE: '1/60s' } });
    try {
      const user = await newUser(t);
      screen.setUrl('/sign-in');
      const { tessera } = newBrowser(t);
      await screen.render(tessera, h(SignIn));
      await screen.waitFor(() => screen.has('Sign in to Acme Test'), 'the form');
      await screen.type('Email address', user.email);
      await screen.type('Password', 'wrong password');
      await screen.click('Continue');
      assert.equal(await screen.waitForAlert(), 'Password is incorrect. Try again, or use another method.');
      await screen.click('Continue');
      await screen.waitFor(() => /Too many attempts\. Try again in \d+ seconds\./.test(screen.alerts()[0] ?? ''), 'the 429 message');
      const seconds = Number(/in (\d+) seconds/.exec(screen.alerts()[0]!)![1]);
      assert.ok(seconds >= 1 && seconds <= 60, String(seconds));
    } finally {
      await screen.unmount();
      await t.close();
    }
  });
});
