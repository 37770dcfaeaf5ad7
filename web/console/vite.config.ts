import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The staff console: a single-page app served by the console surface at `/`. */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // `npx vite --config web/console/vite.config.ts` during development, against a running server.
    proxy: { '/api': process.env.CLIENTELE_CONSOLE_URL ?? 'http://127.0.0.1:3000' },
  },
});
