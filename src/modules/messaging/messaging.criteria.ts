import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { SegmentCriterion } from '../../platform/segments.js';

/** "Was sent X" as a segment criterion: the send log feeds later marketing (W-8). */
export const messageSent: SegmentCriterion<{ campaignId?: number; channel?: 'email' | 'postal_mail'; withinDays?: number }> = {
  name: 'message_sent',
  label: 'Was sent a message',
  description: 'Received a message (of a campaign, on a channel) within the last N days',
  module: 'messaging',
  params: Type.Object(
    {
      campaignId: Type.Optional(Type.Integer({ minimum: 1 })),
      channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('postal_mail')])),
      withinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    },
    { additionalProperties: false },
  ),
  toSql: ({ campaignId, channel, withinDays }) => sql<boolean>`c.id in (
    select sl.customer_id from send_log sl where sl.status = 'sent'
    ${campaignId ? sql`and sl.campaign_id = ${campaignId}` : sql``}
    ${channel ? sql`and sl.channel = ${channel}` : sql``}
    ${withinDays ? sql`and sl.sent_at >= now() - make_interval(days => ${withinDays})` : sql``})`,
};
