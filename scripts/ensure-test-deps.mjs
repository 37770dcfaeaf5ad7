#!/usr/bin/env node
// Installs what the test suite needs beyond npm packages, from Debian's packages: Chromium for
// the browser tests, poppler-utils (pdftotext) to read generated PDFs back, Mosquitto for the
// external-broker tests, tmux for the PC agent's dialogue tests in a real terminal. Runs before
// `npm test`; does nothing when everything is there.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import path from 'node:path';

const NEEDED = [
  { pkg: 'chromium', file: process.env.CLIENTELE_CHROMIUM ?? '/usr/bin/chromium' },
  { pkg: 'poppler-utils', file: '/usr/bin/pdftotext' },
  { pkg: 'mosquitto', file: '/usr/sbin/mosquitto' },
  // The tests start `tmux` from the PATH: one installed elsewhere will do.
  { pkg: 'tmux', file: '/usr/bin/tmux', command: 'tmux' },
];

const onPath = (command) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));

const missing = NEEDED.filter((n) => !existsSync(n.file) && !(n.command && onPath(n.command)));
if (missing.length) {
  const packages = missing.map((m) => m.pkg).join(' ');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? '' : 'sudo ';
  console.error(`Installing Debian packages the tests need: ${packages}`);
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execSync(`${sudo}apt-get update -qq`, { stdio: 'inherit', env });
    execSync(`${sudo}apt-get install -y -qq ${packages}`, { stdio: 'inherit', env });
  } catch {
    console.error(`Could not install ${packages}. Install them yourself (apt-get install -y ${packages}), then run npm test again.`);
    process.exit(1);
  }
}
