// The pure parts of mail: templates, error classification, backoff, payload checks, the dev
// mailbox page's link rendering. No database, no network.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatUtcDate, renderInvitationEmail } from '../../src/mail/templates.ts';
import { classifySendError } from '../../src/mail/transport.ts';
import { backoffDelayMs } from '../../src/mail/worker.ts';
import { composeOutboxEmail } from '../../src/mail/compose.ts';
import { parseMailbox } from '../../src/mail/smtp.transport.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { linkifyText } from '../../src/features/dev-mailbox/dev-mailbox.page.ts';

describe('mail templates', () => {
  it('formats the expiry in UTC, readable', () => {
    assert.equal(formatUtcDate(Date.UTC(2026, 11, 22, 14, 5)), 'Tuesday, 22 December 2026, 14:05 UTC');
    assert.equal(formatUtcDate(Date.UTC(2027, 0, 1, 0, 0)), 'Friday, 1 January 2027, 00:00 UTC');
  });

  it('escapes every variable in the HTML body, including the link in attributes', () => {
    const url = 'https://example.com/v1/tickets/accept?ticket=a"b&c=<d>';
    const r = renderInvitationEmail('invitation', { appName: `"Tom & Jerry's" <b>`, url, expiresAt: Date.UTC(2026, 11, 22) });
    assert.ok(r.html.includes('&quot;Tom &amp; Jerry&#39;s&quot; &lt;b&gt;'));
    assert.ok(!r.html.includes('<b>'));
    assert.ok(r.html.includes('href="https://example.com/v1/tickets/accept?ticket=a&quot;b&amp;c=&lt;d&gt;"'));
    assert.ok(!r.html.includes('a"b'), 'the raw quote never reaches the attribute');
    assert.ok(r.text.includes(url), 'the text body carries the link as is');
    assert.equal(r.subject, `You're invited to join "Tom & Jerry's" <b>`);
  });

  it('keeps line breaks out of the subject', () => {
    const r = renderInvitationEmail('invitation', { appName: 'Acme\r\nBcc: x@evil.test', url: 'https://e.test/x', expiresAt: 0 });
    assert.ok(!/[\r\n]/.test(r.subject));
  });

  it('has a waitlist wording', () => {
    const r = renderInvitationEmail('waitlist_invitation', { appName: 'Acme', url: 'https://e.test/x', expiresAt: 0 });
    assert.match(r.subject, /waitlist/);
  });
});

describe('SMTP failure classification', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['550 to RCPT', { code: 'EENVELOPE', responseCode: 550, response: '550 No such user' }, true],
    ['554 to DATA', { code: 'EMESSAGE', responseCode: 554, response: '554 Rejected' }, true],
    ['451 to RCPT', { code: 'EENVELOPE', responseCode: 451, response: '451 Greylisted' }, false],
    ['452 to DATA', { code: 'EMESSAGE', responseCode: 452, response: '452 Mailbox full' }, false],
    ['refused', { code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:1' }, false],
    ['timeout', { code: 'ETIMEDOUT', message: 'Connection timeout' }, false],
    ['bad credentials (535) is a server problem, not the message', { code: 'EAUTH', responseCode: 535, response: '535 Bad auth' }, false],
    ['554 greeting', { code: 'EPROTOCOL', responseCode: 554, response: '554 Go away' }, false],
    ['unknown', { message: 'something odd' }, false],
  ];
  for (const [name, err, permanent] of cases) {
    it(`${name} → ${permanent ? 'permanent' : 'retry'}`, () => {
      const d = classifySendError(Object.assign(new Error(String(err.message ?? 'x')), err));
      assert.equal(d.permanent, permanent);
      if (typeof err.response === 'string') assert.ok(d.message.includes(err.response));
    });
  }
});

describe('retry backoff', () => {
  it('doubles per attempt, is capped, and jitters within 50–100 %', () => {
    const top = () => 1;
    const bottom = () => 0;
    assert.deepEqual([1, 2, 3, 4].map((a) => backoffDelayMs(a, 1000, 60_000, top)), [1000, 2000, 4000, 8000]);
    assert.equal(backoffDelayMs(30, 1000, 60_000, top), 60_000);
    assert.equal(backoffDelayMs(3, 1000, 60_000, bottom), 2000);
  });
});

describe('composing an outbox row', () => {
  const box = createSecretBox('sk_test_units_units_units_units', 'outbox');
  const row = (over: Record<string, unknown>) => ({
    message_id: '<m@x>',
    payload: { template: 'invitation', to: 'a@example.com', vars: { app_name: 'Acme', expires_at: 0 }, sealed: { url: box.seal('https://e.test/l') }, ...over },
  });

  it('renders a valid row', () => {
    const e = composeOutboxEmail(row({}), { box, mailFrom: 'Acme <no-reply@e.test>' });
    assert.equal(e.to, 'a@example.com');
    assert.equal(e.messageId, '<m@x>');
    assert.ok(e.text.includes('https://e.test/l'));
  });

  for (const [name, over] of [
    ['a list of recipients', { to: 'a@example.com, b@evil.test' }],
    ['a display name in the recipient', { to: 'Eve <b@evil.test>' }],
    ['a non-canonical recipient', { to: 'A@Example.com' }],
    ['an unknown template', { template: 'nope' }],
    ['a missing sealed link', { sealed: undefined }],
    ['a link sealed with another key', { sealed: { url: createSecretBox('sk_test_other_other_other_other', 'outbox').seal('https://e.test/l') } }],
  ] as const) {
    it(`refuses ${name}, permanently`, () => {
      assert.throws(() => composeOutboxEmail(row(over), { box, mailFrom: 'x@e.test' }), (err: { permanent?: unknown }) => err.permanent === true);
    });
  }
});

describe('sender parsing', () => {
  it('takes the last <address>, whatever the name holds', () => {
    assert.deepEqual(parseMailbox('<script>alert(1)</script> <no-reply@h.test>'), { name: '<script>alert(1)</script>', address: 'no-reply@h.test' });
    assert.deepEqual(parseMailbox('"Acme, Inc." <a@h.test>'), { name: 'Acme, Inc.', address: 'a@h.test' });
    assert.deepEqual(parseMailbox('a@h.test'), { name: '', address: 'a@h.test' });
  });
});

describe('dev mailbox text rendering', () => {
  it('escapes everything and links only http(s) URLs', () => {
    const html = linkifyText('Go <b>here</b>: https://e.test/a?x=1&y="2" or javascript:alert(1)');
    assert.equal(
      html,
      'Go &lt;b&gt;here&lt;/b&gt;: <a href="https://e.test/a?x=1&amp;y=" rel="noreferrer noopener">https://e.test/a?x=1&amp;y=</a>&quot;2&quot; or javascript:alert(1)',
    );
  });
});
