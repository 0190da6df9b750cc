import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storeName, type TestApp } from '../helpers/app.ts';

describe(`invitations smoke (${storeName})`, () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  it('creates an invitation', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/invitations', headers: t.auth, payload: { email_address: 'x@example.com' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.json().object, 'invitation');
  });
});
