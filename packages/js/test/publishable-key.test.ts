// Publishable keys: Clerk's format (pk_test_ / pk_live_ + base64("<host>$")) decoded to the
// Frontend API URL, http only for a local host.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, parsePublishableKey, publishableKeyFor } from '../src/index.ts';

const key = (kind: 'test' | 'live', text: string) => `pk_${kind}_${Buffer.from(text).toString('base64')}`;

describe('publishable keys', () => {
  test('a Clerk-format key decodes to an https Frontend API URL', () => {
    assert.deepEqual(parsePublishableKey(key('live', 'auth.example.com$')), { instanceType: 'production', frontendApi: 'https://auth.example.com' });
    assert.deepEqual(parsePublishableKey(key('test', 'auth.example.com:8443$')), { instanceType: 'development', frontendApi: 'https://auth.example.com:8443' });
    // Clerk's own development keys decode the same way.
    assert.equal(parsePublishableKey(key('test', 'happy-hippo-1.clerk.accounts.dev$')).frontendApi, 'https://happy-hippo-1.clerk.accounts.dev');
  });

  test('local hosts, with or without a port, are http', () => {
    for (const [host, url] of [
      ['localhost', 'http://localhost'],
      ['localhost:3000', 'http://localhost:3000'],
      ['127.0.0.1:54321', 'http://127.0.0.1:54321'],
      ['127.0.0.1', 'http://127.0.0.1'],
      ['[::1]:8080', 'http://[::1]:8080'],
      ['[::1]', 'http://[::1]'],
    ] as const) {
      assert.equal(parsePublishableKey(key('test', `${host}$`)).frontendApi, url, host);
    }
    assert.equal(parsePublishableKey(key('test', 'localhost.example.com$')).frontendApi, 'https://localhost.example.com');
  });

  test('publishableKeyFor round-trips', () => {
    for (const url of ['https://auth.example.com', 'http://localhost:3000', 'http://127.0.0.1:54321', 'http://[::1]:8080', 'https://example.com/tessera']) {
      const pk = publishableKeyFor(url);
      assert.match(pk, /^pk_test_/);
      assert.equal(parsePublishableKey(pk).frontendApi, url);
    }
    assert.match(publishableKeyFor('https://auth.example.com', true), /^pk_live_/);
    assert.equal(publishableKeyFor('https://auth.example.com/'), key('test', 'auth.example.com$'));
    // A key cannot say "http" for a public host, nor "https" for a local one.
    assert.throws(() => publishableKeyFor('http://auth.example.com'), TypeError);
    assert.throws(() => publishableKeyFor('https://localhost:3000'), TypeError);
  });

  test('malformed keys are refused', () => {
    for (const bad of ['', 'sk_test_abc', 'pk_test_', 'pk_prod_' + btoa('a.com$'), key('test', 'auth.example.com'), key('test', '$'), key('test', 'a b.com$'), 'pk_test_!!!']) {
      assert.throws(() => parsePublishableKey(bad), TypeError, bad);
    }
  });

  test('createTessera takes either a key or a URL', () => {
    assert.equal(createTessera({ publishableKey: key('test', 'localhost:3000$') }).frontendApi, 'http://localhost:3000');
    assert.equal(createTessera({ frontendApi: 'https://auth.example.com/' }).frontendApi, 'https://auth.example.com');
    assert.throws(() => createTessera({}), TypeError);
  });
});
