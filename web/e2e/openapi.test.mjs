// Real responses of the local cloud, validated against the schemas api/openapi.yaml documents for that
// route and status (an undocumented status fails too).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';

import { baseUrl, call, eventually, skipReason, token, unique, uniquePhone } from './helpers.mjs';
import { responseSchema, validate } from './schema.mjs';

describe('API responses match api/openapi.yaml', { skip: skipReason }, () => {
  let spec;
  let customer;
  let manager;
  let driver;
  let otherCustomer;

  /** Calls the API and checks the answer against the spec for (method, template, status). */
  async function conforms(method, template, path, options, wantStatus) {
    const res = await call(method, path, options);
    assert.equal(res.status, wantStatus, `${method} ${path}: ${JSON.stringify(res.body)}`);
    const schema = responseSchema(spec, method, template, res.status);
    assert.ok(schema, `openapi.yaml documents no ${res.status} for ${method} ${template}`);
    assert.deepEqual(validate(res.body, schema, spec), [], `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    if (res.status === 429 || res.status === 503) assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    return res.body;
  }

  before(async () => {
    const docs = await fetch(`${baseUrl}/_local/docs`);
    assert.equal(docs.status, 200, 'the local cloud serves api/openapi.yaml at /_local/docs');
    spec = parse(await docs.text());
    customer = await token(unique('customer'), ['customers']);
    otherCustomer = await token(unique('customer'), ['customers']);
    manager = await token(unique('manager'), ['managers']);
    driver = await token(unique('driver'), ['drivers']);
  });

  test('taxis', async () => {
    const taxi = await conforms('POST', '/taxis', '/taxis', { bearer: driver, body: { taxiName: unique('K5'), companyName: 'Busan Cab', grade: 'platinum', stockCnt: 1, itemPrice: 9500 } }, 201);
    await conforms('PATCH', '/taxis/{id}', `/taxis/${taxi.id}`, { bearer: driver, body: { stockCnt: 2 } }, 200);
    const list = await conforms('GET', '/taxis', '/taxis?grade=platinum', { bearer: manager }, 200);
    assert.ok(list.items.some((t) => t.id === taxi.id && t.stockCnt === 2));
    await conforms('GET', '/taxis', '/taxis?grade=gold', { bearer: manager }, 400);
    await conforms('POST', '/taxis', '/taxis', { bearer: customer, body: { taxiName: 'x', companyName: 'y', grade: 'basic', stockCnt: 1, itemPrice: 1 } }, 403);
    const invalid = await conforms('POST', '/taxis', '/taxis', { bearer: driver, body: { taxiName: 'x', companyName: 'y', grade: 'basic', stockCnt: -1, itemPrice: 1 } }, 400);
    assert.equal(invalid.error.field, 'stockCnt');
    await conforms('PATCH', '/taxis/{id}', `/taxis/${taxi.id}`, { bearer: await token(unique('driver'), ['drivers']), body: { stockCnt: 0 } }, 403);
  });

  test('an order from placement to cancel, with its projections', async () => {
    const key = crypto.randomUUID();
    const body = { name: 'Jung Hana', phone: uniquePhone(), orderType: 'platinum', cardNo: '4111111111111111', pickup: 'Seoul Station' };
    const order = await conforms('POST', '/orders', '/orders', { bearer: customer, body, headers: { 'Idempotency-Key': key } }, 201);
    assert.equal(order.fare, 9500);
    const replay = await conforms('POST', '/orders', '/orders', { bearer: customer, body, headers: { 'Idempotency-Key': key } }, 201);
    assert.equal(replay.id, order.id, 'the same key answers the same order');
    await conforms('POST', '/orders', '/orders', { bearer: customer, body: { ...body, orderType: 'basic' }, headers: { 'Idempotency-Key': key } }, 409);

    await conforms('GET', '/orders/{id}', `/orders/${order.id}`, { bearer: customer }, 200);
    await conforms('GET', '/orders/{id}', `/orders/${order.id}`, { bearer: otherCustomer }, 404);
    const history = await conforms('GET', '/paymentHistories', `/paymentHistories?orderId=${order.id}`, { bearer: customer }, 200);
    assert.equal(history.items[0]?.status, 'APPROVED');
    await conforms('GET', '/paymentHistories', '/paymentHistories', { bearer: customer }, 400);

    const rsvId = `rsv-${order.id}`;
    await eventually(async () => (await call('GET', `/reservations/${rsvId}`, { bearer: manager })).status === 200, { what: 'the reservation' });
    await conforms('GET', '/reservations/{id}', `/reservations/${rsvId}`, { bearer: manager }, 200);
    const requested = await conforms('GET', '/reservations', '/reservations?status=REQUESTED&limit=100', { bearer: manager }, 200);
    assert.ok(requested.items.some((r) => r.id === rsvId));
    await conforms('GET', '/reservations', '/reservations?status=LOST', { bearer: manager }, 400);
    await conforms('GET', '/reservations', '/reservations', { bearer: customer }, 403);
    await conforms('POST', '/reservations/{id}/confirm', `/reservations/${rsvId}/confirm`, { bearer: manager, body: {} }, 400);
    await conforms('POST', '/reservations/{id}/confirm', '/reservations/rsv-nothing/confirm', { bearer: manager, body: { taxiId: 'nope' } }, 404);
    // An unknown taxi is accepted, then rejected asynchronously with a reason.
    await conforms('POST', '/reservations/{id}/confirm', `/reservations/${rsvId}/confirm`, { bearer: manager, body: { taxiId: 'no-such-taxi' } }, 202);
    const rejected = await eventually(async () => {
      const r = await call('GET', `/reservations/${rsvId}`, { bearer: manager });
      return r.body.status === 'REQUESTED' && r.body.rejectReason ? r.body : null;
    }, { what: 'the rejected assignment' });
    assert.equal(rejected.assignAttempt, 1);

    const page = await eventually(async () => {
      const r = await call('GET', `/mypages/${order.id}`, { bearer: customer });
      return r.status === 200 && r.body.status === 'RESERVED' ? r.body : null;
    }, { what: 'the RESERVED booking' });
    assert.deepEqual(page.history.map((h) => h.status), ['PAID', 'RESERVED']);
    await conforms('GET', '/mypages/{orderId}', `/mypages/${order.id}`, { bearer: customer }, 200);
    await conforms('GET', '/mypages/{orderId}', `/mypages/${order.id}`, { bearer: otherCustomer }, 404);
    const mine = await conforms('GET', '/mypages', '/mypages?limit=10', { bearer: customer }, 200);
    assert.ok(mine.items.some((p) => p.orderId === order.id));
    await conforms('GET', '/mypages', '/mypages?limit=0', { bearer: customer }, 400);
    await conforms('GET', '/mypages', '/mypages', { bearer: driver }, 403);

    const canceled = await conforms('POST', '/orders/{id}/cancel', `/orders/${order.id}/cancel`, { bearer: customer }, 200);
    assert.equal(canceled.status, 'CANCELED');
    await conforms('POST', '/orders/{id}/cancel', `/orders/${order.id}/cancel`, { bearer: customer }, 200);
    await conforms('POST', '/orders/{id}/cancel', `/orders/${order.id}/cancel`, { bearer: otherCustomer }, 404);
  });

  test('a ride: assigned, picked up, completed, with the driver\'s list and the board\'s filters', async () => {
    const taxiName = unique('Ray');
    const taxi = await conforms('POST', '/taxis', '/taxis', { bearer: driver, body: { taxiName, companyName: 'Jeju Cab', grade: 'basic', stockCnt: 1, itemPrice: 3800 } }, 201);
    const pickupAt = new Date(Math.ceil((Date.now() + 2 * 3600_000) / 60_000) * 60_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const body = { name: 'Ko Eun', phone: uniquePhone(), orderType: 'basic', cardNo: '4111111111111111', pickup: 'Jeju Airport', destination: 'Seogwipo', pickupAt, note: 'Surfboard', language: 'en' };
    const order = await conforms('POST', '/orders', '/orders', { bearer: customer, body, headers: { 'Idempotency-Key': crypto.randomUUID() } }, 201);
    assert.equal(Date.parse(order.pickupAt), Date.parse(pickupAt));
    const rsvId = `rsv-${order.id}`;
    await eventually(async () => (await call('GET', `/reservations/${rsvId}`, { bearer: manager })).status === 200, { what: 'the reservation' });
    const rsv = await conforms('GET', '/reservations/{id}', `/reservations/${rsvId}`, { bearer: manager }, 200);
    assert.deepEqual([rsv.pickup, rsv.destination, rsv.note, rsv.customerName, rsv.customerPhone], ['Jeju Airport', 'Seogwipo', 'Surfboard', 'Ko Eun', body.phone]);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul' }).format(new Date(pickupAt));
    const thatDay = await conforms('GET', '/reservations', `/reservations?status=REQUESTED&date=${day}`, { bearer: manager }, 200);
    assert.ok(thatDay.items.some((r) => r.id === rsvId));
    await conforms('GET', '/reservations', '/reservations?date=2026-13-01', { bearer: manager }, 400);

    await conforms('POST', '/reservations/{id}/confirm', `/reservations/${rsvId}/confirm`, { bearer: manager, body: { taxiId: taxi.id } }, 202);
    await eventually(async () => (await call('GET', `/reservations/${rsvId}`, { bearer: manager })).body.status === 'CONFIRMED', { what: 'CONFIRMED' });
    const mine = await conforms('GET', '/assignments', '/assignments', { bearer: driver }, 200);
    assert.ok(mine.items.some((r) => r.id === rsvId && r.customerPhone === body.phone));
    await conforms('GET', '/assignments', '/assignments', { bearer: customer }, 403);
    await conforms('POST', '/reservations/{id}/pickup', `/reservations/${rsvId}/pickup`, { bearer: await token(unique('driver'), ['drivers']) }, 403);
    await conforms('POST', '/reservations/{id}/complete', `/reservations/${rsvId}/complete`, { bearer: driver }, 409);
    const picked = await conforms('POST', '/reservations/{id}/pickup', `/reservations/${rsvId}/pickup`, { bearer: driver }, 200);
    assert.equal(picked.status, 'PICKED_UP');
    await conforms('POST', '/reservations/{id}/pickup', '/reservations/rsv-nothing/pickup', { bearer: driver }, 404);
    const done = await conforms('POST', '/reservations/{id}/complete', `/reservations/${rsvId}/complete`, { bearer: driver }, 200);
    assert.equal(done.status, 'COMPLETED');
    const page = await eventually(async () => {
      const r = await call('GET', `/mypages/${order.id}`, { bearer: customer });
      return r.body?.status === 'COMPLETED' ? r.body : null;
    }, { what: 'the COMPLETED booking' });
    assert.deepEqual([page.pickup, page.destination, page.taxiName], ['Jeju Airport', 'Seogwipo', taxiName]);
    await conforms('GET', '/mypages/{orderId}', `/mypages/${order.id}`, { bearer: customer }, 200);
  });

  test('order errors', async () => {
    const body = { name: 'Han Seo', phone: uniquePhone(), orderType: 'basic', cardNo: '4111111111111111', pickup: 'Jamsil Station' };
    const badPhone = await conforms('POST', '/orders', '/orders', { bearer: customer, body: { ...body, phone: '010-1234-5678' } }, 400);
    assert.equal(badPhone.error.field, 'phone');
    const unknownField = await conforms('POST', '/orders', '/orders', { bearer: customer, body: { ...body, fare: 1 } }, 400);
    assert.equal(unknownField.error.field, 'fare');
    const declined = await conforms('POST', '/orders', '/orders', { bearer: customer, body: { ...body, cardNo: '4000000000000002' } }, 402);
    assert.deepEqual([declined.error.code, declined.error.field], ['PAYMENT_DECLINED', 'cardNo']);
    for (const pickupAt of ['2020-01-01T09:00:00+09:00', '2099-01-01T09:00:00+09:00', '2026-05-01T09:00:00', 'tomorrow']) {
      const bad = await conforms('POST', '/orders', '/orders', { bearer: customer, body: { ...body, pickupAt } }, 400);
      assert.equal(bad.error.field, 'pickupAt', pickupAt);
    }
    const noPickup = await conforms('POST', '/orders', '/orders', { bearer: customer, body: { ...body, pickup: undefined } }, 400);
    assert.equal(noPickup.error.field, 'pickup');
    await conforms('POST', '/orders', '/orders', { bearer: manager, body }, 403);
    await conforms('POST', '/orders', '/orders', { bearer: customer, body: { ...body, name: 'x'.repeat(70 * 1024) } }, 413);
    await conforms('POST', '/orders', '/orders', { body }, 401);
    await conforms('GET', '/mypages', '/mypages', { bearer: 'not.a.token' }, 401);
  });
});
