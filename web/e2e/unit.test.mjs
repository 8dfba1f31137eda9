// Unit tests of the console's pure modules (no browser, no server).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ApiError, createApi, errorFromResponse, itemsOf, parseRetryAfter } from '../js/api.js';
import { fare } from '../js/fares.js';
import { dictionary, initialLanguage } from '../js/i18n.js';
import { decodeClaims, groupsOf, isExpired } from '../js/jwt.js';
import { isRetryable, waitSeconds, withRetries } from '../js/retry.js';
import { rolesOf } from '../js/auth.js';
import { byPickup, fromLocalInput, pickerBounds, scheduledPickup, toRfc3339 } from '../js/when.js';

test('fare follows the contract with the default and other MinTaxiPrice', () => {
  const cases = [
    ['basic', 3800, 3800], ['prime', 3800, 5700], ['platinum', 3800, 9500],
    ['prime', 1001, 1502], ['platinum', 0, 0], ['unknown', 3800, 3800],
  ];
  for (const [grade, min, want] of cases) assert.equal(fare(grade, min), want, `${grade} @ ${min}`);
});

test('both languages have the same keys and placeholders', () => {
  const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  const en = dictionary.en;
  const ko = dictionary.ko;
  assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) assert.equal(placeholders(ko[key]), placeholders(en[key]), key);
});

test('initial language: saved, then browser, then English', () => {
  const cases = [
    [null, ['ko-KR', 'en'], 'ko'], ['en', ['ko-KR'], 'en'], [null, ['fr-FR', 'en-US'], 'en'],
    [null, ['fr'], 'en'], ['xx', ['ko'], 'ko'], [null, undefined, 'en'],
  ];
  for (const [saved, browser, want] of cases) assert.equal(initialLanguage(saved, browser), want, `${saved} ${browser}`);
});

test('Retry-After: seconds or an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3);
  assert.equal(parseRetryAfter(' 12 ', now), 12);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:05 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), 0);
  assert.equal(parseRetryAfter(null, now), 0);
});

test('error responses become ApiErrors with code, field and retry advice', () => {
  const declined = errorFromResponse(402, { error: { code: 'PAYMENT_DECLINED', message: 'payment declined: card_declined', field: 'cardNo' } }, null);
  assert.equal(declined.code, 'PAYMENT_DECLINED');
  assert.equal(declined.field, 'cardNo');
  const busy = errorFromResponse(429, { error: { code: 'PAYMENT_BUSY', message: 'busy' } }, '2');
  assert.equal(busy.retryAfter, 2);
  const gateway = errorFromResponse(401, { message: 'Unauthorized' }, null);
  assert.equal(gateway.code, 'UNAUTHORIZED');
  assert.equal(gateway.message, 'Unauthorized');
  assert.equal(errorFromResponse(502, null, null).message, 'HTTP 502');
});

test('createApi sends the token, JSON and query, and reports 401s', async () => {
  const calls = [];
  let unauthorized = 0;
  const responses = [
    new Response(JSON.stringify({ items: [1] }), { status: 200 }),
    new Response(JSON.stringify({ message: 'Unauthorized' }), { status: 401 }),
  ];
  const api = createApi({
    baseUrl: 'http://x/',
    getToken: () => 'tok',
    onUnauthorized: () => { unauthorized += 1; },
    fetchImpl: async (url, init) => { calls.push({ url, init }); return responses.shift(); },
  });
  assert.deepEqual(await api('POST', '/orders', { body: { a: 1 }, query: { status: 'REQUESTED', empty: '' }, headers: { 'Idempotency-Key': 'k' } }), { items: [1] });
  assert.equal(calls[0].url, 'http://x/orders?status=REQUESTED');
  assert.equal(calls[0].init.headers.Authorization, 'Bearer tok');
  assert.equal(calls[0].init.headers['Idempotency-Key'], 'k');
  assert.equal(calls[0].init.body, '{"a":1}');
  await assert.rejects(api('GET', '/mypages'), (e) => e instanceof ApiError && e.status === 401);
  assert.equal(unauthorized, 1);
  const offline = createApi({ fetchImpl: async () => { throw new TypeError('Failed to fetch'); } });
  await assert.rejects(offline('GET', '/x'), (e) => e.status === 0 && e.code === 'NETWORK');
});

