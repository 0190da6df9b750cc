// The hosted sign-in and sign-up pages (packages/web, built from @tessera/js/react's components) in
// real Chromium, each test in a fresh browser profile; any script error or CSP violation fails it:
// - an existing user follows an organization invitation link → /sign-in → one click → a member;
// - a plain sign-up: email + password → the code emailed to a real SMTP server → signed in
//   (a wrong code first shows its error);
// - a wrong password shows the error on the field; the right one signs in; signing out ends it;
// - a locked account says for how long;
// - expired and revoked tickets get the same plain page, without the invited address; a ticket
//   revoked while the page is open shows why on submit;
// - signed in as someone else than the invited person: sign out and continue;
// - redirect_url: followed on this origin, ignored for any other (even if the page data said so);
// - by invitation only, and rate limited (429 with its Retry-After seconds), on an app set so.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page as PwPage } from 'playwright-core';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import type { SmtpSink } from '../mail/smtp-sink.ts';
import { linkInText } from '../mail/mail-helpers.ts';
import { expireOrganizationInvitation, invite, newOrg, newUser, ok, ticketOf, uniqueEmail, type Page } from '../organization-invitations/org-invitations.helpers.ts';
import type { OrganizationMembershipJson } from '../organizations/organizations.helpers.ts';
import { chromiumMissing, codeOf, expectNoProblems, launchChromium, mailTo, newProfile, screenshot, startMailingPages, stopMailingPages } from './chromium.ts';

const T = { timeout: 60_000 };
const PASSWORD = 'correct horse battery staple';

/** The text of the page's error region (role="alert") once it shows one. */
async function alertText(page: PwPage): Promise<string> {
  await page.waitForFunction(() => [...document.querySelectorAll('[role="alert"]')].some((e) => (e.textContent ?? '').trim() !== ''));
  return (await page.locator('[role="alert"]').allTextContents()).map((s) => s.trim()).filter(Boolean)[0] ?? '';
}

