// A customer books, a manager assigns a taxi, the customer sees CONFIRMED, and the SMS inbox shows the
// messages; then a cancel; then a declined card shown on the card field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { announcedStatuses, baseUrl, call, eventually, launch, screenshot, signIn, skipReason, token, unique, uniquePhone } from './helpers.mjs';

/** Fills and submits the booking form. */
async function book(page, { grade, name, phone, card }) {
  await page.locator(`input[name="orderType"][value="${grade}"]`).check({ force: true });
  await page.getByLabel('Pickup', { exact: true }).fill('Seoul Station');
  await page.getByLabel('Destination').fill('Gangnam Station');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Mobile phone').fill(phone);
  await page.getByLabel('Card number').fill(card);
  await page.getByRole('button', { name: 'Book' }).click();
}

function bookingCard(page, orderId) {
  return page.locator(`article.booking[data-order-id="${orderId}"]`);
}

/** The id of the newest booking card that is not one of known. */
async function newBookingId(page, known = []) {
  return eventually(async () => {
    const ids = await page.locator('article.booking').evaluateAll((els) => els.map((el) => el.dataset.orderId));
    return ids.find((id) => !known.includes(id));
  }, { what: 'a new booking card' });
}

describe('console', { skip: skipReason }, () => {
  let browser;
  const taxiName = unique('Sonata');

  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('a driver registers a taxi', async () => {
    const driver = unique('driver');
    const page = await signIn(browser.context, 'driver', driver);
    await page.getByLabel('Taxi name').fill(taxiName);
    await page.getByLabel('Company').fill('Seoul Cab');
    await page.getByLabel('Grade').selectOption('prime');
    await page.getByLabel('Available cars').fill('2');
    await page.getByLabel('Price (KRW)').fill('5700');
    await page.getByRole('button', { name: 'Register' }).click();
    const row = page.locator('article.taxi', { hasText: taxiName });
    await row.waitFor();
    await page.getByText(`Taxi ${taxiName} registered.`).waitFor();
    assert.equal(await row.locator('input[type="number"]').inputValue(), '2');

    // Change the availability to 3 and back to 2 through PATCH.
    await row.getByLabel(`Available cars of ${taxiName}`).fill('3');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`${taxiName}: 3 available.`).waitFor();
    await row.getByLabel(`Available cars of ${taxiName}`).fill('2');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`${taxiName}: 2 available.`).waitFor();
    await screenshot(page, 'driver-taxis');
    assert.deepEqual(page.pageErrors, []);
    await page.close();
  });

  test('a customer books, a manager assigns, the customer sees CONFIRMED and the SMS', async () => {
    const phone = uniquePhone();
    const customer = await signIn(browser.context, 'customer', unique('customer'));
    await customer.locator('.bookings').waitFor();
    await book(customer, { grade: 'prime', name: 'Kim Minji', phone, card: '4111 1111 1111 1111' });
    await customer.getByText(/Booked: Prime, ₩5,700 charged to VISA •••• 1111\./).waitFor();
    const orderId = await newBookingId(customer);
    const card = bookingCard(customer, orderId);
    await card.locator('header .badge[data-status="RESERVED"]').waitFor();
    await screenshot(customer, 'customer-booked');

    const manager = await signIn(browser.context, 'manager', unique('manager'));
    const reservation = manager.locator(`article.reservation[data-order-id="${orderId}"]`);
    await reservation.waitFor();
    await reservation.getByRole('combobox').selectOption({ label: `${taxiName} · Seoul Cab (2 available)` });
    await screenshot(manager, 'manager-requested');
    await reservation.getByRole('button', { name: 'Assign' }).click();
    await manager.getByText(new RegExp(`Assignment of ${taxiName} to rsv-`)).waitFor();
    await manager.getByRole('tab', { name: 'Confirmed' }).click();
    const confirmed = manager.locator(`article.reservation[data-order-id="${orderId}"]`);
    await confirmed.locator('.badge[data-status="CONFIRMED"]').waitFor();
    assert.equal(await confirmed.locator('.taxi-name').textContent(), taxiName);
    await screenshot(manager, 'manager-confirmed');

    await card.locator('header .badge[data-status="CONFIRMED"]').waitFor();
    assert.equal(await card.locator('.taxi-name').textContent(), taxiName);
    const timeline = await card.locator('.timeline .badge').evaluateAll((els) => els.map((el) => el.dataset.status));
    assert.deepEqual(timeline, ['PAID', 'RESERVED', 'CONFIRMED']);

    // notify announces every status once, several statuses reached within a short window in one text
    // (in the language the form sent: English here); the local panel's inbox polls /_local/sms.
    const inbox = customer.locator('.sms', { hasText: phone });
    const texts = await eventually(async () => {
      const all = await inbox.locator('.sms-text').allTextContents();
      return announcedStatuses(all).includes('CONFIRMED') ? all : null;
    }, { what: 'the CONFIRMED SMS in the inbox' });
    assert.deepEqual(announcedStatuses(texts).sort(), ['CONFIRMED', 'PAID', 'RESERVED'], `each status announced once: ${texts.join(' | ')}`);
    assert.ok(texts.some((t) => t.includes('5,700 KRW')), `no paid SMS in ${texts}`);
    assert.ok(texts.some((t) => t.includes(taxiName)), `no confirmed SMS naming the taxi in ${texts}`);
    assert.ok(texts.length <= 3, `at most one text per status: ${texts}`);
    await screenshot(customer, 'customer-confirmed');
    assert.deepEqual(customer.pageErrors, []);
    assert.deepEqual(manager.pageErrors, []);
    await manager.close();
    await customer.close();
  });

  test('a customer cancels a booking after confirming the dialog', async () => {
    const customer = await signIn(browser.context, 'customer', unique('customer'));
    await customer.locator('.bookings').waitFor();
    await book(customer, { grade: 'basic', name: 'Lee Jun', phone: uniquePhone(), card: '5555555555554444' });
    const orderId = await newBookingId(customer);
    const card = bookingCard(customer, orderId);
    await card.locator('header .badge').waitFor();

    // Dismissing the dialog keeps the booking.
    await card.getByRole('button', { name: 'Cancel booking' }).click();
    const dialog = customer.getByRole('dialog', { name: 'Cancel this booking?' });
    await dialog.waitFor();
    await dialog.getByText('₩3,800').waitFor();
    await screenshot(customer, 'customer-cancel-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.notEqual(await card.locator('header .badge').getAttribute('data-status'), 'CANCELED');

    await card.getByRole('button', { name: 'Cancel booking' }).click();
    await dialog.getByRole('button', { name: 'Yes, cancel it' }).click();
    await customer.getByText(`Booking ${orderId} was canceled.`).waitFor();
    await card.locator('header .badge[data-status="CANCELED"]').waitFor();
    assert.equal(await card.getByRole('button', { name: 'Cancel booking' }).count(), 0);
    const order = await call('GET', `/orders/${orderId}`, { bearer: await token(await customer.evaluate(() => JSON.parse(sessionStorage.getItem('calltaxi.session')).sub), ['customers']) });
    assert.equal(order.body.status, 'CANCELED');
    assert.deepEqual(customer.pageErrors, []);
    await customer.close();
  });

  test('a declined card is shown on the card field', async () => {
    const customer = await signIn(browser.context, 'customer', unique('customer'));
    await customer.locator('.bookings').waitFor();
    await book(customer, { grade: 'platinum', name: 'Park Sora', phone: uniquePhone(), card: '4000 0000 0000 0002' });
    const cardInput = customer.getByLabel('Card number');
    await customer.locator('[data-field="cardNo"] .field-error', { hasText: 'The card was declined' }).waitFor();
    assert.equal(await cardInput.getAttribute('aria-invalid'), 'true');
    assert.ok(await cardInput.evaluate((el) => el === document.activeElement), 'focus moves to the card field');
    // The error is announced: it is the input's description and a live region.
    const describedBy = await cardInput.getAttribute('aria-describedby');
    const errorText = await customer.evaluate((ids) => ids.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '), describedBy);
    assert.match(errorText, /card_declined/);
    await screenshot(customer, 'customer-declined');
    // A declined order is not a booking.
    assert.equal(await customer.locator('article.booking').count(), 0);
    assert.deepEqual(customer.pageErrors, []);
    await customer.close();
  });
});

test('the console is served by the local cloud', { skip: skipReason }, async () => {
  const response = await fetch(`${baseUrl}/`);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /<script type="module" src="js\/main\.js">/);
});
