import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function atLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

describe('dependencies with known advisories', () => {
  it('nodemailer is ≥ 7.0.7 (GHSA-5jpx-9hw9-2fx4: mail sent to an unintended domain)', () => {
    const { version } = require('nodemailer/package.json') as { version: string };
    assert.ok(atLeast(version, '7.0.7'), `nodemailer ${version}`);
  });
});
