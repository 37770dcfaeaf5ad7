import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';

/** Registrations, a product page, the shipped-list upload and the admin pages, in a real Chromium. */

const DIST_INDEX = fileURLToPath(new URL('../../web/console/dist/index.html', import.meta.url));
const PASSWORD = 'e2e-password-0123456789';

describe('registrations and administration in the console (browser)', () => {
  let server: TestServer;
  let browser: LaunchedBrowser;
  let page: Page;
  let owner: string;
  let registrationNo: string;
  const url = (p: string) => new URL(p, server.consoleUrl).toString();

  const login = async (username: string) => {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.getByTestId('current-staff').waitFor();
  };

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
    await login('e2e-admin');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, 60_000);

  it('filters registrations by category and opens a product with its PC and owner', async () => {
    await page.getByRole('link', { name: 'Registrations', exact: true }).click();
    await page.getByTestId('category-chart').waitFor();
    expect(await page.getByTestId('registrations-total').innerText()).toBe('2');

    await page.getByLabel('Category', { exact: true }).selectOption('printer');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL(/[?&]category=printer/);
    const table = page.getByTestId('products');
    await expect.poll(() => table.getByTestId('product-row').count()).toBe(1);
    expect(await table.innerText()).toContain('PR456');
    expect(await table.getByRole('link', { name: 'PC123', exact: true }).count()).toBe(0);

    await table.getByRole('link', { name: 'PR456', exact: true }).click();
    await page.getByTestId('product-page').waitFor();
    await expect.poll(() => page.getByTestId('parent-link').count()).toBe(1);
    expect(await page.getByTestId('parent-link').innerText()).toBe('PC123');
    expect(await page.getByTestId('owner-link').innerText()).toContain(owner);

    // Back to the list keeps the filter (it lives in the URL).
    await page.goBack();
    await page.waitForURL(/[?&]category=printer/);
    expect(await page.getByLabel('Category', { exact: true }).inputValue()).toBe('printer');
    await page.goForward();

    await page.getByTestId('owner-link').click();
    await page.waitForURL(new RegExp(`/customers/${owner}$`));
    const products = page.getByTestId('customer-products');
    await expect.poll(() => products.getByTestId('product-row').count()).toBe(2);
    expect(await products.innerText()).toContain('PC123');
    expect(await products.innerText()).toContain('PR456');
  });

  it('uploads the shipped list and shows the rejected lines', async () => {
    await page.goto(url('/registrations'));
    // Enough rows for several batches, so the server's progress lines show as a moving bar.
    const more = Array.from({ length: 15_000 }, (_, i) => `Lenovo,ThinkPad E14,E14${String(i).padStart(6, '0')},pc,2026-09-01`);
    await page.getByTestId('shipped-file').setInputFiles({
      name: 'shipped.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`maker,model,serial,category,ship_date\nLenovo,ThinkPad X1,PC999,pc,2026-10-01\nX,,BAD,pc,\n${more.join('\n')}\n`),
    });
    // Every value the import's progress bar shows, however briefly it is on screen.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="shipped-processing"]');
        const value = bar?.getAttribute('aria-valuetext');
        if (value && seen.at(-1) !== value) seen.push(value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('shipped-import').click();
    const result = page.getByTestId('shipped-result');
    await result.waitFor();
    expect(await result.innerText()).toMatch(/15,001 inserted, 0 updated, 1 rejected/);
    expect(await page.getByTestId('shipped-rejected').innerText()).toContain('model');
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((v) => / of 15,002 lines checked$/.test(v))).toBe(true);
    await expect.poll(() => page.getByTestId('shipped-count').innerText()).toBe('15,001');
    expect((await server.services.registration.shipped.stats()).count).toBe(15_001);
  });

  it('creates an API key and shows it only once', async () => {
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(/\/admin\/keys$/);
    await page.getByTestId('new-key').click();
    const form = page.getByTestId('create-key-dialog');
    await form.getByLabel('Kind').selectOption('tracker');
    await form.getByLabel('Label').fill('Shop site');
    await form.getByRole('button', { name: 'Create key' }).click();

    const dialog = page.getByTestId('new-key-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/will not be shown again/);
    const key = await page.getByTestId('new-key-value').inputValue();
    expect(key).toMatch(/^clk_[a-z0-9]{12}\.[A-Za-z0-9_-]{43}$/);
    expect(await server.services.access.resolveApiKey(key)).toMatchObject({ kind: 'tracker' });
    await dialog.getByRole('button', { name: /done/i }).click();

    await expect.poll(() => page.getByTestId('keys').innerText()).toContain('Shop site');
    expect(await page.content()).not.toContain(key);
  });

  it('adds a store and a staff account bound to it, and refuses a taken username', async () => {
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Organisations' }).click();
    const stores = page.getByTestId('orgs-stores');
    await stores.getByRole('button', { name: 'Add a store' }).click();
    await stores.getByLabel('Code').fill('shibuya');
    await stores.getByLabel('Name').fill('Shibuya again');
    await stores.getByRole('button', { name: 'Add store', exact: true }).click();
    await expect.poll(() => stores.getByTestId('field-error-code').innerText()).toMatch(/code/i);
    await stores.getByLabel('Code').fill('umeda');
    await stores.getByLabel('Name').fill('Umeda');
    await stores.getByRole('button', { name: 'Add store', exact: true }).click();
    await expect.poll(() => stores.locator('table').innerText()).toContain('Umeda');

    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Staff' }).click();
    const create = async (username: string) => {
      await page.getByTestId('new-staff').click();
      const dialog = page.getByTestId('new-staff-dialog');
      await dialog.getByLabel('Username').fill(username);
      await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await dialog.getByLabel('Role').selectOption('store');
      await dialog.getByLabel('Store').selectOption({ label: 'Umeda (umeda)' });
      await dialog.getByRole('button', { name: 'Create account' }).click();
      return dialog;
    };
    await create('umeda-counter');
    await expect.poll(() => page.getByTestId('staff-table').innerText()).toContain('umeda-counter');
    expect(await page.getByTestId('staff-table').innerText()).toContain('Umeda');

    const again = await create('e2e-store');
    expect(await again.getByTestId('field-error-username').innerText()).toMatch(/taken/);
    await again.getByRole('button', { name: 'Cancel' }).click();
  });

  it('gives store staff an exact lookup and their keys, but no registrations or administration', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await login('e2e-store');
    await page.getByTestId('lookup-input').fill(registrationNo);
    await page.getByRole('button', { name: 'Look up' }).click();
    const result = page.getByTestId('lookup-result');
    await result.waitFor();
    expect(await result.innerText()).toContain('登録 花子');
    expect(await result.innerText()).not.toContain('hanako@example.jp');

    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Registrations' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    await nav.getByRole('link', { name: 'API keys' }).click();
    await page.getByTestId('admin').waitFor();
    expect(await page.getByRole('navigation', { name: 'Administration' }).count()).toBe(0);
    await page.goto(url('/admin/staff'));
    await expect.poll(() => page.getByRole('main').innerText()).toMatch(/cannot open this page/);
  });
});
