// The whole organization-invitation journey of a new person, end to end in real Chromium: an
// invitation created through the Backend API → its email delivered by the worker to a real SMTP
// server → the link in that email followed in the browser → the sign-up page completed with names
// and a password → the browser lands on "/" signed in, showing the organization and role → and
// the Backend API sees the membership with the invited role.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { storeName, type TestApp } from '../helpers/app.ts';
import type { SmtpSink } from '../mail/smtp-sink.ts';
import { linkInText } from '../mail/mail-helpers.ts';
import { invite, newOrg, newUser, ok, uniqueEmail, type Page } from '../organization-invitations/org-invitations.helpers.ts';
import type { OrganizationMembershipJson } from '../organizations/organizations.helpers.ts';
import { chromiumMissing, expectNoProblems, mailTo, newProfile, screenshot, startMailingPages, stopMailingPages } from './chromium.ts';

const T = { timeout: 60_000 };

describe(`e2e: invited by email, signs up in Chromium (${storeName})`, { skip: chromiumMissing }, () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  before(async () => ({ sink, t, browser } = await startMailingPages({ TESSERA_APP_NAME: 'Acme Test' })));
  after(() => stopMailingPages({ sink, t, browser }));

  it('email link → sign-up page (names + password) → "/" signed in with the organization → membership with the invited role', T, async () => {
    const inviter = await newUser(t, { first_name: 'Grace', last_name: 'Hopper' });
    const org = await newOrg(t, { name: 'Difference Engines & Co', created_by: inviter.id });
    const email = uniqueEmail('e2e.invitee');
    const before = sink.received.length;
    const inv = await invite(t, org.id, { email_address: email, role: 'org:admin', inviter_user_id: inviter.id });

    const mail = await mailTo(sink, email, before);
    const link = linkInText(mail.text);
    assert.equal(link, inv.url, 'the email carries the invitation link');

    const { context, page, problems } = await newProfile(browser);
    try {
      await page.goto(link);
      const landed = new URL(page.url());
      assert.equal(landed.origin + landed.pathname, `${t.url}/sign-up`);
      assert.equal(landed.searchParams.get('__clerk_status'), 'sign_up');
      assert.equal(await page.getByTestId('invited-email').textContent(), email);
      assert.ok((await page.locator('main').textContent())!.includes('Difference Engines & Co on Acme Test'));
      const emailField = page.getByLabel('Email address');
      assert.equal(await emailField.inputValue(), email);
      assert.equal(await emailField.getAttribute('readonly'), '', 'the invited address is fixed');

      await page.getByLabel('First name').fill('Ada');
      await page.getByLabel('Last name').fill('Lovelace');
      await page.getByLabel('Password').fill('a long enough password');
      await screenshot(page, 'sign-up-with-ticket');
      await Promise.all([page.waitForURL(`${t.url}/`), page.getByRole('button', { name: 'Accept invitation and sign up' }).click()]);

      assert.equal(await page.getByTestId('signed-in-email').textContent(), email);
      const orgs = page.getByTestId('organizations').locator('li');
      await orgs.first().waitFor();
      assert.equal(await orgs.count(), 1);
      assert.equal(await orgs.first().getByTestId('organization-name').textContent(), 'Difference Engines & Co');
      assert.equal(await orgs.first().getByTestId('organization-role').textContent(), 'Role: Admin');
      assert.equal(await orgs.first().getAttribute('data-role'), 'org:admin');
      assert.equal(await page.getByTestId('active-organization').textContent(), 'Difference Engines & Co', 'the joined organization is the active one');
      await page.getByTestId('no-invitations').waitFor();
      await screenshot(page, 'home-signed-in');

      // The session is the browser's own: the page's script never sees the cookie.
      const cookie = (await context.cookies()).find((c) => c.name === '__client');
      assert.ok(cookie?.httpOnly, 'the __client cookie is HttpOnly');
      expectNoProblems(problems);
    } finally {
      await context.close();
    }

    const members = await ok<Page<OrganizationMembershipJson>>(t, 'GET', `/v1/organizations/${org.id}/memberships`);
    const joined = members.data.find((m) => m.public_user_data.identifier === email);
    assert.ok(joined, 'the Backend API lists the new member');
    assert.equal(joined.role, 'org:admin');
    assert.equal(joined.public_user_data.first_name, 'Ada');
    assert.equal(joined.public_user_data.last_name, 'Lovelace');
    const invitation = await ok<{ status: string }>(t, 'GET', `/v1/organizations/${org.id}/invitations/${inv.id}`);
    assert.equal(invitation.status, 'accepted');
  });
});
