// The sign-in and sign-up pages in real Chromium, each test in a fresh browser profile:
// - an existing user follows an organization invitation link → /sign-in → one click → a member;
// - a plain sign-up: email + password → the code emailed to a real SMTP server → signed in
//   (a wrong code first shows its error);
// - a wrong password shows the error next to the form; the right one signs in; signing out ends it;
// - expired and revoked tickets get the same plain page, without the invited address; a ticket
//   revoked while the page is open shows the error on submit;
// - redirect_url: followed on this origin, ignored for any other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page as PwPage } from 'playwright-core';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { RELAXED_FAPI_LIMITS } from '../helpers/browser.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';
import { linkInText } from '../mail/mail-helpers.ts';
import {
  expireOrganizationInvitation,
  invite,
  newOrg,
  newUser,
  ok,
  ticketOf,
  uniqueEmail,
  type Page,
} from '../organization-invitations/org-invitations.helpers.ts';
import type { OrganizationMembershipJson } from '../organizations/organizations.helpers.ts';
import { chromiumMissing, codeOf, expectNoProblems, launchChromium, mailTo, newProfile, screenshot } from './chromium.ts';

const T = { timeout: 60_000 };
const PASSWORD = 'correct horse battery staple';

describe(`e2e: sign-in and sign-up pages in Chromium (${storeName})`, { skip: chromiumMissing }, () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  before(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({ env: { ...RELAXED_FAPI_LIMITS, SMTP_URL: sink.url }, worker: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });

  /** Runs `fn` in a fresh profile, then checks the pages raised no script error or CSP violation. */
  async function inProfile(fn: (page: PwPage) => Promise<void>): Promise<void> {
    const { context, page, problems } = await newProfile(browser);
    try {
      await fn(page);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  }

  const alertText = async (page: PwPage) => (await page.locator('form:not([hidden]) [role="alert"]').textContent())?.trim() ?? '';
  const waitForAlert = (page: PwPage) => page.waitForFunction(() => {
    const el = document.querySelector('form:not([hidden]) [role="alert"]');
    return el !== null && (el.textContent ?? '').trim() !== '';
  });

  it('an existing user follows an organization invitation link → /sign-in → one click → member', T, async () => {
    const user = await newUser(t, { first_name: 'Alan', password: PASSWORD });
    const email = user.email_addresses[0]!.email_address;
    const org = await newOrg(t, { name: 'Bletchley Park' });
    const before = sink.received.length;
    await invite(t, org.id, { email_address: email, role: 'org:member' });
    const link = linkInText((await mailTo(sink, email, before)).text);

    await inProfile(async (page) => {
      await page.goto(link);
      assert.equal(new URL(page.url()).pathname, '/sign-in');
      assert.equal(await page.getByTestId('invited-email').textContent(), email);
      assert.equal(await page.locator('input[type="password"]').count(), 0, 'no password needed: the ticket is the proof');
      await screenshot(page, 'sign-in-with-ticket');
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Accept invitation and sign in' }).click()]);
      assert.equal(await page.getByTestId('signed-in-email').textContent(), email);
      const li = page.getByTestId('organizations').locator('li');
      assert.equal(await li.count(), 1);
      assert.equal(await li.first().locator('.org').textContent(), 'Bletchley Park');
      assert.equal(await li.first().locator('.role').textContent(), 'Member');
    });

    const members = await ok<Page<OrganizationMembershipJson>>(t, 'GET', `/v1/organizations/${org.id}/memberships`);
    assert.equal(members.data.find((m) => m.public_user_data.user_id === user.id)?.role, 'org:member');
  });

  it('a plain sign-up: email + password → the emailed code (a wrong one first) → signed in', T, async () => {
    const email = uniqueEmail('e2e.plain');
    await inProfile(async (page) => {
      await page.goto(`${t.url}/sign-in`);
      await Promise.all([page.waitForURL(`${t.url}/sign-up`), page.getByRole('link', { name: 'Sign up' }).click()]);
      const before = sink.received.length;
      await page.fill('#email', email);
      await page.fill('#first_name', 'Katherine');
      await page.fill('#password', PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.locator('#code').waitFor({ state: 'visible' });
      assert.equal(await page.locator('[data-code-email]').textContent(), email);
      assert.equal(await page.locator('form[data-flow="sign-up"]').isHidden(), true);
      const code = codeOf(await mailTo(sink, email, before));

      const wrong = code === '000000' ? '111111' : '000000';
      await page.fill('#code', wrong);
      await page.getByRole('button', { name: 'Verify and continue' }).click();
      await waitForAlert(page);
      assert.equal(await alertText(page), 'The code is incorrect.');
      assert.equal(new URL(page.url()).pathname, '/sign-up');

      await page.fill('#code', code);
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Verify and continue' }).click()]);
      assert.equal(await page.getByTestId('signed-in-email').textContent(), email);
      assert.equal(await page.getByTestId('no-organizations').count(), 1);
    });
  });

  it('a wrong password shows the error next to the form; the right one signs in; sign out signs out', T, async () => {
    const user = await newUser(t, { password: PASSWORD });
    const email = user.email_addresses[0]!.email_address;
    await inProfile(async (page) => {
      await page.goto(`${t.url}/sign-in`);
      await page.fill('#email', email);
      await page.fill('#password', 'not the password');
      await page.getByRole('button', { name: 'Continue' }).click();
      await waitForAlert(page);
      assert.equal(await alertText(page), 'Password is incorrect. Try again, or use another method.');
      assert.equal(new URL(page.url()).pathname, '/sign-in');
      assert.equal(await page.locator('#password').getAttribute('aria-invalid'), 'true');
      await screenshot(page, 'sign-in-wrong-password');

      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Continue' }).click()]);
      assert.equal(await page.getByTestId('signed-in-email').textContent(), email);

      await Promise.all([page.waitForURL(`${t.url}/sign-in`), page.getByRole('button', { name: 'Sign out' }).click()]);
      await page.goto(`${t.url}/`);
      assert.equal(await page.getByTestId('signed-out').count(), 1);
      assert.equal(await page.getByTestId('signed-in-email').count(), 0);
    });
  });

  it('expired and revoked tickets get the same plain page, without the invited address', T, async () => {
    const org = await newOrg(t, { name: 'Hidden Org' });
    const expired = await invite(t, org.id, { notify: false });
    await expireOrganizationInvitation(t, expired.id);
    const revoked = await invite(t, org.id, { notify: false });
    await ok(t, 'POST', `/v1/organizations/${org.id}/invitations/${revoked.id}/revoke`);

    await inProfile(async (page) => {
      const seen: string[] = [];
      for (const inv of [expired, revoked]) {
        // The link itself sends every unusable ticket to plain /sign-up…
        await page.goto(inv.url!);
        assert.equal(page.url(), `${t.url}/sign-up`);
        // …and a page opened with the ticket still in its URL shows no more than that.
        await page.goto(`${t.url}/sign-up?__clerk_ticket=${encodeURIComponent(ticketOf(inv))}&__clerk_status=sign_up`);
        const text = (await page.locator('main').innerText()).trim();
        assert.ok(!text.includes(inv.email_address), 'the invited address is not shown');
        assert.ok(!text.includes('Hidden Org'), 'nor the organization');
        assert.equal(await page.getByTestId('invited-email').count(), 0);
        assert.equal(await page.getByTestId('stale-ticket').count(), 1);
        assert.equal(await page.locator('#email').getAttribute('readonly'), null, 'the address is the person\'s to type');
        seen.push(text);
      }
      assert.equal(seen[0], seen[1], 'expired and revoked look the same');
      await screenshot(page, 'sign-up-stale-ticket');
    });
  });

  it('a ticket revoked while the page is open shows the error on submit, and nobody is signed in', T, async () => {
    const org = await newOrg(t);
    const inv = await invite(t, org.id, { notify: false });
    await inProfile(async (page) => {
      await page.goto(inv.url!);
      assert.equal(await page.getByTestId('invited-email').textContent(), inv.email_address);
      await ok(t, 'POST', `/v1/organizations/${org.id}/invitations/${inv.id}/revoke`);
      await page.fill('#password', PASSWORD);
      await page.getByRole('button', { name: 'Accept invitation and sign up' }).click();
      await waitForAlert(page);
      assert.match(await alertText(page), /revoked/i);
      assert.equal(new URL(page.url()).pathname, '/sign-up');
      await page.goto(`${t.url}/`);
      assert.equal(await page.getByTestId('signed-out').count(), 1);
    });
  });

  it('follows redirect_url on this origin, and ignores one to another origin', T, async () => {
    const user = await newUser(t, { password: PASSWORD });
    const email = user.email_addresses[0]!.email_address;
    const signIn = async (page: PwPage, redirect: string, expected: string) => {
      await page.goto(`${t.url}/sign-in?redirect_url=${encodeURIComponent(redirect)}`);
      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(expected), page.getByRole('button', { name: 'Continue' }).click()]);
      assert.equal(page.url(), expected);
    };
    await inProfile(async (page) => {
      for (const evil of ['https://evil.example/steal', '//evil.example/steal', '/\\evil.example/steal', 'javascript:alert(1)']) {
        await signIn(page, evil, `${t.url}/`);
      }
      await signIn(page, '/?from=sign-in', `${t.url}/?from=sign-in`);
      await signIn(page, `${t.url}/?abs=1`, `${t.url}/?abs=1`);

      // The script checks the target again: a data-next on another origin (were the server ever
      // to render one) still ends on "/".
      await page.goto(`${t.url}/sign-in`);
      await page.evaluate(() => document.querySelector('form[data-flow="sign-in"]')!.setAttribute('data-next', 'https://evil.example/steal'));
      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Continue' }).click()]);
    });
  });
});
