// POST /v1/users over HTTP: the wire shape, every validation rule and error code, password
// storage, canonical email matching and the uniqueness invariant under concurrency.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import argon2 from 'argon2';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import type { UserJson } from '../../src/features/users/user.schemas.ts';
import { call, fails, ok, PASSWORD, seenBodies, sleep, uniqueEmail, type ErrorBody } from './users.helpers.ts';
import { newId } from '../../src/lib/ids.ts';

async function storedPassword(t: TestApp, userId: string) {
  return t.deps.db.selectFrom('users').select(['password_digest', 'password_hasher']).where('id', '=', userId).executeTakeFirstOrThrow();
}

const SPEC_REQUIRED = [
  'object', 'id', 'username', 'first_name', 'last_name', 'has_image', 'primary_email_address_id', 'primary_phone_number_id',
  'primary_web3_wallet_id', 'password_enabled', 'two_factor_enabled', 'totp_enabled', 'backup_code_enabled', 'email_addresses',
  'phone_numbers', 'web3_wallets', 'passkeys', 'external_accounts', 'saml_accounts', 'enterprise_accounts', 'public_metadata',
  'external_id', 'last_sign_in_at', 'banned', 'locked', 'lockout_expires_in_seconds', 'verification_attempts_remaining',
  'created_at', 'updated_at', 'delete_self_enabled', 'create_organization_enabled', 'last_active_at', 'mfa_enabled_at',
  'mfa_disabled_at', 'legal_accepted_at',
];

