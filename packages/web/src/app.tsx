// The pages, each built from @tessera/js/react's components:
//   /sign-in, /sign-up      <SignIn /> / <SignUp /> (tickets included)
//   /accept-invitation      a landing for invitation links (__clerk_status sign_in / sign_up / complete)
//   /                       the signed-in user: their organizations and pending invitations (accept / decline),
//                           and their email addresses (add and verify one, make one primary, remove one)
//   /organization           the active organization's admin page: members, invitations by status, invite, revoke
import { useEffect, type ReactNode } from 'react';
import {
  OrganizationList,
  OrganizationProfile,
  OrganizationSwitcher,
  SignIn,
  SignUp,
  UserButton,
  UserProfile,
  useUser,
  type AuthComponentProps,
} from '@tessera/js/react';
import type { PageData } from './page-data.ts';

const TITLES: Record<PageData['page'], string> = {
  'sign-in': 'Sign in',
  'sign-up': 'Sign up',
  'accept-invitation': 'Accept invitation',
  home: 'Your account',
  organization: 'Organization',
};

export function App({ data }: { data: PageData }): ReactNode {
  useEffect(() => {
    document.title = `${TITLES[data.page]} · ${data.appName}`;
  }, [data.page, data.appName]);
  const auth: AuthComponentProps = {
    redirectUrl: data.next,
    ...(data.invitation ? { invitation: data.invitation } : {}),
    completedOrganizationName: data.completedOrganizationName,
  };
  switch (data.page) {
    case 'sign-in':
      return (
        <AuthLayout data={data}>
          <SignIn {...auth} />
        </AuthLayout>
      );
    case 'sign-up':
      return (
        <AuthLayout data={data}>
          <SignUp {...auth} />
        </AuthLayout>
      );
    case 'accept-invitation': {
      const status = data.invitation?.status ?? new URLSearchParams(location.search).get('__clerk_status');
      return <AuthLayout data={data}>{status === 'sign_up' ? <SignUp {...auth} /> : <SignIn {...auth} />}</AuthLayout>;
    }
    case 'organization':
      return (
        <AppLayout data={data} current="organization">
          <OrganizationProfile />
        </AppLayout>
      );
    default:
      return (
        <AppLayout data={data} current="home">
          <Home data={data} />
        </AppLayout>
      );
  }
}

function AuthLayout({ data, children }: { data: PageData; children: ReactNode }): ReactNode {
  return (
    <div className="page page-auth">
      <header className="page-brand">
        <a href="/">{data.appName}</a>
      </header>
      <main id="main">{children}</main>
    </div>
  );
}

function AppLayout({ data, current, children }: { data: PageData; current: 'home' | 'organization'; children: ReactNode }): ReactNode {
  const { isLoaded, isSignedIn } = useUser();
  useEffect(() => {
    // The organization page needs a session; the home page shows a signed-out view instead.
    if (isLoaded && !isSignedIn && current === 'organization') location.assign('/sign-in?redirect_url=%2Forganization');
  }, [isLoaded, isSignedIn, current]);
  return (
    <div className="page">
      <header className="page-bar">
        <a className="page-bar-brand" href="/">
          {data.appName}
        </a>
        {isSignedIn ? (
          <>
            <nav aria-label="Pages" className="page-nav">
              <a href="/" aria-current={current === 'home' ? 'page' : undefined}>
                Home
              </a>
              <a href="/organization" aria-current={current === 'organization' ? 'page' : undefined}>
                Organization
              </a>
            </nav>
            <span className="page-bar-spacer" />
            <OrganizationSwitcher invitationsUrl="/" />
            <UserButton afterSignOutUrl="/sign-in" organizationProfileUrl="/organization" />
          </>
        ) : null}
      </header>
      <main id="main" className="page-main">
        {children}
      </main>
    </div>
  );
}

function Home({ data }: { data: PageData }): ReactNode {
  const { isLoaded, user } = useUser();
  const completed = new URLSearchParams(location.search).get('__clerk_status') === 'complete';
  if (!isLoaded) return <p className="page-muted">Loading…</p>;
  if (!user) {
    return (
      <section className="page-card" aria-labelledby="welcome">
        <h1 id="welcome">{data.appName}</h1>
        <p data-testid="signed-out">You are not signed in.</p>
        <p className="page-actions">
          <a className="page-button" href="/sign-in">
            Sign in
          </a>
          <a className="page-button page-button-secondary" href="/sign-up">
            Sign up
          </a>
        </p>
      </section>
    );
  }
  const email = user.primaryEmailAddress?.emailAddress ?? '';
  return (
    <>
      <section className="page-heading">
        <h1>{user.fullName ? `Welcome, ${user.fullName}` : 'Welcome'}</h1>
        <p className="page-muted">
          Signed in as <strong data-testid="signed-in-email">{email}</strong>
        </p>
        {completed ? (
          <p className="page-notice" role="status" data-testid="joined">
            {data.completedOrganizationName ? `You have joined ${data.completedOrganizationName}.` : 'The invitation has been accepted.'}
          </p>
        ) : null}
      </section>
      <OrganizationList organizationProfileUrl="/organization" />
      <UserProfile />
    </>
  );
}
