// Installs the workspace's dependencies when they are missing or older than the lockfile, and
// builds what the server and the tests load from a build (the browser SDK's dist/, the hosted
// pages' dist/) when it is missing or older than its sources, so that `npm start` and `npm test`
// work on a fresh clone with nothing else to run first. (`npm ci` builds both too: their
// `prepare` scripts.) Uses only Node built-ins: it runs before anything is installed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  console.error('tessera: installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** The newest modification time under `paths` (files, or folders walked without node_modules / dist). */
function newest(paths) {
  let max = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const st = statSync(p);
    if (!st.isDirectory()) {
      max = Math.max(max, st.mtimeMs);
      continue;
    }
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      max = Math.max(max, newest([join(p, e.name)]));
    }
  }
  return max;
}

/** Runs `npm run build -w <workspace>` when `output` is missing or older than any of `sources`. */
function buildIfStale(workspace, output, sources) {
  const out = join(root, output);
  if (existsSync(out) && statSync(out).mtimeMs >= newest(sources.map((s) => join(root, s)))) return;
  console.error(`tessera: building ${workspace} (${existsSync(out) ? 'older than its sources' : 'not built'})…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', '--silent', 'build', '-w', workspace], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

buildIfStale('@tessera/js', 'packages/js/dist/react/index.js', ['packages/js/src', 'packages/js/tsconfig.build.json', 'packages/js/package.json']);
// The pages bundle the SDK's sources (Vite aliases @tessera/js to packages/js/src).
buildIfStale('@tessera/web', 'packages/web/dist/index.html', ['packages/web/src', 'packages/web/index.html', 'packages/web/vite.config.ts', 'packages/web/package.json', 'packages/js/src']);
