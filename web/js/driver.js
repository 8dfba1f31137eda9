// The driver's screen: the rides assigned to the driver's taxis (with "picked up" and "completed"), the
// driver's own taxis with how many are available, and the form that registers a taxi.

import { itemsOf } from './api.js';
import { pickupTime, statusBadge } from './customer.js';
import { h, poll, replaceChildrenKeepingFocus, uid } from './dom.js';
import { grades } from './fares.js';
import { clearErrors, describeError, field, setFieldError, statusLine } from './forms.js';
import { onLanguageChange, t } from './i18n.js';
import { contact } from './manager.js';

const pollMs = 3000;

export function mountDriver(container, { api, session }) {
  const status = statusLine();
  const list = h('div', { class: 'taxis' }, h('p', {}, t('loading')));
  let taxis = [];
  let lastTaxis = '';
  // Availability typed but not saved yet survives the periodic re-render.
  const edits = new Map();

  const render = () => replaceChildrenKeepingFocus(list, taxis.length
    ? taxis.map((taxi) => taxiRow(taxi, save, edits))
    : h('p', { class: 'empty' }, t('noTaxisOwned')));

  async function refresh() {
    try {
      // GET /taxis lists the whole fleet; a driver manages only the taxis they registered.
      const mine = itemsOf(await api('GET', '/taxis')).filter((taxi) => taxi.driverId === session.sub);
      status.clearPollError();
      const next = JSON.stringify(mine);
      if (next === lastTaxis) return;
      lastTaxis = next;
      taxis = mine;
      render();
    } catch (error) {
      status.pollError(describeError(error));
    }
  }

  async function save(taxi, input, button) {
    const count = Number(input.value);
    if (input.value.trim() === '' || !Number.isInteger(count) || count < 0) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      status.show(t('stockInvalid'), 'error');
      return;
    }
    input.removeAttribute('aria-invalid');
    button.disabled = true;
    try {
      const updated = await api('PATCH', `/taxis/${encodeURIComponent(taxi.id)}`, { body: { stockCnt: count } });
      edits.delete(taxi.id);
      // Re-list first, so the message appears once the screen shows the saved value.
      lastTaxis = '';
      await refresh();
      status.show(t('saved', { name: taxi.taxiName, count: updated?.stockCnt ?? count }), 'ok');
    } catch (error) {
      status.show(describeError(error), 'error');
    } finally {
      button.disabled = false;
    }
  }

  const rides = createAssignments(api, () => {
    lastTaxis = '';
    return refresh();
  });
  const form = registerForm(api, status, () => {
    lastTaxis = '';
    return refresh();
  });
  container.replaceChildren(rides.element,
    h('section', { class: 'card', 'aria-labelledby': 'taxis-title' },
      h('h2', { id: 'taxis-title', 'data-i18n': 'driverTitle' }, t('driverTitle')),
      status, list),
    form);
  // Completed rides give their taxi back asynchronously: the counts are polled like the rides.
  const cleanups = [
    poll(async () => {
      await Promise.all([rides.refresh(), refresh()]);
    }, pollMs),
    onLanguageChange(() => {
      render();
      rides.render();
    }),
  ];
  return () => cleanups.forEach((fn) => fn());
}

/** The rides assigned to the driver's taxis (GET /assignments, upcoming first) and their two steps. */
function createAssignments(api, onCompleted) {
  const status = statusLine();
  const list = h('div', { class: 'rides', tabindex: '-1', 'aria-busy': 'true' }, h('p', { 'data-i18n': 'loading' }, t('loading')));
  const element = h('section', { class: 'card', 'aria-labelledby': 'rides-title' },
    h('h2', { id: 'rides-title', 'data-i18n': 'assignmentsTitle' }, t('assignmentsTitle')),
    h('p', { class: 'hint', 'data-i18n': 'assignmentsHint' }, t('assignmentsHint')),
    status, list);
  let items = [];
  let last = '';

  const render = () => {
    list.removeAttribute('aria-busy');
    replaceChildrenKeepingFocus(list, items.length
      ? items.map((ride) => rideCard(ride, step))
      : h('p', { class: 'empty', 'data-i18n': 'noAssignments' }, t('noAssignments')));
  };

  async function refresh() {
    try {
      const body = await api('GET', '/assignments');
      status.clearPollError();
      const next = JSON.stringify(body);
      if (next === last) return;
      last = next;
      items = itemsOf(body);
      render();
    } catch (error) {
      status.pollError(describeError(error));
      if (list.hasAttribute('aria-busy')) {
        list.removeAttribute('aria-busy');
        list.replaceChildren();
      }
    }
  }

  async function step(ride, action, button) {
    button.disabled = true;
    try {
      await api('POST', `/reservations/${encodeURIComponent(ride.id)}/${action}`);
      last = '';
      await refresh();
      if (action === 'complete') {
        status.show(t('markedCompleted', { id: ride.id, taxi: ride.taxiName ?? '' }), 'ok');
        await onCompleted();
      } else {
        status.show(t('markedPickedUp', { id: ride.id }), 'ok');
      }
      // The button is gone: keep the keyboard user on the ride (its next step, or the list).
      const card = list.querySelector(`[data-reservation-id="${CSS.escape(ride.id)}"]`);
      if (!element.contains(document.activeElement)) (card?.querySelector('button') ?? card ?? list).focus?.();
    } catch (error) {
      status.show(describeError(error), 'error');
    } finally {
      button.disabled = false;
    }
  }

  return { element, refresh, render };
}

