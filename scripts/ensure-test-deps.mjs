#!/usr/bin/env node
// Installs what the test suite needs beyond npm packages: Debian's Chromium for the browser
// tests. Runs before `npm test`; does nothing when everything is there.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const CHROMIUM = process.env.CLIENTELE_CHROMIUM ?? '/usr/bin/chromium';

function run(cmd) {
  console.error(`$ ${cmd}`);
  execSync(cmd, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

if (!existsSync(CHROMIUM)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? '' : 'sudo ';
  console.error(`Chromium is missing at ${CHROMIUM}; installing Debian's chromium package for the browser tests …`);
  try {
    run(`${sudo}apt-get update -qq`);
    run(`${sudo}apt-get install -y -qq chromium`);
  } catch {
    console.error(
      `Could not install Chromium. Install it yourself (apt-get install -y chromium) or point ` +
        `CLIENTELE_CHROMIUM at a Chromium binary, then run npm test again.`,
    );
    process.exit(1);
  }
}
