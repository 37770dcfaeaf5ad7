import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.js';
import { CLI_ACTOR } from '../../src/platform/auth/principal.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';

/**
 * Drives the messaging pages of the built staff console (web/console/dist) in a real Chromium
 * against a real server and a real SMTP sink: a sales person writes a template, previews it,
 * builds a segment, sends a one-off campaign, watches it finish and finds it in the send log.
 * The tests run in order and share one logged-in page.
 *
 * CLIENTELE_E2E_SCREENSHOTS=/some/dir keeps a screenshot of each step at 1280 and 390 px.
 */

const DIST_INDEX = fileURLToPath(new URL('../../web/console/dist/index.html', import.meta.url));
const PASSWORD = 'e2e-password-0123456789';
const CITY = '試験市';
const SHOTS = process.env.CLIENTELE_E2E_SCREENSHOTS;

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

describe('messaging in the staff console (browser)', () => {
  let server: TestServer | undefined;
  let sink: SmtpSink | undefined;
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  const customers: { customerNumber: string; name: string; email: string; consent: boolean }[] = [];

  const url = (p: string) => new URL(p, server!.consoleUrl).toString();

  const screenshotOnFailure = (name: string) =>
    onTestFailed(async () => {
      const file = path.join(tmpdir(), `clientele-e2e-messaging-${name}-${Date.now()}.png`);
      await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      console.error(`messaging e2e: screenshot of the failure in ${file}`);
    });

  /** With CLIENTELE_E2E_SCREENSHOTS set, the page now at desktop width and on a phone. */
  const shoot = async (name: string) => {
    if (!SHOTS) return;
    const size = page.viewportSize();
    await page.screenshot({ path: path.join(SHOTS, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
    if (size) await page.setViewportSize(size);
  };

  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  beforeAll(async () => {
    if (!existsSync(DIST_INDEX)) throw new Error(`${DIST_INDEX} is missing: run npm run build:web first`);
    sink = await startSmtpSink();
    server = await startTestServer({ SMTP_URL: sink.url });
    await server.createStaff({ username: 'e2e-marketer', password: PASSWORD, role: 'sales' });
    const people = [
      { name: '試験 一郎', email: 'ichiro@example.jp', consent: true },
      { name: '試験 二郎', email: 'jiro@example.jp', consent: true },
      { name: '試験 三郎', email: 'saburo@example.jp', consent: false },
    ];
    for (const p of people) {
      const c = await server.services.customers.service.create(CLI_ACTOR, { name: p.name, email: p.email, city: CITY });
      if (p.consent) await server.services.customers.service.setConsent(CLI_ACTOR, Number(c.customerNumber), 'email', true, 'test');
      customers.push({ ...p, customerNumber: c.customerNumber });
    }
    browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sink?.close();
  }, 60_000);

  it('logs in as sales and opens Messaging from the header', async () => {
    screenshotOnFailure('login');
    await page.goto(url('/login'));
    await page.getByLabel('Username').fill('e2e-marketer');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('current-staff').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messaging' }).click();
    await page.waitForURL((u) => u.pathname === '/messaging');
    await page.getByTestId('campaigns-empty').waitFor();
    await shoot('campaigns-empty');
  }, 60_000);

  it('writes a template, shows a syntax error under its field, and previews it for a customer', async () => {
    screenshotOnFailure('template');
    await page.getByTestId('messaging-tab-templates').click();
    await page.getByTestId('new-template').click();
    await page.waitForURL((u) => u.pathname === '/messaging/templates/new');
    await page.getByLabel('Name').fill('秋のご案内');
    await page.getByLabel('Subject').fill('{{customer.name}} 様へのお知らせ');
    await page.getByLabel('Text', { exact: true }).fill('{{customer.name}} 様\nいつもありがとうございます。\n{{unsubscribeUrl}}');
    await page.getByLabel('HTML').fill('<p><strong>{{customer.name}}</strong> 様</p><p>秋の新商品のご案内です。</p>');
    await page.getByTestId('save-template').click();
    await page.waitForURL((u) => /^\/messaging\/templates\/\d+$/.test(u.pathname));

    // A broken placeholder comes back as a 400 naming the field; it is shown under that field.
    const subject = page.getByLabel('Subject');
    await subject.fill('{{#customer.name}} 様へ');
    await page.getByTestId('save-template').click();
    await expect.poll(() => page.getByTestId('field-error-subject').textContent()).toContain('not a valid template');
    expect(await subject.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    expect(await subject.inputValue()).toBe('{{customer.name}} 様へのお知らせ');
    expect(await page.getByTestId('field-error-subject').count()).toBe(0);

    const ichiro = customers[0]!;
    await page.getByTestId('preview-customer').fill(ichiro.customerNumber);
    await page.getByTestId('preview-button').click();
    await expect.poll(() => page.getByTestId('preview-subject').textContent()).toBe(`${ichiro.name} 様へのお知らせ`);
    expect(await page.getByTestId('preview-text').textContent()).toContain(`${ichiro.name} 様`);
    expect(await page.getByTestId('preview-consent').textContent()).toBe('Consents to e-mail');
    const html = page.frameLocator('[data-testid="preview-html"]').locator('strong');
    expect(await html.textContent()).toBe(ichiro.name);

    const saburo = customers[2]!;
    await page.getByTestId('preview-customer').fill(saburo.customerNumber);
    await page.getByTestId('preview-button').click();
    await expect.poll(() => page.getByTestId('preview-subject').textContent()).toBe(`${saburo.name} 様へのお知らせ`);
    expect(await page.getByTestId('preview-consent').textContent()).toBe('No e-mail consent');
    await shoot('template');
    if (SHOTS) await page.getByTestId('template-preview').screenshot({ path: path.join(SHOTS, 'template-preview.png') });
  }, 60_000);

  it('builds a segment with a live count and saves it', async () => {
    screenshotOnFailure('segment');
    await page.getByTestId('messaging-tab-segments').click();
    await page.getByTestId('new-segment').click();
    await page.waitForURL((u) => u.pathname === '/messaging/segments/new');
    await page.getByLabel('Name').fill(`${CITY}の皆さま`);
    // No criteria yet: everyone (the three customers) is counted.
    await expect.poll(() => page.getByTestId('live-count').getAttribute('data-count')).toBe('3');

    await page.getByTestId('add-criterion').click();
    const row = page.getByTestId('criterion-row');
    await row.getByLabel('Criterion').selectOption({ label: 'Personal attribute' });
    await row.getByLabel('Field').selectOption({ label: 'City' });
    await row.getByLabel('Condition').selectOption({ label: 'equals' });
    await row.getByLabel('Value').fill('どこでもない市');
    await expect.poll(() => page.getByTestId('live-count').getAttribute('data-count')).toBe('0');
    await row.getByLabel('Value').fill(CITY);
    await expect.poll(() => page.getByTestId('live-count').getAttribute('data-count')).toBe('3');
    expect(await page.getByTestId('live-count').textContent()).toMatch(/3 customers · computed in \d+ ms/);
    expect(await page.getByTestId('sample-customer').allTextContents()).toEqual(customers.map((c) => c.customerNumber));

    // "not" turns it around.
    await row.getByTestId('criterion-negate').check();
    await expect.poll(() => page.getByTestId('live-count').getAttribute('data-count')).toBe('0');
    await row.getByTestId('criterion-negate').uncheck();
    await expect.poll(() => page.getByTestId('live-count').getAttribute('data-count')).toBe('3');

    await shoot('segment');
    await page.getByTestId('save-segment').click();
    await page.waitForURL((u) => /^\/messaging\/segments\/\d+$/.test(u.pathname));
    await page.getByText('All changes saved').waitFor();
  }, 60_000);

  it('creates a one-off campaign, starts it and shows its progress until done', async () => {
    screenshotOnFailure('campaign');
    await page.getByTestId('messaging-tab-campaigns').click();
    await page.getByTestId('new-campaign').click();
    await page.waitForURL((u) => u.pathname === '/messaging/campaigns/new');
    await page.getByLabel('Name').fill('秋のキャンペーン');
    await page.getByLabel('Template').selectOption({ label: '秋のご案内 (E-mail)' });
    await page.getByLabel('One-off').check();
    await page.getByLabel('Segment').selectOption({ label: `${CITY}の皆さま` });
    await page.getByTestId('campaign-segment-size').waitFor();
    await shoot('campaign-new');
    await page.getByTestId('create-campaign').click();
    await page.waitForURL((u) => /^\/messaging\/campaigns\/\d+$/.test(u.pathname));
    const campaign = page.getByTestId('campaign-page');
    await expect.poll(() => campaign.getAttribute('data-status')).toBe('draft');

    await page.getByTestId('campaign-start').click();
    const dialog = page.getByTestId('start-dialog');
    await dialog.waitFor();
    await page.getByTestId('confirm-start').click();

    // The page polls while sending; it ends done with two sent and one skipped (no consent).
    await expect.poll(() => campaign.getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    const run = page.getByTestId('run').first();
    await expect.poll(() => run.getAttribute('data-status')).toBe('done');
    await expect.poll(() => run.getByTestId('progress-sent').getAttribute('data-value')).toBe('2');
    expect(await run.getByTestId('progress-skipped').getAttribute('data-value')).toBe('1');
    expect(await run.getByTestId('progress-failed').getAttribute('data-value')).toBe('0');
    expect(await run.getByTestId('run-summary').textContent()).toContain('3 of 3 processed');
    expect(await page.getByTestId('campaign-start').count()).toBe(0);

    const mails = await sink!.waitFor(2);
    expect(mails).toHaveLength(2);
    const recipients = mails.map((m) => JSON.stringify(m.to)).join(' ');
    expect(recipients).toContain(customers[0]!.email);
    expect(recipients).toContain(customers[1]!.email);
    expect(recipients).not.toContain(customers[2]!.email);
    expect(mails.map((m) => m.subject).sort()).toEqual([customers[0]!, customers[1]!].map((c) => `${c.name} 様へのお知らせ`).sort());
    await shoot('campaign-done');
  }, 60_000);

  it('lists the messages in the send log, filtered by the URL', async () => {
    screenshotOnFailure('send-log');
    await page.getByTestId('messaging-tab-sendLog').click();
    await page.waitForURL((u) => u.pathname === '/messaging/send-log');
    const rows = page.getByTestId('send-log-row');
    await expect.poll(() => rows.count()).toBe(3);
    expect((await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-status')))).sort()).toEqual([
      'sent',
      'sent',
      'skipped_no_consent',
    ]);
    await shoot('send-log');

    await page.getByTestId('filter-status').selectOption('sent');
    await page.waitForURL((u) => u.searchParams.get('status') === 'sent');
    await expect.poll(() => rows.count()).toBe(2);

    // A link with ?customerNumber= (as from a customer's page) shows that customer's messages.
    const jiro = customers[1]!;
    await page.goto(url(`/messaging/send-log?customerNumber=${jiro.customerNumber}`));
    await expect.poll(() => page.getByTestId('send-log').getAttribute('data-filters')).toContain(jiro.customerNumber);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-customer-number')).toBe(jiro.customerNumber);
    expect(await page.getByTestId('filter-customer').inputValue()).toBe(jiro.customerNumber);
  }, 60_000);

  it('fits a 390 px wide phone without horizontal scrolling', async () => {
    screenshotOnFailure('phone');
    await page.setViewportSize({ width: 390, height: 844 });
    for (const p of ['/messaging', '/messaging/templates/1', '/messaging/segments/1', '/messaging/campaigns/1', '/messaging/send-log']) {
      await page.goto(url(p));
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      expect(await overflow(), p).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);
});
