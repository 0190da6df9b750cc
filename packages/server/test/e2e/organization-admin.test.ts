// The organization admin page (/organization, <OrganizationProfile />) end to end in real Chromium,
// with invitation emails delivered by the worker to a real SMTP server:
// an admin signs in (redirect_url=/organization) → invites a new person as Member and an existing
// user as Admin, and a third person → the new person follows the emailed link and signs up → the
// existing user signs in and accepts on "/" (the organization switcher counts the invitation) →
// the admin revokes the third invitation and sees the lists change: pending → revoked, then on
// refresh the two accepted ones and the two new members with their roles.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page as PwPage } from 'playwright-core';
import { storeName, type TestApp } from '../helpers/app.ts';
import type { SmtpSink } from '../mail/smtp-sink.ts';
import { linkInText } from '../mail/mail-helpers.ts';
import { newOrg, newUser, NO_INVITATION_LIMITS, ok, uniqueEmail, type Page } from '../organization-invitations/org-invitations.helpers.ts';
import type { OrganizationMembershipJson } from '../organizations/organizations.helpers.ts';
import { chromiumMissing, expectNoProblems, mailTo, newProfile, screenshot, startMailingPages, stopMailingPages } from './chromium.ts';

const T = { timeout: 120_000 };
const PASSWORD = 'correct horse battery staple';

const listed = (page: PwPage, status: string) => page.locator(`[data-status="${status}"] li`);
const emailsIn = async (page: PwPage, status: string) => (await listed(page, status).evaluateAll((lis) => lis.map((li) => li.getAttribute('data-email')))).sort();

async function invite(page: PwPage, emails: string[], roleName: string): Promise<void> {
  await page.getByLabel('Email addresses').fill(emails.join(', '));
  await page.getByLabel('Role').selectOption({ label: roleName });
  await page.getByRole('button', { name: 'Send invitations' }).click();
  await page.getByText(`Invited ${emails.length}:`).waitFor();
}

/** Signs in on /sign-in with redirect_url=/organization and waits for the organization page. */
async function signInToOrganizationPage(t: TestApp, page: PwPage, email: string): Promise<void> {
  await page.goto(`${t.url}/sign-in?redirect_url=${encodeURIComponent('/organization')}`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL(`${t.url}/organization`), page.getByRole('button', { name: 'Continue' }).click()]);
}

