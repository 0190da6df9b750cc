// The allowlist through the unmodified @clerk/backend client (allowlistIdentifiers), pointed at a
// real listening server. The SDK sends `paginated=true` on list and expects `{data, total_count}`
// back for totalCount; its AllowlistIdentifier / DeletedObject classes are not exported, so parsing
// is checked through the camelCase fields only their fromJSON sets (identifierType, createdAt, …).
process.env.CLERK_TELEMETRY_DISABLED = '1';

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient, type ClerkClient } from '@clerk/backend';
import { ClerkAPIResponseError } from '@clerk/backend/errors';
import { startTestApp, storeName, TEST_SECRET_KEY, type TestApp } from '../helpers/app.ts';
import { clerkError } from '../helpers/clerk-sdk.ts';
import { unique } from './allowlist.fixtures.ts';


describe(`allowlist identifiers through @clerk/backend (${storeName})`, () => {
  let t: TestApp;
  let clerk: ClerkClient;
  before(async () => {
    t = await startTestApp();
    clerk = createClerkClient({ secretKey: TEST_SECRET_KEY, apiUrl: t.url, telemetry: { disabled: true } });
  });
  after(async () => { await t.close(); });

  it('create, list (newest first, with totalCount), delete', async () => {
    const email = `${unique('sdk')}@example.com`;
    const created = await clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: email.toUpperCase(), notify: false });
    assert.match(created.id, /^alid_/);
    assert.equal(created.identifier, email);
    assert.equal(created.identifierType, 'email_address');
    assert.equal(created.instanceId, t.deps.instance.id);
    assert.equal(created.invitationId, null);
    assert.equal(typeof created.createdAt, 'number');
    assert.equal(created.updatedAt, created.createdAt);

    const domain = `${unique('sdk')}.example.com`;
    const wildcard = await clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: `*@${domain}`, notify: true });
    assert.equal(wildcard.identifier, `*@${domain}`);
    assert.equal(wildcard.identifierType, 'email_address');

    const list = await clerk.allowlistIdentifiers.getAllowlistIdentifierList();
    assert.equal(list.totalCount, 2);
    assert.deepEqual(list.data.map((a) => a.id), [wildcard.id, created.id]);
    assert.equal(list.data[1]!.identifierType, 'email_address');
    assert.equal(list.data[1]!.createdAt, created.createdAt);
    const paged = await clerk.allowlistIdentifiers.getAllowlistIdentifierList({ limit: 1, offset: 1 });
    assert.equal(paged.totalCount, 2);
    assert.deepEqual(paged.data.map((a) => a.id), [created.id]);

    const deleted = await clerk.allowlistIdentifiers.deleteAllowlistIdentifier(created.id);
    assert.equal(deleted.object, 'allowlist_identifier');
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.deleted, true);
    const after = await clerk.allowlistIdentifiers.getAllowlistIdentifierList();
    assert.equal(after.totalCount, 1);
    assert.deepEqual(after.data.map((a) => a.id), [wildcard.id]);
  });

  it('errors arrive as ClerkAPIResponseError with Clerk\'s codes', async () => {
    const email = `${unique('sdkdup')}@example.com`;
    await clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: email, notify: false });
    await clerkError(() => clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: email, notify: false }), 400, 'duplicate_record');
    await clerkError(() => clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: 'example.com', notify: false }), 422, 'form_param_format_invalid');
    await clerkError(() => clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: '+15555555555', notify: false }), 422, 'form_param_format_invalid');
    await clerkError(() => clerk.allowlistIdentifiers.createAllowlistIdentifier({ identifier: `${unique('n')}@example.com`, notify: true }), 422, 'form_param_value_invalid');
    await clerkError(() => clerk.allowlistIdentifiers.deleteAllowlistIdentifier('alid_00000000000000000000000000'), 404, 'resource_not_found');
  });
});
