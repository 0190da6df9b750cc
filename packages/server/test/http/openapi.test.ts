import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateOpenApiDocument, OPENAPI_PATH } from '../../src/http/openapi-document.ts';
import { startTestApp } from '../helpers/app.ts';

describe('OpenAPI document', () => {
  it('matches the committed openapi.json (run `npm run openapi` after a deliberate wire change)', async () => {
    const generated = await generateOpenApiDocument();
    assert.equal(generated, readFileSync(OPENAPI_PATH, 'utf8'));
  });

  it('is OpenAPI 3.1, describes the Backend API routes, and is served with a docs page', async () => {
    const t = await startTestApp();
    try {
      const res = await t.app.inject({ method: 'GET', url: '/v1/openapi.json' });
      assert.equal(res.statusCode, 200);
      const doc = res.json();
      assert.equal(doc.openapi, '3.1.0');
      for (const path of ['/v1/invitations', '/v1/invitations/bulk', '/v1/invitations/{invitation_id}/revoke', '/v1/tickets/accept']) {
        assert.ok(doc.paths[path], path);
      }
      assert.ok(doc.paths['/v1/invitations'].post.requestBody);
      assert.ok(doc.components.schemas.Invitation);
      const docs = await t.app.inject({ method: 'GET', url: '/v1/docs/' });
      assert.equal(docs.statusCode, 200);
      assert.match(docs.body, /swagger-ui/i);
    } finally {
      await t.close();
    }
  });
});
