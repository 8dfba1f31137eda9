// The driver's screen: register a taxi, list the driver's own taxis and change how many are available.

import { itemsOf } from './api.js';
import { h, replaceChildrenKeepingFocus, uid } from './dom.js';
import { grades } from './fares.js';
import { clearErrors, describeError, field, setFieldError, statusLine } from './forms.js';
import { onLanguageChange, t } from './i18n.js';

export function mountDriver(container, { api, session }) {
  const status = statusLine();
  const list = h('div', { class: 'taxis' }, h('p', {}, t('loading')));
  let taxis = [];

  const render = () => replaceChildrenKeepingFocus(list, taxis.length
    ? taxis.map((taxi) => taxiRow(taxi, save))
    : h('p', { class: 'empty' }, t('noTaxisOwned')));

  async function refresh() {
    try {
      // GET /taxis lists the whole fleet; a driver manages only the taxis they registered.
      taxis = itemsOf(await api('GET', '/taxis')).filter((taxi) => taxi.driverId === session.sub);
      render();
    } catch (error) {
      status.show(describeError(error), 'error');
    }
  }

  async function save(taxi, input, button) {
    const count = Number(input.value);
    if (!Number.isInteger(count) || count < 0) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      status.show(t('stockInvalid'), 'error');
      return;
    }
    input.removeAttribute('aria-invalid');
    button.disabled = true;
    try {
      const updated = await api('PATCH', `/taxis/${encodeURIComponent(taxi.id)}`, { body: { stockCnt: count } });
      // Re-list first, so the message appears once the screen shows the saved value.
      await refresh();
      status.show(t('saved', { name: taxi.taxiName, count: updated?.stockCnt ?? count }), 'ok');
    } catch (error) {
      status.show(describeError(error), 'error');
    } finally {
      button.disabled = false;
    }
  }

  const form = registerForm(api, status, refresh);
  container.replaceChildren(form,
    h('section', { class: 'card', 'aria-labelledby': 'taxis-title' },
      h('h2', { id: 'taxis-title', 'data-i18n': 'driverTitle' }, t('driverTitle')),
      status, list));
  refresh();
  return onLanguageChange(render);
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

function taxiRow(taxi, save) {
  const id = uid('stock');
  const input = h('input', { id, type: 'number', min: '0', step: '1', value: String(taxi.stockCnt ?? 0), inputmode: 'numeric', 'data-focus-key': `stock-${taxi.id}`, class: 'narrow' });
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