test('itemsOf reads list responses', () => {
  assert.deepEqual(itemsOf({ items: [1, 2] }), [1, 2]);
  assert.deepEqual(itemsOf([3]), [3]);
  assert.deepEqual(itemsOf({}), []);
  assert.deepEqual(itemsOf(null), []);
});

test('retries: 429/503/network are retried after Retry-After, others are not', async () => {
  assert.equal(isRetryable(new ApiError({ status: 429, code: 'PAYMENT_BUSY', message: '' })), true);
  assert.equal(isRetryable(new ApiError({ status: 402, code: 'PAYMENT_DECLINED', message: '' })), false);
  assert.equal(waitSeconds({ retryAfter: 0 }), 1);
  assert.equal(waitSeconds({ retryAfter: 3 }), 3);
  assert.equal(waitSeconds({ retryAfter: 3600 }), 30);

  const waits = [];
  const slept = [];
  let attempts = 0;
  const result = await withRetries(async (n) => {
    attempts = n;
    if (n === 1) throw new ApiError({ status: 429, code: 'PAYMENT_BUSY', message: '', retryAfter: 2 });
    if (n === 2) throw new ApiError({ status: 503, code: 'PAYMENT_UNAVAILABLE', message: '' });
    return 'placed';
  }, { onWait: (s) => waits.push(s), sleep: async (ms) => { slept.push(ms); } });
  assert.equal(result, 'placed');
  assert.equal(attempts, 3);
  assert.deepEqual(waits, [2, 1, 1]);
  assert.deepEqual(slept, [1000, 1000, 1000]);

  let declinedAttempts = 0;
  await assert.rejects(withRetries(async () => {
    declinedAttempts += 1;
    throw new ApiError({ status: 402, code: 'PAYMENT_DECLINED', message: '' });
  }, { sleep: async () => {} }), (e) => e.status === 402);
  assert.equal(declinedAttempts, 1);

  let busyAttempts = 0;
  await assert.rejects(withRetries(async () => {
    busyAttempts += 1;
    throw new ApiError({ status: 429, code: 'PAYMENT_BUSY', message: '' });
  }, { maxAttempts: 3, sleep: async () => {} }), (e) => e.status === 429);
  assert.equal(busyAttempts, 3);
});

test('JWT claims, groups and roles', () => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = `${b64({ alg: 'none' })}.${b64({ sub: 'u1', 'cognito:groups': ['customers', 'managers', 'admins'], exp: 100 })}.sig`;
  const claims = decodeClaims(token);
  assert.equal(claims.sub, 'u1');
  assert.deepEqual(rolesOf(groupsOf(claims)), ['customer', 'manager']);
  assert.deepEqual(groupsOf({ 'cognito:groups': '[drivers customers]' }), ['drivers', 'customers']);
  assert.deepEqual(groupsOf({}), []);
  assert.equal(isExpired(claims, 99), false);
  assert.equal(isExpired(claims, 100), true);
  assert.equal(decodeClaims('not-a-jwt'), null);
  assert.equal(decodeClaims('a.!!!.c'), null);
});

