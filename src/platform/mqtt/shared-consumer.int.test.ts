import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedSubscriptionConsumer } from './shared-consumer.js';
import { startMosquitto, type RunningMosquitto } from './mosquitto.test-helper.js';

const USER = { username: 'svc', password: 'svc-password-123456' };
let mosquitto: RunningMosquitto;

beforeAll(async () => {
  mosquitto = await startMosquitto({ users: [USER], acl: 'user svc\ntopic readwrite #\n' });
});
afterAll(() => mosquitto?.close());

describe('the shared-subscription consumer', () => {
  it('acknowledges a message only after its handler stored it, so a crash before that gets it delivered again', async () => {
    const held: string[] = [];
    const crashing = new SharedSubscriptionConsumer({
      url: mosquitto.url(USER),
      clientId: 'node-crash',
      group: 'g1',
      topic: 'jobs/+',
      // Never finishes storing: nothing may be acknowledged.
      handle: (_topic, payload) => {
        held.push(payload.toString());
        return new Promise(() => undefined);
      },
    });
    await crashing.start();
    const producer = await mqtt.connectAsync(mosquitto.url(USER));
    for (let i = 1; i <= 5; i++) await producer.publishAsync(`jobs/${i}`, `m${i}`, { qos: 1 });
    await expect.poll(() => held.length).toBe(5);
    // The process dies: the socket goes without a DISCONNECT.
    (crashing as unknown as { client: { stream: { destroy(): void }; end(force: boolean): void } }).client.stream.destroy();
    (crashing as unknown as { client: { end(force: boolean): void } }).client.end(true);

    const stored: string[] = [];
    const restarted = new SharedSubscriptionConsumer({
      url: mosquitto.url(USER),
      clientId: 'node-crash',
      group: 'g1',
      topic: 'jobs/+',
      handle: async (_topic, payload) => {
        stored.push(payload.toString());
        return 'ack';
      },
    });
    await restarted.start();
    await expect.poll(() => [...new Set(stored)].sort(), { timeout: 10_000 }).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    await restarted.stop();

    // Acknowledged now: a third start of the session gets nothing again.
    const again: string[] = [];
    const third = new SharedSubscriptionConsumer({
      url: mosquitto.url(USER),
      clientId: 'node-crash',
      group: 'g1',
      topic: 'jobs/+',
      handle: async (_t, p) => {
        again.push(p.toString());
        return 'ack';
      },
    });
    await third.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(again).toEqual([]);
    await third.stop();
    await producer.endAsync();
  });
});
