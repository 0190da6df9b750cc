// Email templates: plain functions from variables to { subject, html, text }.
//
// Every variable is HTML-escaped where it lands in HTML (security.md: CVE-2022-31127 — an app
// name or other variable must never become markup). The text body needs no escaping, but it is
// what a mail client shows when it refuses HTML, so it carries the same facts and the same link.
import { escapeHtml } from '../lib/html.ts';

export interface RenderedTemplate {
  subject: string;
  html: string;
  text: string;
}

export interface InvitationTemplateVars {
  appName: string;
  /** The ticket link (a secret until sent). */
  url: string;
  /** Unix milliseconds. */
  expiresAt: number;
}

export interface OrganizationInvitationTemplateVars extends InvitationTemplateVars {
  organizationName: string;
  roleName: string;
  /** The inviter's first and last name, if known. */
  inviterName: string | null;
  /** The inviter's primary email address, if known. */
  inviterEmail: string | null;
}

export const TEMPLATE_NAMES = ['invitation', 'waitlist_invitation', 'organization_invitation', 'verification_code'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];
/** The application-invitation templates (renderInvitationEmail). */
export type InvitationTemplateName = Exclude<TemplateName, 'organization_invitation' | 'verification_code'>;

export interface VerificationCodeTemplateVars {
  appName: string;
  /** The 6-digit code (a secret until sent). */
  code: string;
  /** Unix milliseconds. */
  expiresAt: number;
  /**
   * sign_up: verifying a new account's address; sign_in: signing in with a code; email_address:
   * verifying an address a signed-in user added to their account.
   */
  purpose: 'sign_up' | 'sign_in' | 'email_address';
}

export function isTemplateName(s: string): s is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(s);
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * "Tuesday, 22 December 2026, 14:05 UTC". Written by hand rather than with Intl so the wording does
 * not depend on the ICU data the Node build ships with; UTC because the server does not know the
 * reader's time zone, and saying so beats guessing.
 */
