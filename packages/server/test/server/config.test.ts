import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, '/srv/app');
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.databaseUrl, null);
    assert.equal(c.dataDir, '/srv/app/.tessera');
    assert.equal(c.secretKey, null);
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.smtpUrl, null);
    assert.deepEqual(c.allowedRedirectOrigins, []);
    assert.equal(c.appName, 'Tessera');
    assert.ok(Object.isFrozen(c));
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u@db:5432/tessera', TESSERA_DATA_DIR: '/data',
      TESSERA_SECRET_KEY: 'sk_live_abcdefghijklmnopqrstuvwxyz', TESSERA_PUBLIC_URL: 'https://auth.example.com/',
      SMTP_URL: 'smtp://user:pass@mail:587', TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com, http://localhost:5173',
      TESSERA_APP_NAME: 'Acme',
    });
    assert.equal(c.port, 8080);
    assert.equal(c.publicUrl, 'https://auth.example.com');
    assert.deepEqual(c.allowedRedirectOrigins, ['https://app.example.com', 'http://localhost:5173']);
    assert.equal(c.dataDir, '/data');
    assert.equal(c.appName, 'Acme');
  });

  const bad: [Record<string, string>, string][] = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ TESSERA_SECRET_KEY: 'secret' }, 'TESSERA_SECRET_KEY'],
    [{ TESSERA_PUBLIC_URL: 'not a url' }, 'TESSERA_PUBLIC_URL'],
    [{ TESSERA_PUBLIC_URL: 'ftp://x.example.com' }, 'TESSERA_PUBLIC_URL'],
    [{ TESSERA_PUBLIC_URL: 'https://x.example.com/?a=1' }, 'TESSERA_PUBLIC_URL'],
    [{ SMTP_URL: 'mail.example.com' }, 'SMTP_URL'],
    [{ TESSERA_ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com/path' }, 'TESSERA_ALLOWED_REDIRECT_ORIGINS'],
    [{ TESSERA_ALLOWED_REDIRECT_ORIGINS: 'javascript:alert(1)' }, 'TESSERA_ALLOWED_REDIRECT_ORIGINS'],
    [{ TESSERA_IN_PROCESS_WORKER: 'maybe' }, 'TESSERA_IN_PROCESS_WORKER'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ];
  for (const [env, variable] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.includes(variable));
    });
  }
});
