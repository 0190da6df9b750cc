// The organization invitation email, end to end: created through the API, queued in the outbox in
// the same statement, delivered by the in-process worker to a real SMTP server (smtp-server),
// naming the organization, the inviter, the role, the app and the expiry, HTML-escaped, with a
// link that works. Plus the template and the outbox checks on their own.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { escapeHtml } from '../../src/lib/html.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { composeOutboxEmail } from '../../src/mail/compose.ts';
import { formatUtcDate, renderOrganizationInvitationEmail } from '../../src/mail/templates.ts';
import type { UserJson } from '../../src/features/users/user.schemas.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';
import { linkInText, waitUntil } from '../mail/mail-helpers.ts';
import { invite, newOrg, newUser, NO_INVITATION_LIMITS, ok } from './org-invitations.helpers.ts';

const T = { timeout: 15_000 };
const primaryEmail = (u: UserJson) => u.email_addresses.find((e) => e.id === u.primary_email_address_id)!.email_address;

describe(`organization invitation email over SMTP (${storeName})`, () => {
  const appName = 'Acme <b>Test</b>';
  let sink: SmtpSink;
  let t: TestApp;
  before(async () => {
    sink = await startSmtpSink();
    // A poll interval of a minute: an email can only arrive quickly if the create nudged the worker.
    t = await startTestApp({ worker: true, env: { SMTP_URL: sink.url, TESSERA_APP_NAME: appName, TESSERA_WORKER_POLL_MS: '60000', ...NO_INVITATION_LIMITS } });
  });
  after(async () => {
    await t.close();
    await sink.close();
  });

  it('names the organization, the inviter and the role, escaped in HTML, with a working link', T, async () => {
    const inviter = await newUser(t, { first_name: 'Ada <img src=x onerror=alert(1)>', last_name: 'Lovelace' });
    const org = await newOrg(t, { name: `Tom & Jerry's "Lab"`, created_by: inviter.id });
    const before = sink.received.length;
    const inv = await invite(t, org.id, { email_address: 'Invitee.Org@Example.com', role: 'org:admin', inviter_user_id: inviter.id });
    const mail = (await sink.waitFor(before + 1, 5000))[before]!;

    assert.deepEqual(mail.envelopeTo, ['invitee.org@example.com']);
    const inviterName = 'Ada <img src=x onerror=alert(1)> Lovelace';
    assert.equal(mail.subject, `${inviterName} invited you to join Tom & Jerry's "Lab" on ${appName}`);
    const expiry = formatUtcDate(inv.expires_at!);
    for (const fact of [`Tom & Jerry's "Lab"`, inviterName, primaryEmail(inviter), 'Admin', appName, expiry]) {
      assert.ok(mail.text.includes(fact), `text body names ${fact}`);
      assert.ok(mail.html.includes(escapeHtml(fact)), `HTML body names ${fact}, escaped`);
    }
    assert.ok(!mail.html.includes('<img'), 'no live markup from a user name');
    assert.ok(!mail.html.includes('<b>Test'), 'no live markup from the app name');

    const link = linkInText(mail.text);
    assert.equal(link, inv.url);
    assert.ok(mail.html.includes(`href="${escapeHtml(link)}"`));
    const u = new URL(link);
    const res = await t.app.inject({ method: 'GET', url: u.pathname + u.search });
    assert.equal(res.statusCode, 303);
    const loc = new URL(String(res.headers.location));
    assert.equal(loc.searchParams.get('__clerk_ticket'), u.searchParams.get('ticket'));
    assert.equal(loc.searchParams.get('__clerk_status'), 'sign_up');

    // Once sent, the row no longer holds the sealed link.
    await waitUntil(async () => {
      const row = await t.deps.db.selectFrom('outbox').select(['status', 'payload']).where('message_id', '=', mail.messageId).executeTakeFirst();
      return row?.status === 'sent' && !('sealed' in row.payload);
    }, 'the row to be marked sent');
  });

  it('leaves the inviter out when there is none', T, async () => {
    const org = await newOrg(t, { name: 'Plain Org' });
    const before = sink.received.length;
    await invite(t, org.id, { email_address: 'no-inviter@example.com' });
    const mail = (await sink.waitFor(before + 1, 5000))[before]!;
    assert.equal(mail.subject, `You're invited to join Plain Org on ${appName}`);
    assert.ok(mail.text.includes(`You have been invited to join Plain Org on ${appName} with the role Member.`));
    const list = await ok<{ total_count: number }>(t, 'GET', `/v1/organizations/${org.id}/invitations`);
    assert.equal(list.total_count, 1);
  });
});

describe('organization invitation template', () => {
  const vars = { appName: 'Acme', url: 'https://e.test/v1/tickets/accept?ticket=a"b&c', expiresAt: Date.UTC(2026, 11, 22, 14, 5), organizationName: 'O&O', roleName: '<Admin>', inviterName: null, inviterEmail: 'boss@example.com' };

  it('uses whichever of the inviter name and email is known, and escapes every variable in HTML', () => {
    const r = renderOrganizationInvitationEmail(vars);
    assert.equal(r.subject, 'boss@example.com invited you to join O&O on Acme');
    assert.ok(r.text.includes('boss@example.com has invited you to join O&O on Acme with the role <Admin>.'));
    assert.ok(r.html.includes('O&amp;O') && r.html.includes('&lt;Admin&gt;') && !r.html.includes('<Admin>'));
    assert.ok(r.html.includes('href="https://e.test/v1/tickets/accept?ticket=a&quot;b&amp;c"'));
    assert.ok(r.text.includes('Tuesday, 22 December 2026, 14:05 UTC'));
    const both = renderOrganizationInvitationEmail({ ...vars, inviterName: 'Ada L', inviterEmail: 'ada@example.com' });
    assert.ok(both.text.includes('Ada L (ada@example.com) has invited you'));
    assert.ok(!/[\r\n]/.test(renderOrganizationInvitationEmail({ ...vars, organizationName: 'A\r\nBcc: x@evil.test' }).subject));
  });

  it('is refused, permanently, by the outbox when its organization or role is missing', () => {
    const box = createSecretBox('sk_test_units_units_units_units', 'outbox');
    const row = (v: Record<string, unknown>) => ({
      message_id: '<m@x>',
      payload: { template: 'organization_invitation', to: 'a@example.com', vars: { app_name: 'Acme', expires_at: 0, ...v }, sealed: { url: box.seal('https://e.test/l') } },
    });
    const ctx = { box, mailFrom: 'x@e.test' };
    assert.ok(composeOutboxEmail(row({ organization_name: 'O', role_name: 'Member' }), ctx).text.includes('join O on Acme'));
    for (const v of [{ role_name: 'Member' }, { organization_name: 'O' }]) {
      assert.throws(() => composeOutboxEmail(row(v), ctx), (err: { permanent?: unknown }) => err.permanent === true);
    }
  });
});
