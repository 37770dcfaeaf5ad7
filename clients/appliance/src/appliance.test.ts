import { describe, expect, it } from 'vitest';
import { Appliance } from './appliance.js';
import { MemoryRecordQueue } from './record-queue.js';
import type { Transport } from './transport.js';

/** Never started: these checks happen before anything is queued or sent. */
const unused: Transport = {
  window: 1,
  online: false,
  start: () => Promise.reject(new Error('not used')),
  send: () => Promise.reject(new Error('not used')),
  stop: () => Promise.resolve(),
};

describe('a use of the appliance', () => {
  it('refuses a duration the server would refuse, and queues nothing for it', async () => {
    const queue = new MemoryRecordQueue();
    const device = new Appliance({
      manufacturingNumber: 'UNIT-1',
      functions: { model: 'M-1', functions: [{ code: 'A-00', name: 'Display', basic: true }] },
      transport: unused,
      queue,
    });
    await expect(device.use('A-00', { durationSec: 24 * 3600 + 1 })).rejects.toThrow(RangeError);
    await expect(device.use('A-00', { durationSec: -5 })).rejects.toThrow(RangeError);
    await expect(device.use('A-00', { durationSec: Number.NaN })).rejects.toThrow(RangeError);
    expect(queue.pending()).toHaveLength(0);
    const ok = await device.use('A-00', { durationSec: 24 * 3600 });
    expect(ok).toMatchObject({ type: 'usage', function: 'A-00', durationSec: 86400 });
    expect(queue.pending()).toHaveLength(1);
  });
});
