// Authenticated encryption (AES-256-GCM) for secrets that must wait in the database for a short
// while, such as the ticket link inside a not-yet-sent email: a database read alone does not
// yield a usable link. The key is derived from the instance secret key with HKDF.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { secureRandomBytes } from './ids.ts';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox(secretKey: string, purpose: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'tessera', `tessera:${purpose}`, 32));
  return {
    seal(plain) {
      const iv = secureRandomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `v1.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      if (!sealed.startsWith('v1.')) throw new Error('unknown sealed format');
      const raw = Buffer.from(sealed.slice(3), 'base64url');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const outboxBoxes = new Map<string, SecretBox>();
/** The SecretBox for links waiting in the outbox, derived once per secret key (not per request). */
export function outboxSecretBox(secretKey: string): SecretBox {
  let box = outboxBoxes.get(secretKey);
  if (!box) outboxBoxes.set(secretKey, (box = createSecretBox(secretKey, 'outbox')));
  return box;
}
