import { CHANNEL_LABELS, FIELD_LABELS } from '../../format';
import type { JsonSchema } from '../../messaging-api';

/**
 * Criteria describe their parameters with JSON Schema; the builder turns each property into an
 * input: constants into a select, integers into a number input, lists of strings into
 * comma-separated text, and "a string or a list of strings" into text that becomes a list when it
 * holds commas. What a person types is kept as text (`Raw`) and converted when counting or saving.
 */

export type ParamInput =
  | { kind: 'select'; options: { value: unknown; label: string }[] }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'list' }
  | { kind: 'textOrList' }
  | { kind: 'text'; maxLength?: number };

export interface ParamSpec {
  name: string;
  label: string;
  required: boolean;
  input: ParamInput;
  hint?: string;
}

export type Raw = Record<string, string>;

const PARAM_LABELS: Record<string, string> = {
  field: 'Field',
  op: 'Condition',
  value: 'Value',
  channel: 'Channel',
  min: 'Minimum',
  max: 'Maximum',
  ranks: 'Ranks',
  days: 'Days',
  withinDays: 'Within (days)',
  campaignId: 'Campaign no.',
};

const OPTION_LABELS: Record<string, Record<string, string>> = {
  op: { eq: 'equals', prefix: 'starts with', contains: 'contains', in: 'is one of', present: 'is filled in' },
  channel: CHANNEL_LABELS,
  field: FIELD_LABELS,
};

/** `withinDays` → `Within days`. */
const humanize = (name: string) => {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);
const isStringList = (s: JsonSchema) => typesOf(s).includes('array') && (!s.items || typesOf(s.items).includes('string') || s.items.anyOf !== undefined);

function inputOf(name: string, s: JsonSchema): ParamInput {
  const optionLabel = (v: unknown) => OPTION_LABELS[name]?.[String(v)] ?? String(v);
  const choices = s.enum ?? (s.anyOf ?? s.oneOf)?.map((alt) => (alt.const !== undefined ? alt.const : alt.enum?.length === 1 ? alt.enum[0] : undefined));
  if (choices && choices.length > 0 && choices.every((c) => c !== undefined)) {
    return { kind: 'select', options: choices.map((value) => ({ value, label: optionLabel(value) })) };
  }
  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const hasString = alts.some((a) => typesOf(a).includes('string'));
    const hasList = alts.some(isStringList);
    if (hasString && hasList) return { kind: 'textOrList' };
    if (hasList) return { kind: 'list' };
    const numeric = alts.find((a) => typesOf(a).includes('integer') || typesOf(a).includes('number'));
    if (!hasString && numeric) return inputOf(name, numeric);
    return { kind: 'text' };
  }
  const types = typesOf(s);
  if (types.includes('integer')) return { kind: 'integer', min: s.minimum, max: s.maximum };
  if (types.includes('number')) return { kind: 'number', min: s.minimum, max: s.maximum };
  if (types.includes('boolean')) return { kind: 'boolean' };
  if (isStringList(s)) return { kind: 'list' };
  return { kind: 'text', maxLength: s.maxLength };
}

/** The inputs of a criterion, in the order its schema lists them. */
export function paramSpecs(schema: JsonSchema | undefined): ParamSpec[] {
  const properties = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  return Object.entries(properties).map(([name, s]) => {
    const input = inputOf(name, s);
    const hint =
      s.description ??
      (input.kind === 'list' || input.kind === 'textOrList'
        ? input.kind === 'list'
          ? 'Separate several with commas'
          : 'Several? Separate them with commas'
        : undefined);
    return { name, label: s.title ?? PARAM_LABELS[name] ?? humanize(name), required: required.has(name), input, ...(hint ? { hint } : {}) };
  });
}

/** Starting values: a required choice starts at its first option, and schema defaults are used. */
export function defaultRaw(specs: ParamSpec[], schema: JsonSchema | undefined): Raw {
  const raw: Raw = {};
  for (const spec of specs) {
    const d = schema?.properties?.[spec.name]?.default;
    if (d !== undefined) raw[spec.name] = Array.isArray(d) ? d.join(', ') : String(d);
    else if (spec.required && spec.input.kind === 'select') raw[spec.name] = String(spec.input.options[0]?.value ?? '');
    else raw[spec.name] = '';
  }
  return raw;
}

/** Saved parameters back into text for the inputs. */
export function rawOf(params: Record<string, unknown> | undefined): Raw {
  const raw: Raw = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    raw[k] = Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '' : String(v);
  }
  return raw;
}

const splitList = (text: string) =>
  text
    .split(/[,、，]/)
    .map((x) => x.trim())
    .filter(Boolean);

export interface Converted {
  params: Record<string, unknown>;
  /** Problems found before asking the server, by parameter. */
  problems: Record<string, string>;
}

/** The text of the inputs as the criterion's parameters; empty optional ones are left out. */
export function paramsOf(specs: ParamSpec[], raw: Raw): Converted {
  const params: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const spec of specs) {
    const text = (raw[spec.name] ?? '').trim();
    const input = spec.input;
    if (text === '' || (input.kind === 'boolean' && text !== 'true')) {
      if (input.kind === 'boolean') {
        if (spec.required) params[spec.name] = false;
      } else if (spec.required) problems[spec.name] = 'Required';
      continue;
    }
    switch (input.kind) {
      case 'select': {
        const option = input.options.find((o) => String(o.value) === text);
        if (option) params[spec.name] = option.value;
        else problems[spec.name] = 'Choose one of the options';
        break;
      }
      case 'integer':
      case 'number': {
        const n = Number(text.replace(/[０-９]/g, (c) => String(c.charCodeAt(0) - 0xff10)));
        if (!Number.isFinite(n) || (input.kind === 'integer' && !Number.isInteger(n))) problems[spec.name] = 'Enter a whole number';
        else if (input.min !== undefined && n < input.min) problems[spec.name] = `At least ${input.min}`;
        else if (input.max !== undefined && n > input.max) problems[spec.name] = `At most ${input.max}`;
        else params[spec.name] = n;
        break;
      }
      case 'boolean':
        params[spec.name] = true;
        break;
      case 'list': {
        const list = splitList(text);
        if (list.length) params[spec.name] = list;
        else if (spec.required) problems[spec.name] = 'Required';
        break;
      }
      case 'textOrList': {
        const list = splitList(text);
        if (list.length > 1) params[spec.name] = list;
        else if (list.length === 1) params[spec.name] = list[0];
        else if (spec.required) problems[spec.name] = 'Required';
        break;
      }
      default:
        params[spec.name] = text;
    }
  }
  return { params, problems };
}
