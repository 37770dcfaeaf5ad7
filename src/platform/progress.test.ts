import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressBar } from './progress.js';

describe('progressBar without a terminal', () => {
  afterEach(() => vi.restoreAllMocks());

  const lines = () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    return written;
  };

  it('reports each tenth once, ending at 100 %', () => {
    const written = lines();
    const bar = progressBar('rows', 20);
    for (let i = 0; i < 20; i++) bar.increment();
    bar.stop();
    expect(written.length).toBe(10);
    expect(written.at(-1)).toBe('rows: 20/20 (100%)\n');
  });

  it('never reports more than 100 % when the total counted ahead was short', () => {
    const written = lines();
    const bar = progressBar('rows', 4);
    bar.increment(3);
    bar.increment(2);
    bar.increment(1);
    const percents = written.map((l) => Number(/\((\d+)%\)/.exec(l)?.[1]));
    expect(percents.length).toBeGreaterThan(0);
    expect(Math.max(...percents)).toBe(100);
    expect(written.every((l) => !/^rows: (\d+)\/(?!\1\b)\d+ \(100%\)/.test(l))).toBe(true);
  });
});
