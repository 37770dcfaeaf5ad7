#!/usr/bin/env node
// Launcher: the agent is TypeScript, run through tsx's loader so it needs no build step.
import { register } from 'tsx/esm/api';

// `clientele-agent inventory | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

register();
const { main } = await import(new URL('../src/cli.ts', import.meta.url).href);
process.exitCode = await main(process.argv);
