// The customer's screen: book a taxi (with automatic, idempotent payment retries) and follow "my
// bookings" live, with a cancel that asks for confirmation first.

import { itemsOf } from './api.js';
import { h, poll, replaceChildrenKeepingFocus, uid } from './dom.js';
import { fare, grades } from './fares.js';
import { clearErrors, describeError, field, setFieldError, statusLine } from './forms.js';
import { formatKRW, formatTime, onLanguageChange, t } from './i18n.js';
import { isRetryable, withRetries } from './retry.js';

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
  const form = h('form', { class: 'card booking-form', novalidate: true, 'aria-labelledby': 'book-title' },
    h('h2', { id: 'book-title', 'data-i18n': 'bookTitle' }, t('bookTitle')),
    gradePicker(minTaxiPrice, listen),
    h('div', { class: 'grid-2' },
      field({ name: 'pickup', labelKey: 'pickup', autocomplete: 'off', maxlength: '200' }),
      field({ name: 'destination', labelKey: 'destination', autocomplete: 'off', maxlength: '200' }),
      field({ name: 'name', labelKey: 'name', required: true, autocomplete: 'name', maxlength: '100' }),
      field({ name: 'phone', labelKey: 'phone', type: 'tel', required: true, autocomplete: 'tel', hintKey: 'phoneHint', placeholder: '+821012345678' })),
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
    const missing = ['name', 'phone', 'cardNo'].find((name) => !body[name]);
    if (missing) {
      setFieldError(form, missing, t('required'));
      status.show(t('fixErrors'), 'error');
      return;
    }
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
  const body = { orderType: text('orderType'), name: text('name'), phone: text('phone'), cardNo: text('cardNo') };
  if (text('pickup')) body.pickup = text('pickup');
  if (text('destination')) body.destination = text('destination');
  return body;
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
      const next = JSON.stringify(body);
      if (next === last) return;
      last = next;
      items = itemsOf(body);
      render();
    } catch (error) {
      status.show(describeError(error), 'error');
    }
  };
  dialog.onDone = refresh;
  return { element, refresh };
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, 'data-status': status }, t(`status_${status}`));
}

function bookingCard(item, openCancel) {
  const titleId = `booking-${item.orderId}`;
  const canCancel = item.status !== 'CANCELED';
  return h('article', { class: 'booking', 'aria-labelledby': titleId, 'data-order-id': item.orderId, 'data-status': item.status },
    h('header', {},
      h('h3', { id: titleId }, `${t(`grade_${item.orderType}`)} · ${formatKRW(item.fare)}`),
      statusBadge(item.status)),
    h('dl', { class: 'facts' },
      h('dt', {}, t('order')), h('dd', { class: 'mono' }, item.orderId),
      item.taxiName ? [h('dt', {}, t('taxi')), h('dd', { class: 'taxi-name' }, item.taxiName)] : null,
      h('dt', {}, t('created')), h('dd', {}, h('time', { datetime: item.createdAt }, formatTime(item.createdAt)))),
    h('h4', { class: 'visually-hidden' }, t('timeline')),
    h('ol', { class: 'timeline', 'aria-label': t('timeline') },
      (item.history ?? []).map((entry) => h('li', {},
        statusBadge(entry.status), ' ', h('time', { datetime: entry.at }, formatTime(entry.at))))),
    canCancel
      ? h('button', { type: 'button', class: 'danger', 'data-focus-key': `cancel-${item.orderId}`, onclick: () => openCancel(item) }, t('cancel'))
      : null);
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
