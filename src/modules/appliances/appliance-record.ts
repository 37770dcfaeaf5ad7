/**
 * The transmission records appliances send (FIG. 3), as JSON on
 * `clientele/appliances/{manufacturingNumber}/records` or over HTTP:
 *
 *   first use  {"type":"first-use","seq":1,"at":"…","card":{"number":"123456","name":"…","address":"…","account":"22222"}}
 *   usage      {"type":"usage","seq":2,"at":"…","card":{"number":"123456"},"function":"A-01-W-05","durationSec":60}
 *
 * Optional extensions: `"continued": true` on a usage record that reports more time of the
 * use in progress (periodic reports while in use: time counts, the use is not counted again);
 * `card.sharedFrom` on a first-use record whose card info came from another appliance in the
 * home. Unknown fields are ignored so newer firmware keeps working.
 */

export type RecordErrorCode =
  | 'invalid_json'
  | 'invalid_record'
  | 'unknown_appliance'
  | 'unknown_function'
  | 'locked'
  | 'card_not_registered'
  | 'stale_first_use';

export interface RecordError {
  seq: number | null;
  code: RecordErrorCode;
  message: string;
  field?: string;
}

export interface CardInfo {
  number: string;
  name: string | null;
  address: string | null;
  account: string | null;
  sharedFrom: string | null;
}

export interface FirstUseRecord {
  type: 'first-use';
  seq: number;
  at: Date;
  card: CardInfo;
}

export interface UsageRecord {
  type: 'usage';
  seq: number;
  at: Date;
  cardNumber: string | null;
  /** 'A-01' */
  functionCode: string;
  /** 'W' of 'A-01-W-05' */
  paramCode: string | null;
  /** 5 of 'A-01-W-05' */
  paramValue: number | null;
  durationSec: number;
  continued: boolean;
}

export type ApplianceRecord = FirstUseRecord | UsageRecord;

export const MANUFACTURING_NUMBER = /^[A-Z0-9][A-Z0-9-]{0,63}$/;
export const FUNCTION_INFO = /^([A-Z]-[0-9]{2})(?:-([A-Z])-([0-9]{1,4}))?$/;
const CARD_NUMBER = /^[A-Z0-9-]{1,64}$/;
const ACCOUNT = /^[0-9A-Za-z -]{1,34}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_FUTURE_MS = 10 * 60_000;
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
const MAX_DURATION_SEC = 24 * 3600;

/** Manufacturing numbers and card numbers compare without spaces, upper-case (as identifiers do). */
export const canonicalNumber = (value: string): string => value.normalize('NFKC').replace(/\s+/g, '').toUpperCase();

export class RecordProblem extends Error {
  constructor(
    readonly code: RecordErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(obj: Record<string, unknown>, key: string, max: number, field: string): string | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new RecordProblem('invalid_record', `${field} must be a string`, field);
  const t = v.trim();
  if (t.length > max) throw new RecordProblem('invalid_record', `${field} must be at most ${max} characters`, field);
  if (CONTROL.test(t)) throw new RecordProblem('invalid_record', `${field} must not contain control characters`, field);
  return t || null;
}

function parseCard(v: unknown, required: boolean): CardInfo | null {
  if (v === undefined || v === null) {
    if (required) throw new RecordProblem('invalid_record', 'card is required on a first-use record', 'card');
    return null;
  }
  if (!isObject(v)) throw new RecordProblem('invalid_record', 'card must be an object', 'card');
  const raw = v.number;
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new RecordProblem('invalid_record', 'card.number is required', 'card.number');
  const number = canonicalNumber(String(raw));
  if (!CARD_NUMBER.test(number)) {
    throw new RecordProblem('invalid_record', 'card.number must be 1–64 letters, digits or hyphens', 'card.number');
  }
  const account = text(v, 'account', 34, 'card.account');
  if (account !== null && !ACCOUNT.test(account)) {
    throw new RecordProblem('invalid_record', 'card.account must be 1–34 letters, digits, spaces or hyphens', 'card.account');
  }
  const sharedFrom = text(v, 'sharedFrom', 64, 'card.sharedFrom');
  return {
    number,
    name: text(v, 'name', 100, 'card.name'),
    address: text(v, 'address', 200, 'card.address'),
    account,
    sharedFrom: sharedFrom === null ? null : canonicalNumber(sharedFrom),
  };
}

/** The seq of a payload if it has a usable one (to report errors against it). */
export function seqOf(payload: unknown): number | null {
  return isObject(payload) && Number.isSafeInteger(payload.seq) && (payload.seq as number) > 0 ? (payload.seq as number) : null;
}

/**
 * Validates one record. Throws RecordProblem naming the field. Catalog checks (is the
 * function in this model's list?) happen later, with the catalog at hand.
 */
export function parseRecord(payload: unknown, now = Date.now()): ApplianceRecord {
  if (!isObject(payload)) throw new RecordProblem('invalid_record', 'a record is a JSON object', '(root)');
  const seq = payload.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    throw new RecordProblem('invalid_record', 'seq must be a whole number ≥ 1', 'seq');
  }
  if (typeof payload.at !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(payload.at) || Number.isNaN(Date.parse(payload.at))) {
    throw new RecordProblem('invalid_record', 'at must be an ISO 8601 date and time', 'at');
  }
  const at = new Date(payload.at);
  if (at.getTime() > now + MAX_FUTURE_MS) throw new RecordProblem('invalid_record', 'at lies in the future (check the clock)', 'at');
  if (at.getTime() < EARLIEST) throw new RecordProblem('invalid_record', 'at is before 2000', 'at');
  if (payload.type === 'first-use') {
    return { type: 'first-use', seq, at, card: parseCard(payload.card, true)! };
  }
  if (payload.type !== 'usage') throw new RecordProblem('invalid_record', 'type must be "first-use" or "usage"', 'type');
  const fn = payload.function;
  const m = typeof fn === 'string' ? FUNCTION_INFO.exec(fn.trim().toUpperCase()) : null;
  if (!m) {
    throw new RecordProblem('invalid_record', 'function must look like A-01 or A-01-W-05 (function code, optional additional code)', 'function');
  }
  const d = payload.durationSec;
  if (d !== undefined && d !== null && (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_DURATION_SEC)) {
    throw new RecordProblem('invalid_record', `durationSec must be a whole number of seconds, 0–${MAX_DURATION_SEC}`, 'durationSec');
  }
  const continued = payload.continued;
  if (continued !== undefined && typeof continued !== 'boolean') {
    throw new RecordProblem('invalid_record', 'continued must be true or false', 'continued');
  }
  const card = parseCard(payload.card, false);
  return {
    type: 'usage',
    seq,
    at,
    cardNumber: card?.number ?? null,
    functionCode: m[1]!,
    paramCode: m[2] ?? null,
    paramValue: m[3] === undefined ? null : Number(m[3]),
    durationSec: typeof d === 'number' ? d : 0,
    continued: continued === true,
  };
}

/** JSON bytes from MQTT → a value, or a RecordProblem. */
export function decodePayload(bytes: Buffer | string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch {
    throw new RecordProblem('invalid_json', 'the payload is not valid JSON');
  }
}
