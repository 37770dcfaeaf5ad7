import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { firstBootExitCode, runFirstBoot } from './first-boot.js';
import { readState, resolveStatePaths, writeState, type StatePaths } from './pending-store.js';
import type { Prompter } from './terminal.js';

let dir: string;
let paths: StatePaths;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pc-agent-boot-'));
  paths = await resolveStatePaths(path.join(dir, 'state.json'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function prompter(answers: string[]): Prompter {
  return { say: () => {}, ask: async () => answers.shift() ?? '', secret: async () => '', close: () => {} };
}

describe('first boot', () => {
  it('does nothing once the state says the PC is registered, unless forced', async () => {
    await writeState(paths, { registered: true });
    const scripted = vi.fn(async () => ({ code: 0 as const, output: {}, lines: [] }));
    expect(await runFirstBoot({ paths, force: false, server: 'http://s', scripted, say: () => {} })).toEqual({ kind: 'done-before' });
    expect(scripted).not.toHaveBeenCalled();
    await runFirstBoot({ paths, force: true, server: 'http://s', scripted, say: () => {} });
    expect(scripted).toHaveBeenCalledOnce();
  });

  it('asks again next time when the customer says "later", and never again after "don’t ask again"', async () => {
    const run = vi.fn();
    const later = await runFirstBoot({ paths, force: false, server: 'http://s', interactive: { prompter: prompter(['n', 'y']), run }, say: () => {} });
    expect(later).toEqual({ kind: 'postponed' });
    expect(await readState(paths)).toBeNull();
    const never = await runFirstBoot({ paths, force: false, server: 'http://s', interactive: { prompter: prompter(['n', 'n']), run }, say: () => {} });
    expect(never).toEqual({ kind: 'declined' });
    expect(await readState(paths)).toMatchObject({ registered: false, declinedAt: expect.any(String) });
    expect(await runFirstBoot({ paths, force: false, server: 'http://s', interactive: { prompter: prompter([]), run }, say: () => {} })).toEqual({ kind: 'done-before' });
    expect(run).not.toHaveBeenCalled();
  });

  it('records the PC as registered when the update flow found its owner', async () => {
    const customer = { customerNumber: '100001', registrationNo: '1234567890', registrationNoFormatted: '1234-5678-90', personal: {} };
    const result = await runFirstBoot({
      paths,
      force: false,
      server: 'http://s',
      interactive: { prompter: prompter(['']), run: async () => ({ kind: 'updated', customer, changed: [] }) },
      say: () => {},
    });
    expect(firstBootExitCode(result)).toBe(0);
    expect(await readState(paths)).toMatchObject({ registered: true, registrationNoFormatted: '1234-5678-90', server: 'http://s' });
  });

  it('fails with exit code 2 when there is nobody to ask and no answers', async () => {
    const said: string[] = [];
    const result = await runFirstBoot({ paths, force: false, server: 'http://s', say: (l) => said.push(l) });
    expect(firstBootExitCode(result)).toBe(2);
    expect(said[0]).toMatch(/not registered yet/);
  });
});