async function signInWithPassword(page: PwPage, email: string, password: string): Promise<void> {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe(`e2e: sign-in and sign-up pages in Chromium (${storeName})`, { skip: chromiumMissing }, () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  before(async () => ({ sink, t, browser } = await startMailingPages()));
  after(() => stopMailingPages({ sink, t, browser }));

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
      assert.ok((await page.locator('main').innerText()).includes('You have been invited to join Bletchley Park on Acme Test'));
      assert.equal(await page.locator('input[type="password"]').count(), 0, 'no password needed: the ticket is the proof');
      await screenshot(page, 'sign-in-with-ticket');
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Accept invitation and sign in' }).click()]);
      assert.equal(await page.getByTestId('signed-in-email').textContent(), email);
      const li = page.getByTestId('organizations').locator('li');
      await li.first().waitFor();
      assert.equal(await li.count(), 1);
      assert.equal(await li.first().getByTestId('organization-name').textContent(), 'Bletchley Park');
      assert.equal(await li.first().getByTestId('organization-role').textContent(), 'Role: Member');
    });

    const members = await ok<Page<OrganizationMembershipJson>>(t, 'GET', `/v1/organizations/${org.id}/memberships`);
    assert.equal(members.data.find((m) => m.public_user_data.user_id === user.id)?.role, 'org:member');
  });

  it('a plain sign-up: email + password → the emailed code (a wrong one first) → signed in', T, async () => {
    const email = uniqueEmail('e2e.plain');
    await inProfile(async (page) => {
      await page.goto(`${t.url}/sign-in`);
      await screenshot(page, 'sign-in');
      await Promise.all([page.waitForURL(`${t.url}/sign-up`), page.getByRole('link', { name: 'Sign up' }).click()]);
      await page.getByLabel('Email address').waitFor();
      await screenshot(page, 'sign-up');
      const before = sink.received.length;
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('First name').fill('Katherine');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      const codeField = page.getByLabel('Verification code');
      await codeField.waitFor();
      assert.ok((await page.locator('main').innerText()).includes(`We emailed a 6-digit code to ${email}`));
      assert.ok(await codeField.evaluate((el) => el === document.activeElement), 'focus moves to the code');
      const code = codeOf(await mailTo(sink, email, before));

      await codeField.fill(code === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Verify and continue' }).click();
      assert.equal(await alertText(page), 'The code is incorrect.');
      assert.equal(new URL(page.url()).pathname, '/sign-up');
      await screenshot(page, 'sign-up-code-incorrect');

      await codeField.fill(code);
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Verify and continue' }).click()]);
      assert.equal(await page.getByTestId('signed-in-email').textContent(), email);
      await page.getByTestId('no-organizations').waitFor();
    });
  });

  it('a wrong password shows the error on the field; the right one signs in; sign out signs out', T, async () => {
    const user = await newUser(t, { password: PASSWORD });
    const email = user.email_addresses[0]!.email_address;
    await inProfile(async (page) => {
      await page.goto(`${t.url}/sign-in`);
      await signInWithPassword(page, email, 'not the password');
      assert.equal(await alertText(page), 'Password is incorrect. Try again, or use another method.');
      assert.equal(new URL(page.url()).pathname, '/sign-in');
      assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
      await screenshot(page, 'sign-in-wrong-password');

      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Continue' }).click()]);
      assert.equal(await page.getByTestId('signed-in-email').textContent(), email);

      await page.getByRole('button', { name: /^Account menu for / }).click();
      await Promise.all([page.waitForURL(`${t.url}/sign-in`), page.getByRole('button', { name: 'Sign out' }).click()]);
      await page.goto(`${t.url}/`);
      await page.getByTestId('signed-out').waitFor();
      assert.equal(await page.getByTestId('signed-in-email').count(), 0);
    });
  });

  it('a locked account says how long it stays locked', T, async () => {
    const user = await newUser(t, { password: PASSWORD });
    await t.deps.db.updateTable('users').set({ locked_until: new Date(Date.now() + 30 * 60_000) }).where('id', '=', user.id).execute();
    await inProfile(async (page) => {
      await page.goto(`${t.url}/sign-in`);
      await signInWithPassword(page, user.email_addresses[0]!.email_address, PASSWORD);
      assert.equal(await alertText(page), 'This account is locked after too many failed attempts. Try again in 30 minute(s).');
      await screenshot(page, 'sign-in-locked');
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
        await page.getByTestId('stale-ticket').waitFor();
        const text = (await page.locator('main').innerText()).trim();
        assert.ok(!text.includes(inv.email_address), 'the invited address is not shown');
        assert.ok(!text.includes('Hidden Org'), 'nor the organization');
        assert.equal(await page.getByTestId('invited-email').count(), 0);
        assert.equal(await page.getByLabel('Email address').getAttribute('readonly'), null, "the address is the person's to type");
        seen.push(text);
      }
      assert.equal(seen[0], seen[1], 'expired and revoked look the same');
      await screenshot(page, 'sign-up-stale-ticket');
    });
  });

  it('a ticket revoked while the page is open says so on submit, and nobody is signed in', T, async () => {
    const org = await newOrg(t);
    const inv = await invite(t, org.id, { notify: false });
    await inProfile(async (page) => {
      await page.goto(inv.url!);
      assert.equal(await page.getByTestId('invited-email').textContent(), inv.email_address);
      await ok(t, 'POST', `/v1/organizations/${org.id}/invitations/${inv.id}/revoke`);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Accept invitation and sign up' }).click();
      assert.equal(await alertText(page), 'This invitation has been revoked. Ask for a new one.');
      assert.equal(new URL(page.url()).pathname, '/sign-up');
      await screenshot(page, 'sign-up-ticket-revoked');
      await page.goto(`${t.url}/`);
      await page.getByTestId('signed-out').waitFor();
    });
  });

  it('signed in as someone else than the invited address: sign out and continue, then accept', T, async () => {
    const other = await newUser(t, { password: PASSWORD });
    const otherEmail = other.email_addresses[0]!.email_address;
    const org = await newOrg(t, { name: 'Second Account Ltd' });
    const inv = await invite(t, org.id, { notify: false });
    await inProfile(async (page) => {
      await page.goto(`${t.url}/sign-in`);
      await Promise.all([page.waitForURL(`${t.url}/`), signInWithPassword(page, otherEmail, PASSWORD)]);
      await page.goto(inv.url!);
      await page.getByRole('heading', { name: 'You are signed in as someone else' }).waitFor();
      assert.ok((await page.locator('main').innerText()).includes(`You are signed in as ${otherEmail}, but this invitation is for ${inv.email_address}.`));
      await screenshot(page, 'accept-invitation-wrong-account');
      await page.getByRole('button', { name: 'Sign out and continue' }).click();
      await page.getByRole('button', { name: 'Accept invitation and sign up' }).waitFor();
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Accept invitation and sign up' }).click()]);
      assert.equal(await page.getByTestId('signed-in-email').textContent(), inv.email_address);
    });
  });

  it('follows redirect_url on this origin, and ignores one to another origin', T, async () => {
    const user = await newUser(t, { password: PASSWORD });
    const email = user.email_addresses[0]!.email_address;
    const signIn = async (page: PwPage, redirect: string, expected: string) => {
      await page.goto(`${t.url}/sign-in?redirect_url=${encodeURIComponent(redirect)}`);
      await Promise.all([page.waitForURL(expected), signInWithPassword(page, email, PASSWORD)]);
      assert.equal(page.url(), expected);
      // Signed out again for the next round.
      await page.evaluate(() => fetch('/v1/client/sessions', { method: 'DELETE', credentials: 'same-origin' }));
    };
    await inProfile(async (page) => {
      for (const evil of ['https://evil.example/steal', '//evil.example/steal', '/\\evil.example/steal', 'javascript:alert(1)']) {
        await signIn(page, evil, `${t.url}/`);
      }
      await signIn(page, '/?from=sign-in', `${t.url}/?from=sign-in`);
      await signIn(page, `${t.url}/?abs=1`, `${t.url}/?abs=1`);

      // The page checks the target again: page data naming another origin (were the server ever
      // to send one) still ends on "/".
      await page.route(`${t.url}/sign-in`, async (route) => {
        const res = await route.fetch();
        const body = (await res.text()).replace(/&quot;next&quot;:&quot;[^&]*&quot;/, '&quot;next&quot;:&quot;https://evil.example/steal&quot;');
        await route.fulfill({ response: res, body });
      });
      await page.goto(`${t.url}/sign-in`);
      assert.ok((await page.content()).includes('evil.example'), 'the tampered page data arrived');
      await Promise.all([page.waitForURL(`${t.url}/`), signInWithPassword(page, email, PASSWORD)]);
    });
  });
});

