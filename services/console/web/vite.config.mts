import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console's single-page app, built into the service's dist/web (served by @fastify/static).
// No dev server in the platform: `nx run console:build` builds it with the service.
const here = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig({
  root: here,
  base: '/',
  // Two pages: the steward console and the resident's status page (a small bundle of its own, no login).
  build: {
    outDir: `${here}/../dist/web`,
    emptyOutDir: true,
    sourcemap: false,
    assetsDir: 'assets',
    rollupOptions: { input: { index: `${here}/index.html`, status: `${here}/status.html` } },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
