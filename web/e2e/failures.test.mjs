// The functions panel stops PaymentFunction; a booking then waits and retries with the same key until
// the panel starts it again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { baseUrl, launch, screenshot, signIn, skipReason, unique, uniquePhone } from './helpers.mjs';

let browser;
before(async () => {
  if (!skipReason) browser = await launch();
});
after(async () => {
  // Never leave the shared local cloud with payment stopped.
  if (!skipReason) await fetch(`${baseUrl}/_local/functions/PaymentFunction/start`, { method: 'POST' }).catch(() => {});
  await browser?.close();
});

test('a stopped payment function: the booking retries with one key until it is started again', { skip: skipReason }, async () => {
  const page = await signIn(browser.context, 'customer', unique('customer'));
  const payment = page.locator('tr[data-function*="PaymentFunction"]');
  await payment.getByRole('button', { name: 'Stop PaymentFunction' }).click();
  await payment.getByRole('button', { name: 'Start PaymentFunction' }).waitFor();
  assert.equal(await payment.locator('td').first().textContent(), 'stopped');

  const keys = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/orders') keys.push(request.headers()['idempotency-key']);
  });
  await page.getByLabel('Name', { exact: true }).fill('Yoon Ara');
  await page.getByLabel('Mobile phone').fill(uniquePhone());
  await page.getByLabel('Card number').fill('4111111111111111');
  await page.getByRole('button', { name: 'Book' }).click();
  await page.getByText(/Payment is busy, retrying in \d+ s/).waitFor();
  await screenshot(page, 'customer-payment-retrying', { fullPage: false });

  await payment.getByRole('button', { name: 'Start PaymentFunction' }).click();
  await page.getByText(/Booked: Basic, ₩3,800/).waitFor({ timeout: 30_000 });
  assert.ok(keys.length >= 2, `retried (${keys.length} attempts)`);
  assert.equal(new Set(keys).size, 1, 'every attempt carried the same Idempotency-Key');
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});
