#!/usr/bin/env node
// Thin launcher so `clientele` works from an installed package: the CLI lives in the compiled output.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error('clientele: the compiled CLI is missing. Run `npm run build` first (npm start does it for you).');
  process.exit(1);
}
await import(compiled);