test('the schema validator accepts valid and names invalid values', async () => {
  const { validate, responseSchema } = await import('./schema.mjs');
  const root = {
    paths: { '/x': { get: { responses: { 200: { $ref: '#/components/responses/Ok' } } } } },
    components: {
      responses: { Ok: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
      schemas: {
        Grade: { type: 'string', enum: ['basic', 'prime'] },
        Thing: {
          type: 'object', required: ['id', 'grade'], additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: '^t-', minLength: 3 },
            grade: { $ref: '#/components/schemas/Grade' },
            count: { type: 'integer', minimum: 0, maximum: 9 },
            tags: { type: 'array', items: { type: 'string' } },
            kind: { const: 'thing' },
            alt: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
          },
        },
      },
    },
  };
  const thing = responseSchema(root, 'GET', '/x', 200);
  assert.deepEqual(validate({ id: 't-1', grade: 'prime', count: 3, tags: ['a'], kind: 'thing', alt: 2 }, thing, root), []);
  const cases = [
    [{ grade: 'basic' }, /missing required id/],
    [{ id: 'x-1', grade: 'basic' }, /does not match/],
    [{ id: 't-1', grade: 'gold' }, /not one of/],
    [{ id: 't-1', grade: 'basic', count: 1.5 }, /not of type integer/],
    [{ id: 't-1', grade: 'basic', count: 10 }, /more than 9/],
    [{ id: 't-1', grade: 'basic', tags: [1] }, /tags\[0\].*not of type string/],
    [{ id: 't-1', grade: 'basic', extra: 1 }, /unexpected property extra/],
    [{ id: 't-1', grade: 'basic', kind: 'other' }, /must be "thing"/],
    [{ id: 't-1', grade: 'basic', alt: true }, /matches 0 of oneOf/],
    [[], /not of type object/],
  ];
  for (const [value, want] of cases) {
    const problems = validate(value, thing, root);
    assert.ok(problems.some((p) => want.test(p)), `${JSON.stringify(value)}: ${problems}`);
  }
  assert.equal(responseSchema(root, 'GET', '/x', 404), undefined);
});

test('pickup times: a datetime-local value becomes RFC 3339 with the offset, inside 10 min – 7 days', () => {
  const savedTz = process.env.TZ;
  process.env.TZ = 'Asia/Seoul';
  try {
    const now = Date.parse('2026-05-01T00:00:00+09:00');
    assert.equal(toRfc3339(new Date(now)), '2026-05-01T00:00:00+09:00');
    assert.deepEqual(scheduledPickup('2026-05-01T08:30', now), { pickupAt: '2026-05-01T08:30:00+09:00' });
    assert.deepEqual(scheduledPickup('2026-05-01T00:10', now), { pickupAt: '2026-05-01T00:10:00+09:00' });
    assert.deepEqual(scheduledPickup('2026-05-01T00:09', now), { error: 'tooSoon' });
    assert.deepEqual(scheduledPickup('2026-04-30T23:00', now), { error: 'tooSoon' });
    assert.deepEqual(scheduledPickup('2026-05-08T00:00', now), { pickupAt: '2026-05-08T00:00:00+09:00' });
    assert.deepEqual(scheduledPickup('2026-05-08T00:01', now), { error: 'tooLate' });
    for (const bad of ['', '2026-02-30T10:00', '2026-05-01', 'tomorrow', '2026-05-01T25:00']) {
      assert.deepEqual(scheduledPickup(bad, now), { error: 'invalid' }, bad);
    }
    assert.equal(fromLocalInput('2026-05-01T08:30:15').getSeconds(), 15);
    assert.deepEqual(pickerBounds(now), { min: '2026-05-01T00:11', max: '2026-05-08T00:00', suggested: '2026-05-01T00:30' });
    process.env.TZ = 'America/New_York';
    assert.deepEqual(scheduledPickup('2026-05-01T08:30', Date.parse('2026-05-01T08:00:00-04:00')), { pickupAt: '2026-05-01T08:30:00-04:00' });
    process.env.TZ = 'Asia/Kolkata';
    assert.equal(toRfc3339(new Date(Date.parse('2026-05-01T00:00:00Z'))), '2026-05-01T05:30:00+05:30');
  } finally {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  }
});

test('a dispatch board is sorted as soon as possible first, then by pickup time', () => {
  const items = [
    { id: 'c', pickupAt: '2026-05-01T10:00:00+09:00', createdAt: '2026-04-30T00:00:00.000Z' },
    { id: 'b', pickupAt: null, createdAt: '2026-04-30T02:00:00.000Z' },
    { id: 'd', pickupAt: '2026-05-01T01:30:00Z', createdAt: '2026-04-29T00:00:00.000Z' },
    { id: 'a', createdAt: '2026-04-30T01:00:00.000Z' },
  ];
  assert.deepEqual(items.sort(byPickup).map((x) => x.id), ['a', 'b', 'c', 'd']);
});
