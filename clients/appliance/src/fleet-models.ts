import type { FunctionCodeList } from './protocol.js';

/**
 * The models the simulator knows, each with its function code list (what the appliance
 * carries, FIG. 10), the manufacturer's tariff (what Clientele's catalog holds) and how
 * people use it during a day (what the simulation draws from).
 */
export interface FleetFunction {
  code: string;
  name: string;
  perUseYen: number;
  perMinuteYen: number;
  /** Share of this model's uses. */
  weight: number;
  /** Typical duration in minutes, and its spread (log-normal-ish). */
  minutes: number;
  spread: number;
  /** An additional code and the range of its parameter, e.g. W (kg) 3–8. */
  additional?: { code: string; min: number; max: number };
  /** Reported every 10 minutes while it runs ("continued" records), as long uses are (FIG. 11). */
  periodic?: boolean;
  /** Usable before registration. */
  basic?: boolean;
  /** Months (1–12) it is used in, e.g. cooling in summer. */
  months?: number[];
}

export interface FleetModel {
  model: string;
  productType: 'washer' | 'microwave' | 'dvd_recorder' | 'rice_cooker' | 'air_conditioner' | 'pc' | 'other';
  name: string;
  additionalCodes: { code: string; name: string; unit: string }[];
  monthlyBaseYen: number;
  discountThresholdMinutes: number | null;
  discountPercent: number;
  /** Uses per day on average. */
  usesPerDay: number;
  /** Relative likelihood of each hour of the day (Japan time) for a use to start. */
  hours: number[];
  /** Weekday factors, Sunday first. */
  weekdays: number[];
  functions: FleetFunction[];
}

const h = (peaks: [number, number][], base = 0.2): number[] => {
  const out = Array.from({ length: 24 }, () => base);
  for (const [hour, w] of peaks) out[hour] = (out[hour] ?? 0) + w;
  return out;
};

