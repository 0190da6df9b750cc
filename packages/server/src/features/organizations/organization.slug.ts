// Organization slugs: what a valid one looks like, and how one is derived from a name.
import { randomInt } from 'node:crypto';

/** Lowercase ASCII letters and digits in dash-separated groups: no leading, trailing or double dash. */
export const SLUG_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const SLUG_MAX = 256;
/** Room left for "-" and a suffix under SLUG_MAX. */
const BASE_MAX = 200;
const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SUFFIX_LENGTH = 6;

export function isValidSlug(slug: string): boolean {
  return slug.length <= SLUG_MAX && SLUG_RE.test(slug);
}

/**
 * The slug a name suggests: accents dropped (NFKD, combining marks removed), lowercase ASCII,
 * every run of other characters becomes one "-", no dash at either end, at most 200 characters.
 * A name with no ASCII letter or digit at all ("東京") gives "org".
 */
export function slugFromName(name: string): string {
  const ascii = name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, BASE_MAX).replace(/-+$/, '');
  return slug === '' ? 'org' : slug;
}

/** `base` plus "-" and 6 random [a-z0-9] characters (36^6 ≈ 2.2 billion choices). */
export function withRandomSuffix(base: string): string {
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]!;
  return `${base.slice(0, BASE_MAX).replace(/-+$/, '')}-${suffix}`;
}
