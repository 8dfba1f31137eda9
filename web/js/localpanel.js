// Local cloud only: the SMS inbox (what notify "sent") and the functions panel (environments,
// invocations, throttles, errors, cold starts, and the fault drills: stop = throttled as with reserved
// concurrency 0, fail = every invocation a function error, start = running again).

import { h, poll, replaceChildrenKeepingFocus } from './dom.js';
import { describeError, statusLine } from './forms.js';
import { formatTime, onLanguageChange, t } from './i18n.js';

const pollMs = 2000;
const keptSms = 500;

export function mountLocalPanel(container, { control }) {
  const status = statusLine();
  const inbox = h('ol', { class: 'sms-list', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const functions = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'functions-title' });
  let messages = [];
  let stats = [];
  let smsAfter = '';
  let lastFns = '';

  const renderInbox = () => {
    replaceChildrenKeepingFocus(inbox, messages.length
      ? [...messages].reverse().map((m) => h('li', { class: 'sms' },
          h('div', { class: 'sms-meta' }, h('span', { class: 'mono' }, m.phoneNumber ?? ''), ' · ', h('time', { datetime: m.at }, formatTime(m.at))),
          h('p', { class: 'sms-text' }, m.message)))
      : h('li', { class: 'empty' }, t('noSms')));
  };

  const renderFunctions = () => {
    const header = ['fnName', 'fnState', 'fnEnvironments', 'fnInvocations', 'fnThrottles', 'fnErrors', 'fnColdStarts', ''];
    replaceChildrenKeepingFocus(functions, h('table', {},
      h('thead', {}, h('tr', {}, header.map((key) => h('th', { scope: 'col' }, key ? t(key) : '')))),
      h('tbody', {}, stats.map((fn) => {
        const state = stateOf(fn);
        const name = shortName(fn.name);
        const drill = (action, labelKey, ariaKey) => h('button', {
          type: 'button', 'data-focus-key': `fn-${action}-${fn.name}`, 'data-action': action,
          'aria-label': t(ariaKey, { name }),
          onclick: () => act(fn, action),
        }, t(labelKey));
        return h('tr', { 'data-function': fn.name, 'data-state': state },
          h('th', { scope: 'row', class: 'mono' }, name),
          h('td', { class: 'fn-state' }, stateLabel[state] ? t(stateLabel[state]) : state),
          h('td', {}, String(fn.environments)),
          h('td', {}, String(fn.invocations)),
          h('td', {}, String(fn.throttles)),
          h('td', {}, String(fn.errors)),
          h('td', {}, fn.coldStarts ? `${fn.coldStarts} · ${Math.round(fn.avgColdStartMs)} ms` : '0'),
          h('td', { class: 'fn-actions' }, state === 'running'
            ? [drill('stop', 'stop', 'stopFn'), ' ', drill('fail', 'fail', 'failFn')]
            : drill('start', 'start', 'startFn')));
      }))));
  };

  async function act(fn, action) {
    try {
      await control('POST', `/_local/functions/${encodeURIComponent(fn.name)}/${action}`);
      lastFns = '';
      await refresh();
      // The pressed button is replaced by the other drill(s): keep the keyboard on the row.
      if (!functions.contains(document.activeElement)) {
        functions.querySelector(`tr[data-function="${CSS.escape(fn.name)}"] button`)?.focus();
      }
    } catch (error) {
      status.show(describeError(error), 'error');
    }
  }

  // /_local/sms pages (oldest first, ?after= the previous page's next): only the pages after the
  // messages already shown are fetched, and the inbox keeps the newest keptSms.
  async function fetchNewSms() {
    let added = false;
    for (;;) {
      const page = await control('GET', smsAfter ? `/_local/sms?after=${encodeURIComponent(smsAfter)}` : '/_local/sms');
      const got = page?.messages ?? [];
      if (got.length) {
        messages = messages.concat(got).slice(-keptSms);
        added = true;
      }
      smsAfter = page?.next ?? String(Number(smsAfter || 0) + got.length);
      if (!page?.next) {
        return added;
      }
    }
  }

  async function refresh() {
    try {
      const [added, fns] = await Promise.all([fetchNewSms(), control('GET', '/_local/functions')]);
      if (added) {
        renderInbox();
      }
      const fnJson = JSON.stringify(fns);
      if (fnJson !== lastFns) {
        lastFns = fnJson;
        stats = [...(fns?.functions ?? [])].sort((a, b) => a.name.localeCompare(b.name));
        renderFunctions();
      }
    } catch (error) {
      status.show(describeError(error), 'error');
    }
  }

  container.replaceChildren(h('section', { class: 'card local', 'aria-labelledby': 'local-title' },
    h('h2', { id: 'local-title', 'data-i18n': 'localTitle' }, t('localTitle')),
    status,
    h('div', { class: 'local-grid' },
      h('section', { 'aria-labelledby': 'sms-title' },
        h('h3', { id: 'sms-title', 'data-i18n': 'smsInbox' }, t('smsInbox')), inbox),
      h('section', { 'aria-labelledby': 'functions-title' },
        h('h3', { id: 'functions-title', 'data-i18n': 'functions' }, t('functions')),
        h('p', { class: 'hint', 'data-i18n': 'fnHint' }, t('fnHint')),
        functions))));
  renderInbox(); // "no SMS yet" until the first page brings some
  const cleanups = [
    poll(refresh, pollMs),
    onLanguageChange(() => {
      renderInbox();
      renderFunctions();
    }),
  ];
  return () => cleanups.forEach((fn) => fn());
}

const stateLabel = { running: 'fnRunning', throttled: 'fnThrottled', failing: 'fnFailing' };

/** running, throttled or failing: the local cloud's `state` (an older one said only `stopped`). */
export function stateOf(fn) {
  if (fn?.state) return fn.state;
  return fn?.stopped ? 'throttled' : 'running';
}

/** "calltaxi-OrderFunction-AB12" → "OrderFunction": the physical name is long and says little. */
export function shortName(name) {
  const match = /([A-Z][A-Za-z]*Function)/.exec(name ?? '');
  return match ? match[1] : name;
}
