import { randomBytes } from 'node:crypto';
import { Appliance } from './appliance.js';
import { catalogEntry, FLEET_MODELS, functionCodeList, type FleetFunction, type FleetModel } from './fleet-models.js';
import { LocalHomeNetwork } from './home-network.js';
import type { ApplianceRecord, IcCard } from './protocol.js';
import { MemoryRecordQueue } from './record-queue.js';
import { HttpTransport, MqttTransport } from './transport.js';

export { FLEET_MODELS, catalogEntry, functionCodeList };

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same fleet and history. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PlannedAppliance {
  manufacturingNumber: string;
  secret: string;
  model: string;
  home: number;
  /** The first appliance of a home reads the card; the others take it over the home network. */
  readsCard: boolean;
}

export interface Home {
  index: number;
  card: IcCard;
  /** A second family member's card, read on one appliance some time in (A-4: a new customer for it). */
  secondCard: IcCard | null;
}

export interface FleetPlan {
  seed: number;
  homes: Home[];
  appliances: PlannedAppliance[];
  models: FleetModel[];
}

const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田', '佐々木', '山口', '松本', '井上', '木村', '林', '斎藤', '清水'];
const GIVEN = ['太郎', '花子', '一郎', '美咲', '健太', '陽菜', '大輔', '結衣', '翔', '葵', '蓮', 'さくら', '悠真', '芽依', '直樹', '真由美'];
const PLACES: [string, string, number][] = [
  ['東京都', '世田谷区', 14], ['神奈川県', '横浜市港北区', 9], ['大阪府', '大阪市北区', 9], ['愛知県', '名古屋市中区', 7], ['埼玉県', 'さいたま市浦和区', 7],
  ['千葉県', '千葉市美浜区', 6], ['兵庫県', '神戸市中央区', 5], ['北海道', '札幌市中央区', 5], ['福岡県', '福岡市博多区', 5], ['静岡県', '静岡市葵区', 3],
  ['京都府', '京都市左京区', 3], ['広島県', '広島市中区', 3], ['宮城県', '仙台市青葉区', 2], ['新潟県', '新潟市中央区', 2], ['沖縄県', '那覇市', 1],
];

function pick<T>(rnd: () => number, items: readonly T[], weight: (t: T) => number): T {
  const total = items.reduce((s, t) => s + weight(t), 0);
  let x = rnd() * total;
  for (const t of items) {
    x -= weight(t);
    if (x <= 0) return t;
  }
  return items[items.length - 1]!;
}

/**
 * A fleet: `appliances` appliances of several models in homes of 1–4 appliances each, one
 * family card per home, manufacturing numbers and device secrets for the production list.
 */
export function planFleet(options: { appliances: number; seed?: number; models?: FleetModel[]; prefix?: string; deterministicSecrets?: boolean }): FleetPlan {
  const seed = options.seed ?? 20261122;
  const rnd = seededRandom(seed);
  const models = options.models ?? FLEET_MODELS;
  const prefix = options.prefix ?? 'SIM';
  const homes: Home[] = [];
  const appliances: PlannedAppliance[] = [];
  const weights: Record<string, number> = { washer: 5, microwave: 5, rice_cooker: 4, air_conditioner: 4, dvd_recorder: 2, pc: 1, other: 1 };
  while (appliances.length < options.appliances) {
    const index = homes.length;
    const [prefecture, city] = pick(rnd, PLACES, (p) => p[2]);
    const family = FAMILY[Math.floor(rnd() * FAMILY.length)]!;
    const person = (n: number): IcCard => ({
      number: `${prefix}C${String(index).padStart(7, '0')}${n}`,
      name: `${family} ${GIVEN[Math.floor(rnd() * GIVEN.length)]}`,
      address: `${prefecture}${city}${1 + Math.floor(rnd() * 5)}-${1 + Math.floor(rnd() * 20)}-${1 + Math.floor(rnd() * 30)}`,
      account: String(1_000_000 + Math.floor(rnd() * 9_000_000)),
    });
    homes.push({ index, card: person(1), secondCard: rnd() < 0.05 ? person(2) : null });
    const count = Math.min(1 + Math.floor(rnd() * 4), options.appliances - appliances.length);
    const taken = new Set<string>();
    for (let k = 0; k < count; k++) {
      let model = pick(rnd, models, (m) => weights[m.productType] ?? 1);
      if (taken.has(model.model)) model = pick(rnd, models, (m) => (taken.has(m.model) ? 0.01 : (weights[m.productType] ?? 1)));
      taken.add(model.model);
      const n = appliances.length;
      appliances.push({
        manufacturingNumber: `${prefix}${model.model.replace(/[^A-Z0-9]/gi, '')}${String(n).padStart(7, '0')}`.toUpperCase(),
        secret: options.deterministicSecrets ? `sim-secret-${seed}-${n}-0123456789` : randomBytes(18).toString('base64url'),
        model: model.model,
        home: index,
        readsCard: k === 0,
      });
    }
  }
  return { seed, homes, appliances, models };
}

