import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console's single-page app, built into the service's dist/web (served by @fastify/static).
// No dev server in the platform: `nx run console:build` builds it with the service.
const here = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig({
  root: here,
  base: '/',
  build: { outDir: `${here}/../dist/web`, emptyOutDir: true, sourcemap: false, assetsDir: 'assets' },
  oxc: { jsx: { runtime: 'automatic' } },
});
