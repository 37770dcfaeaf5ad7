import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Services } from '../app.js';
import { CLI_ACTOR } from '../platform/auth/principal.js';
import { progressBar } from '../platform/progress.js';
import { fakePerson, seededRandom } from './people.js';

export interface DemoCredentials {
  staff: { username: string; password: string; role: string; surface: string }[];
  customer: { login: string; password: string };
  keys: { kind: string; label: string; key: string; surface: string }[];
  /** A few demo appliances' MQTT/HTTP credentials (manufacturing number + device secret). */
  appliances?: { manufacturingNumber: string; secret: string; model: string }[];
}

const DEMO_PASSWORDS = {
  admin: 'demo-admin-pass',
  sales: 'demo-sales-pass',
  store: 'demo-store-pass',
  facility: 'demo-facility-pass',
  partner: 'demo-partner-pass',
  customer: 'demo-customer-pass',
};

const credentialsFile = (dataDir: string) => path.join(dataDir, 'demo-credentials.json');

/** True when the database holds no staff and no customers: the only state demo data may go into. */
export async function isEmptyDatabase(services: Services): Promise<boolean> {
  return (await services.access.staffCount()) === 0 && (await services.customers.importer.count()) === 0;
}

/** The credentials written when the demo data was seeded (API keys can't be recovered otherwise). */
export async function readDemoCredentials(dataDir: string): Promise<DemoCredentials | null> {
  const file = credentialsFile(dataDir);
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as DemoCredentials) : null;
}

/**
 * Fills an empty database with a small coalition: stores, facilities, a partner, one staff
 * account per role, API keys and `customerCount` fake customers. Refuses a database with data.
 */
