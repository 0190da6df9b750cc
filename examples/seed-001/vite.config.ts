// The example is not a workspace: inside this repository its imports resolve from the root
// node_modules (react, react-dom, vite — installed for packages/web), and `@tessera/js` is
// aliased to the SDK's sources so the example always runs the components of this tree.
// Set VITE_TESSERA_FRONTEND_API to the Tessera server's URL (default http://localhost:3000); the
// server must allow this page's origin (TESSERA_ALLOWED_REDIRECT_ORIGINS).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const sdk = (path: string) => fileURLToPath(new URL(`../../packages/js/src/${path}`, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@tessera\/js$/, replacement: sdk('index.ts') },
      { find: /^@tessera\/js\/react$/, replacement: sdk('react/index.ts') },
    ],
  },
  server: { port: 5173 },
  build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: false },
});
