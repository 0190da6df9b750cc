// `npm test`: type-check, then run every *.test.ts under test/ (and the browser SDK's tests in
// packages/js/test, which run against this server) with Node's test runner, in one run with one
// summary. (Node 20's --test does not expand globs itself.) Extra arguments narrow the run to files
// whose path contains one of them, e.g. `npm test -- invitations`.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2);

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : find(p);
    return e.name.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
}

const jsPackage = join(root, '..', 'js');
const files = [...find(join(root, 'test')), ...find(join(root, 'src')), ...find(join(jsPackage, 'test'))]
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const tscBin = join(root, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
for (const project of [root, jsPackage]) {
  const tsc = spawnSync(process.execPath, [tscBin, '--noEmit', '-p', project], { stdio: 'inherit', cwd: project });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

console.log(`running ${files.length} test files on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'}`);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
