// Creating an organization from the browser (clerk-js createOrganization: POST /v1/organizations
// without the secret key): the signed-in user becomes its org:admin; the user's
// create_organization_enabled and create_organizations_limit (else TESSERA_MAX_ORGANIZATIONS_PER_USER)
// decide whether they may; the browser chooses only the name and the slug.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeName, type TestApp } from '../helpers/app.ts';
import { Browser, fails, ok, okRes, signedIn, startFapiApp } from './frontend.helpers.ts';

const INSTANCE_LIMIT = 3;

describe(`creating an organization from the browser (${storeName})`, () => {
  let t: TestApp;
  before(async () => {
    t = await startFapiApp({ env: { TESSERA_MAX_ORGANIZATIONS_PER_USER: String(INSTANCE_LIMIT) } });
  });
  after(async () => { await t.close(); });

  const create = (b: Browser, body: Record<string, unknown>) => b.post('/v1/organizations', body);

  it('creates it with the signed-in user as org:admin, form- or JSON-encoded; it does not become active by itself', async () => {
    const u = await signedIn(t);
    const res = okRes(await create(u.browser, { name: 'Browser Made Inc' }));
    const org = res.response;
    assert.equal(org.object, 'organization');
    assert.equal(org.name, 'Browser Made Inc');
    assert.equal(org.slug, 'browser-made-inc');
    assert.equal(org.created_by, u.user.id);
    assert.equal(org.private_metadata, undefined);
    assert.equal(res.client.sessions[0].last_active_organization_id, null);
    const memberships = okRes(await u.browser.get('/v1/me/organization_memberships')).response;
    assert.deepEqual(memberships.data.map((m: any) => [m.organization.id, m.role]), [[org.id, 'org:admin']]);
    // As admin the creator may invite at once.
    okRes(await u.browser.post(`/v1/organizations/${org.id}/invitations`, { email_address: 'first-hire@example.com', role: 'org:member' }));
    // The Backend API sees the same organization; JSON bodies work too.
    assert.equal((await ok<any>(t, 'GET', `/v1/organizations/${org.id}`)).created_by, u.user.id);
    const json = await u.browser.call('POST', '/v1/organizations', { name: 'Json Made', slug: 'json-made' }, { json: true });
    assert.equal(okRes(json).response.slug, 'json-made');
  });

  it('refuses what the browser may not choose, a taken slug and a bad name, writing nothing', async () => {
    const u = await signedIn(t);
    for (const extra of [{ created_by: u.user.id }, { max_allowed_memberships: 1 }, { public_metadata: '{}' }, { private_metadata: '{}' }]) {
      const r = await u.browser.call('POST', '/v1/organizations', { name: 'Extra', ...extra }, { json: true });
      assert.equal(r.status, 422, JSON.stringify(r.body));
    }
    okRes(await create(u.browser, { name: 'Taken', slug: 'taken-slug' }));
    const taken = await create(u.browser, { name: 'Taken again', slug: 'taken-slug' });
    assert.ok(taken.status >= 400 && taken.status < 500, JSON.stringify(taken.body));
    assert.equal((await create(u.browser, { name: '' })).status, 422);
    assert.equal((await create(u.browser, { name: 'Bad', slug: 'Not A Slug!' })).status, 422);
    const mine = await ok<any>(t, 'GET', `/v1/organizations?user_id=${u.user.id}&limit=100`);
    assert.deepEqual(mine.data.map((o: any) => o.slug), ['taken-slug']);
  });

  it('a user whose create_organization_enabled is false gets 403 organization_creation_not_allowed', async () => {
    const u = await signedIn(t);
    await ok(t, 'PATCH', `/v1/users/${u.user.id}`, { create_organization_enabled: false });
    fails(await create(u.browser, { name: 'Not Allowed' }), 403, 'organization_creation_not_allowed');
    await ok(t, 'PATCH', `/v1/users/${u.user.id}`, { create_organization_enabled: true });
    okRes(await create(u.browser, { name: 'Allowed Again' }));
  });

  it('counts against TESSERA_MAX_ORGANIZATIONS_PER_USER, or the user\'s own create_organizations_limit (0 = unlimited)', async () => {
    const u = await signedIn(t);
    // Organizations the Backend API makes with this creator count too; others' do not.
    await ok(t, 'POST', '/v1/organizations', { name: 'By the backend', created_by: u.user.id });
    await ok(t, 'POST', '/v1/organizations', { name: 'Not theirs' });
    for (let i = 1; i < INSTANCE_LIMIT; i++) okRes(await create(u.browser, { name: `Limit ${i}` }));
    const over = await create(u.browser, { name: 'One too many' });
    fails(over, 403, 'organization_creation_limit_exceeded');
    assert.match(over.body.errors[0].long_message, new RegExp(`${INSTANCE_LIMIT} organizations`));
    await ok(t, 'PATCH', `/v1/users/${u.user.id}`, { create_organizations_limit: INSTANCE_LIMIT + 1 });
    okRes(await create(u.browser, { name: 'Raised limit' }));
    fails(await create(u.browser, { name: 'Over again' }), 403, 'organization_creation_limit_exceeded');
    await ok(t, 'PATCH', `/v1/users/${u.user.id}`, { create_organizations_limit: 0 });
    okRes(await create(u.browser, { name: 'Unlimited' }));
    // The Backend API is not limited.
    await ok(t, 'POST', '/v1/organizations', { name: 'Backend, past the limit', created_by: u.user.id });
  });

  it('concurrent creates cannot pass the limit together', async () => {
    const u = await signedIn(t);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => create(u.browser, { name: `Race ${i}` })));
    assert.equal(answers.filter((r) => r.status === 200).length, INSTANCE_LIMIT, JSON.stringify(answers.map((r) => r.status)));
    for (const r of answers.filter((a) => a.status !== 200)) fails(r, 403, 'organization_creation_limit_exceeded');
    const mine = await ok<any>(t, 'GET', `/v1/organizations?user_id=${u.user.id}&limit=100`);
    assert.equal(mine.total_count, INSTANCE_LIMIT);
  });

  it('without a session: 401 signed_out; from another site: 403 origin_invalid; nothing written', async () => {
    const before = (await ok<any>(t, 'GET', '/v1/organizations?limit=1')).total_count;
    fails(await create(new Browser(t), { name: 'Anonymous' }), 401, 'signed_out');
    const u = await signedIn(t);
    const crossSite = new Browser(t, { origin: 'https://evil.example' });
    for (const [k, v] of u.browser.cookies) crossSite.cookies.set(k, v);
    fails(await create(crossSite, { name: 'Forged' }), 403, 'origin_invalid');
    assert.equal((await ok<any>(t, 'GET', '/v1/organizations?limit=1')).total_count, before);
    // A page on an allowed origin may call it cross-origin (the preflight answers for this path).
    const origin = new URL(t.url).origin;
    const preflight = await fetch(`${t.url}/v1/organizations`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
  });
});
