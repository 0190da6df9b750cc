// The wire traps of the contract (clerk-wire.md §1.3, §1.4, §5): exact content type, empty JSON
// bodies, strict bodies, the error envelope, and no 500 for anything a client can send.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';

describe(`HTTP wire (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ env: { TESSERA_BODY_LIMIT_BYTES: '4096' } }); });
  after(async () => { await t.close(); });

  const post = (url: string, payload: string | undefined, headers: Record<string, string> = t.auth) =>
    t.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });

  it('answers with Content-Type exactly application/json, on success and on error', async () => {
    for (const res of [
      await post('/v1/invitations', JSON.stringify({ email_address: 'ct@example.com' })),
      await post('/v1/invitations', '{'),
      await t.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: t.auth }),
      await t.app.inject({ method: 'GET', url: '/v1/invitations' }),
      await t.app.inject({ method: 'GET', url: '/healthz' }),
    ]) {
      assert.equal(res.headers['content-type'], 'application/json', `${res.statusCode} ${res.body}`);
    }
  });

  it('uses the Clerk error envelope with a trace id', async () => {
    const res = await post('/v1/invitations', '{}');
    const body = res.json();
    assert.equal(res.statusCode, 422);
    assert.deepEqual(Object.keys(body).sort(), ['clerk_trace_id', 'errors']);
    assert.equal(typeof body.clerk_trace_id, 'string');
    assert.ok(body.clerk_trace_id.length > 0);
    const [e] = body.errors;
    assert.equal(e.code, 'form_param_missing');
    assert.equal(typeof e.message, 'string');
    assert.equal(typeof e.long_message, 'string');
    assert.deepEqual(e.meta, { param_name: 'email_address' });
  });

  it('reads an empty body with a JSON content type as {}', async () => {
    const res = await post('/v1/invitations', '');
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().errors[0].code, 'form_param_missing');
  });

  it('answers malformed JSON with 400 request_body_invalid', async () => {
    for (const bad of ['{', '{"email_address":', 'nul', "{'a':1}", '\u0000']) {
      const res = await post('/v1/invitations', bad);
      assert.equal(res.statusCode, 400, bad);
      assert.equal(res.json().errors[0].code, 'request_body_invalid');
    }
  });

  it('answers wrong JSON types with 422 form_param_value_invalid', async () => {
    for (const body of ['null', '"text"', '42', '[]', '{"email_address":42}', '{"email_address":"a@example.com","notify":"yes"}', '{"email_address":"a@example.com","public_metadata":[1]}', '{"email_address":"a@example.com","public_metadata":"x"}']) {
      const res = await post('/v1/invitations', body);
      assert.equal(res.statusCode, 422, body);
      assert.equal(res.json().errors[0].code, 'form_param_value_invalid', body);
    }
  });

  it('answers an oversized body with 413 request_body_too_large', async () => {
    const res = await post('/v1/invitations', JSON.stringify({ email_address: 'big@example.com', public_metadata: { blob: 'x'.repeat(10_000) } }));
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().errors[0].code, 'request_body_too_large');
  });

  it('answers a non-JSON content type with 415 unsupported_media_type', async () => {
    const res = await post('/v1/invitations', 'email_address=a@example.com', { authorization: t.auth.authorization!, 'content-type': 'text/plain' });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().errors[0].code, 'unsupported_media_type');
  });

  it('answers unknown routes with 404 route_not_found', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/invitations/inv_x/nothing', headers: t.auth });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().errors[0].code, 'route_not_found');
  });

  it('accepts and ignores the Clerk-API-Version header and a trailing slash', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/invitations/', headers: { ...t.auth, 'clerk-api-version': '2026-05-12' } });
    assert.equal(res.statusCode, 200);
  });

  describe('secret key', () => {
    const cases: [string, Record<string, string>, string][] = [
      ['no Authorization header', {}, 'authentication_invalid'],
      ['a Basic header', { authorization: 'Basic dXNlcjpwYXNz' }, 'authorization_header_format_invalid'],
      ['Bearer without a key', { authorization: 'Bearer ' }, 'authorization_header_format_invalid'],
      ['a wrong key', { authorization: 'Bearer sk_test_wrong_key_wrong_key_wrong' }, 'clerk_key_invalid'],
      ['the key with a suffix', { authorization: `Bearer ${TEST_SECRET_KEY}x` }, 'clerk_key_invalid'],
      ['a prefix of the key', { authorization: `Bearer ${TEST_SECRET_KEY.slice(0, -1)}` }, 'clerk_key_invalid'],
    ];
    for (const [name, headers, code] of cases) {
      it(`refuses ${name} with 401 ${code}`, async () => {
        for (const [method, url] of [['GET', '/v1/invitations'], ['POST', '/v1/invitations'], ['POST', '/v1/invitations/bulk'], ['POST', '/v1/invitations/inv_x/revoke'], ['DELETE', '/v1/invitations/inv_x']] as const) {
          const res = await t.app.inject({ method, url, headers: { 'content-type': 'application/json', ...headers }, payload: '{"email_address":"a@example.com"}' });
          assert.equal(res.statusCode, 401, `${method} ${url}`);
          assert.equal(res.json().errors[0].code, code);
        }
      });
    }
    it('does not create anything for an unauthenticated request', async () => {
      await t.app.inject({ method: 'POST', url: '/v1/invitations', headers: { 'content-type': 'application/json' }, payload: '{"email_address":"noauth@example.com"}' });
      const rows = await t.deps.db.selectFrom('invitations').select('id').where('email', '=', 'noauth@example.com').execute();
      assert.equal(rows.length, 0);
    });
  });

  it('refuses strings PostgreSQL cannot store, and over-deep values, with 422 naming the parameter', async () => {
    const org = await post('/v1/organizations', JSON.stringify({ name: 'Unicode org' }));
    assert.equal(org.statusCode, 200, org.body);
    const orgId = org.json().id as string;
    let nested: unknown = 'leaf';
    for (let i = 0; i < 65; i++) nested = { k: nested };
    const cases: [string, string, string, string][] = [
      // [url, body, parameter named, detail]
      ['/v1/invitations', '{"email_address":"nul@example.com","public_metadata":{"k":"a\\u0000"}}', 'public_metadata.k', 'NUL'],
      ['/v1/invitations', '{"email_address":"lone@example.com","public_metadata":{"k":"\\ud800"}}', 'public_metadata.k', 'lone surrogate'],
      ['/v1/invitations', '{"email_address":"lonekey@example.com","public_metadata":{"\\udfff":1}}', 'public_metadata', 'lone surrogate'],
      [`/v1/organizations/${orgId}/invitations`, '{"email_address":"role@example.com","role":"\\ud800"}', 'role', 'lone surrogate'],
      [`/v1/organizations/${orgId}/invitations`, '{"email_address":"inviter@example.com","role":"org:member","inviter_user_id":"user_\\udbff"}', 'inviter_user_id', 'lone surrogate'],
      ['/v1/invitations', JSON.stringify({ email_address: 'deep@example.com', public_metadata: nested }), 'public_metadata' + '.k'.repeat(64), 'nested more than 64 levels'],
    ];
    for (const [url, payload, param, detail] of cases) {
      const res = await post(url, payload);
      assert.equal(res.statusCode, 422, `${payload.slice(0, 80)} → ${res.statusCode} ${res.body}`);
      const error = res.json().errors[0];
      assert.equal(error.code, 'form_param_value_invalid');
      assert.equal(error.meta.param_name, param);
      assert.ok(error.long_message.includes(detail), error.long_message);
    }
    // A well-formed pair (an emoji) is stored and read back as sent.
    const fine = await post('/v1/invitations', JSON.stringify({ email_address: 'emoji@example.com', public_metadata: { k: 'ok \ud83d\ude00' } }));
    assert.equal(fine.statusCode, 200, fine.body);
    assert.equal(fine.json().public_metadata.k, 'ok \u{1F600}');
    const stored = await t.deps.db.selectFrom('invitations').select('id').where('email', 'in', ['nul@example.com', 'lone@example.com', 'lonekey@example.com', 'deep@example.com']).execute();
    assert.equal(stored.length, 0);
  });

  it('never answers 5xx to hostile or odd input', async () => {
    const bodies = ['', '{', '[]', '[{}]', 'null', '{"email_address":null}', '{"email_address":"' + 'a'.repeat(400) + '@example.com"}',
      '{"email_address":"a@example.com","expires_in_days":1e400}', '{"__proto__":{"x":1},"email_address":"proto@example.com"}',
      '{"constructor":{"prototype":{}}}', '{"email_address":"a@example.com","redirect_url":"' + 'h'.repeat(3000) + '"}',
      '{"email_address":["a@example.com"]}', '{"email_address":"nul@example.com","public_metadata":{"k":"\\u0000"}}', '{"email_address":"nul2@example.com","public_metadata":{"\\u0000":1}}', '{"email_address":"\\ud800@example.com"}'];
    const urls = ['/v1/invitations', '/v1/invitations/bulk', '/v1/invitations/%00/revoke', '/v1/invitations/a%00b/revoke', '/v1/invitations/' + 'x'.repeat(300) + '/revoke'];
    for (const url of urls) {
      for (const payload of bodies) {
        const res = await post(url, payload);
        assert.ok(res.statusCode < 500, `${url} ${payload.slice(0, 60)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        assert.equal(res.headers['content-type'], 'application/json');
      }
    }
    for (const q of ['?limit=1e3', '?offset=9999999999999999999', '?query=%00', '?status[]=x', '?order_by=%2B', '?paginated=', '?query=' + 'q'.repeat(2000)]) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/invitations${q}`, headers: t.auth });
      assert.ok(res.statusCode < 500, `${q} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
  });
});
