// The hosted pages: one React app for every page path; the server sends the same shell for each
// (with this request's page data) and the app shows the page for location.pathname.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createTessera } from '@tessera/js';
import { TesseraProvider } from '@tessera/js/react';
import { App } from './app.tsx';
import { readPageData } from './page-data.ts';
import './pages.css';

const root = document.getElementById('root');
if (root) {
  // The Frontend API is this origin (the server serves both).
  const tessera = createTessera({ frontendApi: window.location.origin });
  createRoot(root).render(
    <StrictMode>
      <TesseraProvider tessera={tessera}>
        <App data={readPageData()} />
      </TesseraProvider>
    </StrictMode>,
  );
}
