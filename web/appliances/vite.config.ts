import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The appliance screens (analysis, customers' usage, billing, catalog): a small single-page
 * app of its own, served by the console surface at /appliances/ and using the console's
 * session. Build: npx vite build --config web/appliances/vite.config.ts
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/appliances/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: { '/api': process.env.CLIENTELE_CONSOLE_URL ?? 'http://127.0.0.1:3000' },
  },
});
