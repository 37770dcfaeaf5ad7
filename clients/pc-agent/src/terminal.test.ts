import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CancelledError, confirm, TerminalPrompter } from './terminal.js';

function streams() {
  const input = new PassThrough() as unknown as NodeJS.ReadStream;
  const output = new PassThrough() as unknown as NodeJS.WriteStream;
  let written = '';
  (output as unknown as PassThrough).on('data', (d) => (written += d));
  return { input, output, written: () => written };
}

describe('the terminal prompter', () => {
  it('keeps lines typed ahead (or piped in) for the questions that follow', async () => {
    const { input, output, written } = streams();
    const p = new TerminalPrompter(input, output);
    (input as unknown as PassThrough).write('first\n\nthird\n');
    expect(await p.ask('One')).toBe('first');
    expect(await p.ask('Two', { default: 'dflt' })).toBe('dflt');
    expect(await p.secret('Three')).toBe('third');
    p.close();
    expect(written()).toContain('One:');
    expect(written()).toContain('Two [dflt]:');
  });

  it('ends a question with CancelledError when the input closes', async () => {
    const { input, output } = streams();
    const p = new TerminalPrompter(input, output);
    const pending = p.ask('Anything');
    (input as unknown as PassThrough).end();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it('confirm understands y/n, はい/いいえ, and the default', async () => {
    const { input, output, written } = streams();
    const p = new TerminalPrompter(input, output);
    (input as unknown as PassThrough).write('maybe\nはい\n\nN\n');
    expect(await confirm(p, 'Q', false)).toBe(true);
    expect(await confirm(p, 'Q', true)).toBe(true);
    expect(await confirm(p, 'Q', true)).toBe(false);
    p.close();
    expect(written()).toContain('Please answer y or n');
  });
});
