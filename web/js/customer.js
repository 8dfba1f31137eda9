// The customer's screen: book a taxi (with automatic, idempotent payment retries) and follow "my
// bookings" live, with a cancel that asks for confirmation first.

import { itemsOf } from './api.js';
import { h, poll, replaceChildrenKeepingFocus, uid } from './dom.js';
import { fare, grades } from './fares.js';
import { clearErrors, describeError, field, setFieldError, statusLine } from './forms.js';
import { formatKRW, formatPickup, formatTime, lang, languages, onLanguageChange, t } from './i18n.js';
import { isRetryable, withRetries } from './retry.js';
import { pickerBounds, scheduledPickup } from './when.js';

const pollMs = 2000;

export function mountCustomer(container, { api, minTaxiPrice }) {
  const cleanups = [];
  const listen = (fn) => cleanups.push(onLanguageChange(fn));
  const bookings = createBookings(api, listen);
  const form = createBookingForm(api, minTaxiPrice, listen, () => bookings.refresh());
  container.replaceChildren(form.element, bookings.element);
  cleanups.push(poll(() => bookings.refresh(), pollMs), form.dispose);
  return () => cleanups.forEach((fn) => fn());
}

function gradePicker(minTaxiPrice, listen) {
  const errorId = uid('grade-error');
  const options = grades.map((grade, i) => {
    const id = uid(`grade-${grade}`);
    const fareText = h('span', { class: 'fare' });
    const render = () => {
      fareText.textContent = t('fareEstimate', { fare: formatKRW(fare(grade, minTaxiPrice)) });
    };
    render();
    listen(render);
    return h('div', { class: 'grade-option' },
      h('input', { type: 'radio', id, name: 'orderType', value: grade, checked: i === 0, 'aria-describedby': errorId }),
      h('label', { for: id },
        h('span', { class: 'grade-name', 'data-i18n': `grade_${grade}` }, t(`grade_${grade}`)),
        fareText));
  });
  return h('fieldset', { class: 'grades', 'data-field': 'orderType' },
    h('legend', { 'data-i18n': 'grade' }, t('grade')),
    h('div', { class: 'grade-options' }, options),
    h('p', { class: 'hint', 'data-i18n': 'fareNote' }, t('fareNote')),
    h('p', { id: errorId, class: 'field-error', 'aria-live': 'polite' }));
}

function createBookingForm(api, minTaxiPrice, listen, onBooked) {
  const status = statusLine();
  const submit = h('button', { type: 'submit', class: 'primary', 'data-i18n': 'book' }, t('book'));
  const when = pickupTimePicker();
  const smsLanguage = languagePicker(listen);
  const form = h('form', { class: 'card booking-form', novalidate: true, 'aria-labelledby': 'book-title' },
    h('h2', { id: 'book-title', 'data-i18n': 'bookTitle' }, t('bookTitle')),
    gradePicker(minTaxiPrice, listen),
    h('div', { class: 'grid-2' },
      field({ name: 'pickup', labelKey: 'pickup', required: true, autocomplete: 'off', maxlength: '200' }),
      field({ name: 'destination', labelKey: 'destinationOptional', autocomplete: 'off', maxlength: '200' })),
    when.element,
    field({ name: 'note', labelKey: 'noteOptional', autocomplete: 'off', maxlength: '200', hintKey: 'noteHint' }),
    h('div', { class: 'grid-2' },
      field({ name: 'name', labelKey: 'name', required: true, autocomplete: 'name', maxlength: '100' }),
      field({ name: 'phone', labelKey: 'phone', type: 'tel', required: true, autocomplete: 'tel', hintKey: 'phoneHint', placeholder: '+821012345678' })),
    smsLanguage,
    field({ name: 'cardNo', labelKey: 'cardNo', required: true, autocomplete: 'cc-number', inputmode: 'numeric', hintKey: 'cardHint' }),
    h('div', { class: 'actions' }, submit),
    status);

  // The key of a booking whose outcome is unknown (retries ran out) is reused when the same booking is
  // submitted again, so a payment that went through late is never charged twice.
  let pending = null;
  const abort = new AbortController();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = readBooking(form);
    const missing = ['pickup', 'name', 'phone', 'cardNo'].find((name) => !body[name]);
    if (missing) {
      setFieldError(form, missing, t('required'));
      status.show(t('fixErrors'), 'error');
      return;
    }
    const time = when.read();
    if (time.error) {
      setFieldError(form, 'pickupAt', t(time.error));
      status.show(t('fixErrors'), 'error');
      return;
    }
    if (time.pickupAt) body.pickupAt = time.pickupAt;
    const fingerprint = JSON.stringify(body);
    if (!pending || pending.fingerprint !== fingerprint) pending = { key: crypto.randomUUID(), fingerprint };
    const { key } = pending;

    submit.disabled = true;
    status.show(t('booking'), 'busy');
    try {
      const order = await withRetries(
        () => api('POST', '/orders', { body, headers: { 'Idempotency-Key': key } }),
        { onWait: (seconds) => status.show(t('paymentBusy', { seconds }), 'busy'), signal: abort.signal },
      );
      pending = null;
      status.show(t('booked', {
        grade: t(`grade_${order.orderType}`), fare: formatKRW(order.fare),
        brand: String(order.cardBrand || '').toUpperCase(), last4: order.cardLast4,
      }), 'ok');
      form.querySelector('[name="cardNo"]').value = '';
      when.reset();
      onBooked();
    } catch (error) {
      if (abort.signal.aborted) return;
      if (!isRetryable(error)) pending = null;
      showBookingError(form, status, error);
    } finally {
      submit.disabled = false;
    }
  });
  return { element: form, dispose: () => abort.abort() };
}