describe(`e2e: an admin invites from the organization page; people accept; a revoke (${storeName})`, { skip: chromiumMissing }, () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  before(async () => ({ sink, t, browser } = await startMailingPages(NO_INVITATION_LIMITS)));
  after(() => stopMailingPages({ sink, t, browser }));

  it('invite two with different roles, one accepts as a new user and one as an existing user, revoke a third', T, async () => {
    const admin = await newUser(t, { first_name: 'Ada', last_name: 'Byron', password: PASSWORD });
    const adminEmail = admin.email_addresses[0]!.email_address;
    const org = await newOrg(t, { name: 'Analytical Engines', created_by: admin.id });
    const existing = await newUser(t, { first_name: 'Charles', last_name: 'Babbage', password: PASSWORD });
    const existingEmail = existing.email_addresses[0]!.email_address;
    const newcomer = uniqueEmail('e2e.newcomer').toLowerCase();
    const third = uniqueEmail('e2e.third').toLowerCase();

    const adminProfile = await newProfile(browser);
    const adminPage = adminProfile.page;
    try {
      // The admin signs in and lands on the organization page.
      await signInToOrganizationPage(t, adminPage, adminEmail);
      // No organization is active yet after signing in: the page offers the admin's organizations.
      await adminPage.getByTestId('no-active-organization').waitFor();
      await adminPage.getByRole('button', { name: 'Make active: Analytical Engines' }).click();
      await adminPage.locator('h1[data-testid="organization-name"]').waitFor();
      assert.equal(await adminPage.locator('h1[data-testid="organization-name"]').textContent(), 'Analytical Engines');
      await adminPage.locator('[data-testid="members"] tbody tr').first().waitFor();
      assert.equal(await adminPage.locator('[data-testid="members"] tbody tr').count(), 1);
      // The role list comes from the organization's roles.
      await adminPage.waitForFunction(() => [...document.querySelectorAll('select option')].some((o) => o.textContent === 'Admin'));
      await screenshot(adminPage, 'organization-admin');

      // Two people with different roles, then a third.
      const before = sink.received.length;
      await invite(adminPage, [newcomer], 'Member');
      await invite(adminPage, [existingEmail], 'Admin');
      await invite(adminPage, [third], 'Member');
      await adminPage.waitForFunction(() => document.querySelectorAll('[data-status="pending"] li').length === 3);
      assert.deepEqual(await emailsIn(adminPage, 'pending'), [existingEmail, newcomer, third].sort());
      await adminPage.locator(`[data-status="pending"] li[data-email="${existingEmail}"]`).scrollIntoViewIfNeeded();
      await screenshot(adminPage, 'organization-admin-invited');
      const pending = await ok<Page<{ email_address: string; role: string }>>(t, 'GET', `/v1/organizations/${org.id}/invitations?status=pending`);
      assert.deepEqual(pending.data.map((i) => [i.email_address, i.role]).sort(), [[existingEmail, 'org:admin'], [newcomer, 'org:member'], [third, 'org:member']].sort());

      // The new person: the emailed link → sign up (the address fixed) → "/" as a member.
      const newcomerLink = linkInText((await mailTo(sink, newcomer, before)).text);
      const a = await newProfile(browser);
      try {
        await a.page.goto(newcomerLink);
        assert.equal(new URL(a.page.url()).pathname, '/sign-up');
        assert.equal(await a.page.getByLabel('Email address').inputValue(), newcomer);
        await a.page.getByLabel('First name').fill('Mary');
        await a.page.getByLabel('Last name').fill('Somerville');
        await a.page.getByLabel('Password').fill(PASSWORD);
        await Promise.all([a.page.waitForURL(`${t.url}/`), a.page.getByRole('button', { name: 'Accept invitation and sign up' }).click()]);
        await a.page.getByTestId('organizations').locator('li').first().waitFor();
        assert.equal(await a.page.getByTestId('organization-role').first().textContent(), 'Role: Member');
        expectNoProblems(a.problems);
      } finally {
        await a.context.close();
      }

      // The existing user: signs in, sees the invitation on "/" (and the switcher counts it), accepts.
      await mailTo(sink, existingEmail, before);
      const b = await newProfile(browser);
      try {
        await b.page.goto(`${t.url}/sign-in`);
        await b.page.getByLabel('Email address').fill(existingEmail);
        await b.page.getByLabel('Password').fill(PASSWORD);
        await Promise.all([b.page.waitForURL(`${t.url}/`), b.page.getByRole('button', { name: 'Continue' }).click()]);
        await b.page.getByRole('button', { name: 'Accept the invitation to Analytical Engines' }).waitFor();
        assert.equal(await b.page.getByTestId('pending-invitations-badge').textContent(), '1 pending');
        await screenshot(b.page, 'home-pending-invitation');
        await b.page.getByRole('button', { name: /^Switch organization/ }).click();
        await screenshot(b.page, 'organization-switcher-open');
        await b.page.keyboard.press('Escape');
        await b.page.getByRole('button', { name: 'Accept the invitation to Analytical Engines' }).click();
        await b.page.getByText('You have joined Analytical Engines.').waitFor();
        await b.page.getByTestId('no-invitations').waitFor();
        assert.equal(await b.page.getByTestId('pending-invitations-badge').count(), 0);
        assert.equal(await b.page.getByTestId('active-organization').textContent(), 'Analytical Engines');
        await b.page.getByRole('button', { name: /^Account menu for / }).click();
        await screenshot(b.page, 'user-button-open');
        expectNoProblems(b.problems);
      } finally {
        await b.context.close();
      }

      // The admin revokes the third invitation: it moves from pending to revoked at once.
      await adminPage.getByRole('button', { name: `Revoke the invitation to ${third}` }).click();
      await adminPage.getByText(`The invitation to ${third} was revoked.`).waitFor();
      assert.deepEqual(await emailsIn(adminPage, 'revoked'), [third]);
      // …and on refresh the accepted ones and the new members show.
      await adminPage.getByRole('button', { name: 'Refresh' }).click();
      await adminPage.waitForFunction(() => document.querySelectorAll('[data-testid="members"] tbody tr').length === 3);
      // The invitations reload apart from the members.
      await adminPage.waitForFunction(() => document.querySelectorAll('[data-status="accepted"] li').length === 2);
      assert.deepEqual(await emailsIn(adminPage, 'pending'), []);
      assert.deepEqual(await emailsIn(adminPage, 'accepted'), [existingEmail, newcomer].sort());
      assert.deepEqual(await emailsIn(adminPage, 'revoked'), [third]);
      const roles = await adminPage.locator('[data-testid="members"] tbody tr').evaluateAll((rows) => rows.map((r) => [r.children[1]?.textContent, r.children[2]?.textContent]));
      assert.deepEqual(roles.sort(), [[adminEmail, 'Admin'], [existingEmail, 'Admin'], [newcomer, 'Member']].sort());
      await screenshot(adminPage, 'organization-admin-after');
      await adminPage.locator('[data-status="revoked"]').scrollIntoViewIfNeeded();
      await screenshot(adminPage, 'organization-admin-invitations-by-status');
      expectNoProblems(adminProfile.problems);
    } finally {
      await adminProfile.context.close();
    }

    const members = await ok<Page<OrganizationMembershipJson>>(t, 'GET', `/v1/organizations/${org.id}/memberships`);
    assert.deepEqual(members.data.map((m) => [m.public_user_data.identifier, m.role]).sort(), [[adminEmail, 'org:admin'], [existingEmail, 'org:admin'], [newcomer, 'org:member']].sort());
    const revoked = await ok<Page<{ email_address: string }>>(t, 'GET', `/v1/organizations/${org.id}/invitations?status=revoked`);
    assert.deepEqual(revoked.data.map((i) => i.email_address), [third]);
  });

  it('a user with no organization creates one on the organization page and administers it at once', T, async () => {
    const user = await newUser(t, { first_name: 'Grace', last_name: 'Hopper', password: PASSWORD });
    const email = user.email_addresses[0]!.email_address;
    const { context, page, problems } = await newProfile(browser);
    try {
      await signInToOrganizationPage(t, page, email);
      await page.getByTestId('no-organizations').waitFor();
      await page.getByLabel('Organization name').fill('Compilers Inc');
      await screenshot(page, 'organization-create');
      await page.getByRole('button', { name: 'Create organization' }).click();
      // Made active: the page turns into its profile, with the creator as its only member and the invite form.
      await page.locator('h1[data-testid="organization-name"]').waitFor();
      assert.equal(await page.locator('h1[data-testid="organization-name"]').textContent(), 'Compilers Inc');
      await page.locator('[data-testid="members"] tbody tr').first().waitFor();
      assert.equal(await page.locator('[data-testid="members"] tbody tr').count(), 1);
      await page.getByLabel('Email addresses').waitFor();
      const orgs = await ok<Page<{ id: string; name: string; created_by: string }>>(t, 'GET', `/v1/organizations?user_id=${user.id}`);
      assert.deepEqual(orgs.data.map((o) => [o.name, o.created_by]), [['Compilers Inc', user.id]]);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});
