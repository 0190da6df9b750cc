// examples/seed-001 (seed 001's page verbatim but for its import, in a small Vite React app) built
// with Vite, served on its own port, and driven in Chromium against a running Tessera server that
// allows its origin (TESSERA_ALLOWED_REDIRECT_ORIGINS: CORS and CSRF): an org admin signs in with
// the embedded <SignIn />, picks the organization, invites someone as Admin with the seed's form,
// sees the invitation listed, and revokes it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { freePort, startTestApp, storeName, type TestApp } from '../helpers/app.ts';
import { RELAXED_FAPI_LIMITS } from '../helpers/browser.ts';
import { newOrg, newUser, NO_INVITATION_LIMITS, ok, uniqueEmail, type Page } from '../organization-invitations/org-invitations.helpers.ts';
import { chromiumMissing, expectNoProblems, launchChromium, newProfile, screenshot } from './chromium.ts';

const T = { timeout: 120_000 };
const PASSWORD = 'correct horse battery staple';
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const exampleDir = join(repo, 'examples', 'seed-001');
const viteBin = join(repo, 'node_modules', 'vite', 'bin', 'vite.js');

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** A static server for the built example (unknown paths: its index.html, as an SPA host does). */
function serveStatic(dir: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    let file = join(dir, path);
    if (!file.startsWith(dir + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) file = join(dir, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe(`e2e: the seed 001 example app against a running server (${storeName})`, { skip: chromiumMissing }, () => {
  let t: TestApp;
  let browser: Browser;
  let site: Server;
  let exampleUrl: string;
  let outDir: string;
  before(async () => {
    const port = await freePort();
    exampleUrl = `http://127.0.0.1:${port}`;
    t = await startTestApp({ env: { ...RELAXED_FAPI_LIMITS, ...NO_INVITATION_LIMITS, TESSERA_ALLOWED_REDIRECT_ORIGINS: exampleUrl } });
    outDir = mkdtempSync(join(tmpdir(), 'tessera-seed-001-'));
    const build = spawnSync(process.execPath, [viteBin, 'build', '--outDir', outDir, '--logLevel', 'warn'], {
      cwd: exampleDir,
      env: { ...process.env, VITE_TESSERA_FRONTEND_API: t.url },
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, `vite build of examples/seed-001 failed:\n${build.stdout}\n${build.stderr}`);
    site = await serveStatic(outDir, port);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
    await t?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('an org admin signs in, invites with the seed\'s form, sees the invitation listed, revokes it', T, async () => {
    const admin = await newUser(t, { password: PASSWORD });
    const adminEmail = admin.email_addresses[0]!.email_address;
    const org = await newOrg(t, { name: 'Seed Org', created_by: admin.id });
    const invitee = uniqueEmail('seed001').toLowerCase();
    const { context, page, problems } = await newProfile(browser);
    try {
      await page.goto(exampleUrl);
      await page.getByLabel('Email address').fill(adminEmail);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Make active: Seed Org' }).click();

      // Seed 001's page, as written in Clerk's docs.
      await page.getByRole('heading', { name: 'Invite member' }).waitFor();
      await page.getByPlaceholder('Email address').fill(invitee);
      await page.getByLabel('Admin').check();
      await page.getByRole('button', { name: 'Invite' }).click();
      const item = page.locator('li', { hasText: invitee });
      await item.waitFor();
      assert.equal(await page.getByPlaceholder('Email address').inputValue(), '', 'the form resets');
      const pending = await ok<Page<{ email_address: string; role: string }>>(t, 'GET', `/v1/organizations/${org.id}/invitations?status=pending`);
      assert.deepEqual(pending.data.map((i) => [i.email_address, i.role]), [[invitee, 'org:admin']]);
      await screenshot(page, 'example-seed-001');

      await item.getByRole('button', { name: 'Revoke' }).click();
      await item.waitFor({ state: 'detached' });
      const revoked = await ok<Page<{ email_address: string }>>(t, 'GET', `/v1/organizations/${org.id}/invitations?status=revoked`);
      assert.deepEqual(revoked.data.map((i) => i.email_address), [invitee]);
      expectNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});
