// Accessibility, language, small screens, and the payment-busy retry of the console.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { auditPage, baseUrl, launch, screenshot, signIn, skipReason, unique, uniquePhone } from './helpers.mjs';

describe('console accessibility and language', { skip: skipReason }, () => {
  let browser;
  before(async () => {
    browser = await launch({ locale: 'ko-KR' });
  });
  after(async () => {
    await browser?.close();
  });

  test('Korean by default from the browser language, English on the toggle', async () => {
    const page = await signIn(browser.context, 'customer', unique('customer'));
    assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
    await page.getByRole('heading', { name: '택시 예약' }).waitFor();
    await page.getByText('₩3,800부터').waitFor();
    await page.locator('.bookings .empty, .bookings article').first().waitFor();
    await screenshot(page, 'customer-ko');
    await page.getByRole('button', { name: /English/ }).click();
    await page.getByRole('heading', { name: 'Book a taxi' }).waitFor();
    await page.getByText('from ₩5,700').waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    // The choice sticks across a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'Book a taxi' }).waitFor();
    await page.close();
  });

  for (const role of ['customer', 'manager', 'driver']) {
    test(`${role} view: every control is labelled and text contrast is at least 4.5:1`, async () => {
      const page = await signIn(browser.context, role, unique(role));
      await page.waitForTimeout(500);
      assert.deepEqual(await page.evaluate(auditPage), []);
      await page.close();
    });
  }

  test('the audit itself reports low contrast and unlabelled controls', async () => {
    const page = await browser.context.newPage();
    await page.setContent('<main><p style="color:#aaa;background:#fff">faint text</p><input name="nameless"><label>ok <input name="labelled"></label></main>');
    const problems = await page.evaluate(auditPage);
    assert.equal(problems.length, 2, problems.join('; '));
    assert.match(problems[0], /unlabelled input\[name=nameless\]/);
    assert.match(problems[1], /contrast 2\.3\d for "faint text"/);
    await page.close();
  });

  test('the sign-in form is labelled and keyboard operable', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.locator('form.sign-in').waitFor();
    assert.deepEqual(await page.evaluate(auditPage), []);
    // Tab to the role radios, pick "driver" with the arrow keys, type a name and press Enter.
    const focused = async () => page.evaluate(() => document.activeElement?.id || document.activeElement?.name || document.activeElement?.tagName);
    for (let i = 0; i < 15 && (await focused()) !== 'role-customer'; i++) await page.keyboard.press('Tab');
    assert.equal(await focused(), 'role-customer');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Tab');
    await page.keyboard.press('End');
    await page.keyboard.type('-kb');
    await page.keyboard.press('Enter');
    await page.locator('#user .who', { hasText: 'driver-1-kb' }).waitFor();
    await page.close();
  });
});

describe('console on a 360 px wide screen', { skip: skipReason }, () => {
  let browser;
  before(async () => {
    browser = await launch({ viewport: { width: 360, height: 780 } });
  });
  after(async () => {
    await browser?.close();
  });

  for (const role of ['customer', 'manager', 'driver']) {
    test(`${role} view has no horizontal scrolling`, async () => {
      const page = await signIn(browser.context, role, unique(role));
      await page.waitForTimeout(500);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `page is ${width}px wide`);
      if (role === 'customer') await screenshot(page, 'customer-mobile');
      await page.close();
    });
  }
});

describe('payment busy', { skip: skipReason }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('a 429 is retried after Retry-After with the same Idempotency-Key', async () => {
    const page = await signIn(browser.context, 'customer', unique('customer'));
    const keys = [];
    let refused = 0;
    // The first attempt is answered as a throttled payment would be; the retry reaches the API.
    await page.route('**/orders', async (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      if (refused === 0) {
        refused += 1;
        await route.fulfill({
          status: 429,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '2' },
          body: JSON.stringify({ error: { code: 'PAYMENT_BUSY', message: 'payment is busy, retry shortly with the same Idempotency-Key' } }),
        });
        return;
      }
      await route.continue();
    });
    await page.getByLabel('Pickup', { exact: true }).fill('Seoul Forest');
    await page.getByLabel('Name', { exact: true }).fill('Choi Yuna');
    await page.getByLabel('Mobile phone').fill(uniquePhone());
    await page.getByLabel('Card number').fill('4111111111111111');
    await page.getByRole('button', { name: 'Book' }).click();
    await page.getByText('Payment is busy, retrying in 2 s').waitFor();
    await page.getByText('Payment is busy, retrying in 1 s').waitFor();
    await page.getByText(/Booked: Basic, ₩3,800/).waitFor();
    assert.equal(keys.length, 2);
    assert.match(keys[0], /^[0-9a-f-]{36}$/);
    assert.equal(keys[1], keys[0]);
    await page.close();
  });
});
