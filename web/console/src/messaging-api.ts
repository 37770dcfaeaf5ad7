import { request as sharedRequest } from './api';
import type { ConsentChannel, Staff } from './types';

/**
 * The messaging part of the console API: templates, segments, campaigns and the send log.
 * Shapes follow the server's README ("Messaging") and /openapi.json.
 */

export type Channel = ConsentChannel;
export type CampaignKind = 'one_off' | 'scheduled' | 'recurring' | 'triggered';
export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'done' | 'cancelled';
export type RunStatus = 'preparing' | 'sending' | 'paused' | 'done' | 'cancelled';
export type SendStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'failed'
  | 'skipped_no_consent'
  | 'skipped_no_address'
  | 'bounced'
  | 'cancelled';

export interface Template {
  id: number;
  name: string;
  channel: Channel;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  qrUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateInput {
  name: string;
  channel: Channel;
  subject: string;
  bodyText: string;
  bodyHtml?: string | null;
  qrUrl?: string | null;
}

export interface TemplatePreview {
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  consent: Record<Channel, boolean>;
}

export interface CriterionUse {
  criterion: string;
  params?: Record<string, unknown>;
  negate?: boolean;
}

export interface SegmentDefinition {
  match: 'all' | 'any';
  criteria: CriterionUse[];
}

export interface Segment {
  id: number;
  name: string;
  definition: SegmentDefinition;
  createdAt?: string;
  updatedAt?: string;
}

export interface SegmentCount {
  count: number;
  ms: number;
  sample: string[];
}

/** The part of JSON Schema the criteria parameters use (TypeBox output). */
export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxLength?: number;
  title?: string;
  description?: string;
  default?: unknown;
}

export interface Criterion {
  name: string;
  label: string;
  description: string;
  module: string;
  params: JsonSchema;
}

export interface Campaign {
  id: number;
  name: string;
  templateId: number;
  segmentId: number | null;
  kind: CampaignKind;
  sendAt: string | null;
  cron: string | null;
  triggerName: string | null;
  status: CampaignStatus;
  createdBy?: string | null;
  createdAt: string;
  updatedAt?: string;
}

export interface CampaignInput {
  name: string;
  templateId: number;
  segmentId?: number | null;
  kind: CampaignKind;
  sendAt?: string | null;
  cron?: string | null;
  triggerName?: string | null;
}

export type RunProgress = Partial<Record<SendStatus, number>>;

export interface CampaignRun {
  id: number;
  campaignId?: number;
  runKey: string;
  status: RunStatus;
  total: number | null;
  segmentMs: number | null;
  startedAt: string;
  finishedAt: string | null;
  progress: RunProgress;
}

export interface CampaignDetail extends Campaign {
  runs: CampaignRun[];
}

export interface SendLogEntry {
  id: number;
  customerNumber: string;
  campaignId: number | null;
  runId: number | null;
  trigger: string | null;
  channel: Channel;
  status: SendStatus;
  recipient: string | null;
  subject: string | null;
  attempts: number;
  error: string | null;
  queuedAt: string;
  sentAt: string | null;
}

export interface SendLogQuery {
  customerNumber?: string;
  campaignId?: number;
  status?: string;
  channel?: string;
  before?: number;
  limit?: number;
}

/* ---- labels ---- */

export const CAMPAIGN_STATUSES: CampaignStatus[] = ['draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled'];

export const CAMPAIGN_STATUS_LABELS: Record<CampaignStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  done: 'Done',
  cancelled: 'Cancelled',
};

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  preparing: 'Preparing',
  sending: 'Sending',
  paused: 'Paused',
  done: 'Done',
  cancelled: 'Cancelled',
};

export const KIND_LABELS: Record<CampaignKind, string> = {
  one_off: 'One-off',
  scheduled: 'Scheduled',
  recurring: 'Recurring',
  triggered: 'Triggered',
};

export const SEND_STATUSES: SendStatus[] = [
  'queued',
  'sending',
  'sent',
  'failed',
  'skipped_no_consent',
  'skipped_no_address',
  'bounced',
  'cancelled',
];

export const SEND_STATUS_LABELS: Record<SendStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  skipped_no_consent: 'Skipped: no consent',
  skipped_no_address: 'Skipped: no address',
  bounced: 'Bounced',
  cancelled: 'Cancelled',
};

