// Real Chromium for the page tests (playwright-core drives the system's Chromium; it downloads no
// browser). The suites skip, saying why, only when no Chromium executable exists; CI installs one.
// Set E2E_SCREENSHOT_DIR to keep screenshots of the pages the tests pass through (1000×700, the
// viewport only: docs/screenshots/ holds the ones committed).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { RELAXED_FAPI_LIMITS } from '../helpers/browser.ts';
import { startSmtpSink, type SmtpSink } from '../mail/smtp-sink.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** false when Chromium is there; else the reason to skip, for node:test's `skip`. */
export const chromiumMissing: false | string = existsSync(CHROMIUM_PATH)
  ? false
  : `no Chromium executable at ${CHROMIUM_PATH}: install chromium or set CHROMIUM_PATH`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export interface MailingPages {
  sink: SmtpSink;
  t: TestApp;
  browser: Browser;
}

/**
 * What the page suites that read email start in `before`: a real SMTP server, a test app mailing
 * to it (its worker on, the Frontend API's per-IP limits relaxed, plus `env`) and Chromium. If one
 * fails to start, the others are stopped before the error is thrown.
 */
export async function startMailingPages(env: Record<string, string> = {}): Promise<MailingPages> {
  const started: Partial<MailingPages> = {};
  try {
    started.sink = await startSmtpSink();
    started.t = await startTestApp({ env: { ...RELAXED_FAPI_LIMITS, ...env, SMTP_URL: started.sink.url }, worker: true });
    started.browser = await launchChromium();
    return started as MailingPages;
  } catch (err) {
    await stopMailingPages(started);
    throw err;
  }
}

/** Stops what startMailingPages started (for `after`; any part may be missing). */
export async function stopMailingPages(p: Partial<MailingPages>): Promise<void> {
  await p.browser?.close();
  await p.t?.close();
  await p.sink?.close();
}

/**
 * A fresh browser profile (its own cookies). Uncaught page errors and CSP violations fail the test
 * that reads `problems` (expectNoProblems).
 */
export async function newProfile(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return { context, page, problems };
}

export function expectNoProblems(problems: string[]): void {
  assert.deepEqual(problems, [], 'no script errors and no CSP violations on the pages');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  // Let focus rings and transitions settle; the caret would make shots differ run to run.
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(dir, `${name}.png`), caret: 'hide', animations: 'disabled' });
}

/** The next email to `to` that arrives after `since` messages. */
export async function mailTo(sink: SmtpSink, to: string, since: number, timeoutMs = 10_000): Promise<SmtpSink['received'][number]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = sink.received.slice(since).find((m) => m.envelopeTo.includes(to.toLowerCase()));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${to} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The 6-digit code of a verification email (its subject starts with it). */
export function codeOf(mail: { subject: string; text: string }): string {
  const m = /^(\d{6}) is your /.exec(mail.subject) ?? /^\s*(\d{6})\s*$/m.exec(mail.text);
  assert.ok(m, `no code in: ${mail.subject}\n${mail.text}`);
  return m[1]!;
}
