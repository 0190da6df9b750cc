// Slug rules as pure functions (no server): validation, derivation from a name, random suffixes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isValidSlug, slugFromName, withRandomSuffix } from '../../src/features/organizations/organization.slug.ts';

describe('organization slugs', () => {
  it('valid: lowercase a-z 0-9 in single-dash-separated groups, at most 256 characters', () => {
    for (const s of ['a', 'acme', 'acme-inc', 'a1-b2-c3', '42', 'x'.repeat(256)]) assert.equal(isValidSlug(s), true, s);
    for (const s of ['', 'Acme', 'acme--inc', '-acme', 'acme-', 'acme_inc', 'acme inc', 'ácme', 'acme.inc', 'x'.repeat(257)]) {
      assert.equal(isValidSlug(s), false, s);
    }
  });

  it('derives from a name: accents dropped, lowercase, runs of anything else → "-", trimmed', () => {
    const cases: [string, string][] = [
      ['Acme', 'acme'],
      ['  Acme, Inc.  ', 'acme-inc'],
      ['Crème Brûlée Café', 'creme-brulee-cafe'],
      ['ÅNGSTRÖM & Co', 'angstrom-co'],
      ['a__b--c  d', 'a-b-c-d'],
      ['---x---', 'x'],
      ['東京', 'org'],
      ['🚀', 'org'],
      ['Team 東京 42', 'team-42'],
    ];
    for (const [name, slug] of cases) assert.equal(slugFromName(name), slug, name);
    const long = slugFromName(`${'a'.repeat(199)} b c`);
    assert.equal(long, `${'a'.repeat(199)}`, 'cut at 200 without a trailing dash');
    for (const [name] of cases) assert.equal(isValidSlug(slugFromName(name)), true, name);
  });

  it('a suffix is "-" and 6 random [a-z0-9]; the result stays valid and short enough', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = withRandomSuffix('acme');
      assert.match(s, /^acme-[a-z0-9]{6}$/);
      seen.add(s);
    }
    assert.ok(seen.size > 45, 'random');
    const long = withRandomSuffix(slugFromName('z'.repeat(300)));
    assert.ok(isValidSlug(long) && long.length <= 207, long);
  });
});
