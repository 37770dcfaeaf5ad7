import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MessageChannel } from './messaging.tables.js';

/**
 * Unsubscribe links carry `<sendLogId>.<customerId>.<channel>.<signature>`: signed, so nobody
 * can withdraw someone else's consent by guessing numbers, and without expiry, because an
 * unsubscribe link in an old mail must keep working.
 */
export function signUnsubscribe(secret: Buffer, sendLogId: number, customerId: number, channel: MessageChannel): string {
  const payload = `${sendLogId}.${customerId}.${channel}`;
  const signature = createHmac('sha256', secret).update(payload).digest('base64url').slice(0, 32);
  return `${payload}.${signature}`;
}

export function verifyUnsubscribe(
  secret: Buffer,
  token: string,
): { sendLogId: number; customerId: number; channel: MessageChannel } | null {
  const m = /^(\d{1,15})\.(\d{1,15})\.(email|postal_mail)\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return null;
  const expected = signUnsubscribe(secret, Number(m[1]), Number(m[2]), m[3] as MessageChannel).split('.').pop()!;
  const a = Buffer.from(expected);
  const b = Buffer.from(m[4]!);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  return { sendLogId: Number(m[1]), customerId: Number(m[2]), channel: m[3] as MessageChannel };
}