function readBooking(form) {
  const data = new FormData(form);
  const text = (name) => String(data.get(name) ?? '').trim();
  const body = { orderType: text('orderType'), pickup: text('pickup'), name: text('name'), phone: text('phone'), cardNo: text('cardNo') };
  if (text('destination')) body.destination = text('destination');
  if (text('note')) body.note = text('note');
  if (text('language')) body.language = text('language');
  return body;
}

const pickupErrors = { invalid: 'pickupInvalid', tooSoon: 'pickupTooSoon', tooLate: 'pickupTooLate' };

/**
 * "As soon as possible" (the default) or a set time: two radios and a datetime-local input shown only
 * for a set time, bounded to the window the API accepts. read() → {} | {pickupAt} | {error: i18n key}.
 */
function pickupTimePicker() {
  const radio = (value, labelKey, checked) => {
    const id = uid(`when-${value}`);
    return h('div', { class: 'radio' },
      h('input', { type: 'radio', id, name: 'when', value, checked, onchange: sync }),
      h('label', { for: id, 'data-i18n': labelKey }, t(labelKey)));
  };
  const at = field({ name: 'pickupAt', labelKey: 'pickupAt', type: 'datetime-local', hintKey: 'pickupAtHint', step: '60' });
  const input = at.querySelector('input');
  at.hidden = true;
  const element = h('fieldset', { class: 'when', 'data-field': 'when' },
    h('legend', { 'data-i18n': 'pickupTime' }, t('pickupTime')),
    h('div', { class: 'inline' }, radio('asap', 'asap', true), radio('later', 'scheduleLater', false)),
    at);
  const scheduled = () => element.querySelector('input[name="when"]:checked')?.value === 'later';

  function sync() {
    const later = scheduled();
    at.hidden = !later;
    input.required = later;
    if (later) {
      const bounds = pickerBounds();
      input.min = bounds.min;
      input.max = bounds.max;
      if (!input.value) input.value = bounds.suggested;
    }
  }

  return {
    element,
    read() {
      if (!scheduled()) return {};
      const result = scheduledPickup(input.value);
      return result.error ? { error: pickupErrors[result.error] } : result;
    },
    reset() {
      element.querySelector('input[value="asap"]').checked = true;
      input.value = '';
      sync();
    },
  };
}

/** The language of the customer's text messages: the console's language until the customer picks one. */
function languagePicker(listen) {
  const wrapper = field({
    name: 'language', labelKey: 'smsLanguage',
    options: languages.map((code) => ({ value: code, labelKey: `langName_${code}` })),
  });
  const select = wrapper.querySelector('select');
  for (const option of select.options) option.lang = option.value;
  let chosen = false;
  select.value = lang();
  select.addEventListener('change', () => { chosen = true; });
  listen((next) => { if (!chosen) select.value = next; });
  return wrapper;
}

function showBookingError(form, status, error) {
  if (error.status === 402) {
    const reason = error.message.replace(/^payment declined:\s*/i, '') || error.code;
    setFieldError(form, error.field || 'cardNo', t('paymentDeclined', { reason }));
    status.show(t('useAnotherCard'), 'error');
  } else if (error.status === 400 && setFieldError(form, error.field, error.message)) {
    status.show(t('fixErrors'), 'error');
  } else if (isRetryable(error)) {
    status.show(t('paymentGaveUp'), 'error');
  } else {
    status.show(describeError(error), 'error');
  }
}

