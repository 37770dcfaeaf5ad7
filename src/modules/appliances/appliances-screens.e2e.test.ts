import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from '../../../test/e2e/browser.js';
import { startTestServer, type TestServer } from '../../../test/helpers/server.js';
import { addMonths, monthOf, monthStart } from './appliance-time.js';
import { addTestAppliances } from './appliances-test-kit.js';

/** The appliance screens of the console (web/console, /appliances) in a real Chromium. */

const PASSWORD = 'e2e-password-0123456789';

describe('the appliance analysis screen (browser)', () => {
  let server: TestServer;
  let browser: LaunchedBrowser;
  let page: Page;
  let customerNumber: string;

  beforeAll(async () => {
    server = await startTestServer();
    await server.createStaff({ username: 'e2e-sales', password: PASSWORD, role: 'sales' });
    const [washer] = await addTestAppliances(server.services, 1);
    const ingest = server.services.appliances.ingest;
    const month = addMonths(monthOf(new Date()), -1);
    const at = (day: number, hour: number) => new Date(monthStart(month).getTime() + ((day - 1) * 24 + hour) * 3600_000).toISOString();
    const first = await ingest.submit(washer!.manufacturingNumber, { type: 'first-use', seq: 1, at: at(1, 9), card: { number: 'E2E-CARD', name: '画面 太郎', address: '京都府京都市1-1' } });
    expect(first.status).toBe('stored');
    const outcomes = await ingest.submitMany(washer!.manufacturingNumber, [
      { type: 'usage', seq: 2, at: at(2, 20), function: 'A-01', durationSec: 1800 },
      { type: 'usage', seq: 3, at: at(3, 20), function: 'A-01', durationSec: 1850 },
      { type: 'usage', seq: 4, at: at(4, 21), function: 'A-01', durationSec: 600 },
      { type: 'usage', seq: 5, at: at(5, 7), function: 'A-11', durationSec: 2400 },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
    customerNumber = String((await server.services.customers.service.resolveIdentifier('member_card', 'E2E-CARD'))!);
    browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('logs in, picks a function and shows its duration histogram and hour-of-day chart', async () => {
    // Logging in on the way to the screens brings the person back to them.
    await page.goto(new URL('/appliances', server.consoleUrl).toString());
    await page.getByLabel('Username').fill('e2e-sales');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('current-staff').waitFor();
    await page.getByTestId('appliances').waitFor();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/appliances');
    await expect.poll(() => page.getByTestId('product-type').inputValue()).toBe('washer');
    await expect.poll(() => page.getByTestId('registered-customers').textContent()).toBe('1');

    await page.getByTestId('function').selectOption('A-01');
    await page.locator('[data-testid="analysis"][data-function="A-01"]').waitFor();
    const chart = page.getByTestId('duration-chart');
    await expect.poll(() => chart.locator('[data-testid="bar"][data-value="2"]').count()).toBe(1);
    // Two 30-minute dryings (bucket 30–35) and one of 10 minutes.
    expect(await chart.locator('[data-testid="bar"][data-value="2"]').getAttribute('aria-label')).toBe('30: 2');
    expect(await chart.locator('[data-testid="bar"][data-value="1"]').getAttribute('aria-label')).toBe('10: 1');
    const hours = page.getByTestId('hour-chart');
    expect(await hours.locator('[data-testid="bar"][data-value="2"]').getAttribute('aria-label')).toBe('20: 2');
    await expect.poll(() => page.getByRole('cell', { name: '京都府' }).count()).toBe(1);
  });

  it('shows a customer’s usage and charges, and the charge calculation of a month', async () => {
    const month = addMonths(monthOf(new Date()), -1).slice(0, 7);
    await page.goto(new URL(`/appliances/customers/${customerNumber}/${month}`, server.consoleUrl).toString());
    await expect.poll(() => page.getByRole('cell', { name: 'A-01 Drying' }).count()).toBe(1);
    // The Billing tab and a customer's bill, without leaving the page (the console's router).
    await page.getByRole('navigation', { name: 'Appliances' }).getByRole('link', { name: /Billing/ }).click();
    await page.getByLabel('Month', { exact: true }).fill(month);
    await expect.poll(() => page.getByTestId('month-status').textContent()).toContain('open');
    const holder = page.getByTestId('charges').getByRole('link', { name: /画面 太郎/ });
    await expect.poll(() => holder.count()).toBe(1);
    await holder.click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/appliances/billing/${month}/${customerNumber}`);
  });

  it('shows the customer’s appliances on the console’s customer page, linked to their usage', async () => {
    await page.goto(new URL(`/customers/${customerNumber}`, server.consoleUrl).toString());
    const card = page.getByTestId('customer-appliances');
    await expect.poll(() => card.getByRole('listitem').count()).toBe(1);
    await card.getByRole('link', { name: 'Usage and charges' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toContain(`/appliances/customers/${customerNumber}/`);
    await page.getByTestId('appliances').waitFor();
  });
});
