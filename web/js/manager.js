// The manager's dispatch board: reservations by status (tabs), optionally of one pickup date, sorted by
// pickup time (as soon as possible first) with the place, the time and the customer's contact; for each
// requested one a control that assigns a taxi of the booking's grade. A rejected assignment comes back
// as REQUESTED with rejectReason.

import { itemsOf } from './api.js';
import { h, poll, replaceChildrenKeepingFocus, uid } from './dom.js';
import { describeError, field, statusLine } from './forms.js';
import { formatTime, onLanguageChange, t } from './i18n.js';
import { pickupTime, statusBadge } from './customer.js';
import { byPickup } from './when.js';

const pollMs = 2000;
export const reservationStatuses = ['REQUESTED', 'ASSIGNING', 'CONFIRMED', 'PICKED_UP', 'COMPLETED', 'CANCELED'];

export function mountManager(container, { api }) {
  const cleanups = [];
  const status = statusLine();
  const panel = h('div', { role: 'tabpanel', id: 'reservations-panel', tabindex: '0', class: 'reservations' });
  let active = reservationStatuses[0];
  // What the manager picked per reservation survives the periodic re-render.
  const chosenTaxi = new Map();
  let last = '';
  let state = { items: [], taxisByGrade: {} };

  const tabs = reservationStatuses.map((s) => h('button', {
    type: 'button', role: 'tab', id: `tab-${s}`, 'aria-controls': 'reservations-panel', 'data-status': s,
    onclick: () => select(s),
  }));
  const tablist = h('div', { role: 'tablist', class: 'tabs', onkeydown: onTabKey });

  function labelTabs() {
    for (const tab of tabs) {
      const selected = tab.dataset.status === active;
      tab.textContent = t(`status_${tab.dataset.status}`);
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    tablist.setAttribute('aria-label', t('reservationStatus'));
    panel.setAttribute('aria-labelledby', `tab-${active}`);
  }
  tablist.append(...tabs);

  function onTabKey(event) {
    const i = reservationStatuses.indexOf(active);
    const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: reservationStatuses.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = reservationStatuses[(moves[event.key] + reservationStatuses.length) % reservationStatuses.length];
    select(next);
    tabs.find((tab) => tab.dataset.status === next).focus();
  }

  function select(next) {
    active = next;
    last = '';
    labelTabs();
    refresh();
  }

  // The pickup date filter (YYYY-MM-DD in the company's time zone, as the API reads it); empty = every date.
  const dateField = field({ name: 'date', labelKey: 'pickupDate', type: 'date', hintKey: 'pickupDateHint' });
  const dateInput = dateField.querySelector('input');
  dateInput.addEventListener('change', () => {
    last = '';
    refresh();
  });
  const allDates = h('button', {
    type: 'button', 'data-i18n': 'allDates',
    onclick: () => {
      if (!dateInput.value) return;
      dateInput.value = '';
      last = '';
      refresh();
    },
  }, t('allDates'));
  // The date and its "all dates" button on one row, the hint below them.
  dateField.classList.add('date-filter');
  const dateRow = h('div', { class: 'inline' });
  dateInput.replaceWith(dateRow);
  dateRow.append(dateInput, allDates);

  async function refresh() {
    const shown = active;
    const date = dateInput.value;
    try {
      const query = { status: shown };
      if (date) query.date = date;
      const items = itemsOf(await api('GET', '/reservations', { query })).slice().sort(byPickup);
      const taxisByGrade = {};
      if (shown === 'REQUESTED') {
        const needed = [...new Set(items.map((r) => r.orderType).filter(Boolean))];
        await Promise.all(needed.map(async (grade) => {
          taxisByGrade[grade] = itemsOf(await api('GET', '/taxis', { query: { grade } }));
        }));
      }
      if (shown !== active || date !== dateInput.value) return;
      status.clearPollError();
      const next = JSON.stringify({ items, taxisByGrade });
      if (next === last) return;
      last = next;
      state = { items, taxisByGrade };
      render();
    } catch (error) {
      status.pollError(describeError(error));
    }
  }

  function render() {
    const { items, taxisByGrade } = state;
    replaceChildrenKeepingFocus(panel, items.length
      ? items.map((r) => reservationCard(r, taxisByGrade[r.orderType] ?? [], chosenTaxi, assign))
      : h('p', { class: 'empty' }, t('noReservations')));
  }

  async function assign(reservation, taxi, button) {
    button.disabled = true;
    try {
      await api('POST', `/reservations/${encodeURIComponent(reservation.id)}/confirm`, { body: { taxiId: taxi.id } });
      chosenTaxi.delete(reservation.id);
      status.show(t('assignSent', { taxi: taxi.taxiName, id: reservation.id }), 'ok');
      last = '';
      await refresh();
    } catch (error) {
      status.show(describeError(error), 'error');
    } finally {
      button.disabled = false;
    }
  }

  const title = h('h2', { id: 'reservations-title', 'data-i18n': 'reservationsTitle' }, t('reservationsTitle'));
  container.replaceChildren(h('section', { class: 'card board', 'aria-labelledby': 'reservations-title' },
    title,
    h('p', { class: 'hint', 'data-i18n': 'boardSorted' }, t('boardSorted')),
    dateField,
    tablist, status, panel));
  labelTabs();
  cleanups.push(onLanguageChange(() => {
    labelTabs();
    render();
  }));
  cleanups.push(poll(refresh, pollMs));
  return () => cleanups.forEach((fn) => fn());
}

function reservationCard(r, taxis, chosenTaxi, assign) {
  const titleId = `rsv-${r.id}`;
  return h('article', { class: 'reservation', 'aria-labelledby': titleId, 'data-reservation-id': r.id, 'data-order-id': r.orderId },
    h('header', {},
      h('h3', { id: titleId }, h('span', { class: 'when' }, pickupTime(r.pickupAt)), ' · ', r.pickup || r.id),
      statusBadge(r.status)),
    h('dl', { class: 'facts' },
      h('dt', {}, t('pickup')), h('dd', { class: 'pickup' }, r.pickup ?? ''),
      r.destination ? [h('dt', {}, t('destination')), h('dd', { class: 'destination' }, r.destination)] : null,
      h('dt', {}, t('when')), h('dd', { class: 'pickup-at' }, pickupTime(r.pickupAt)),
      h('dt', {}, t('customer')), h('dd', { class: 'customer-name' }, r.customerName ?? ''),
      h('dt', {}, t('contact')), h('dd', { class: 'customer-phone' }, contact(r)),
      r.note ? [h('dt', {}, t('note')), h('dd', { class: 'note' }, r.note)] : null,
      h('dt', {}, t('grade')), h('dd', {}, t(`grade_${r.orderType}`)),
      r.taxiName ? [h('dt', {}, t('taxi')), h('dd', { class: 'taxi-name' }, r.taxiName)] : null,
      r.assignAttempt ? [h('dt', {}, t('attempt')), h('dd', {}, String(r.assignAttempt))] : null,
      h('dt', {}, t('order')), h('dd', { class: 'mono' }, r.orderId),
      h('dt', {}, t('created')), h('dd', {}, h('time', { datetime: r.createdAt }, formatTime(r.createdAt)))),
    r.rejectReason && r.status === 'REQUESTED'
      ? h('p', { class: 'reject-reason', role: 'note' }, t('rejected', { reason: r.rejectReason }))
      : null,
    r.status === 'REQUESTED' ? assignControl(r, taxis, chosenTaxi, assign) : null);
}

/** The customer's phone as a tel: link (a dispatcher calls from the board). */
export function contact(r) {
  if (!r.customerPhone) return '';
  return h('a', { href: `tel:${r.customerPhone}`, class: 'tel', title: t('callCustomer', { name: r.customerName || r.customerPhone }) }, r.customerPhone);
}

function assignControl(r, taxis, chosenTaxi, assign) {
  if (!taxis.length) return h('p', { class: 'hint' }, t('noTaxis', { grade: t(`grade_${r.orderType}`) }));
  const id = uid('assign');
  const firstAvailable = taxis.find((taxi) => taxi.stockCnt > 0);
  const chosen = chosenTaxi.get(r.id) ?? firstAvailable?.id ?? '';
  const select = h('select', {
    id, name: 'taxiId', 'data-focus-key': `taxi-${r.id}`,
    onchange: () => chosenTaxi.set(r.id, select.value),
  },
  h('option', { value: '' }, t('chooseTaxi')),
  taxis.map((taxi) => h('option', { value: taxi.id, selected: taxi.id === chosen }, t('taxiOption', { name: taxi.taxiName, company: taxi.companyName, available: taxi.stockCnt }))));
  const button = h('button', {
    type: 'button', class: 'primary', 'data-focus-key': `assign-${r.id}`,
    onclick: () => {
      const taxi = taxis.find((x) => x.id === select.value);
      if (!taxi) {
        select.focus();
        return;
      }
      assign(r, taxi, button);
    },
  }, t('assign'));
  return h('div', { class: 'assign' },
    h('label', { for: id }, t('assignTaxi', { id: r.id })),
    h('div', { class: 'inline' }, select, button));
}