function createBookings(api, listen) {
  const list = h('div', { class: 'bookings', 'aria-busy': 'true' }, h('p', { 'data-i18n': 'loading' }, t('loading')));
  const status = statusLine();
  const dialog = createCancelDialog(api, status);
  const element = h('section', { class: 'card', 'aria-labelledby': 'bookings-title' },
    h('h2', { id: 'bookings-title', 'data-i18n': 'myBookings' }, t('myBookings')),
    status, list, dialog.element);

  let last = '';
  let items = [];
  const render = () => {
    list.removeAttribute('aria-busy');
    replaceChildrenKeepingFocus(list, items.length
      ? items.map((item) => bookingCard(item, dialog.open))
      : h('p', { class: 'empty', 'data-i18n': 'noBookings' }, t('noBookings')));
  };
  listen(render);

  const refresh = async () => {
    try {
      const body = await api('GET', '/mypages');
      status.clearPollError();
      const next = JSON.stringify(body);
      if (next === last) return;
      last = next;
      items = itemsOf(body);
      render();
    } catch (error) {
      status.pollError(describeError(error));
    }
  };
  dialog.onDone = refresh;
  return { element, refresh };
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, t(`status_${status}`));
}

/** Statuses after which a booking can no longer be cancelled (the passenger is in the taxi, or it ended). */
const finalForCancel = new Set(['CANCELED', 'PICKED_UP', 'COMPLETED']);
/** Statuses at which a rejected assignment is still news: the company is choosing another taxi. */
const awaitingTaxi = new Set(['PAID', 'RESERVED']);

function bookingCard(item, openCancel) {
  const titleId = `booking-${item.orderId}`;
  const canCancel = !finalForCancel.has(item.status);
  return h('article', { class: 'booking', 'aria-labelledby': titleId, 'data-order-id': item.orderId, 'data-status': item.status },
    h('header', {},
      h('h3', { id: titleId }, `${t(`grade_${item.orderType}`)} · ${formatKRW(item.fare)}`),
      statusBadge(item.status)),
    h('dl', { class: 'facts' },
      item.pickup ? [h('dt', {}, t('pickup')), h('dd', { class: 'pickup' }, item.pickup)] : null,
      item.destination ? [h('dt', {}, t('destination')), h('dd', { class: 'destination' }, item.destination)] : null,
      h('dt', {}, t('when')), h('dd', { class: 'pickup-at' }, pickupTime(item.pickupAt)),
      item.taxiName ? [h('dt', {}, t('taxi')), h('dd', { class: 'taxi-name' }, item.taxiName)] : null,
      item.note ? [h('dt', {}, t('note')), h('dd', { class: 'note' }, item.note)] : null,
      h('dt', {}, t('order')), h('dd', { class: 'mono' }, item.orderId),
      h('dt', {}, t('created')), h('dd', {}, h('time', { datetime: item.createdAt }, formatTime(item.createdAt)))),
    item.rejectReason && awaitingTaxi.has(item.status)
      ? h('p', { class: 'reject-reason', role: 'note' }, t('customerRejected', { reason: item.rejectReason }))
      : null,
    h('h4', { class: 'visually-hidden' }, t('timeline')),
    h('ol', { class: 'timeline', 'aria-label': t('timeline') },
      (item.history ?? []).map((entry) => h('li', {},
        statusBadge(entry.status), ' ', h('time', { datetime: entry.at }, formatTime(entry.at))))),
    canCancel
      ? h('button', { type: 'button', class: 'danger', 'data-focus-key': `cancel-${item.orderId}`, onclick: () => openCancel(item) }, t('cancel'))
      : null);
}

/** A pickup time as a <time> element, or "as soon as possible". */
export function pickupTime(iso) {
  return iso ? h('time', { datetime: iso }, formatPickup(iso)) : h('span', { class: 'asap' }, t('asap'));
}

function createCancelDialog(api, status) {
  const titleId = uid('cancel-title');
  const body = h('p');
  const yes = h('button', { type: 'button', class: 'danger' });
  const no = h('button', { type: 'button', autofocus: true });
  const title = h('h2', { id: titleId });
  const element = h('dialog', { class: 'confirm', 'aria-labelledby': titleId }, title, body, h('div', { class: 'actions' }, no, yes));
  const self = { element, onDone: () => {}, open: null };
  let target = null;
  let opener = null;

  // The list may have been re-rendered while the dialog was open: return focus to the same button.
  const close = () => {
    element.close();
    const key = opener?.dataset?.focusKey;
    const same = key ? document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) : null;
    (same ?? opener)?.focus?.();
  };
  no.addEventListener('click', close);
  yes.addEventListener('click', async () => {
    const item = target;
    yes.disabled = true;
    try {
      await api('POST', `/orders/${encodeURIComponent(item.orderId)}/cancel`);
      status.show(t('canceled', { id: item.orderId }), 'ok');
      await self.onDone();
    } catch (error) {
      status.show(describeError(error), 'error');
    } finally {
      yes.disabled = false;
      close();
    }
  });
  self.open = (item) => {
    target = item;
    opener = document.activeElement;
    title.textContent = t('cancelConfirmTitle');
    body.textContent = t('cancelConfirmBody', { fare: formatKRW(item.fare) });
    yes.textContent = t('cancelConfirmYes');
    no.textContent = t('cancelConfirmNo');
    element.showModal();
  };
  return self;
}