describe(`e2e: pages of an instance with sign-up by invitation only and tight limits (${storeName})`, { skip: chromiumMissing }, () => {
  let t: TestApp;
  let browser: Browser;
  before(async () => {
    t = await startTestApp({ env: { TESSERA_SIGN_UP_MODE: 'restricted', TESSERA_RATE_LIMIT_SIGN_INS_CREATE: '2/60s' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sign-up is by invitation only; the third sign-in attempt in a minute is rate limited with its seconds', T, async () => {
    const user = await newUser(t, { password: PASSWORD });
    const { context, page, problems } = await newProfile(browser);
    try {
      await page.goto(`${t.url}/sign-up`);
      await page.getByTestId('sign-up-restricted').waitFor();
      assert.equal(await page.getByTestId('sign-up-restricted').textContent(), 'Sign-up to Acme Test is by invitation only. Ask an administrator to invite you.');
      assert.equal(await page.locator('input').count(), 0, 'no sign-up form');
      await screenshot(page, 'sign-up-restricted');

      await page.goto(`${t.url}/sign-in`);
      assert.equal(await page.getByRole('link', { name: 'Sign up' }).count(), 0, 'no link to a sign-up that cannot happen');
      await signInWithPassword(page, user.email_addresses[0]!.email_address, 'wrong password 1');
      assert.equal(await alertText(page), 'Password is incorrect. Try again, or use another method.');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForFunction(() => /Too many attempts/.test(document.querySelector('[role="alert"]')?.textContent ?? '') || /Password is incorrect/.test(document.querySelector('[role="alert"]')?.textContent ?? ''));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForFunction(() => /Too many attempts\. Try again in \d+ seconds\./.test(document.querySelector('[role="alert"]')?.textContent ?? ''));
      await screenshot(page, 'sign-in-rate-limited');
      expectNoProblems(problems.filter((p) => !/status of 429/.test(p)));
    } finally {
      await context.close();
    }
  });
});