function rideCard(ride, step) {
  const titleId = `ride-${ride.id}`;
  const action = { CONFIRMED: ['pickup', 'markPickedUp'], PICKED_UP: ['complete', 'markCompleted'] }[ride.status];
  let button = null;
  if (action) {
    const [path, labelKey] = action;
    button = h('button', {
      type: 'button', class: 'primary', 'data-focus-key': `${path}-${ride.id}`, 'data-action': path, 'aria-describedby': titleId,
      onclick: () => step(ride, path, button),
    }, t(labelKey));
  }
  return h('article', { class: 'ride', tabindex: '-1', 'aria-labelledby': titleId, 'data-reservation-id': ride.id, 'data-order-id': ride.orderId, 'data-status': ride.status },
    h('header', {},
      h('h3', { id: titleId }, h('span', { class: 'when' }, pickupTime(ride.pickupAt)), ' · ', ride.pickup || ride.id),
      statusBadge(ride.status)),
    h('dl', { class: 'facts' },
      h('dt', {}, t('pickup')), h('dd', { class: 'pickup' }, ride.pickup ?? ''),
      ride.destination ? [h('dt', {}, t('destination')), h('dd', { class: 'destination' }, ride.destination)] : null,
      h('dt', {}, t('when')), h('dd', { class: 'pickup-at' }, pickupTime(ride.pickupAt)),
      h('dt', {}, t('customer')), h('dd', { class: 'customer-name' }, ride.customerName ?? ''),
      h('dt', {}, t('contact')), h('dd', { class: 'customer-phone' }, contact(ride)),
      ride.note ? [h('dt', {}, t('note')), h('dd', { class: 'note' }, ride.note)] : null,
      ride.taxiName ? [h('dt', {}, t('taxi')), h('dd', { class: 'taxi-name' }, ride.taxiName)] : null),
    button ? h('div', { class: 'actions' }, button) : null);
}

function registerForm(api, status, onRegistered) {
  const submit = h('button', { type: 'submit', class: 'primary', 'data-i18n': 'register' }, t('register'));
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'register-title' },
    h('h2', { id: 'register-title', 'data-i18n': 'registerTaxi' }, t('registerTaxi')),
    h('div', { class: 'grid-2' },
      field({ name: 'taxiName', labelKey: 'taxiName', required: true, autocomplete: 'off', maxlength: '60' }),
      field({ name: 'companyName', labelKey: 'companyName', required: true, autocomplete: 'organization', maxlength: '60' }),
      field({ name: 'grade', labelKey: 'grade', options: grades.map((g) => ({ value: g, labelKey: `grade_${g}` })) }),
      field({ name: 'stockCnt', labelKey: 'stockCnt', type: 'number', min: '0', max: '10000', step: '1', value: '1', required: true, inputmode: 'numeric' }),
      field({ name: 'itemPrice', labelKey: 'itemPrice', type: 'number', min: '0', step: '100', value: '0', required: true, inputmode: 'numeric', hintKey: 'itemPriceHint' })),
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const text = (name) => String(data.get(name) ?? '').trim();
    const body = {
      taxiName: text('taxiName'), companyName: text('companyName'), grade: text('grade'),
      stockCnt: Number(text('stockCnt')), itemPrice: Number(text('itemPrice')),
    };
    const missing = ['taxiName', 'companyName', 'stockCnt', 'itemPrice'].find((name) => text(name) === '');
    if (missing) {
      setFieldError(form, missing, t('required'));
      return;
    }
    submit.disabled = true;
    try {
      const taxi = await api('POST', '/taxis', { body });
      form.querySelector('[name="taxiName"]').value = '';
      await onRegistered();
      status.show(t('registered', { name: taxi?.taxiName ?? body.taxiName }), 'ok');
    } catch (error) {
      if (!(error.status === 400 && setFieldError(form, error.field, error.message))) status.show(describeError(error), 'error');
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function taxiRow(taxi, save, edits) {
  const id = uid('stock');
  const input = h('input', {
    id, type: 'number', min: '0', step: '1', value: edits.get(taxi.id) ?? String(taxi.stockCnt ?? 0), inputmode: 'numeric',
    'data-focus-key': `stock-${taxi.id}`, class: 'narrow', oninput: () => edits.set(taxi.id, input.value),
  });
  const button = h('button', { type: 'button', 'data-focus-key': `save-${taxi.id}`, onclick: () => save(taxi, input, button) }, t('save'));
  return h('article', { class: 'taxi', 'data-taxi-id': taxi.id },
    h('header', {},
      h('h3', {}, taxi.taxiName),
      h('span', { class: 'badge' }, t(`grade_${taxi.grade}`))),
    h('p', { class: 'hint' }, taxi.companyName),
    h('div', { class: 'inline' },
      h('label', { for: id }, t('availableFor', { name: taxi.taxiName })),
      input, button));
}
