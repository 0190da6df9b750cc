// The account page's email addresses (<UserProfile /> on "/") end to end in real Chromium, with
// the code delivered by the worker to a real SMTP server: a user invited to an organization at a
// second address of theirs signs in with their first one (no invitation listed), adds the second
// address, enters the emailed code, and the invitation appears; they accept it, make the new
// address primary and remove the old one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { storeName, type TestApp } from '../helpers/app.ts';
import type { SmtpSink } from '../mail/smtp-sink.ts';
import { newOrg, newUser, NO_INVITATION_LIMITS, ok, uniqueEmail } from '../organization-invitations/org-invitations.helpers.ts';
import { chromiumMissing, codeOf, expectNoProblems, mailTo, newProfile, screenshot, startMailingPages, stopMailingPages } from './chromium.ts';

const T = { timeout: 120_000 };
const PASSWORD = 'correct horse battery staple';

describe(`e2e: a user adds and verifies a second email address, and its invitation appears (${storeName})`, { skip: chromiumMissing }, () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  before(async () => ({ sink, t, browser } = await startMailingPages(NO_INVITATION_LIMITS)));
  after(() => stopMailingPages({ sink, t, browser }));

  it('add → code → verified → invitation listed and accepted → primary switched → old address removed', T, async () => {
    const owner = await newUser(t, { password: PASSWORD });
    const org = await newOrg(t, { name: 'Difference Engines', created_by: owner.id });
    const user = await newUser(t, { first_name: 'Grace', last_name: 'Hopper', password: PASSWORD });
    const home = user.email_addresses[0]!.email_address;
    const work = uniqueEmail('e2e.work').toLowerCase();
    await ok(t, 'POST', `/v1/organizations/${org.id}/invitations`, { email_address: work, role: 'org:member' });

    const { context, page, problems } = await newProfile(browser);
    try {
      await page.goto(`${t.url}/sign-in`);
      await page.getByLabel('Email address').fill(home);
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Continue' }).click()]);
      await page.getByTestId('no-invitations').waitFor();
      const profile = page.getByTestId('user-profile');
      assert.deepEqual(await profile.locator('[data-testid="email-address"] .tsr-list-title').allTextContents(), [home]);

      // Add the work address: a code is emailed to it.
      const before = sink.received.length;
      await profile.getByLabel('Email address', { exact: true }).fill(work);
      await profile.getByRole('button', { name: 'Add email address' }).click();
      await profile.getByText(`We sent a 6-digit code to ${work}`).waitFor();
      const mail = await mailTo(sink, work, before);
      assert.match(mail.text, /add this email address to your account/);
      // A wrong code first: the error is shown, nothing added.
      const code = codeOf(mail);
      await profile.getByLabel('Verification code').fill(code === '000000' ? '111111' : '000000');
      await profile.getByRole('button', { name: 'Verify' }).click();
      await profile.getByRole('alert').filter({ hasText: /./ }).waitFor();
      await profile.getByLabel('Verification code').fill(code);
      await profile.getByRole('button', { name: 'Verify' }).click();
      await profile.getByText(`${work} is verified and added to your account.`).waitFor();
      assert.deepEqual(await profile.locator('[data-testid="email-address"] .tsr-list-title').allTextContents(), [home, work]);

      // The invitation to the work address is listed now; accept it.
      await page.locator('[data-testid="user-invitations"] li').first().waitFor();
      await screenshot(page, 'user-profile');
      await page.getByRole('button', { name: 'Accept the invitation to Difference Engines' }).click();
      await page.locator('[data-testid="organization-name"]', { hasText: 'Difference Engines' }).waitFor();

      // Make the work address primary, then remove the old one.
      await profile.getByRole('button', { name: `Make ${work} your primary address` }).click();
      await profile.getByText(`${work} is now your primary address.`).waitFor();
      await page.getByTestId('signed-in-email').filter({ hasText: work }).waitFor();
      await profile.getByRole('button', { name: `Remove ${home}` }).click();
      await profile.getByText(`${home} is removed from your account.`).waitFor();
      assert.deepEqual(await profile.locator('[data-testid="email-address"] .tsr-list-title').allTextContents(), [work]);
      const stored = await ok<{ primary_email_address_id: string; email_addresses: { id: string; email_address: string }[] }>(t, 'GET', `/v1/users/${user.id}`);
      assert.deepEqual(stored.email_addresses.map((e) => e.email_address), [work]);
      assert.equal(stored.primary_email_address_id, stored.email_addresses[0]!.id);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});
