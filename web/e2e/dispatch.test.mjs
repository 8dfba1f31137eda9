// Dispatch: where and when reach the taxi company, the driver and the customer. The customer books a
// scheduled pickup with the time picker; the manager's board is sorted by pickup time and shows place,
// time and contact; the driver marks a ride picked up and completed and the taxi is available again;
// the customer's booking shows where, when, the taxi, the new statuses and a rejected assignment's reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { toRfc3339 } from '../js/when.js';
import { announcedStatuses, auditPage, call, eventually, launch, screenshot, signIn, skipReason, token, unique, uniquePhone } from './helpers.mjs';

const hour = 60 * 60 * 1000;

/** The company's (Asia/Seoul) calendar date of an instant, as GET /reservations?date= reads it. */
function seoulDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** Books through the API; answers the order. */
async function placeOrder(bearer, fields) {
  const body = { orderType: 'basic', name: 'Kim Minji', phone: uniquePhone(), cardNo: '4111111111111111', pickup: 'Seoul Station', language: 'en', ...fields };
  const res = await call('POST', '/orders', { bearer, body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function reservationOf(manager, orderId, want = () => true) {
  return eventually(async () => {
    const res = await call('GET', `/reservations/rsv-${orderId}`, { bearer: manager });
    return res.status === 200 && want(res.body) ? res.body : null;
  }, { what: `the reservation of ${orderId}` });
}

describe('dispatch', { skip: skipReason }, () => {
  let browser;
  let manager;
  before(async () => {
    browser = await launch();
    manager = await token(unique('manager'), ['managers']);
  });
  after(async () => {
    await browser?.close();
  });

  test('customer: the time picker books a scheduled pickup and the booking shows where and when', async () => {
    const page = await signIn(browser.context, 'customer', unique('customer'));
    await page.locator('.bookings .empty').waitFor();
    const asap = page.getByLabel('As soon as possible');
    const later = page.getByLabel('At a set time');
    const at = page.getByLabel('Date and time');
    assert.ok(await asap.isChecked(), '"as soon as possible" is the default');
    assert.equal(await at.isVisible(), false, 'no time picker while "as soon as possible"');

    const sent = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/orders') sent.push(request.postDataJSON());
    });
    await page.getByLabel('Pickup', { exact: true }).fill('COEX Mall, gate 3');
    await page.getByLabel('Destination').fill('Incheon Airport Terminal 2');
    await page.getByLabel('Note for the driver').fill('Two suitcases');
    await page.getByLabel('Name', { exact: true }).fill('Jang Mira');
    await page.getByLabel('Mobile phone').fill(uniquePhone());
    await page.getByLabel('Card number').fill('4111 1111 1111 1111');
    assert.equal(await page.getByLabel('Text messages in').inputValue(), 'en', 'texts follow the console language');

    // Keyboard: the arrow key moves from "as soon as possible" to "at a set time" and shows the picker.
    await asap.focus();
    await page.keyboard.press('ArrowRight');
    assert.ok(await later.isChecked());
    await at.waitFor();
    assert.match(await at.inputValue(), /^\d{4}-\d\d-\d\dT\d\d:\d\d$/, 'a suggested time is filled in');

    // Too soon: refused on the field, nothing sent.
    const soon = await page.evaluate(() => {
      const d = new Date(Date.now() + 5 * 60 * 1000);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    await at.fill(soon);
    await page.getByRole('button', { name: 'Book' }).click();
    await page.locator('[data-field="pickupAt"] .field-error', { hasText: 'at least 10 minutes from now' }).waitFor();
    assert.equal(await at.getAttribute('aria-invalid'), 'true');
    assert.ok(await at.evaluate((el) => el === document.activeElement), 'focus moves to the time');
    assert.equal(sent.length, 0);

    const inTwoHours = await page.evaluate(() => {
      const d = new Date(Date.now() + 2 * 60 * 60 * 1000);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    });
    await at.fill(inTwoHours);
    await screenshot(page, 'customer-schedule', { fullPage: false });
    await page.getByRole('button', { name: 'Book' }).click();
    await page.getByText(/Booked: Basic, ₩3,800/).waitFor();
    assert.equal(sent.length, 1);
    const body = sent[0];
    assert.equal(body.pickup, 'COEX Mall, gate 3');
    assert.equal(body.destination, 'Incheon Airport Terminal 2');
    assert.equal(body.note, 'Two suitcases');
    assert.equal(body.language, 'en');
    assert.match(body.pickupAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d$/, 'RFC 3339 with the offset');
    assert.ok(Math.abs(Date.parse(body.pickupAt) - Date.now() - 2 * hour) < 2 * 60 * 1000, body.pickupAt);
    assert.ok(await asap.isChecked(), 'the form is back to "as soon as possible"');

    const card = page.locator('article.booking').first();
    await card.locator('header .badge[data-status="RESERVED"]').waitFor();
    assert.equal(await card.locator('.pickup').textContent(), 'COEX Mall, gate 3');
    assert.equal(await card.locator('.destination').textContent(), 'Incheon Airport Terminal 2');
    assert.equal(Date.parse(await card.locator('.pickup-at time').getAttribute('datetime')), Date.parse(body.pickupAt));
    await screenshot(page, 'customer-scheduled');
    assert.deepEqual(await page.evaluate(auditPage), []);
    assert.deepEqual(page.pageErrors, []);
    await page.close();
  });

  test('manager: the board is sorted by pickup time and shows place, time and contact; it filters by date', async () => {
    const customerName = unique('customer');
    const customer = await token(customerName, ['customers']);
    const scheduledAt = toRfc3339(new Date(Math.ceil((Date.now() + 3 * hour) / 60000) * 60000));
    const scheduled = await placeOrder(customer, {
      name: 'Seo Jiho', pickup: 'Gwanghwamun Square', destination: 'Gimpo Airport', pickupAt: scheduledAt, note: 'Wheelchair',
    });
    const asapPhone = uniquePhone();
    const asap = await placeOrder(customer, { name: 'Oh Minsu', phone: asapPhone, pickup: 'Myeongdong Station exit 6' });
    await reservationOf(manager, scheduled.id);
    await reservationOf(manager, asap.id);

    const page = await signIn(browser.context, 'manager', unique('manager'));
    const board = page.locator('#reservations-panel');
    const asapCard = board.locator(`article.reservation[data-order-id="${asap.id}"]`);
    const scheduledCard = board.locator(`article.reservation[data-order-id="${scheduled.id}"]`);
    await asapCard.waitFor();
    await scheduledCard.waitFor();

    assert.equal(await asapCard.locator('.pickup').textContent(), 'Myeongdong Station exit 6');
    assert.equal(await asapCard.locator('.pickup-at').textContent(), 'As soon as possible');
    assert.equal(await asapCard.locator('.customer-name').textContent(), 'Oh Minsu');
    assert.equal(await asapCard.locator('.customer-phone a').getAttribute('href'), `tel:${asapPhone}`);
    assert.equal(await scheduledCard.locator('.pickup').textContent(), 'Gwanghwamun Square');
    assert.equal(await scheduledCard.locator('.destination').textContent(), 'Gimpo Airport');
    assert.equal(await scheduledCard.locator('.note').textContent(), 'Wheelchair');
    assert.equal(Date.parse(await scheduledCard.locator('.pickup-at time').getAttribute('datetime')), Date.parse(scheduledAt));
    assert.match(await scheduledCard.locator('h3').textContent(), /Gwanghwamun Square/);

    // As soon as possible first, then by pickup time.
    const order = await board.locator('article.reservation').evaluateAll((els) => els.map((el) => {
      const time = el.querySelector('.pickup-at time');
      return { id: el.dataset.orderId, at: time ? Date.parse(time.getAttribute('datetime')) : null };
    }));
    const ids = order.map((o) => o.id);
    assert.ok(ids.indexOf(asap.id) < ids.indexOf(scheduled.id), 'the as-soon-as-possible booking comes first');
    const times = order.map((o) => (o.at === null ? -Infinity : o.at));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'sorted by pickup time');
    await screenshot(page, 'manager-board');
    assert.deepEqual(await page.evaluate(auditPage), []);

    // The date filter (the company's calendar day): the scheduled booking's day shows it, another day does not.
    const date = page.getByLabel('Pickup date');
    await date.fill(seoulDate(Date.parse(scheduledAt)));
    await scheduledCard.waitFor();
    await date.fill(seoulDate(Date.parse(scheduledAt) + 3 * 24 * hour));
    await scheduledCard.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'All dates' }).click();
    await scheduledCard.waitFor();
    await asapCard.waitFor();
    assert.deepEqual(page.pageErrors, []);
    await page.close();
  });

  test('driver: picked up, then completed; the taxi is available again and the customer follows', async () => {
    const driverName = unique('driver');
    const driver = await token(driverName, ['drivers']);
    const taxiName = unique('Ioniq');
    const taxi = await call('POST', '/taxis', { bearer: driver, body: { taxiName, companyName: 'Mapo Cab', grade: 'prime', stockCnt: 1, itemPrice: 5700 } });
    assert.equal(taxi.status, 201, JSON.stringify(taxi.body));
    const customerName = unique('customer');
    const customer = await token(customerName, ['customers']);
    const phone = uniquePhone();
    const order = await placeOrder(customer, { orderType: 'prime', name: 'Baek Yuri', phone, pickup: 'Yeouido Park', destination: 'Seoul Forest', note: 'Blue umbrella' });
    const rsv = await reservationOf(manager, order.id);
    const confirm = await call('POST', `/reservations/${rsv.id}/confirm`, { bearer: manager, body: { taxiId: taxi.body.id } });
    assert.equal(confirm.status, 202, JSON.stringify(confirm.body));
    await reservationOf(manager, order.id, (r) => r.status === 'CONFIRMED');

    // Another driver sees nothing of it and cannot move it.
    const other = await token(unique('driver'), ['drivers']);
    const theirs = await call('GET', '/assignments', { bearer: other });
    assert.equal(theirs.status, 200);
    assert.ok(!theirs.body.items.some((r) => r.orderId === order.id));
    assert.equal((await call('POST', `/reservations/${rsv.id}/pickup`, { bearer: other })).status, 403);

    const page = await signIn(browser.context, 'driver', driverName);
    const ride = page.locator(`article.ride[data-order-id="${order.id}"]`);
    await ride.waitFor();
    assert.equal(await ride.locator('.pickup').textContent(), 'Yeouido Park');
    assert.equal(await ride.locator('.destination').textContent(), 'Seoul Forest');
    assert.equal(await ride.locator('.pickup-at').textContent(), 'As soon as possible');
    assert.equal(await ride.locator('.customer-name').textContent(), 'Baek Yuri');
    assert.equal(await ride.locator('.customer-phone a').getAttribute('href'), `tel:${phone}`);
    assert.equal(await ride.locator('.note').textContent(), 'Blue umbrella');
    assert.equal(await ride.locator('.taxi-name').textContent(), taxiName);
    const stock = page.getByLabel(`Available cars of ${taxiName}`);
    await eventually(async () => (await stock.inputValue()) === '0', { what: 'the assigned taxi at 0 available' });
    await screenshot(page, 'driver-rides');
    assert.deepEqual(await page.evaluate(auditPage), []);

    const customerPage = await signIn(browser.context, 'customer', customerName);
    const booking = customerPage.locator(`article.booking[data-order-id="${order.id}"]`);
    await booking.locator('header .badge[data-status="CONFIRMED"]').waitFor();
    assert.equal(await booking.locator('.pickup').textContent(), 'Yeouido Park');
    assert.equal(await booking.locator('.taxi-name').textContent(), taxiName);
    assert.equal(await booking.getByRole('button', { name: 'Cancel booking' }).count(), 1);

    // Picked up: the next step's button takes the keyboard focus.
    await ride.getByRole('button', { name: 'Picked up' }).click();
    await page.getByText(`Ride ${rsv.id}: passenger picked up.`).waitFor();
    const complete = ride.getByRole('button', { name: 'Completed' });
    await complete.waitFor();
    await ride.locator('.badge[data-status="PICKED_UP"]').waitFor();
    assert.ok(await complete.evaluate((el) => el === document.activeElement), 'focus is on "completed"');
    await booking.locator('header .badge[data-status="PICKED_UP"]').waitFor();
    assert.equal(await booking.getByRole('button', { name: 'Cancel booking' }).count(), 0, 'no cancel after pickup');

    // In Korean.
    await page.getByRole('button', { name: /한국어/ }).click();
    await ride.getByRole('button', { name: '운행 완료' }).waitFor();
    assert.equal(await ride.locator('.badge[data-status="PICKED_UP"]').textContent(), '탑승');
    await screenshot(page, 'driver-rides-ko');
    await page.getByRole('button', { name: /English/ }).click();

    await complete.focus();
    await page.keyboard.press('Enter');
    await page.getByText(`Ride ${rsv.id} completed; ${taxiName} is available again.`).waitFor();
    await eventually(async () => (await stock.inputValue()) === '1', { what: 'the taxi available again' });
    await eventually(async () => {
      const status = await ride.locator('.badge').getAttribute('data-status').catch(() => null);
      return status === 'COMPLETED' || (await ride.count()) === 0;
    }, { what: 'the ride completed' });

    await booking.locator('header .badge[data-status="COMPLETED"]').waitFor();
    const timeline = await booking.locator('.timeline .badge').evaluateAll((els) => els.map((el) => el.dataset.status));
    assert.deepEqual(timeline.slice(-3), ['CONFIRMED', 'PICKED_UP', 'COMPLETED']);
    await screenshot(customerPage, 'customer-completed');

    // Every status reached the customer's phone once (several within a short window share one text).
    const inbox = customerPage.locator('.sms', { hasText: phone });
    const texts = await eventually(async () => {
      const all = await inbox.locator('.sms-text').allTextContents();
      return announcedStatuses(all).includes('COMPLETED') ? all : null;
    }, { what: 'the COMPLETED SMS' });
    assert.deepEqual(announcedStatuses(texts).sort(), ['COMPLETED', 'CONFIRMED', 'PAID', 'PICKED_UP', 'RESERVED'], texts.join(' | '));

    const managerPage = await signIn(browser.context, 'manager', unique('manager'));
    await managerPage.getByRole('tab', { name: 'Completed' }).click();
    await managerPage.locator(`article.reservation[data-order-id="${order.id}"] .badge[data-status="COMPLETED"]`).waitFor();
    for (const p of [page, customerPage, managerPage]) assert.deepEqual(p.pageErrors, []);
    await managerPage.close();
    await customerPage.close();
    await page.close();
  });

  test('customer: a rejected assignment shows its reason on the booking', async () => {
    const customerName = unique('customer');
    const customer = await token(customerName, ['customers']);
    const order = await placeOrder(customer, { pickup: 'Itaewon Station' });
    const rsv = await reservationOf(manager, order.id);
    const confirm = await call('POST', `/reservations/${rsv.id}/confirm`, { bearer: manager, body: { taxiId: 'no-such-taxi' } });
    assert.equal(confirm.status, 202);
    const rejected = await reservationOf(manager, order.id, (r) => r.status === 'REQUESTED' && r.rejectReason);

    const page = await signIn(browser.context, 'customer', customerName);
    const booking = page.locator(`article.booking[data-order-id="${order.id}"]`);
    const note = booking.locator('.reject-reason');
    await note.waitFor();
    assert.match(await note.textContent(), /could not take this booking/);
    assert.ok((await note.textContent()).includes(rejected.rejectReason), `${await note.textContent()} names ${rejected.rejectReason}`);
    assert.equal(await booking.locator('.pickup').textContent(), 'Itaewon Station');
    await screenshot(page, 'customer-rejected');
    assert.deepEqual(page.pageErrors, []);
    await page.close();
  });
});
