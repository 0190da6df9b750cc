// The signed-in landing page ("/"): who is signed in on this browser, their organizations and
// roles, and a sign-out button. Signed out: links to sign in or sign up.
import { escapeHtml } from '../../lib/html.ts';
import { NOSCRIPT, renderDocument, scriptedForm } from './auth-page.layout.ts';
import type { HomeView } from './page.service.ts';

function signedInMain(appName: string, v: HomeView): string {
  const orgs = v.organizations.length === 0
    ? '  <p class="note" data-testid="no-organizations">You are not a member of any organization yet.</p>'
    : `  <ul class="orgs" data-testid="organizations">
${v.organizations.map((o) => `    <li data-role="${escapeHtml(o.role)}"><span class="org">${escapeHtml(o.name)}</span> <span class="role">${escapeHtml(o.roleName)}</span></li>`).join('\n')}
  </ul>${v.more > 0 ? `\n  <p class="note">…and ${v.more} more.</p>` : ''}`;
  return `  <h1>${escapeHtml(appName)}</h1>
  <p>Signed in as <strong data-testid="signed-in-email">${escapeHtml(v.email)}</strong>${v.name ? ` (${escapeHtml(v.name)})` : ''}.</p>
  <h2>Your organizations</h2>
${orgs}
${scriptedForm({ flow: 'sign-out', fields: '', submit: 'Sign out' })}
${NOSCRIPT}`;
}

function signedOutMain(appName: string): string {
  return `  <h1>${escapeHtml(appName)}</h1>
  <p data-testid="signed-out">You are not signed in.</p>
  <a class="button" href="/sign-in">Sign in</a>
  <p class="switch">No account? <a href="/sign-up">Sign up</a></p>`;
}

export function renderHomePage(opts: { appName: string; view: HomeView | null }): string {
  return renderDocument({
    appName: opts.appName,
    title: opts.view ? 'Your account' : 'Welcome',
    main: opts.view ? signedInMain(opts.appName, opts.view) : signedOutMain(opts.appName),
  });
}