/** The production list rows of a plan (`clientele appliances import`). */
export const productionList = (plan: FleetPlan) => plan.appliances.map((a) => ({ manufacturing_number: a.manufacturingNumber, model: a.model, secret: a.secret }));

const JST = 9 * 3600_000;
const HOURS = Array.from({ length: 24 }, (_, i) => i);
const DAY = 86_400_000;

function poisson(rnd: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rnd();
  while (p > limit) {
    k++;
    p *= rnd();
  }
  return k;
}

function drawMinutes(rnd: () => number, f: FleetFunction): number {
  // log-normal around the typical duration
  const u = Math.max(rnd(), 1e-9);
  const v = rnd();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  // Capped at 12 hours: the log-normal tail drew air conditioners running for days, which the
  // server rightly refuses (a record covers at most 24 h; longer uses are periodic reports).
  return Math.min(12 * 60, Math.max(0.5, f.minutes * Math.exp(f.spread * z)));
}

function functionInfo(rnd: () => number, f: FleetFunction): string {
  if (!f.additional) return f.code;
  const value = f.additional.min + Math.floor(rnd() * (f.additional.max - f.additional.min + 1));
  return `${f.code}-${f.additional.code}-${String(value).padStart(2, '0')}`;
}

/**
 * The usage history of one appliance between two instants, in seq order: its first-use record
 * (card read, or taken over the home network) on its installation day, then uses following
 * the model's daily pattern; long uses of periodic functions are reported every 10 minutes.
 */
