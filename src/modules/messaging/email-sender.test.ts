import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmailSender } from './email-sender.js';

describe('without an SMTP server', () => {
  it('writes each e-mail as an .eml file to the outbox, Japanese intact', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    const sender = new EmailSender({ smtpUrl: undefined, from: 'Shop <shop@example.jp>', connections: 1, dataDir });
    await sender.send({
      to: 'hanako@example.jp',
      subject: '花子 様へのお知らせ',
      text: '秋のセールです。',
      html: null,
      messageId: '<abc.1@clientele>',
      headers: { 'List-Unsubscribe': '<https://portal.example.jp/u/x>' },
    });
    const files = await readdir(path.join(dataDir, 'outbox'));
    expect(files).toEqual(['abc.1_clientele.eml']);
    const eml = await readFile(path.join(dataDir, 'outbox', files[0]!), 'utf8');
    expect(eml).toContain('To: hanako@example.jp');
    expect(eml).toContain('List-Unsubscribe: <https://portal.example.jp/u/x>');
    expect(eml).toMatch(/Subject: =\?UTF-8\?/);
    sender.close();
  });
});
