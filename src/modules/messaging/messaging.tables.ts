import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type MessageChannel = 'email' | 'postal_mail';
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

export interface MessageTemplatesTable {
  id: Generated<number>;
  name: string;
  channel: MessageChannel;
  subject: string;
  body_text: string;
  body_html: string | null;
  qr_url: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface SegmentsTable {
  id: Generated<number>;
  name: string;
  definition: JSONColumnType<SegmentDefinition, string, string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface SegmentDefinition {
  match: 'all' | 'any';
  criteria: { criterion: string; params?: Record<string, unknown>; negate?: boolean }[];
}

export interface CampaignsTable {
  id: Generated<number>;
  name: string;
  template_id: number;
  segment_id: number | null;
  kind: CampaignKind;
  send_at: Date | null;
  cron: string | null;
  trigger_name: string | null;
  status: ColumnType<CampaignStatus, CampaignStatus | undefined, CampaignStatus>;
  created_by: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CampaignRunsTable {
  id: Generated<number>;
  campaign_id: number;
  run_key: string;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  total: number | null;
  segment_ms: number | null;
  started_at: ColumnType<Date, never, never>;
  finished_at: Date | null;
}

export interface SendLogTable {
  id: Generated<number>;
  idempotency_key: string;
  campaign_id: number | null;
  run_id: number | null;
  trigger_name: string | null;
  customer_id: number;
  channel: MessageChannel;
  status: ColumnType<SendStatus, SendStatus | undefined, SendStatus>;
  recipient: string | null;
  subject: string | null;
  context: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  error: string | null;
  message_id: string | null;
  queued_at: ColumnType<Date, Date | undefined, never>;
  sent_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface MessagingTables {
  message_templates: MessageTemplatesTable;
  segments: SegmentsTable;
  campaigns: CampaignsTable;
  campaign_runs: CampaignRunsTable;
  send_log: SendLogTable;
}
