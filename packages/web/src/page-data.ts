// What the server tells the page about this request, in <meta name="tessera-page-data"> (JSON in
// an attribute: no inline script, so the strict CSP holds). Only a usable ticket is described;
// every other ticket is `{ usable: false }` (expired, revoked, accepted and unknown look alike).
import type { InvitationInfo } from '@tessera/js/react';

export type PageName = 'sign-in' | 'sign-up' | 'accept-invitation' | 'home' | 'organization';

export interface PageData {
  appName: string;
  page: PageName;
  /** Where to go once signed in: the request's redirect_url when on this origin, else "/" (absolute). */
  next: string;
  /** The vetted redirect_url to carry on links between the pages, or null. */
  carriedRedirect: string | null;
  /** The URL's ticket, when it has one. */
  invitation: InvitationInfo | null;
  /** __clerk_status=complete: the organization joined, told only to a signed-in member of it. */
  completedOrganizationName: string | null;
}

const PAGES: PageName[] = ['sign-in', 'sign-up', 'accept-invitation', 'home', 'organization'];

function pageFromPath(path: string): PageName {
  const name = path.replace(/^\/+|\/+$/g, '') || 'home';
  return (PAGES as string[]).includes(name) ? (name as PageName) : 'home';
}

/** `raw` when it is an absolute URL on this page's origin; else this origin's "/" (the server vets it too). */
function sameOrigin(raw: unknown, origin: string): string {
  const home = `${origin}/`;
  if (typeof raw !== 'string' || /[\\\u0000-\u0020\u007f]/.test(raw)) return home;
  try {
    const u = new URL(raw, home);
    return u.origin === origin && u.username === '' && u.password === '' ? u.href : home;
  } catch {
    return home;
  }
}

export function readPageData(doc: Document = document): PageData {
  const raw = doc.querySelector('meta[name="tessera-page-data"]')?.getAttribute('content') ?? '{}';
  let parsed: Partial<PageData> = {};
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null) parsed = value as Partial<PageData>;
  } catch {
    parsed = {};
  }
  return {
    appName: parsed.appName ?? 'Tessera',
    page: parsed.page ?? pageFromPath(doc.location.pathname),
    next: sameOrigin(parsed.next, doc.location.origin),
    carriedRedirect: parsed.carriedRedirect ? sameOrigin(parsed.carriedRedirect, doc.location.origin) : null,
    invitation: parsed.invitation ?? null,
    completedOrganizationName: parsed.completedOrganizationName ?? null,
  };
}