export async function seedDemo(services: Services, options: { customers: number; appliances?: number; dataDir: string }): Promise<DemoCredentials> {
  if (!(await isEmptyDatabase(services))) throw new Error('demo data goes only into an empty database; this one has data');
  const { organisations, access, customers } = services;
  const [storeA] = await Promise.all([
    organisations.create('stores', { code: 'shibuya', name: 'Shibuya Books' }),
    organisations.create('stores', { code: 'umeda', name: 'Umeda Electric' }),
    organisations.create('stores', { code: 'sakae', name: 'Sakae Bakery' }),
  ]);
  const facility = await organisations.create('facilities', { code: 'hall-1', name: 'Minato Event Hall' });
  await organisations.create('facilities', { code: 'gym-2', name: 'Kita Sports Centre' });
  const partner = await organisations.create('partners', {
    code: 'acme-insurance',
    name: 'ACME Insurance',
    grantedFields: ['name', 'nameReading', 'prefecture', 'rank'],
  });

  const staff = [
    { username: 'admin', role: 'admin' as const, surface: 'console' },
    { username: 'sales', role: 'sales' as const, surface: 'console' },
    { username: 'store', role: 'store' as const, surface: 'console', storeId: storeA.id },
    { username: 'facility', role: 'facility' as const, surface: 'console', facilityId: facility.id },
    { username: 'partner', role: 'partner' as const, surface: 'partner', partnerId: partner.id },
  ];
  for (const s of staff) {
    await access.createStaff({ ...s, displayName: `Demo ${s.role}`, password: DEMO_PASSWORDS[s.role] });
  }
  const keys = [
    await access.createApiKey({ kind: 'store_terminal', label: 'Shibuya till 1', storeId: storeA.id }),
    await access.createApiKey({ kind: 'reader', label: 'Hall entrance reader', facilityId: facility.id }),
    await access.createApiKey({ kind: 'tracker', label: 'Web tracker' }),
    await access.createApiKey({ kind: 'partner', label: 'ACME exchange', partnerId: partner.id }),
  ];

  const rnd = seededRandom(20261122);
  const bar = progressBar('demo customers', options.customers);
  const batch = 1000;
  await customers.importer.runImport(async () => {
    for (let start = 0; start < options.customers; start += batch) {
      const records = [];
      for (let i = start; i < Math.min(start + batch, options.customers); i++) {
        records.push({ line: i + 2, values: { ...fakePerson(rnd, i) } });
      }
      await customers.importer.importBatch(CLI_ACTOR, records, 'demo');
      bar.increment(records.length);
    }
  });
  bar.stop();

  const first = (await customers.service.search('', { limit: 1 }))[0];
  let customerLogin = '';
  if (first) {
    await customers.service.setPortalPassword(CLI_ACTOR, Number(first.customerNumber), DEMO_PASSWORDS.customer);
    customerLogin = first.registrationNoFormatted;
  }

  // Product registrations as the PC agent makes them, and the manufacturer's shipped list
  // (which also holds serials nobody registered yet, for trying the agent).
  const { registration, messaging } = services;
  const shipped = [];
  for (let i = 0; i < 30; i++) {
    const n = String(i + 1).padStart(4, '0');
    shipped.push({ line: i + 2, values: { maker: 'Clientele PC', model: i % 2 ? 'CL-Book 14' : 'CL-Desk 7', serial: `DEMO-PC-${n}`, category: 'pc', ship_date: '2026-10-01' } });
    shipped.push({ line: i + 2, values: { maker: 'Clientele Print', model: 'CP-200', serial: `DEMO-PR-${n}`, category: 'printer', ship_date: '2026-10-01' } });
  }
  // The PC agent's example inventory (clients/pc-agent/examples) is on the list too, so
  // `clientele-agent register --from-file examples/inventory.json` works against the demo.
  const example: [string, string, string, string][] = [
    ['Lenovo', 'ThinkPad X1 Carbon Gen 9', 'PF2ABC12', 'pc'],
    ['Canon', 'PIXMA TS8330', 'KMZ0123', 'printer'],
    ['PFU', 'ScanSnap iX1600', 'A1BC004512', 'scanner'],
    ['SAMSUNG', 'SAMSUNG MZVL2512HCJQ-00BL7', 'S64KNX0R123456', 'storage'],
  ];
  for (const [maker, model, serial, category] of example) {
    shipped.push({ line: 0, values: { maker, model, serial, category, ship_date: '2026-09-15' } });
  }
  await registration.shipped.importBatch(shipped);
  for (let i = 0; i < 20; i++) {
    const n = String(i + 1).padStart(4, '0');
    const p = fakePerson(rnd, options.customers + i);
    await registration.service.register(
      CLI_ACTOR,
      {
        customer: {
          name: p.name, nameReading: p.name_reading, postalCode: p.postal_code, prefecture: p.prefecture, city: p.city,
          addressLine1: p.address_line1, phone: p.phone, email: p.email,
        },
        password: DEMO_PASSWORDS.customer,
        emailConsent: true,
        products: [
          { serial: `DEMO-PC-${n}`, maker: 'Clientele PC', model: i % 2 ? 'CL-Book 14' : 'CL-Desk 7', category: 'pc' },
          ...(i % 3 === 0 ? [{ serial: `DEMO-PR-${n}`, maker: 'Clientele Print', model: 'CP-200', category: 'printer' as const, parentSerial: `DEMO-PC-${n}` }] : []),
        ],
      },
      '127.0.0.1',
    );
  }

  // A ready-to-send campaign draft.
  const template = await messaging.templates.create({
    name: '秋の感謝セール',
    channel: 'email',
    subject: '{{customer.name}} 様　秋の感謝セールのご案内',
    bodyText: '{{customer.name}} 様\n\nいつもご利用ありがとうございます。\n加盟店で秋の感謝セールを開催します。\n\n配信停止: {{unsubscribeUrl}}\n',
    bodyHtml: '<p>{{customer.name}} 様</p><p>いつもご利用ありがとうございます。<br>加盟店で<strong>秋の感謝セール</strong>を開催します。</p>',
  });
  const segment = await messaging.segments.create('東京都・メール可', {
    match: 'all',
    criteria: [
      { criterion: 'attribute', params: { field: 'prefecture', op: 'eq', value: '東京都' } },
      { criterion: 'consent', params: { channel: 'email' } },
    ],
  });
  await messaging.campaigns.create({ name: '秋の感謝セール（東京）', templateId: template.id, segmentId: segment.id, kind: 'one_off' }, 'demo');

  // Connected appliances: a fleet of homes with five months of usage, sent through the real ingest.
  const fleet = options.appliances ?? 300;
  const applianceBar = progressBar('appliances', fleet);
  // The fleet simulator (and mqtt.js with it) loads only when demo data is made.
  const { seedApplianceDemo } = await import('../modules/appliances/appliances.demo.js');
  const appliances = await seedApplianceDemo(services, { appliances: fleet, days: 150, onProgress: () => applianceBar.increment() });
  applianceBar.stop();

  const credentials: DemoCredentials = {
    staff: staff.map((s) => ({ username: s.username, password: DEMO_PASSWORDS[s.role], role: s.role, surface: s.surface })),
    customer: { login: customerLogin, password: DEMO_PASSWORDS.customer },
    keys: keys.map((k) => ({ kind: k.kind, label: k.label, key: k.key, surface: k.surface })),
    appliances: appliances.samples,
  };
  await writeFile(credentialsFile(options.dataDir), JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}
