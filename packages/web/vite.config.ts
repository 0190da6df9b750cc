// Builds the hosted pages into dist/ (index.html + hashed files under dist/assets/), which the
// server's pages feature serves (packages/server/src/features/pages). `@tessera/js` resolves to
// the SDK's sources, so the pages always match the components in this tree (no SDK build needed).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const sdk = (path: string) => fileURLToPath(new URL(`../js/src/${path}`, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@tessera\/js$/, replacement: sdk('index.ts') },
      { find: /^@tessera\/js\/react$/, replacement: sdk('react/index.ts') },
    ],
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // The pages' CSP allows no inline code and no font or media sources: every asset is a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
