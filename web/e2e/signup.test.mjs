// A stranger signs up in the console: the local user pool runs the real PostConfirmation trigger, the
// console signs them in as a customer, and they can book.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { baseUrl, launch, skipReason, unique } from './helpers.mjs';

describe('sign-up', { skip: skipReason }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('a new e-mail address becomes a signed-in customer with the booking form', async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(`${baseUrl}/`);
    const email = `${unique('kim')}@example.com`;
    const form = page.locator('form.sign-up');
    await form.getByLabel('E-mail').fill(email);
    await form.getByRole('button', { name: 'Sign up' }).click();
    await page.locator('#user .who').waitFor();
    assert.match(await page.locator('#user .who').textContent(), new RegExp(email.replace(/[.]/g, '\\.')));
    await page.getByRole('button', { name: 'Book' }).waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the same address again is refused on the form', async () => {
    const email = `${unique('lee')}@example.com`;
    const first = await fetch(`${baseUrl}/_local/signup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email }) });
    assert.equal(first.status, 201);
    const page = await browser.context.newPage();
    await page.goto(`${baseUrl}/`);
    const form = page.locator('form.sign-up');
    await form.getByLabel('E-mail').fill(email);
    await form.getByRole('button', { name: 'Sign up' }).click();
    await form.getByText(/Sign-up failed: .*already exists/).waitFor();
    await page.close();
  });
});