export const FLEET_MODELS: FleetModel[] = [
  {
    model: 'NW-700',
    productType: 'washer',
    name: 'ネットワーク洗濯乾燥機 NW-700',
    additionalCodes: [{ code: 'W', name: 'load', unit: 'kg' }],
    monthlyBaseYen: 1500,
    discountThresholdMinutes: 900,
    discountPercent: 10,
    usesPerDay: 0.9,
    hours: h([[6, 1.5], [7, 3], [8, 2.5], [9, 1.5], [19, 1.5], [20, 2.5], [21, 2]], 0.1),
    weekdays: [1.6, 0.8, 0.8, 0.9, 0.8, 0.9, 1.6],
    functions: [
      { code: 'A-00', name: '表示 Display', perUseYen: 0, perMinuteYen: 0, weight: 0, minutes: 0, spread: 0, basic: true },
      { code: 'A-01', name: '乾燥 Drying', perUseYen: 30, perMinuteYen: 3, weight: 3, minutes: 60, spread: 0.35, additional: { code: 'W', min: 2, max: 8 } },
      { code: 'A-02', name: '布団洗い Mattress wash', perUseYen: 100, perMinuteYen: 2, weight: 0.5, minutes: 75, spread: 0.2 },
      { code: 'A-11', name: '高速 High speed', perUseYen: 20, perMinuteYen: 1, weight: 4, minutes: 30, spread: 0.15, additional: { code: 'W', min: 1, max: 6 } },
      { code: 'A-12', name: '標準 Standard', perUseYen: 20, perMinuteYen: 1, weight: 5, minutes: 45, spread: 0.2, additional: { code: 'W', min: 2, max: 8 } },
    ],
  },
  {
    model: 'MW-20',
    productType: 'microwave',
    name: 'ネットワーク電子レンジ MW-20',
    additionalCodes: [{ code: 'P', name: 'power', unit: '×100 W' }],
    monthlyBaseYen: 500,
    discountThresholdMinutes: null,
    discountPercent: 0,
    usesPerDay: 2.5,
    hours: h([[7, 3], [8, 1.5], [12, 3], [13, 1], [18, 2.5], [19, 3], [22, 0.8]], 0.1),
    weekdays: [1.1, 1, 1, 1, 1, 1, 1.1],
    functions: [
      { code: 'B-00', name: '時計 Clock', perUseYen: 0, perMinuteYen: 0, weight: 0, minutes: 0, spread: 0, basic: true },
      { code: 'B-01', name: '温め Heat', perUseYen: 5, perMinuteYen: 2, weight: 8, minutes: 2, spread: 0.5, additional: { code: 'P', min: 5, max: 10 } },
      { code: 'B-02', name: 'グリル Grill', perUseYen: 10, perMinuteYen: 2, weight: 1.5, minutes: 15, spread: 0.4 },
      { code: 'B-03', name: '解凍 Defrost', perUseYen: 5, perMinuteYen: 1, weight: 1, minutes: 6, spread: 0.3 },
    ],
  },
  {
    model: 'DR-9',
    productType: 'dvd_recorder',
    name: 'ネットワークDVDレコーダー DR-9',
    additionalCodes: [{ code: 'R', name: 'recording', unit: 'min' }],
    monthlyBaseYen: 800,
    discountThresholdMinutes: 1800,
    discountPercent: 15,
    usesPerDay: 0.7,
    hours: h([[19, 1.5], [20, 3], [21, 3], [22, 2], [23, 1]], 0.15),
    weekdays: [1.5, 0.9, 0.9, 0.9, 0.9, 1.1, 1.5],
    functions: [
      { code: 'C-01', name: '録画 Record', perUseYen: 10, perMinuteYen: 0.5, weight: 2, minutes: 60, spread: 0.5, additional: { code: 'R', min: 30, max: 180 } },
      { code: 'C-02', name: '再生 Play', perUseYen: 10, perMinuteYen: 0.5, weight: 3, minutes: 75, spread: 0.5 },
      { code: 'C-03', name: 'ダビング Dub', perUseYen: 30, perMinuteYen: 0.5, weight: 0.5, minutes: 40, spread: 0.3 },
    ],
  },
  {
    model: 'RC-5',
    productType: 'rice_cooker',
    name: 'ネットワーク炊飯器 RC-5',
    additionalCodes: [{ code: 'G', name: 'amount', unit: 'go' }],
    monthlyBaseYen: 300,
    discountThresholdMinutes: null,
    discountPercent: 0,
    usesPerDay: 1.3,
    hours: h([[5, 2], [6, 3], [16, 2], [17, 3], [18, 1]], 0.05),
    weekdays: [1, 1, 1, 1, 1, 1, 1],
    functions: [
      { code: 'D-01', name: '炊飯 Cook', perUseYen: 10, perMinuteYen: 0.2, weight: 5, minutes: 50, spread: 0.1, additional: { code: 'G', min: 1, max: 5 } },
      { code: 'D-02', name: '保温 Keep warm', perUseYen: 0, perMinuteYen: 0.1, weight: 3, minutes: 180, spread: 0.5, periodic: true },
      { code: 'D-03', name: '早炊き Quick cook', perUseYen: 15, perMinuteYen: 0.2, weight: 1.5, minutes: 30, spread: 0.1, additional: { code: 'G', min: 1, max: 5 } },
    ],
  },
  {
    model: 'AC-25',
    productType: 'air_conditioner',
    name: 'ネットワークエアコン AC-25',
    additionalCodes: [{ code: 'T', name: 'set temperature', unit: '°C' }],
    monthlyBaseYen: 2000,
    discountThresholdMinutes: 6000,
    discountPercent: 20,
    usesPerDay: 1.4,
    hours: h([[7, 1.5], [12, 1], [13, 1.5], [14, 1.5], [18, 2], [19, 2.5], [20, 2], [22, 1.5]], 0.2),
    weekdays: [1.3, 1, 1, 1, 1, 1, 1.3],
    functions: [
      { code: 'E-01', name: '冷房 Cooling', perUseYen: 0, perMinuteYen: 0.3, weight: 5, minutes: 150, spread: 0.6, additional: { code: 'T', min: 24, max: 28 }, periodic: true, months: [6, 7, 8, 9] },
      { code: 'E-02', name: '暖房 Heating', perUseYen: 0, perMinuteYen: 0.4, weight: 5, minutes: 180, spread: 0.6, additional: { code: 'T', min: 20, max: 24 }, periodic: true, months: [11, 12, 1, 2, 3] },
      { code: 'E-03', name: '除湿 Dehumidify', perUseYen: 0, perMinuteYen: 0.25, weight: 2, minutes: 120, spread: 0.5, periodic: true, months: [5, 6, 7, 9, 10] },
    ],
  },
];

/** The function code list an appliance of this model carries (FIG. 10). */
export function functionCodeList(model: FleetModel): FunctionCodeList {
  return {
    model: model.model,
    functions: model.functions.map((f) => ({
      code: f.code,
      name: f.name,
      ...(f.additional ? { additional: model.additionalCodes.filter((a) => a.code === f.additional!.code) } : {}),
      ...(f.basic ? { basic: true } : {}),
    })),
  };
}

/** What Clientele's catalog holds for this model (`PUT /api/appliance-models/{model}`). */
export function catalogEntry(model: FleetModel) {
  return {
    model: model.model,
    productType: model.productType,
    name: model.name,
    additionalCodes: model.additionalCodes,
    basicFunctions: model.functions.filter((f) => f.basic).map((f) => f.code),
    monthlyBaseYen: model.monthlyBaseYen,
    discountThresholdMinutes: model.discountThresholdMinutes,
    discountPercent: model.discountPercent,
    functions: model.functions.map((f) => ({ code: f.code, name: f.name, perUseYen: f.perUseYen, perMinuteYen: f.perMinuteYen })),
  };
}
