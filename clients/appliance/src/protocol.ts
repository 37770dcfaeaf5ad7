/**
 * The contract between an appliance and Clientele (see README.md). Kept free of any server
 * code so firmware teams can take this directory as it is.
 */

/** What the IC card reader reads: card number, name, address, account number. */
export interface IcCard {
  number: string;
  name?: string;
  address?: string;
  account?: string;
}

export interface FirstUseRecord {
  type: 'first-use';
  seq: number;
  at: string;
  card: { number: string; name?: string; address?: string; account?: string; sharedFrom?: string };
}

export interface UsageRecord {
  type: 'usage';
  seq: number;
  at: string;
  card?: { number: string };
  /** Function code, optionally with an additional code and parameter: "A-01" or "A-01-W-05". */
  function: string;
  durationSec?: number;
  /** A periodic report of the use in progress: its time counts, the use is not counted again. */
  continued?: boolean;
}

export type ApplianceRecord = FirstUseRecord | UsageRecord;

/** The longest time one usage record may carry; a longer use is reported periodically (`startUse`). */
export const MAX_DURATION_SEC = 24 * 3600;

/** `clientele/appliances/{manufacturingNumber}/state`, retained. */
export type ServerState = { state: 'locked' } | { state: 'registered'; customerNumber: string; seq?: number };

/** `clientele/appliances/{manufacturingNumber}/errors`: a record that was not stored. */
export interface RecordError {
  seq: number | null;
  code: string;
  message: string;
  field?: string;
}

/** One entry of a model's function code list (FIG. 10): a function and the additional codes it takes. */
export interface FunctionCode {
  code: string;
  name: string;
  /** e.g. [{ code: 'W', name: 'load', unit: 'kg' }] — "A-01-W-05" is drying with a 5 kg load. */
  additional?: { code: string; name: string; unit: string }[];
  /** Usable before the first-use record is acknowledged (A-2 "basic functions only"). */
  basic?: boolean;
}

export interface FunctionCodeList {
  model: string;
  functions: FunctionCode[];
}

export const recordsTopic = (mfg: string) => `clientele/appliances/${mfg}/records`;
export const stateTopic = (mfg: string) => `clientele/appliances/${mfg}/state`;
export const errorsTopic = (mfg: string) => `clientele/appliances/${mfg}/errors`;

/** "A-01" + { code: "W", value: 5 } → "A-01-W-05". */
export function functionInfo(list: FunctionCodeList, code: string, additional?: { code: string; value: number }): string {
  const fn = list.functions.find((f) => f.code === code);
  if (!fn) throw new Error(`${code} is not in the function code list of ${list.model}`);
  if (!additional) return code;
  if (!fn.additional?.some((a) => a.code === additional.code)) throw new Error(`${code} takes no additional code ${additional.code}`);
  if (!Number.isInteger(additional.value) || additional.value < 0 || additional.value > 9999) throw new Error('the additional value is a whole number 0–9999');
  return `${code}-${additional.code}-${String(additional.value).padStart(2, '0')}`;
}

export const canonicalCardNumber = (n: string) => n.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