/** Messaging is for marketing staff: the API lets admins and sales in. */
export const canUseMessaging = (staff: Staff) => staff.role === 'admin' || staff.role === 'sales';

/* ---- requests ---- */

interface Options {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

/** The shared client's request; empty filter fields are left out of the query. */
function request<T>(method: string, path: string, opts: Options = {}): Promise<T> {
  const query = opts.query && Object.fromEntries(Object.entries(opts.query).filter(([, v]) => v !== undefined && v !== ''));
  return sharedRequest<T>(method, path, { ...opts, ...(query ? { query } : {}) });
}

const seg = (id: number | string) => encodeURIComponent(String(id));

export const messagingApi = {
  criteria: (signal?: AbortSignal) =>
    request<{ items: Criterion[]; contextProviders?: string[] }>('GET', '/api/messaging/criteria', { signal }),

  templates: (signal?: AbortSignal) => request<{ items: Template[] }>('GET', '/api/templates', { signal }),
  template: (id: number, signal?: AbortSignal) => request<Template>('GET', `/api/templates/${seg(id)}`, { signal }),
  createTemplate: (input: TemplateInput) => request<Template>('POST', '/api/templates', { body: input }),
  updateTemplate: (id: number, changes: Partial<Omit<TemplateInput, 'channel'>>) =>
    request<Template>('PATCH', `/api/templates/${seg(id)}`, { body: changes }),
  previewTemplate: (id: number, customerNumber: string, signal?: AbortSignal) =>
    request<TemplatePreview>('POST', `/api/templates/${seg(id)}/preview`, { body: { customerNumber }, signal }),

  segments: (signal?: AbortSignal) => request<{ items: Segment[] }>('GET', '/api/segments', { signal }),
  segment: (id: number, signal?: AbortSignal) => request<Segment>('GET', `/api/segments/${seg(id)}`, { signal }),
  createSegment: (name: string, definition: SegmentDefinition) =>
    request<Segment>('POST', '/api/segments', { body: { name, definition } }),
  updateSegment: (id: number, changes: { name?: string; definition?: SegmentDefinition }) =>
    request<Segment>('PATCH', `/api/segments/${seg(id)}`, { body: changes }),
  countSegment: (definition: SegmentDefinition, signal?: AbortSignal) =>
    request<SegmentCount>('POST', '/api/segments/count', { body: { definition }, signal }),

  campaigns: (signal?: AbortSignal) => request<{ items: Campaign[] }>('GET', '/api/campaigns', { signal }),
  campaign: (id: number, signal?: AbortSignal) => request<CampaignDetail>('GET', `/api/campaigns/${seg(id)}`, { signal }),
  createCampaign: (input: CampaignInput) => request<Campaign>('POST', '/api/campaigns', { body: input }),
  campaignAction: (id: number, action: 'start' | 'pause' | 'resume' | 'cancel') =>
    request<Campaign>('POST', `/api/campaigns/${seg(id)}/${action}`),

  sendLog: (q: SendLogQuery, signal?: AbortSignal) =>
    request<{ items: SendLogEntry[] }>('GET', '/api/send-log', {
      query: {
        customerNumber: q.customerNumber,
        campaignId: q.campaignId,
        status: q.status,
        channel: q.channel,
        before: q.before,
        limit: q.limit ?? 50,
      },
      signal,
    }),
};

export const printPdfUrl = (runId: number) => `/api/campaign-runs/${seg(runId)}/print.pdf`;

/* ---- paths ---- */

export const messagingPaths = {
  campaigns: '/messaging',
  newCampaign: '/messaging/campaigns/new',
  campaign: (id: number) => `/messaging/campaigns/${id}`,
  templates: '/messaging/templates',
  newTemplate: '/messaging/templates/new',
  template: (id: number) => `/messaging/templates/${id}`,
  segments: '/messaging/segments',
  newSegment: '/messaging/segments/new',
  segment: (id: number) => `/messaging/segments/${id}`,
  sendLog: (q: { customerNumber?: string; campaignId?: number | string; status?: string; channel?: string } = {}) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return `/messaging/send-log${qs ? `?${qs}` : ''}`;
  },
};
