import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';

/**
 * Drives the built staff console (web/console/dist, from `npm run build:web`) in a real Chromium
 * against a real server. The tests run in order and share one logged-in page.
 */

const DIST_INDEX = fileURLToPath(new URL('../../web/console/dist/index.html', import.meta.url));
const PASSWORD = 'e2e-password-0123456789';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

describe('staff console (browser)', () => {
  let server: TestServer | undefined;
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  let yamada: string;

  const url = (p: string) => new URL(p, server!.consoleUrl).toString();

  /** Keep a screenshot of the page when a test fails, for the person reading the log. */
  const screenshotOnFailure = (name: string) =>
    onTestFailed(async () => {
      const file = path.join(tmpdir(), `clientele-e2e-${name}-${Date.now()}.png`);
      await page?.screenshot({ path: file, fullPage: true }).catch(() => undefined);
      console.error(`console e2e: screenshot of the failure in ${file}`);
    });

  beforeAll(async () => {
    if (!existsSync(DIST_INDEX)) throw new Error(`${DIST_INDEX} is missing: run npm run build:web first`);
    server = await startTestServer();
    await server.createStaff({ username: 'e2e-admin', password: PASSWORD, role: 'admin' });
    ({ customerNumber: yamada } = await server.createCustomer({
      name: '山田 太郎',
      nameReading: 'やまだ たろう',
      email: 'taro.yamada@example.jp',
      phone: '090-1234-5678',
      occupation: '会社員',
    }));
    await server.createCustomer({ name: '鈴木 花子', nameReading: 'すずき はなこ', email: 'hanako@example.jp' });
    browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, 60_000);

  it('sends a visitor to the login page and refuses a wrong password', async () => {
    screenshotOnFailure('login-wrong');
    await page.goto(url('/customers'));
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByLabel('Username').fill('e2e-admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('Wrong username or password');
  }, 60_000);

  it('logs in as an admin and shows who is logged in', async () => {
    screenshotOnFailure('login');
    await page.getByLabel('Username').fill('e2e-admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/customers');
    const staff = page.getByTestId('current-staff');
    await staff.waitFor();
    expect(await staff.textContent()).toContain('admin');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
  }, 60_000);

  it('finds a customer as you type and opens it with the keyboard', async () => {
    screenshotOnFailure('search');
    const search = page.getByLabel('Search', { exact: true });
    // A misspelt reading finds the customer, marked as a similar name.
    await search.fill('やまだたろお');
    const similar = page.locator(
      `[data-testid="search-results-section"][data-query="やまだたろお"] [data-customer-number="${yamada}"] [data-testid="similar-name"]`,
    );
    await similar.waitFor();
    expect(await similar.textContent()).toBe('similar');

    await search.fill('山田');
    const results = page.locator('[data-testid="search-results-section"][data-query="山田"]');
    const row = results.locator(`[data-testid="search-result"][data-customer-number="${yamada}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('山田 太郎');

    // ↓ to the row, Enter to open it.
    const rows = await results.locator('[data-testid="search-result"]').evaluateAll((els) =>
      els.map((el) => el.getAttribute('data-customer-number')),
    );
    const index = rows.indexOf(yamada);
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = 0; i <= index; i++) await search.press('ArrowDown');
    await search.press('Enter');

    await page.waitForURL((u) => u.pathname === `/customers/${yamada}`);
    await expect.poll(() => page.getByTestId('customer-name').textContent()).toBe('山田 太郎');
  }, 60_000);

  it('edits the occupation and shows the change in the history', async () => {
    screenshotOnFailure('edit');
    await page.getByRole('button', { name: 'Edit' }).click();
    const occupation = page.getByLabel('Occupation');
    expect(await occupation.inputValue()).toBe('会社員');
    await occupation.fill('エンジニア');
    await page.getByRole('button', { name: 'Save' }).click();

    const shown = page.locator('[data-testid="personal-view"] [data-field="occupation"] dd');
    await expect.poll(() => shown.textContent()).toBe('エンジニア');

    const entry = page
      .locator('[data-testid="audit-entry"][data-action="customer.update"]')
      .filter({ hasText: 'エンジニア' })
      .first();
    await entry.waitFor();
    const text = (await entry.textContent()) ?? '';
    expect(text).toContain('Occupation');
    expect(text).toContain('会社員');
    expect(text).toContain('e2e-admin');
    // Newest first: the update is the first entry of the timeline.
    const first = page.locator('[data-testid="audit-entry"]').first();
    expect(await first.getAttribute('data-action')).toBe('customer.update');
  }, 60_000);

  it('fits a 390 px wide phone without horizontal scrolling', async () => {
    screenshotOnFailure('phone');
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

    await page.goto(url('/customers'));
    await page.locator('[data-testid="search-results-section"] [data-testid="search-result"]').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);

    await page.goto(url(`/customers/${yamada}`));
    await page.locator('[data-testid="audit-entry"]').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
  }, 60_000);
});
