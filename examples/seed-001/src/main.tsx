// Seed 001's page (./invitation-list.tsx, unchanged but for its import) in a <TesseraProvider>,
// with Tessera's prebuilt components around it: <SignIn /> when signed out, the user's
// organizations to pick an active one (the page administers the active organization), and the
// switcher and user button in a header.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { OrganizationList, OrganizationSwitcher, SignIn, TesseraProvider, UserButton, useOrganization, useUser } from '@tessera/js/react';
import InvitationList from './invitation-list.tsx';
import './styles.css';

const frontendApi = import.meta.env.VITE_TESSERA_FRONTEND_API ?? 'http://localhost:3000';

function App() {
  const { isLoaded, isSignedIn } = useUser();
  const { organization } = useOrganization();
  if (!isLoaded) return <p>Loading…</p>;
  if (!isSignedIn) return <SignIn redirectUrl="/" />;
  return (
    <>
      <header className="bar">
        <strong>Seed 001 example</strong>
        <span className="spacer" />
        <OrganizationSwitcher invitationsUrl={null} />
        <UserButton afterSignOutUrl="/" />
      </header>
      <main className="content">{organization ? <InvitationList /> : <OrganizationList hideInvitations />}</main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TesseraProvider frontendApi={frontendApi}>
      <App />
    </TesseraProvider>
  </StrictMode>,
);
