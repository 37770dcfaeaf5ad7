import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, type Services } from '../../../src/app.js';
import { applianceAcl, startMosquitto, type RunningMosquitto } from '../../../src/platform/mqtt/mosquitto.test-helper.js';
import { monthOf } from '../../../src/modules/appliances/appliance-time.js';
import { addTestAppliances, CONSISTENT, deviceFunctionList, type TestAppliance } from '../../../src/modules/appliances/appliances-test-kit.js';
import { testConfig } from '../../../test/helpers/db.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { Appliance, LockedError, MqttTransport, type DeviceState } from '../src/index.js';

/**
 * The SDK against Debian's Mosquitto, consumed by two Clientele nodes through one shared
 * subscription ($share/clientele/…): each record is stored once, and both nodes take a share.
 */

const SERVICE = { username: 'clientele-node', password: 'service-account-secret-0123' };
let mosquitto: RunningMosquitto;
let server: TestServer;
let nodeB: Services;
const devices: Appliance[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto({ users: [SERVICE], acl: applianceAcl(SERVICE.username) });
  const env = { MQTT_URL: mosquitto.url(SERVICE) };
  server = await startTestServer(env);
  // A second node: its own services on the same database, consuming the same group.
  nodeB = buildServices(server.db.handle.db, testConfig({ ...env, DATABASE_URL: server.db.url }));
  expect((await server.services.appliances.mqtt.start({ clientId: 'node-a' })).mode).toBe('external');
  await nodeB.appliances.mqtt.start({ clientId: 'node-b' });
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(devices.map((d) => d.stop()));
  await nodeB?.appliances.mqtt.stop();
  await server?.services.appliances.mqtt.stop();
  await server?.close();
  await mosquitto?.close();
});

async function appliances(n: number): Promise<TestAppliance[]> {
  const list = await addTestAppliances(server.services, n, 'NW-700', 'MQ');
  await mosquitto.addUsers(list.map((a) => ({ username: a.manufacturingNumber, password: a.secret })));
  return list;
}

function device(a: TestAppliance) {
  const d = new Appliance({
    manufacturingNumber: a.manufacturingNumber,
    functions: deviceFunctionList(a.model),
    transport: new MqttTransport(mosquitto.url(), { manufacturingNumber: a.manufacturingNumber, secret: a.secret }, { mqtt: { reconnectPeriod: 200 } }),
  });
  devices.push(d);
  return d;
}
const until = (d: Appliance, state: DeviceState) =>
  d.state === state ? Promise.resolve() : new Promise<void>((resolve) => d.on('state', (s: DeviceState) => s === state && resolve()));
const drained = (d: Appliance) => (d.queued === 0 ? Promise.resolve() : new Promise<void>((resolve) => d.once('drained', () => resolve())));

describe('the SDK over Mosquitto with two consuming nodes', () => {
  it('stays locked until the first-use record is acknowledged, registers a new customer on a card change', async () => {
    const [a] = await appliances(1);
    const d = device(a!);
    await d.start();
    await expect(d.use('A-01')).rejects.toBeInstanceOf(LockedError);
    await d.readCard({ number: 'MQ-CARD-1', name: '蚊 太郎', address: '福岡県福岡市中央区1-1' });
    await until(d, 'registered');
    const first = d.customerNumber;
    await d.readCard({ number: 'MQ-CARD-2', name: '蚊 花子' });
    expect(d.locked).toBe(true);
    await new Promise<void>((resolve) => d.once('registered', () => resolve()));
    expect(d.customerNumber).not.toBe(first);
    await d.use('A-01', { durationSec: 120 });
    await drained(d);
  });

  it('stores every record exactly once while the two nodes split the stream', async () => {
    const list = await appliances(4);
    const ds = list.map(device);
    await Promise.all(ds.map((d) => d.start()));
    await Promise.all(ds.map((d, i) => d.readCard({ number: `MQ-SPLIT-${i}` })));
    await Promise.all(ds.map((d) => until(d, 'registered')));
    const beforeA = server.services.appliances.mqtt.received();
    const beforeB = nodeB.appliances.mqtt.received();
    for (let i = 0; i < 50; i++) await Promise.all(ds.map((d) => d.use('A-11', { durationSec: 30 })));
    await Promise.all(ds.map(drained));
    // A duplicate of an already stored seq, straight from a device's connection.
    const raw = await mqtt.connectAsync(mosquitto.url({ username: list[0]!.manufacturingNumber, password: list[0]!.secret }));
    await raw.publishAsync(`clientele/appliances/${list[0]!.manufacturingNumber}/records`, JSON.stringify({ type: 'usage', seq: 2, at: new Date().toISOString(), function: 'A-11', durationSec: 30 }), { qos: 1 });
    await raw.endAsync();

    const count = async () =>
      Number(
        (
          await server.db.handle.db
            .selectFrom('appliance_records')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('manufacturing_number', 'in', list.map((a) => a.manufacturingNumber))
            .where('kind', '=', 2)
            .executeTakeFirstOrThrow()
        ).n,
      );
    await expect.poll(count, { timeout: 10_000 }).toBe(200);
    const a = server.services.appliances.mqtt.received() - beforeA;
    const b = nodeB.appliances.mqtt.received() - beforeB;
    expect(a + b).toBeGreaterThanOrEqual(201);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    for (const d of ds) {
      const view = await server.services.appliances.billing.customerAppliances(Number(d.customerNumber), monthOf(new Date()));
      expect(view.appliances[0]!.functions[0]).toMatchObject({ functionCode: 'A-11', totalUses: 50, totalSec: 1500 });
    }
  });

  it('keeps devices to their own topics (the ACL)', async () => {
    const [a, b] = await appliances(2);
    const intruder = await mqtt.connectAsync(mosquitto.url({ username: a!.manufacturingNumber, password: a!.secret }));
    const seen: string[] = [];
    intruder.on('message', (topic) => seen.push(topic));
    // Mosquitto grants the subscription but never delivers what the ACL does not allow.
    await intruder.subscribeAsync(`clientele/appliances/${b!.manufacturingNumber}/state`, { qos: 1 });
    const firstUse = { type: 'first-use', seq: 1, at: new Date().toISOString(), card: { number: 'MQ-INTRUDER' } };
    await intruder.publishAsync(`clientele/appliances/${b!.manufacturingNumber}/records`, JSON.stringify(firstUse), { qos: 1 });
    const owner = device(b!);
    await owner.start();
    await owner.readCard({ number: 'MQ-OWNER' });
    await until(owner, 'registered');
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
    const regs = await server.db.handle.db.selectFrom('appliance_registrations').select('card_number').where('manufacturing_number', '=', b!.manufacturingNumber).execute();
    expect(regs).toEqual([{ card_number: 'MQ-OWNER' }]);
    await intruder.endAsync();
  });

  it('keeps the rollups equal to a recomputation from the raw records', async () => {
    await server.services.appliances.ingest.drain();
    expect(await server.services.appliances.recalculation.differences(null)).toEqual(CONSISTENT);
  });
});
