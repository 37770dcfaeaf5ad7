import { randomBytes } from 'node:crypto';
import type { Services } from '../../app.js';
import type { ModelInput } from './catalog.service.js';

/** A washer and a microwave for tests: function lists, tariffs, a discount. */
export const TEST_MODELS: ModelInput[] = [
  {
    model: 'NW-700',
    productType: 'washer',
    name: 'Network washer NW-700',
    additionalCodes: [{ code: 'W', name: 'load', unit: 'kg' }],
    basicFunctions: ['A-00'],
    monthlyBaseYen: 1000,
    discountThresholdMinutes: 100,
    discountPercent: 10,
    functions: [
      { code: 'A-00', name: 'Display', perUseYen: 0, perMinuteYen: 0 },
      { code: 'A-01', name: 'Drying', perUseYen: 50, perMinuteYen: 2 },
      { code: 'A-02', name: 'Mattress wash', perUseYen: 100, perMinuteYen: 1 },
      { code: 'A-11', name: 'High speed', perUseYen: 20, perMinuteYen: 0.5 },
    ],
  },
  {
    model: 'MW-20',
    productType: 'microwave',
    name: 'Network microwave MW-20',
    additionalCodes: [{ code: 'T', name: 'temperature', unit: '°C' }],
    basicFunctions: [],
    monthlyBaseYen: 500,
    discountThresholdMinutes: null,
    discountPercent: 0,
    functions: [
      { code: 'B-01', name: 'Heat', perUseYen: 10, perMinuteYen: 1 },
      { code: 'B-02', name: 'Grill', perUseYen: 20, perMinuteYen: 1 },
    ],
  },
];

export interface TestAppliance {
  manufacturingNumber: string;
  secret: string;
  model: string;
}

let counter = 0;

/** Adds the test models and `n` appliances of a model to the production list; returns their credentials. */
export async function addTestAppliances(services: Services, n: number, model = 'NW-700', prefix = 'T'): Promise<TestAppliance[]> {
  for (const m of TEST_MODELS) await services.appliances.catalog.upsertModel(m);
  const out: TestAppliance[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ manufacturingNumber: `${prefix}${process.pid}${Date.now().toString(36).toUpperCase()}${++counter}`, secret: randomBytes(18).toString('base64url'), model });
  }
  const r = await services.appliances.catalog.importProduction(
    out.map((a, i) => ({ line: i + 2, values: { manufacturing_number: a.manufacturingNumber, model: a.model, secret: a.secret } })),
  );
  if (r.rejected.length) throw new Error(`test appliances rejected: ${JSON.stringify(r.rejected)}`);
  return out;
}

export const basicAuth = (a: TestAppliance) => `Basic ${Buffer.from(`${a.manufacturingNumber}:${a.secret}`).toString('base64')}`;

/** The function code list a test appliance of this model carries (FIG. 10), as the SDK wants it. */
export function deviceFunctionList(model: string) {
  const m = TEST_MODELS.find((x) => x.model === model)!;
  return {
    model,
    functions: m.functions.map((f) => ({ code: f.code, name: f.name, additional: m.additionalCodes ?? [], basic: (m.basicFunctions ?? []).includes(f.code) })),
  };
}

/** What `recalculation.differences` answers when every rollup equals a recomputation from the raw records. */
export const CONSISTENT = { usage: 0, function: 0, duration: 0, time: 0, userMonths: 0 };