export function* applianceHistory(plan: FleetPlan, appliance: PlannedAppliance, from: Date, to: Date): Generator<ApplianceRecord> {
  const model = plan.models.find((m) => m.model === appliance.model)!;
  const home = plan.homes[appliance.home]!;
  const rnd = seededRandom(plan.seed ^ (appliance.home * 7919 + appliance.manufacturingNumber.length * 104729 + appliance.manufacturingNumber.charCodeAt(appliance.manufacturingNumber.length - 1)));
  const span = to.getTime() - from.getTime();
  const installAt = new Date(from.getTime() + Math.floor(rnd() * rnd() * span * 0.5));
  let seq = 0;
  let cursor = installAt.getTime();
  const readsFrom = appliance.readsCard ? undefined : plan.appliances.find((a) => a.home === appliance.home && a.readsCard)?.manufacturingNumber;
  yield { type: 'first-use', seq: ++seq, at: installAt.toISOString(), card: { ...home.card, ...(readsFrom ? { sharedFrom: readsFrom } : {}) } };
  const changeAt = home.secondCard && appliance.readsCard ? installAt.getTime() + rnd() * (to.getTime() - installAt.getTime()) : Infinity;
  let changed = false;
  const firstDay = Math.floor((installAt.getTime() + JST) / DAY) + 1;
  const lastDay = Math.floor((to.getTime() + JST) / DAY);
  for (let day = firstDay; day <= lastDay; day++) {
    const dayStart = day * DAY - JST;
    const local = new Date(day * DAY);
    const month = local.getUTCMonth() + 1;
    const usable = model.functions.filter((f) => f.weight > 0 && (!f.months || f.months.includes(month)));
    if (usable.length === 0) continue;
    const n = poisson(rnd, model.usesPerDay * (model.weekdays[local.getUTCDay()] ?? 1));
    const starts: number[] = [];
    for (let i = 0; i < n; i++) {
      const hour = pick(rnd, HOURS, (i) => model.hours[i] ?? 0);
      starts.push(dayStart + hour * 3600_000 + Math.floor(rnd() * 3600_000));
    }
    starts.sort((a, b) => a - b);
    for (const start of starts) {
      if (start < cursor || start >= to.getTime()) continue;
      if (!changed && start >= changeAt && home.secondCard) {
        changed = true;
        yield { type: 'first-use', seq: ++seq, at: new Date(start - 60_000).toISOString(), card: { ...home.secondCard } };
      }
      const f = pick(rnd, usable, (x) => x.weight);
      const minutes = drawMinutes(rnd, f);
      const info = functionInfo(rnd, f);
      const seconds = Math.round(minutes * 60);
      if (f.periodic && seconds > 600) {
        let done = 0;
        let first = true;
        while (done < seconds) {
          const part = Math.min(600, seconds - done);
          done += part;
          const at = start + done * 1000;
          if (at >= to.getTime()) break;
          yield { type: 'usage', seq: ++seq, at: new Date(at).toISOString(), function: info, durationSec: part, ...(first ? {} : { continued: true }) };
          first = false;
        }
        cursor = start + seconds * 1000;
      } else {
        const at = Math.min(start + seconds * 1000, to.getTime() - 1);
        yield { type: 'usage', seq: ++seq, at: new Date(at).toISOString(), function: info, durationSec: seconds };
        cursor = at;
      }
    }
  }
}

// ---- a live fleet over MQTT or HTTP ----

export interface LiveFleetOptions {
  plan: FleetPlan;
  /** mqtt://host:port (MQTT) or http://host:port of the ingest surface (HTTP). */
  url: string;
  transport?: 'mqtt' | 'http';
  /**
   * 'max': every appliance keeps `window` records in flight, as fast as they are acknowledged
   * (the benchmark); a number: each appliance sends one record every that many seconds
   * (spread out), like appliances in use.
   */
  pace: 'max' | number;
  window?: number;
  /** How many appliances connect at once. */
  connectConcurrency?: number;
  /**
   * The appliances were registered before (their first-use records are stored): they start
   * unlocked and send usage at once. The broker-only benchmark uses it, where no server answers.
   */
  preRegistered?: boolean;
  /** The last seq the appliances used before (pre-registered runs after earlier ones must not reuse seqs). */
  lastSeq?: number;
  onProgress?: (stats: FleetStats) => void;
}

export interface FleetStats {
  connected: number;
  registered: number;
  sent: number;
  acknowledged: number;
  errors: number;
}

export interface LiveFleet {
  stats(): FleetStats;
  /** Starts sending usage (after every appliance registered). */
  go(): void;
  stop(): Promise<void>;
}

/**
 * Runs the fleet with the real SDK: each appliance connects with its own credentials,
 * registers its home's card (the first appliance of a home reads it, the others take it over
 * the home network), then sends usage records at the chosen pace.
 */
