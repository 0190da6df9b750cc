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
  it('carry their minting time and 256 random bits, and are stored only as the time and a purpose-bound SHA-256', () => {
    const now = Date.now();
    const a = mintTicket('invitation', now);
    const b = mintTicket('invitation', now);
    assert.notEqual(a.token, b.token);
    const body = a.token.split('_').slice(2).join('_');
    assert.equal(body.length, 8 + 43);
    assert.equal(Buffer.from(body.slice(0, 8), 'base64url').readUIntBE(0, 6), now, 'the minting time, in ms');
    assert.equal(Buffer.from(body.slice(8), 'base64url').length, 32, '256 random bits');
    assert.deepEqual(a.hash, Buffer.concat([Buffer.from(body.slice(0, 8), 'base64url'), createHash('sha256').update(`invitation:${a.token}`).digest()]));
    assert.equal(ticketPurposeOf(a.token), 'invitation');
    // The same token hashed for another purpose is a different value: it cannot be looked up there.
    assert.notDeepEqual(hashTicket('sign_in_token', a.token), a.hash);
    assert.equal(ticketPurposeOf('tkt_zzz_' + 'a'.repeat(43)), null);
    assert.equal(ticketPurposeOf('inv_123'), null);
  });

  it('keys sort by minting time, so new keys land at the end of the index', () => {
    const keys = [5, 1, 3, 2, 4].map((ms) => mintTicket('organization_invitation', 1_700_000_000_000 + ms));
    const sorted = [...keys].sort((x, y) => Buffer.compare(x.hash, y.hash));
    assert.deepEqual(sorted.map((k) => Buffer.from(k.token.split('_')[2]!.slice(0, 8), 'base64url').readUIntBE(0, 6) - 1_700_000_000_000), [1, 2, 3, 4, 5]);
  });

  it('tickets of the earlier shape (256 bits, no time) are still recognised, keyed by the SHA-256 alone', () => {
    const legacy = `tkt_oinv_${Buffer.alloc(32, 7).toString('base64url')}`;
    assert.equal(ticketPurposeOf(legacy), 'organization_invitation');
    assert.deepEqual(hashTicket('organization_invitation', legacy), createHash('sha256').update(`organization_invitation:${legacy}`).digest());
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
