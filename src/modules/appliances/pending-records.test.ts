import { describe, expect, it } from 'vitest';
import { PendingRecords } from './pending-records.js';

const rec = (mfg: string, n: number, at = 0) => ({ mfg, n, receivedAt: new Date(at) });

describe('PendingRecords', () => {
  it('takes whole queues of appliances in the order they started, each in arrival order', () => {
    const p = new PendingRecords<ReturnType<typeof rec>>();
    p.push(rec('A', 1, 10));
    p.push(rec('B', 1, 20));
    p.push(rec('A', 2, 30));
    p.push(rec('C', 1, 40));
    expect(p.size).toBe(4);
    expect(p.oldestReceivedAt()).toBe(10);
    expect(p.take(3, new Set()).map((r) => `${r.mfg}${r.n}`)).toEqual(['A1', 'A2', 'B1']);
    expect(p.size).toBe(1);
    expect(p.oldestReceivedAt()).toBe(40);
  });

  it('skips appliances being written and splits a queue only at the batch limit', () => {
    const p = new PendingRecords<ReturnType<typeof rec>>();
    for (let i = 1; i <= 3; i++) p.push(rec('A', i));
    for (let i = 1; i <= 3; i++) p.push(rec('B', i));
    expect(p.take(10, new Set(['A'])).map((r) => `${r.mfg}${r.n}`)).toEqual(['B1', 'B2', 'B3']);
    expect(p.take(2, new Set()).map((r) => `${r.mfg}${r.n}`)).toEqual(['A1', 'A2']);
    p.push(rec('B', 4));
    expect(p.take(10, new Set()).map((r) => `${r.mfg}${r.n}`)).toEqual(['A3', 'B4']);
    expect(p.size).toBe(0);
    expect(p.oldestReceivedAt()).toBeNull();
  });
});