export async function startLiveFleet(options: LiveFleetOptions): Promise<LiveFleet> {
  const { plan } = options;
  const window = options.window ?? 5;
  const stats: FleetStats = { connected: 0, registered: 0, sent: 0, acknowledged: 0, errors: 0 };
  const homes = new Map<number, LocalHomeNetwork>();
  const devices: { device: Appliance; model: FleetModel; planned: PlannedAppliance; rnd: () => number }[] = [];
  let running = false;
  let stopped = false;
  for (const planned of plan.appliances) {
    const model = plan.models.find((m) => m.model === planned.model)!;
    let home = homes.get(planned.home);
    if (!home) homes.set(planned.home, (home = new LocalHomeNetwork()));
    const credentials = { manufacturingNumber: planned.manufacturingNumber, secret: planned.secret };
    const transport =
      options.transport === 'http'
        ? new HttpTransport(options.url, credentials, { window, pollSeconds: 300 })
        : new MqttTransport(options.url, credentials, { window, mqtt: { reconnectPeriod: 5000, keepalive: 300 } });
    const queue = new MemoryRecordQueue();
    if (options.preRegistered) {
      const card = plan.homes[planned.home]!.card;
      await queue.remember({ lastSeq: options.lastSeq ?? 1_000_000_000, registered: { cardNumber: card.number, customerNumber: '', seq: 1 } });
    }
    const device = new Appliance({ manufacturingNumber: planned.manufacturingNumber, functions: functionCodeList(model), transport, queue, home });
    device.on('record-error', () => stats.errors++);
    device.on('registered', () => stats.registered++);
    devices.push({ device, model, planned, rnd: seededRandom(plan.seed ^ devices.length) });
  }
  // Connect in waves, card readers first, so the home network has the card when the others start.
  const ordered = [...devices].sort((a, b) => Number(b.planned.readsCard) - Number(a.planned.readsCard));
  const concurrency = options.connectConcurrency ?? 200;
  for (let i = 0; i < ordered.length; i += concurrency) {
    await Promise.all(
      ordered.slice(i, i + concurrency).map(async ({ device, planned }) => {
        await device.start();
        stats.connected++;
        if (device.locked && device.state !== 'registering') {
          if (planned.readsCard) await device.readCard(plan.homes[planned.home]!.card);
          else if (!(await device.takeCardFromHome())) await device.readCard(plan.homes[planned.home]!.card);
        }
      }),
    );
    options.onProgress?.(stats);
  }

  const usable = (model: FleetModel) => model.functions.filter((f) => f.weight > 0);
  const one = async (d: (typeof devices)[number]) => {
    const f = pick(d.rnd, usable(d.model), (x) => x.weight);
    const additional = f.additional ? { code: f.additional.code, value: f.additional.min + Math.floor(d.rnd() * (f.additional.max - f.additional.min + 1)) } : undefined;
    await d.device.use(f.code, { ...(additional ? { additional } : {}), durationSec: Math.round(drawMinutes(d.rnd, f) * 60) });
    stats.sent++;
  };
  const loop = async (d: (typeof devices)[number]) => {
    if (d.device.locked) await new Promise<void>((resolve) => d.device.once('registered', () => resolve()));
    if (options.pace === 'max') {
      while (running) {
        for (let k = 0; k < window; k++) await one(d);
        await new Promise<void>((resolve) => (d.device.queued === 0 ? resolve() : d.device.once('drained', () => resolve())));
        stats.acknowledged += window;
      }
    } else {
      const every = options.pace * 1000;
      await new Promise((r) => setTimeout(r, d.rnd() * every));
      while (running) {
        const started = Date.now();
        await one(d);
        await new Promise<void>((resolve) => (d.device.queued === 0 ? resolve() : d.device.once('drained', () => resolve())));
        stats.acknowledged++;
        await new Promise((r) => setTimeout(r, Math.max(0, every - (Date.now() - started))));
      }
    }
  };
  const loops: Promise<void>[] = [];
  return {
    stats: () => ({ ...stats }),
    go: () => {
      if (running || stopped) return;
      running = true;
      for (const d of devices) loops.push(loop(d).catch(() => undefined));
    },
    stop: async () => {
      stopped = true;
      running = false;
      await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 10_000))]);
      await Promise.all(devices.map((d) => d.device.stop().catch(() => undefined)));
    },
  };
}
