// The manager's screen: reservations by status (tabs), and for each requested one a control that
// assigns a taxi of the booking's grade. A rejected assignment comes back as REQUESTED with rejectReason.

import { itemsOf } from './api.js';
import { h, poll, replaceChildrenKeepingFocus, uid } from './dom.js';
import { describeError, statusLine } from './forms.js';
import { formatTime, onLanguageChange, t } from './i18n.js';
import { statusBadge } from './customer.js';

const pollMs = 2000;
export const reservationStatuses = ['REQUESTED', 'ASSIGNING', 'CONFIRMED', 'CANCELED'];

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

  async function refresh() {
    const shown = active;
    try {
      const items = itemsOf(await api('GET', '/reservations', { query: { status: shown } }));
      const taxisByGrade = {};
      if (shown === 'REQUESTED') {
        const needed = [...new Set(items.map((r) => r.orderType).filter(Boolean))];
        await Promise.all(needed.map(async (grade) => {
          taxisByGrade[grade] = itemsOf(await api('GET', '/taxis', { query: { grade } }));
        }));
      }
      if (shown !== active) return;
      const next = JSON.stringify({ items, taxisByGrade });
      if (next === last) return;
      last = next;
      state = { items, taxisByGrade };
      render();
    } catch (error) {
      status.show(describeError(error), 'error');
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
  container.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'reservations-title' }, title, tablist, status, panel));
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
      h('h3', { id: titleId }, `${t(`grade_${r.orderType}`)} · ${r.id}`),
      statusBadge(r.status)),
    h('dl', { class: 'facts' },
      h('dt', {}, t('order')), h('dd', { class: 'mono' }, r.orderId),
      h('dt', {}, t('created')), h('dd', {}, h('time', { datetime: r.createdAt }, formatTime(r.createdAt))),
      r.taxiName ? [h('dt', {}, t('taxi')), h('dd', { class: 'taxi-name' }, r.taxiName)] : null,
      r.assignAttempt ? [h('dt', {}, t('attempt')), h('dd', {}, String(r.assignAttempt))] : null),
    r.rejectReason && r.status === 'REQUESTED'
      ? h('p', { class: 'reject-reason', role: 'note' }, t('rejected', { reason: r.rejectReason }))
      : null,
    r.status === 'REQUESTED' ? assignControl(r, taxis, chosenTaxi, assign) : null);
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