export function formatUtcDate(ms: number): string {
  const d = new Date(ms);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${WEEKDAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

interface Wording {
  subject: (app: string) => string;
  heading: (app: string) => string;
  lead: (app: string) => string;
  button: string;
}

const WORDING: Record<InvitationTemplateName, Wording> = {
  invitation: {
    subject: (app) => `You're invited to join ${app}`,
    heading: (app) => `You're invited to join ${app}`,
    lead: (app) => `You have been invited to create an account on ${app}.`,
    button: 'Accept invitation',
  },
  waitlist_invitation: {
    subject: (app) => `You're off the waitlist for ${app}`,
    heading: (app) => `Your spot on ${app} is ready`,
    lead: (app) => `Good news: you have been let in from the ${app} waitlist and can now create your account.`,
    button: 'Create your account',
  },
};

export function renderInvitationEmail(name: InvitationTemplateName, vars: InvitationTemplateVars): RenderedTemplate {
  const w = WORDING[name];
  return layout({
    subject: w.subject(vars.appName),
    heading: w.heading(vars.appName),
    lead: w.lead(vars.appName),
    button: w.button,
    url: vars.url,
    expiresAt: vars.expiresAt,
    appName: vars.appName,
  });
}

/**
 * The organization invitation: names the organization, the inviter ("Ada Lovelace
 * (ada@example.com)", or whichever of the two is known; left out when there is no inviter), the
 * role, the app, the link and the expiry.
 */
export function renderOrganizationInvitationEmail(vars: OrganizationInvitationTemplateVars): RenderedTemplate {
  const inviter =
    vars.inviterName && vars.inviterEmail ? `${vars.inviterName} (${vars.inviterEmail})` : (vars.inviterName ?? vars.inviterEmail ?? null);
  const where = `${vars.organizationName} on ${vars.appName}`;
  return layout({
    subject: inviter ? `${vars.inviterName ?? vars.inviterEmail} invited you to join ${where}` : `You're invited to join ${where}`,
    heading: `Join ${where}`,
    lead: `${inviter ? `${inviter} has invited you` : 'You have been invited'} to join ${where} with the role ${vars.roleName}.`,
    button: 'Accept invitation',
    url: vars.url,
    expiresAt: vars.expiresAt,
    appName: vars.appName,
  });
}

/** The email-code message: the code, what it is for, and when it stops working. */
export function renderVerificationCodeEmail(vars: VerificationCodeTemplateVars): RenderedTemplate {
  const what = {
    sign_up: `verify your email address on ${vars.appName}`,
    sign_in: `sign in to ${vars.appName}`,
    email_address: `add this email address to your account on ${vars.appName}`,
  }[vars.purpose];
  const expires = formatUtcDate(vars.expiresAt);
  const subject = `${vars.code} is your ${vars.appName} code`.replace(/[\r\n]+/g, ' ');
  const text = [
    `Your code to ${what} is:`,
    '',
    vars.code,
    '',
    `It expires on ${expires}. If you did not ask for it, you can ignore this email.`,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:32px;background:#f6f7f9;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1c2430">
<div style="max-width:480px;margin:0 auto;background:#ffffff;border-radius:12px;padding:32px">
<p style="margin:0 0 16px">Your code to ${escapeHtml(what)} is:</p>
<p style="margin:0 0 24px;font-size:32px;letter-spacing:6px;font-weight:700" data-code="${escapeHtml(vars.code)}">${escapeHtml(vars.code)}</p>
<p style="margin:0;font-size:14px;color:#5a6475">It expires on ${escapeHtml(expires)}. If you did not ask for it, you can ignore this email.</p>
</div>
</body>
</html>`;
  return { subject, html, text };
}

interface Layout {
  subject: string;
  heading: string;
  lead: string;
  button: string;
  url: string;
  expiresAt: number;
  appName: string;
}

/** Every template's body: plain-text pieces in, each escaped where it lands in HTML. */
function layout(l: Layout): RenderedTemplate {
  const expires = formatUtcDate(l.expiresAt);
  // The subject is a header, not HTML: nodemailer encodes it. Line breaks are folded to spaces
  // here anyway, so no variable can ever start a header of its own.
  const subject = l.subject.replace(/[\r\n]+/g, ' ');
  const text = [
    l.heading,
    '',
    l.lead,
    '',
    `${l.button}:`,
    l.url,
    '',
    `This invitation expires on ${expires}.`,
    "If you did not expect this email, you can ignore it: nothing happens unless you follow the link.",
    '',
  ].join('\n');

  const app = escapeHtml(l.appName);
  const href = escapeHtml(l.url);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f6f7f9;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1c2430">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f6f7f9;padding:32px 0">
<tr><td align="center">
<table role="presentation" width="480" cellpadding="0" cellspacing="0" style="max-width:480px;background:#ffffff;border-radius:12px;padding:32px">
<tr><td>
<h1 style="margin:0 0 16px;font-size:22px">${escapeHtml(l.heading)}</h1>
<p style="margin:0 0 24px">${escapeHtml(l.lead)}</p>
<p style="margin:0 0 24px"><a href="${href}" style="display:inline-block;background:#3451d1;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:8px">${escapeHtml(l.button)}</a></p>
<p style="margin:0 0 8px;font-size:14px;color:#5a6475">Or paste this link into your browser:</p>
<p style="margin:0 0 24px;font-size:14px;word-break:break-all"><a href="${href}" style="color:#3451d1">${href}</a></p>
<p style="margin:0 0 8px;font-size:14px;color:#5a6475">This invitation expires on <strong>${escapeHtml(expires)}</strong>.</p>
<p style="margin:0;font-size:14px;color:#5a6475">If you did not expect this email, you can ignore it: nothing happens unless you follow the link.</p>
</td></tr>
</table>
<p style="font-size:12px;color:#8a93a3">${app}</p>
</td></tr>
</table>
</body>
</html>`;
  return { subject, html, text };
}
