import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';

/** Registrations, a product page, the shipped-list upload and API keys, in a real Chromium. */

const DIST_INDEX = fileURLToPath(new URL('../../web/console/dist/index.html', import.meta.url));
const PASSWORD = 'e2e-password-0123456789';

describe('registrations and API keys in the console (browser)', () => {
  let server: TestServer;
  let browser: LaunchedBrowser;
  let page: Page;
  let owner: string;
  let registrationNo: string;
  const url = (p: string) => new URL(p, server.consoleUrl).toString();

  beforeAll(async () => {
    if (!existsSync(DIST_INDEX)) throw new Error(`${DIST_INDEX} is missing: run npm run build:web first`);
    server = await startTestServer();
    await server.createStaff({ username: 'e2e-admin', password: PASSWORD, role: 'admin' });
    const res = await fetch(`${server.urls.portal}/api/registrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: {
          name: '登録 花子',
          nameReading: 'とうろく はなこ',
          postalCode: '100-0001',
          prefecture: '東京都',
          city: '千代田区',
          addressLine1: '1-1-1',
          phone: '03-1234-5678',
          email: 'hanako@example.jp',
        },
        password: 'secret-pass',
        products: [
          { serial: 'PC123', maker: 'Lenovo', model: 'ThinkPad X1', category: 'pc' },
          { serial: 'PR456', maker: 'Canon', model: 'PIXMA', category: 'printer', parentSerial: 'PC123' },
        ],
      }),
    });
    expect(res.status).toBe(201);
    const registered = (await res.json()) as { customerNumber: string; registrationNoFormatted: string };
    owner = registered.customerNumber;
    registrationNo = registered.registrationNoFormatted;
    const store = await server.services.organisations.create('stores', { code: 'shibuya', name: 'Shibuya' });
    await server.createStaff({ username: 'e2e-store', password: PASSWORD, role: 'store', storeId: store.id });
    browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15_000);
    await page.goto(url('/login'));
    await page.getByLabel('Username').fill('e2e-admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.getByTestId('current-staff').waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, 60_000);

  it('lists registrations by category and opens a product with its PC and owner', async () => {
    await page.getByRole('link', { name: 'Registrations' }).click();
    await page.getByTestId('category-chart').waitFor();
    await page.getByLabel('Category', { exact: true }).selectOption('printer');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/category=printer/);
    const table = page.getByTestId('products');
    await expect.poll(() => table.innerText()).toContain('PR456');
    expect(await table.getByRole('link', { name: 'PC123', exact: true }).count()).toBe(0);
    await table.getByRole('link', { name: 'PR456' }).click();
    await page.getByTestId('parent-link').waitFor();
    expect(await page.getByTestId('parent-link').innerText()).toBe('PC123');
    await page.getByTestId('owner-link').click();
    await page.waitForURL(new RegExp(`/customers/${owner}$`));
    const products = page.getByTestId('customer-products');
    await expect.poll(() => products.innerText()).toContain('PR456');
    expect(await products.innerText()).toContain('PC123');
  });

  it('uploads the shipped list with a result summary', async () => {
    await page.goto(url('/registrations'));
    await page.getByTestId('shipped-file').setInputFiles({
      name: 'shipped.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('maker,model,serial,category,ship_date\nLenovo,ThinkPad X1,PC999,pc,2026-10-01\nX,,BAD,pc,\n'),
    });
    const result = page.getByTestId('shipped-result');
    await result.waitFor();
    expect(await result.innerText()).toMatch(/1 inserted, 0 updated, 1 rejected/);
    expect((await server.services.registration.shipped.stats()).count).toBe(1);
  });

  it('creates an API key and shows it once', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Kind').selectOption('tracker');
    await page.getByLabel('Label').fill('Shop site');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByTestId('new-key').innerText();
    expect(key).toMatch(/^clk_[a-z0-9]{12}\.[A-Za-z0-9_-]{43}$/);
    expect(await server.services.access.resolveApiKey(key)).toMatchObject({ kind: 'tracker' });
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await expect.poll(() => page.getByTestId('keys').innerText()).toContain('Shop site');
    expect(await page.content()).not.toContain(key);
  });

  it('gives store staff an exact lookup instead of the customer base', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Username').fill('e2e-store');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.getByTestId('lookup-input').fill(registrationNo);
    await page.getByRole('button', { name: 'Look up' }).click();
    const result = page.getByTestId('lookup-result');
    await result.waitFor();
    expect(await result.innerText()).toContain('登録 花子');
    expect(await result.innerText()).not.toContain('hanako@example.jp');
    expect(await page.getByRole('link', { name: 'Registrations' }).count()).toBe(0);
  });
});
