import type { ReactNode, Ref } from 'react';
import { ApiError } from '../../api';
import { CHANNEL_LABELS } from '../../format';
import {
  CAMPAIGN_STATUS_LABELS,
  RUN_STATUS_LABELS,
  SEND_STATUS_LABELS,
  type CampaignStatus,
  type Channel,
  type RunStatus,
  type SendStatus,
} from '../../messaging-api';

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return (
    <span className={`badge msg-status msg-status-${status}`} data-testid="campaign-status" data-status={status}>
      {CAMPAIGN_STATUS_LABELS[status] ?? status}
    </span>
  );
}

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge msg-status msg-status-${status}`} data-testid="run-status" data-status={status}>
      {RUN_STATUS_LABELS[status] ?? status}
    </span>
  );
}

export function SendStatusBadge({ status }: { status: SendStatus }) {
  return (
    <span className={`badge msg-send msg-send-${status}`} data-status={status}>
      {SEND_STATUS_LABELS[status] ?? status}
    </span>
  );
}

export function ChannelTag({ channel }: { channel: Channel }) {
  return (
    <span className={`msg-channel msg-channel-${channel}`}>{CHANNEL_LABELS[channel] ?? channel}</span>
  );
}

/** A page heading with an optional action on the right, as on the customer pages. */
export function SectionHead({ title, children, headingRef }: { title: ReactNode; children?: ReactNode; headingRef?: Ref<HTMLHeadingElement> }) {
  return (
    <div className="page-head">
      <h1 ref={headingRef} tabIndex={headingRef ? -1 : undefined}>
        {title}
      </h1>
      {children && <div className="msg-head-actions">{children}</div>}
    </div>
  );
}

export interface SplitErrors<F extends string> {
  byField: Partial<Record<F, string>>;
  /** The error to show above the buttons (null when every problem sits under its field). */
  general: unknown;
}

/**
 * Sorts the problems of a 400 answer under the form's fields (`subject`, `definition.name`…);
 * whatever does not belong to a field stays a general error.
 */
export function splitErrors<F extends string>(err: unknown, fields: readonly F[]): SplitErrors<F> {
  const byField: Partial<Record<F, string>> = {};
  const rest: string[] = [];
  if (err instanceof ApiError) {
    for (const p of err.fields) {
      const key = p.field.split(/[./]/).filter(Boolean).pop() ?? '';
      const f = (fields as readonly string[]).includes(key) ? (key as F) : null;
      if (f) byField[f] = byField[f] ? `${byField[f]}; ${p.message}` : p.message;
      else rest.push(`${p.field}: ${p.message}`);
    }
  }
  const anyField = Object.keys(byField).length > 0;
  if (!anyField) return { byField, general: err };
  return { byField, general: rest.length ? new Error(rest.join('; ')) : new Error('Please correct the marked fields.') };
}

export function FieldError({ id, message, testId }: { id: string; message: string | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error" data-testid={testId}>
      {message}
    </p>
  );
}

/** "3 customers", "1 customer". */
export const plural = (n: number, word: string, many = `${word}s`) => `${n.toLocaleString('en')} ${n === 1 ? word : many}`;
