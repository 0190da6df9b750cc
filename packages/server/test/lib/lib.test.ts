import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { newId, isWellFormedId } from '../../src/lib/ids.ts';
import { canonicalEmail } from '../../src/lib/email.ts';
import { isAllowedRedirect } from '../../src/lib/redirect.ts';
import { hashTicket, mintTicket, ticketPurposeOf } from '../../src/lib/tickets.ts';
import { createSecretBox } from '../../src/lib/secret-box.ts';
import { redactUrl } from '../../src/http/openapi.ts';

describe('ids', () => {
  it('are <prefix>_<27 base62 chars>', () => {
    for (const p of ['user', 'idn', 'inv'] as const) {
      const id = newId(p);
      assert.match(id, new RegExp(`^${p}_[0-9A-Za-z]{27}$`));
      assert.ok(isWellFormedId(id, p));
    }
  });
  it('sort by creation time, also within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newId('inv'));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    const early = newId('inv', Date.parse('2020-01-01'));
    const late = newId('inv', Date.parse('2030-01-01'));
    assert.ok(early < late);
  });
});

describe('canonicalEmail', () => {
  const ok: [string, string][] = [
    ['Ada@Example.COM', 'ada@example.com'],
    ['ada＠example.com', 'ada@example.com'], // full-width at sign (GHSA-7rqj-j65f-68wh) is the same address
    ['ＡＤＡ@example.com', 'ada@example.com'],
    ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk'],
  ];
  for (const [input, want] of ok) it(`accepts ${input}`, () => assert.equal(canonicalEmail(input), want));
  const bad = [
    '', 'plain', '@example.com', 'a@', 'a@b@example.com', 'a@example', '"quoted"@example.com', 'a,b@example.com',
    'a@example.com,b@example.com', 'a b@example.com', ' a@example.com', 'a@example.com\n', 'a..b@example.com', '.a@example.com',
    'a@-example.com', 'a@example..com', 'a@example.123', `${'x'.repeat(65)}@example.com`, 'a@exa mple.com', 'a@example.com>',
  ];
  for (const input of bad) it(`refuses ${JSON.stringify(input)}`, () => assert.equal(canonicalEmail(input), null));
});

describe('isAllowedRedirect', () => {
  const policy = { allowedOrigins: ['https://app.example.com', 'http://localhost:4000'], allowLocalhost: false };
  const ok = ['https://app.example.com/accept?x=1', 'https://app.example.com', 'http://localhost:4000/a'];
  const bad = [
    '//app.example.com/x', '/relative', 'javascript:alert(1)', 'data:text/html,x', 'https://evil.com/',
    'https://app.example.com.evil.com/', 'https://app.example.com@evil.com/', 'https://user:pw@app.example.com/',
    'https:\\\\app.example.com', 'https://app.example.com\\@evil.com', 'http://app.example.com/', 'https://app.example.com:444/',
    'ftp://app.example.com/', 'https://app.example.com/\n', 'http://localhost:5000/',
  ];
  for (const u of ok) it(`allows ${u}`, () => assert.ok(isAllowedRedirect(u, policy)));
  for (const u of bad) it(`refuses ${JSON.stringify(u)}`, () => assert.equal(isAllowedRedirect(u, policy), false));
  it('allows any localhost port only when the policy says so (development instances)', () => {
    assert.equal(isAllowedRedirect('http://localhost:5000/x', policy), false);
    assert.ok(isAllowedRedirect('http://localhost:5000/x', { ...policy, allowLocalhost: true }));
    assert.ok(isAllowedRedirect('http://127.0.0.1:5000/x', { ...policy, allowLocalhost: true }));
    assert.equal(isAllowedRedirect('http://localhost.evil.com/x', { ...policy, allowLocalhost: true }), false);
  });
});

describe('tickets', () => {
  it('carry 256 random bits and are stored only as a purpose-bound SHA-256', () => {
    const a = mintTicket('invitation');
    const b = mintTicket('invitation');
    assert.notEqual(a.token, b.token);
    const secret = a.token.split('_').slice(2).join('_');
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    assert.deepEqual(a.hash, createHash('sha256').update(`invitation:${a.token}`).digest());
    assert.equal(ticketPurposeOf(a.token), 'invitation');
    // The same token hashed for another purpose is a different value: it cannot be looked up there.
    assert.notDeepEqual(hashTicket('sign_in_token', a.token), a.hash);
    assert.equal(ticketPurposeOf('tkt_zzz_' + 'a'.repeat(43)), null);
    assert.equal(ticketPurposeOf('inv_123'), null);
  });
});

describe('secret box', () => {
  it('round-trips and rejects tampering or another key', () => {
    const box = createSecretBox('sk_test_aaaaaaaaaaaaaaaaaaaa', 'outbox');
    const sealed = box.seal('https://x/?ticket=secret');
    assert.ok(!sealed.includes('secret'));
    assert.equal(box.open(sealed), 'https://x/?ticket=secret');
    // Change the second-to-last character (always ciphertext bits) to a different one.
    const flipped = sealed.slice(0, -2) + (sealed.at(-2) === 'A' ? 'B' : 'A') + sealed.slice(-1);
    assert.notEqual(flipped, sealed);
    assert.throws(() => box.open(flipped));
    assert.throws(() => createSecretBox('sk_test_bbbbbbbbbbbbbbbbbbbb', 'outbox').open(sealed));
  });
});

describe('redactUrl', () => {
  it('removes ticket values from logged URLs', () => {
    assert.equal(redactUrl('/v1/tickets/accept?ticket=tkt_inv_abc&x=1'), '/v1/tickets/accept?ticket=[redacted]&x=1');
    assert.equal(redactUrl('/sign-up?__clerk_status=sign_up&__clerk_ticket=tkt_inv_abc'), '/sign-up?__clerk_status=sign_up&__clerk_ticket=[redacted]');
  });
});
