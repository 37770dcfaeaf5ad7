import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { freePort } from '../../../src/platform/free-port.js';
import { monthOf } from '../../../src/modules/appliances/appliance-time.js';
import { addTestAppliances, CONSISTENT, deviceFunctionList, type TestAppliance } from '../../../src/modules/appliances/appliances-test-kit.js';
import { Appliance, FileRecordQueue, LocalHomeNetwork, LockedError, MqttTransport, type DeviceState } from '../src/index.js';

/** The SDK against Clientele's embedded MQTT broker (aedes). */

let server: TestServer;
let url: string;
let dir: string;
const devices: Appliance[] = [];

beforeAll(async () => {
  server = await startTestServer({ CLIENTELE_MQTT_PORT: '0' });
  const status = await server.services.appliances.mqtt.start();
  expect(status.mode).toBe('embedded');
  url = status.address!;
  dir = await mkdtemp(path.join(tmpdir(), 'clientele-appliance-'));
});
afterAll(async () => {
  await Promise.allSettled(devices.map((d) => d.stop()));
  await server.services.appliances.mqtt.stop();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function device(a: TestAppliance, opts: { url?: string; queueDir?: string; home?: LocalHomeNetwork } = {}) {
  const d = new Appliance({
    manufacturingNumber: a.manufacturingNumber,
    functions: deviceFunctionList(a.model),
    transport: new MqttTransport(opts.url ?? url, { manufacturingNumber: a.manufacturingNumber, secret: a.secret }, { mqtt: { reconnectPeriod: 200 } }),
    ...(opts.queueDir ? { queue: new FileRecordQueue(opts.queueDir) } : {}),
    ...(opts.home ? { home: opts.home } : {}),
  });
  devices.push(d);
  return d;
}

const until = (d: Appliance, state: DeviceState) =>
  d.state === state ? Promise.resolve() : new Promise<void>((resolve) => d.on('state', (s: DeviceState) => s === state && resolve()));
const drained = (d: Appliance) => (d.queued === 0 ? Promise.resolve() : new Promise<void>((resolve) => d.once('drained', () => resolve())));
const card = (number: string, name = 'SDK 太郎') => ({ number, name, address: '東京都港区芝公園4-2-8', account: '1234567' });

describe('the SDK over the embedded broker', () => {
  it('stays locked until the first-use record is acknowledged, then sends usage', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    const d = device(a!);
    await d.start();
    expect(d.locked).toBe(true);
    await expect(d.use('A-01', { durationSec: 60 })).rejects.toBeInstanceOf(LockedError);
    await d.use('A-00'); // a basic function works while locked
    await d.readCard(card('SDK-CARD-1'));
    expect(d.state).toBe('registering');
    await until(d, 'registered');
    expect(d.customerNumber).toMatch(/^\d+$/);
    await d.use('A-01', { additional: { code: 'W', value: 5 }, durationSec: 1800 });
    await drained(d);
    const customer = await server.services.customers.service.get(Number(d.customerNumber));
    expect(customer.personal).toMatchObject({ name: 'SDK 太郎', prefecture: '東京都' });
    const view = await server.services.appliances.billing.customerAppliances(Number(d.customerNumber), monthOf(new Date()));
    expect(view.appliances[0]!.functions.find((f) => f.functionCode === 'A-01')).toMatchObject({ totalUses: 1, totalSec: 1800 });
  });

  it('registers a new customer when a different card is read, and a home’s second appliance can take the card over the home network', async () => {
    const [a, b] = await addTestAppliances(server.services, 2);
    const home = new LocalHomeNetwork();
    const first = device(a!, { home });
    await first.start();
    await first.readCard(card('SDK-CARD-2', '最初 一郎'));
    await until(first, 'registered');
    const firstCustomer = first.customerNumber;

    const second = device(b!, { home });
    await second.start();
    expect(await second.takeCardFromHome()).toBe(true);
    await until(second, 'registered');
    expect(second.customerNumber).toBe(firstCustomer);

    await first.readCard(card('SDK-CARD-3', '次の 二郎'));
    expect(first.locked).toBe(true);
    await new Promise<void>((resolve) => first.once('registered', () => resolve()));
    expect(first.customerNumber).not.toBe(firstCustomer);
    expect(first.state).toBe('registered');
  });

  it('keeps records while offline, across a restart, and sends them in order when back', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    const queueDir = path.join(dir, a!.manufacturingNumber);
    const online = device(a!, { queueDir });
    await online.start();
    await online.readCard(card('SDK-CARD-4'));
    await until(online, 'registered');
    await online.stop();

    // No broker at this address: the appliance works from its queue.
    const offline = device(a!, { queueDir, url: `mqtt://127.0.0.1:${await freePort()}` });
    await offline.start();
    expect(offline.state).toBe('registered');
    for (let i = 0; i < 5; i++) await offline.use('A-11', { durationSec: 60 * (i + 1) });
    expect(offline.queued).toBe(5);
    await offline.stop();

    const submit = vi.spyOn(server.services.appliances.ingest, 'submit');
    const back = device(a!, { queueDir });
    await back.start();
    await drained(back);
    const seqs = submit.mock.calls
      .filter(([mfg]) => mfg === a!.manufacturingNumber)
      .map(([, payload]) => (JSON.parse(String(payload)) as { seq: number }).seq);
    submit.mockRestore();
    expect(seqs).toEqual([2, 3, 4, 5, 6]);
    const view = await server.services.appliances.billing.customerAppliances(Number(back.customerNumber), monthOf(new Date()));
    expect(view.appliances[0]!.functions[0]).toMatchObject({ functionCode: 'A-11', totalUses: 5, totalSec: 900 });
  });

  it('counts a record sent twice with the same seq once, acknowledges only what is stored, and reports bad records on the errors topic', async () => {
    const [a] = await addTestAppliances(server.services, 1);
    const d = device(a!);
    await d.start();
    await d.readCard(card('SDK-CARD-5'));
    await until(d, 'registered');
    await d.stop();

    const raw = await mqtt.connectAsync(url, { username: a!.manufacturingNumber, password: a!.secret, clientId: `raw-${a!.manufacturingNumber}` });
    const errors: unknown[] = [];
    raw.on('message', (topic, payload) => topic.endsWith('/errors') && errors.push(JSON.parse(payload.toString())));
    await raw.subscribeAsync(`clientele/appliances/${a!.manufacturingNumber}/errors`, { qos: 1 });
    const record = JSON.stringify({ type: 'usage', seq: 10, at: new Date().toISOString(), function: 'A-02', durationSec: 300 });
    await raw.publishAsync(`clientele/appliances/${a!.manufacturingNumber}/records`, record, { qos: 1 });
    // PUBACK came after the commit: the record is there now, without waiting.
    const stored = await server.db.handle.db.selectFrom('appliance_records').select('seq').where('manufacturing_number', '=', a!.manufacturingNumber).where('seq', '=', 10).execute();
    expect(stored).toHaveLength(1);
    await raw.publishAsync(`clientele/appliances/${a!.manufacturingNumber}/records`, record, { qos: 1 });
    await raw.publishAsync(`clientele/appliances/${a!.manufacturingNumber}/records`, '{"type":"usage","seq":11,"at":"soon"}', { qos: 1 });
    await raw.publishAsync(`clientele/appliances/${a!.manufacturingNumber}/records`, 'not json', { qos: 1 });
    await expect.poll(() => errors.length).toBe(2);
    expect(errors).toEqual([
      { seq: 11, code: 'invalid_record', message: expect.stringContaining('at'), field: 'at' },
      { seq: null, code: 'invalid_json', message: expect.any(String) },
    ]);
    const uses = await server.db.handle.db
      .selectFrom('appliance_usage_monthly as u')
      .innerJoin('appliance_registrations as r', 'r.id', 'u.registration_id')
      .select(['u.uses', 'u.total_sec'])
      .where('r.manufacturing_number', '=', a!.manufacturingNumber)
      .where('u.function_code', '=', 'A-02')
      .execute();
    expect(uses).toEqual([{ uses: 1, total_sec: 300 }]);
    await raw.endAsync();
  });

  it('lets an appliance publish and subscribe only on its own topics', async () => {
    const [a, b] = await addTestAppliances(server.services, 2);
    const raw = await mqtt.connectAsync(url, { username: a!.manufacturingNumber, password: a!.secret, reconnectPeriod: 0 });
    // Refused with SUBACK 128; the connection stays.
    await expect(raw.subscribeAsync(`clientele/appliances/${b!.manufacturingNumber}/state`, { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect(raw.connected).toBe(true);
    await raw.subscribeAsync(`clientele/appliances/${a!.manufacturingNumber}/state`, { qos: 1 });
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    raw.publish(`clientele/appliances/${b!.manufacturingNumber}/records`, '{}', { qos: 1 });
    await closed;
    raw.end(true);
    await expect(mqtt.connectAsync(url, { username: a!.manufacturingNumber, password: 'wrong-secret-wrong', reconnectPeriod: 0 })).rejects.toThrow();
  });

  it('keeps the rollups equal to a recomputation from the raw records', async () => {
    expect(await server.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
  });
});
