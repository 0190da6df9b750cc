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

  it('quotes the app name in the default sender', () => {
    assert.equal(loadConfig({ TESSERA_APP_NAME: 'Acme, "Inc" <x>' }).mailFrom, '"Acme, \\"Inc\\" <x>" <no-reply@localhost>');
  });

  it('has Clerk\'s documented rate limits by default, on, in memory unless REDIS_URL', () => {
    const c = loadConfig({});
    assert.equal(c.redisUrl, null);
    assert.equal(c.rateLimitsEnabled, true);
    assert.deepEqual(c.rateLimits, {
      backend_api: { points: 1000, durationSeconds: 10 },
      'invitations.create': { points: 100, durationSeconds: 3600 },
      'invitations.bulk': { points: 25, durationSeconds: 3600 },
      'organization_invitations.create': { points: 250, durationSeconds: 3600 },
      'organization_invitations.bulk': { points: 50, durationSeconds: 3600 },
      'sign_ins.create': { points: 5, durationSeconds: 10 },
      'sign_ups.create': { points: 5, durationSeconds: 10 },
      'email_addresses.verify': { points: 5, durationSeconds: 10 },
    });
    assert.ok(Object.isFrozen(c.rateLimits));
  });

  it('reads REDIS_URL, TESSERA_RATE_LIMITS and every per-limit override', () => {
    const c = loadConfig({
      REDIS_URL: 'rediss://:secret@cache.internal:6380/2', TESSERA_RATE_LIMITS: 'OFF',
      TESSERA_RATE_LIMIT_BACKEND_API: '500/10s', TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '3/60s',
      TESSERA_RATE_LIMIT_INVITATIONS_BULK: '10/1h', TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_CREATE: '250/3600s',
      TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_BULK: '5/15m',
      TESSERA_RATE_LIMIT_SIGN_INS_CREATE: '20/1m', TESSERA_RATE_LIMIT_SIGN_UPS_CREATE: '3/30s',
      TESSERA_RATE_LIMIT_EMAIL_ADDRESSES_VERIFY: '2/1m',
    });
    assert.equal(c.redisUrl, 'rediss://:secret@cache.internal:6380/2');
    assert.equal(c.rateLimitsEnabled, false);
    assert.deepEqual(c.rateLimits, {
      backend_api: { points: 500, durationSeconds: 10 },
      'invitations.create': { points: 3, durationSeconds: 60 },
      'invitations.bulk': { points: 10, durationSeconds: 3600 },
      'organization_invitations.create': { points: 250, durationSeconds: 3600 },
      'organization_invitations.bulk': { points: 5, durationSeconds: 900 },
      'sign_ins.create': { points: 20, durationSeconds: 60 },
      'sign_ups.create': { points: 3, durationSeconds: 30 },
      'email_addresses.verify': { points: 2, durationSeconds: 60 },
    });
    assert.equal(loadConfig({ TESSERA_RATE_LIMITS: 'on' }).rateLimitsEnabled, true);
    assert.equal(loadConfig({}).retentionDays, 30);
    assert.equal(loadConfig({ TESSERA_RETENTION_DAYS: '0' }).retentionDays, 0);
    const f = loadConfig({ TESSERA_SIGN_UP_MODE: 'Restricted', TESSERA_SESSION_LIFETIME_HOURS: '12', TESSERA_LOCKOUT_ATTEMPTS: '3', TESSERA_LOCKOUT_MINUTES: '5', TESSERA_TRUST_PROXY_HOPS: '1' });
    assert.deepEqual(
      [f.signUpMode, f.sessionLifetimeSeconds, f.lockoutAttempts, f.lockoutSeconds, f.trustProxyHops],
      ['restricted', 12 * 3600, 3, 300, 1],
    );
    const d = loadConfig({});
    assert.deepEqual([d.signUpMode, d.sessionLifetimeSeconds, d.lockoutAttempts, d.lockoutSeconds, d.trustProxyHops], ['public', 7 * 24 * 3600, 10, 1800, 0]);
    assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl, 'redis://127.0.0.1:6379');
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
    [{ TESSERA_SECRET_KEY: 'sk_live_abcdefghijklmnopqrstuvwxyz' }, 'SMTP_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL'],
    [{ TESSERA_RATE_LIMITS: 'maybe' }, 'TESSERA_RATE_LIMITS'],
    [{ TESSERA_RATE_LIMITS: 'true' }, 'TESSERA_RATE_LIMITS'],
    [{ TESSERA_RATE_LIMIT_BACKEND_API: '1000' }, 'TESSERA_RATE_LIMIT_BACKEND_API'],
    [{ TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '100/hour' }, 'TESSERA_RATE_LIMIT_INVITATIONS_CREATE'],
    [{ TESSERA_RATE_LIMIT_INVITATIONS_CREATE: '0/1h' }, 'TESSERA_RATE_LIMIT_INVITATIONS_CREATE'],
    [{ TESSERA_RATE_LIMIT_INVITATIONS_BULK: '25/0s' }, 'TESSERA_RATE_LIMIT_INVITATIONS_BULK'],
    [{ TESSERA_RATE_LIMIT_INVITATIONS_BULK: '25/1.5h' }, 'TESSERA_RATE_LIMIT_INVITATIONS_BULK'],
    [{ TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_CREATE: '-1/1h' }, 'TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_CREATE'],
    [{ TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_BULK: '50/2d' }, 'TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_BULK'],
    [{ TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_BULK: '50/25h' }, 'TESSERA_RATE_LIMIT_ORGANIZATION_INVITATIONS_BULK'],
    [{ TESSERA_RATE_LIMIT_SIGN_INS_CREATE: '5' }, 'TESSERA_RATE_LIMIT_SIGN_INS_CREATE'],
    [{ TESSERA_SIGN_UP_MODE: 'invite-only' }, 'TESSERA_SIGN_UP_MODE'],
    [{ TESSERA_SESSION_LIFETIME_HOURS: '0' }, 'TESSERA_SESSION_LIFETIME_HOURS'],
    [{ TESSERA_LOCKOUT_ATTEMPTS: 'ten' }, 'TESSERA_LOCKOUT_ATTEMPTS'],
    [{ TESSERA_LOCKOUT_MINUTES: '0' }, 'TESSERA_LOCKOUT_MINUTES'],
    [{ TESSERA_TRUST_PROXY_HOPS: '11' }, 'TESSERA_TRUST_PROXY_HOPS'],
    [{ TESSERA_RETENTION_DAYS: '-1' }, 'TESSERA_RETENTION_DAYS'],
    [{ TESSERA_RETENTION_DAYS: 'forever' }, 'TESSERA_RETENTION_DAYS'],
  ];
  for (const [env, variable] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.includes(variable));
    });
  }
});
