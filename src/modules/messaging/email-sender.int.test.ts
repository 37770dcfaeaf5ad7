import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../../test/helpers/smtp.js';
import { EmailSender, SendError } from './email-sender.js';
import { dotStuffed } from './smtp-pipeline.js';

const mail = (i: number) => ({
  to: `hanako${i}@example.jp`,
  subject: `花子${i} 様へのお知らせ`,
  text: `花子${i} 様\n.先頭がドットの行\n..two dots\nいつもありがとうございます。\n`,
  html: `<p>花子${i} 様</p>`,
  messageId: `<m${i}.${i}@clientele>`,
  headers: { 'List-Unsubscribe': `<https://portal.example.jp/u/${i}.1.email.x>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
});

describe('sending over SMTP', () => {
  let sink: SmtpSink;
  let plain: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    plain = await startSmtpSink({ pipelining: false });
  });
  afterAll(async () => {
    await sink.close();
    await plain.close();
  });

  it('delivers many messages at once over a few pipelined connections, intact', async () => {
    const sender = new EmailSender({ smtpUrl: sink.url, from: 'ショップ <shop@example.jp>', connections: 3, dataDir: '/nonexistent' });
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => sender.send(mail(i))));
      const got = await sink.waitFor(40);
      const m = got.find((x) => x.messageId === '<m7.7@clientele>')!;
      expect(m.subject).toBe('花子7 様へのお知らせ');
      expect(m.from?.value[0]).toEqual({ address: 'shop@example.jp', name: 'ショップ' });
      expect(m.text).toBe('花子7 様\n.先頭がドットの行\n..two dots\nいつもありがとうございます。\n');
      expect(m.html).toContain('<p>花子7 様</p>');
      const header = (name: string) => m.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
      expect(header('list-unsubscribe')).toBe('<https://portal.example.jp/u/7.1.email.x>');
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(new Set(got.map((x) => x.messageId)).size).toBe(40);
    } finally {
      sender.close();
    }
  });

  it('tells temporary refusals (4xx) from permanent ones (5xx), and keeps sending after either', async () => {
    const sender = new EmailSender({ smtpUrl: sink.url, from: 'shop@example.jp', connections: 1, dataDir: '/nonexistent' });
    try {
      const before = sink.messages.length;
      sink.failNext(1, 451);
      await expect(sender.send(mail(100))).rejects.toMatchObject({ temporary: true });
      sink.failNext(1, 550);
      const refused = await sender.send(mail(101)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SendError);
      expect(refused).toMatchObject({ temporary: false });
      await sender.send(mail(102));
      expect(sink.messages.length).toBe(before + 1);
      expect(sink.messages.at(-1)!.messageId).toBe('<m102.102@clientele>');
    } finally {
      sender.close();
    }
  });

  it('hands a recipient with a non-ASCII address to nodemailer, which negotiates SMTPUTF8', async () => {
    const sender = new EmailSender({ smtpUrl: sink.url, from: 'shop@example.jp', connections: 2, dataDir: '/nonexistent' });
    try {
      const before = sink.messages.length;
      await Promise.all([sender.send({ ...mail(200), to: 'はなこ@example.jp' }), sender.send(mail(201))]);
      const got = (await sink.waitFor(before + 2)).slice(before);
      expect(got.map((m) => m.to && JSON.stringify(m.to)).join(' ')).toContain('はなこ@example.jp');
      expect(got.map((m) => m.messageId).sort()).toEqual(['<m200.200@clientele>', '<m201.201@clientele>']);
    } finally {
      sender.close();
    }
  });

  it('falls back to nodemailer for a server without PIPELINING', async () => {
    const sender = new EmailSender({ smtpUrl: plain.url, from: 'shop@example.jp', connections: 2, dataDir: '/nonexistent' });
    try {
      await Promise.all([0, 1, 2].map((i) => sender.send(mail(i))));
      const got = await plain.waitFor(3);
      expect(got.map((m) => m.subject).sort()).toEqual(['花子0 様へのお知らせ', '花子1 様へのお知らせ', '花子2 様へのお知らせ']);
      expect(got[0]!.text).toContain('.先頭がドットの行\n..two dots');
    } finally {
      sender.close();
    }
  });
});

describe('dot-stuffing', () => {
  it('doubles dots that start a line and ends the message with CRLF.CRLF', () => {
    expect(dotStuffed(Buffer.from('.a\r\nb\r\n.c')).toString()).toBe('..a\r\nb\r\n..c\r\n.\r\n');
    expect(dotStuffed(Buffer.from('x\r\n')).toString()).toBe('x\r\n.\r\n');
  });
});