describe(`POST /v1/users (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  it('creates a user with the Clerk wire shape: first address primary, verified by admin', async () => {
    const t0 = Date.now();
    const a = uniqueEmail('shape');
    const b = uniqueEmail('shape-b');
    const u = await ok(t, 'POST', '/v1/users', {
      email_address: [a, b], password: PASSWORD, first_name: 'Ada', last_name: 'Lovelace', locale: 'en-GB',
      public_metadata: { plan: 'pro', nested: { a: [1, 2] } }, private_metadata: { crm: 7 }, unsafe_metadata: { theme: 'dark' },
    });
    for (const k of SPEC_REQUIRED) assert.ok(k in u, `spec-required field ${k} is present`);
    assert.equal(u.object, 'user');
    assert.match(u.id, /^user_[0-9A-Za-z]{27}$/);
    assert.equal(u.first_name, 'Ada');
    assert.equal(u.last_name, 'Lovelace');
    assert.equal(u.locale, 'en-GB');
    assert.equal(u.username, null);
    assert.equal(u.external_id, null);
    assert.equal(u.image_url, '');
    assert.equal(u.has_image, false);
    assert.equal(u.password_enabled, true);
    assert.equal(u.two_factor_enabled, false);
    assert.equal(u.totp_enabled, false);
    assert.equal(u.backup_code_enabled, false);
    assert.equal(u.banned, false);
    assert.equal(u.locked, false);
    assert.equal(u.delete_self_enabled, true);
    assert.equal(u.create_organization_enabled, true);
    assert.deepEqual(u.public_metadata, { plan: 'pro', nested: { a: [1, 2] } });
    assert.deepEqual(u.private_metadata, { crm: 7 });
    assert.deepEqual(u.unsafe_metadata, { theme: 'dark' });
    for (const k of ['phone_numbers', 'web3_wallets', 'passkeys', 'external_accounts', 'saml_accounts', 'enterprise_accounts'] as const) {
      assert.deepEqual(u[k], [], k);
    }
    assert.ok(Number.isInteger(u.created_at) && u.created_at >= t0 - 5000 && u.created_at <= Date.now() + 5000, 'created_at is Unix ms');
    assert.ok(Number.isInteger(u.updated_at));
    assert.equal(u.email_addresses.length, 2);
    const [first, second] = u.email_addresses;
    assert.equal(u.primary_email_address_id, first!.id);
    assert.deepEqual(first!.email_address, a);
    assert.deepEqual(second!.email_address, b);
    for (const e of u.email_addresses) {
      assert.equal(e.object, 'email_address');
      assert.match(e.id, /^idn_[0-9A-Za-z]{27}$/);
      assert.equal(e.reserved, false);
      assert.deepEqual(e.verification, { object: 'verification_admin', status: 'verified', strategy: 'admin', attempts: null, expire_at: null });
      assert.deepEqual(e.linked_to, []);
      assert.ok(Number.isInteger(e.created_at) && Number.isInteger(e.updated_at));
    }
    const audit = await t.deps.db.selectFrom('audit_log').select(['action', 'actor']).where('target', '=', u.id).execute();
    assert.deepEqual(audit, [{ action: 'user.created', actor: 'backend_api' }]);
  });

  it('stores the password as argon2id with m=19456, t=2, p=1 that verifies; never returns it', async () => {
    const u = await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail('pw')], password: PASSWORD });
    const stored = await storedPassword(t, u.id);
    assert.equal(stored.password_hasher, 'argon2id');
    const phc = /^\$argon2id\$v=19\$([^$]+)\$[^$]+\$[^$]+$/.exec(stored.password_digest ?? '');
    assert.ok(phc, stored.password_digest ?? 'no digest');
    assert.deepEqual(Object.fromEntries(phc[1]!.split(',').map((kv) => kv.split('='))), { m: '19456', t: '2', p: '1' });
    assert.equal(await argon2.verify(stored.password_digest!, PASSWORD), true);
    assert.equal(await argon2.verify(stored.password_digest!, `${PASSWORD}!`), false);
    const raw = (await call(t, 'GET', `/v1/users/${u.id}`)).raw;
    assert.ok(!raw.includes(stored.password_digest!) && !raw.includes('$argon2') && !raw.includes('password_digest') && !raw.includes('password_hasher'));
  });

  it('refuses a password under 8 characters, unless skip_password_checks; never an empty or >256 one', async () => {
    let meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: 'seven77' }, 422, 'form_password_length_too_short');
    assert.equal(meta.param_name, 'password');
    const short = await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: 'seven77', skip_password_checks: true });
    assert.equal(short.password_enabled, true);
    assert.equal(await argon2.verify((await storedPassword(t, short.id)).password_digest!, 'seven77'), true);
    await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: 'eight888' });
    await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: '', skip_password_checks: true }, 422, 'form_password_length_too_short');
    await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: 'x'.repeat(256) });
    meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: 'x'.repeat(257), skip_password_checks: true }, 422, 'form_password_length_too_long');
    assert.equal(meta.param_name, 'password');
  });

  it('requires a password unless skip_password_requirement', async () => {
    const email = uniqueEmail('nopw');
    const meta = await fails(t, 'POST', '/v1/users', { email_address: [email] }, 422, 'form_param_missing');
    assert.equal(meta.param_name, 'password');
    const u = await ok(t, 'POST', '/v1/users', { email_address: [email], skip_password_requirement: true });
    assert.equal(u.password_enabled, false);
    assert.deepEqual(await storedPassword(t, u.id), { password_digest: null, password_hasher: null });
  });

  it('imports argon2id and bcrypt digests as given; refuses other hashers and malformed digests', async () => {
    const argonDigest = await argon2.hash('imported secret', { type: argon2.argon2id, memoryCost: 4096, timeCost: 3, parallelism: 1 });
    const a = await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail('imp')], password_digest: argonDigest, password_hasher: 'argon2id' });
    assert.equal(a.password_enabled, true);
    assert.deepEqual(await storedPassword(t, a.id), { password_digest: argonDigest, password_hasher: 'argon2id' });

    const bcryptDigest = '$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
    const b = await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail('imp')], password_digest: bcryptDigest, password_hasher: 'bcrypt' });
    assert.deepEqual(await storedPassword(t, b.id), { password_digest: bcryptDigest, password_hasher: 'bcrypt' });

    let meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password_digest: '5f4dcc3b5aa765d61d8327deb882cf99', password_hasher: 'md5' }, 422, 'form_param_value_invalid');
    assert.equal(meta.param_name, 'password_hasher');
    meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password_digest: argonDigest }, 422, 'form_param_missing');
    assert.equal(meta.param_name, 'password_hasher');
    meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password_hasher: 'bcrypt', skip_password_requirement: true }, 422, 'form_param_missing');
    assert.equal(meta.param_name, 'password_digest');
    meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password_digest: bcryptDigest, password_hasher: 'argon2id' }, 422, 'form_param_format_invalid');
    // $2x$ (the digests of a broken bcrypt implementation) cannot be verified correctly: refused at import.
    meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password_digest: bcryptDigest.replace('$2a$', '$2x$'), password_hasher: 'bcrypt' }, 422, 'form_param_format_invalid');
    assert.equal(meta.param_name, 'password_digest');
    meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: PASSWORD, password_digest: argonDigest, password_hasher: 'argon2id' }, 422, 'form_param_value_invalid');
    assert.equal(meta.param_name, 'password_digest');
  });

  it('matches addresses canonically: Ada@Example.COM then ada@example.com is form_identifier_exists', async () => {
    const tag = `canon${process.pid}`;
    const u = await ok(t, 'POST', '/v1/users', { email_address: [`Ada.${tag}@Example.COM`], password: PASSWORD });
    assert.equal(u.email_addresses[0]!.email_address, `ada.${tag}@example.com`);
    const meta = await fails(t, 'POST', '/v1/users', { email_address: [`ada.${tag}@example.com`], password: PASSWORD }, 422, 'form_identifier_exists');
    assert.equal(meta.param_name, 'email_address');
    assert.deepEqual(meta.email_addresses, [`ada.${tag}@example.com`]);
    // A taken address anywhere in the list refuses the whole user: nothing is written.
    const before = await t.deps.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail('fresh'), `ADA.${tag}@EXAMPLE.COM`], password: PASSWORD }, 422, 'form_identifier_exists');
    const afterCount = await t.deps.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });

  it('canonicalises a full-width ＠ (NFKC) and then finds the duplicate', async () => {
    const tag = `fw${process.pid}`;
    const u = await ok(t, 'POST', '/v1/users', { email_address: [`${tag}＠example.com`], skip_password_requirement: true });
    assert.equal(u.email_addresses[0]!.email_address, `${tag}@example.com`);
    const meta = await fails(t, 'POST', '/v1/users', { email_address: [`${tag.toUpperCase()}@example.com`], skip_password_requirement: true }, 422, 'form_identifier_exists');
    assert.equal(meta.param_name, 'email_address');
  });

  it('refuses an invalid address (form_param_format_invalid) and one listed twice', async () => {
    for (const bad of ['not-an-email', 'a@b@example.com', 'a,b@example.com', '"q"@example.com', 'a b@example.com', 'a@localhost']) {
      const meta = await fails(t, 'POST', '/v1/users', { email_address: [bad], skip_password_requirement: true }, 422, 'form_param_format_invalid');
      assert.equal(meta.param_name, 'email_address', bad);
    }
    const e = uniqueEmail('twice');
    const meta = await fails(t, 'POST', '/v1/users', { email_address: [e, e.toUpperCase()], skip_password_requirement: true }, 422, 'form_param_value_invalid');
    assert.equal(meta.param_name, 'email_address');
  });

  it('needs an email address or a username', async () => {
    let meta = await fails(t, 'POST', '/v1/users', { password: PASSWORD, first_name: 'Nobody' }, 422, 'form_param_missing');
    assert.equal(meta.param_name, 'email_address');
    meta = await fails(t, 'POST', '/v1/users', { email_address: [], password: PASSWORD }, 422, 'form_param_missing');
    assert.equal(meta.param_name, 'email_address');
    const u = await ok(t, 'POST', '/v1/users', { username: `OnlyName${process.pid}`, password: PASSWORD });
    assert.equal(u.username, `onlyname${process.pid}`);
    assert.deepEqual(u.email_addresses, []);
    assert.equal(u.primary_email_address_id, null);
  });

  it('lowercases usernames, keeps them unique, and checks their form', async () => {
    const name = `Grace_${process.pid}`;
    const u = await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], username: name, password: PASSWORD });
    assert.equal(u.username, name.toLowerCase());
    const meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], username: name.toUpperCase(), password: PASSWORD }, 422, 'form_identifier_exists');
    assert.equal(meta.param_name, 'username');
    assert.equal((await fails(t, 'POST', '/v1/users', { username: 'abc', password: PASSWORD }, 422, 'form_username_invalid_length')).param_name, 'username');
    await fails(t, 'POST', '/v1/users', { username: 'x'.repeat(65), password: PASSWORD }, 422, 'form_username_invalid_length');
    assert.equal((await ok(t, 'POST', '/v1/users', { username: 'y'.repeat(64), skip_password_requirement: true })).username, 'y'.repeat(64));
    assert.equal((await fails(t, 'POST', '/v1/users', { username: 'ada@example.com', password: PASSWORD }, 422, 'form_username_invalid_character')).param_name, 'username');
    await fails(t, 'POST', '/v1/users', { username: 'has space', password: PASSWORD }, 422, 'form_username_invalid_character');
  });

  it('keeps external_id unique', async () => {
    const ext = `crm-${newId('user')}`;
    const u = await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], external_id: ext, password: PASSWORD });
    assert.equal(u.external_id, ext);
    const meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], external_id: ext, password: PASSWORD }, 422, 'form_identifier_exists');
    assert.equal(meta.param_name, 'external_id');
    // "" means no external id, so two users can both send it.
    assert.equal((await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], external_id: '', password: PASSWORD })).external_id, null);
    assert.equal((await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], external_id: '', password: PASSWORD })).external_id, null);
  });

  it('stores the optional fields: legal_accepted_at, created_at, flags, limits', async () => {
    const legal = '2024-03-01T10:20:30.456Z';
    const created = '2020-01-02T03:04:05Z';
    const u = await ok(t, 'POST', '/v1/users', {
      email_address: [uniqueEmail()], password: PASSWORD, legal_accepted_at: legal, skip_legal_checks: true, created_at: created,
      banned: true, locked: true, delete_self_enabled: false, create_organization_enabled: false, create_organizations_limit: 3,
    });
    assert.equal(u.legal_accepted_at, Date.parse(legal));
    assert.equal(u.created_at, Date.parse(created));
    assert.equal(u.banned, true);
    assert.equal(u.locked, true);
    assert.equal(u.delete_self_enabled, false);
    assert.equal(u.create_organization_enabled, false);
    assert.equal(u.create_organizations_limit, 3);
    const meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: PASSWORD, legal_accepted_at: 'yesterday' }, 422, 'form_param_format_invalid');
    assert.equal(meta.param_name, 'legal_accepted_at');
    for (const bad of ['2020-13-45T00:00:00Z', '2020-01-01', '0000-01-01T00:00:00Z']) {
      assert.equal((await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: PASSWORD, created_at: bad }, 422, 'form_param_format_invalid')).param_name, 'created_at', bad);
    }
  });

  it('creates reserved (unverified) addresses per email_address_identification_status', async () => {
    const u = await ok(t, 'POST', '/v1/users', { email_address: [uniqueEmail(), uniqueEmail()], email_address_identification_status: ['verified', 'reserved'], password: PASSWORD });
    assert.deepEqual(u.email_addresses.map((e) => [e.reserved, e.verification?.status]), [[false, 'verified'], [true, 'unverified']]);
    const meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail(), uniqueEmail()], email_address_identification_status: ['reserved'], password: PASSWORD }, 422, 'form_param_value_invalid');
    assert.equal(meta.param_name, 'email_address_identification_status');
  });

  it('refuses contract keys Tessera does not support when they carry a value, and accepts them empty', async () => {
    const cases: [string, unknown][] = [
      ['phone_number', ['+15555550100']], ['phone_number_identification_status', ['verified']], ['web3_wallet', ['0x0123456789abcdef0123456789abcdef01234567']],
      ['totp_secret', 'JBSWY3DPEHPK3PXP'], ['backup_codes', ['abc123']], ['timezone', 'Europe/London'],
      ['skip_user_requirement', true], ['bypass_client_trust', true],
    ];
    for (const [key, value] of cases) {
      const meta = await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: PASSWORD, [key]: value }, 422, 'form_param_value_invalid');
      assert.equal(meta.param_name, key);
    }
    await ok(t, 'POST', '/v1/users', {
      email_address: [uniqueEmail()], password: PASSWORD, phone_number: [], web3_wallet: null, backup_codes: [], totp_secret: '',
      skip_user_requirement: false, bypass_client_trust: false, timezone: null,
    });
  });

  it('refuses unknown keys and wrong types through the generic validation errors', async () => {
    assert.equal((await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: PASSWORD, nickname: 'x' }, 422, 'form_param_unknown')).param_name, 'nickname');
    assert.equal((await fails(t, 'POST', '/v1/users', { email_address: uniqueEmail(), password: PASSWORD }, 422, 'form_param_value_invalid')).param_name, 'email_address');
    assert.equal((await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: PASSWORD, public_metadata: 'x' }, 422, 'form_param_value_invalid')).param_name, 'public_metadata');
    assert.equal((await fails(t, 'POST', '/v1/users', { email_address: [uniqueEmail()], password: PASSWORD, create_organizations_limit: '3' }, 422, 'form_param_value_invalid')).param_name, 'create_organizations_limit');
  });

  it('answers 401 without the secret key', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/users', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(res.statusCode, 401);
    assert.equal((res.json() as ErrorBody).errors[0]!.code, 'authentication_invalid');
  });

  it('20 parallel creates of one address: exactly one 200, the rest 422 form_identifier_exists', async () => {
    const email = uniqueEmail('race');
    const variants = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? email : email.toUpperCase()));
    const results = await Promise.all(
      variants.map(async (address) => {
        const res = await fetch(`${t.url}/v1/users`, { method: 'POST', headers: t.auth, body: JSON.stringify({ email_address: [address], skip_password_requirement: true }) });
        return { status: res.status, body: (await res.json()) as UserJson | ErrorBody };
      }),
    );
    const winners = results.filter((r) => r.status === 200);
    const losers = results.filter((r) => r.status !== 200);
    assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const l of losers) {
      assert.equal(l.status, 422);
      const err = (l.body as ErrorBody).errors[0]!;
      assert.equal(err.code, 'form_identifier_exists');
      assert.equal(err.meta?.param_name, 'email_address');
    }
    const rows = await t.deps.db.selectFrom('email_addresses').select('user_id').where('email', '=', email).execute();
    assert.deepEqual(rows.map((r) => r.user_id), [(winners[0]!.body as UserJson).id]);
    // The losers left no user behind (each create is one transaction).
    const orphans = await t.deps.db.selectFrom('users').select('id').where('primary_email_address_id', 'is', null).where('username', 'is', null).execute();
    assert.deepEqual(orphans, []);
  });

  it('a unique violation that beats the pre-check (an uncommitted rival) is still 422, not 500', async () => {
    // A rival transaction claims the address and username but has not committed: the request's
    // pre-check cannot see them, its INSERT waits on the unique index, and fails once the rival
    // commits. On PostgreSQL this exercises the 23505 mapping; PGlite has one connection, so
    // there the request simply runs after the rival and the pre-check answers.
    for (const param of ['email_address', 'username'] as const) {
      const email = uniqueEmail('rival');
      const username = `rival_${newId('user').slice(-10).toLowerCase()}`;
      let release!: () => void;
      const released = new Promise<void>((r) => { release = r; });
      let inserted!: () => void;
      const didInsert = new Promise<void>((r) => { inserted = r; });
      const rival = t.deps.db.transaction().execute(async (trx) => {
        const userId = newId('user');
        const emailId = newId('idn');
        await trx.insertInto('users').values({
          id: userId, external_id: null, username: param === 'username' ? username : null, first_name: null, last_name: null,
          password_digest: null, password_hasher: null, public_metadata: '{}', private_metadata: '{}', unsafe_metadata: '{}',
          create_organizations_limit: null, locale: null, primary_email_address_id: emailId, last_sign_in_at: null, last_active_at: null,
        }).execute();
        await trx.insertInto('email_addresses').values({ id: emailId, user_id: userId, email: param === 'email_address' ? email : uniqueEmail('rival-other'), verification_status: 'verified', verification_strategy: 'admin' }).execute();
        inserted();
        await released;
      });
      await didInsert;
      const request = call(t, 'POST', '/v1/users', { email_address: [param === 'email_address' ? email : uniqueEmail('rival-me')], username, skip_password_requirement: true });
      await sleep(300);
      release();
      await rival;
      const r = await request;
      assert.equal(r.status, 422, r.raw);
      const err = (JSON.parse(r.raw) as ErrorBody).errors[0]!;
      assert.equal(err.code, 'form_identifier_exists');
      assert.equal(err.meta?.param_name, param);
    }
  });

  it('never put a password digest in any response of this suite', () => {
    assert.ok(seenBodies.filter((b) => b.status === 200).length >= 10, 'the suite saw users');
    for (const { status, raw } of seenBodies) {
      assert.ok(!raw.includes('$argon2') && !raw.includes('$2a$'), raw);
      // Error bodies may name the parameter; a user object never carries the key.
      if (status === 200) assert.ok(!raw.includes('password_digest') && !raw.includes('password_hasher'), raw);
    }
  });
});
