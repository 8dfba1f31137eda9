// Labelled form fields with a hint and an error slot, and the mapping of API errors onto them.

import { h, uid } from './dom.js';
import { t } from './i18n.js';

/** A labelled input (or select when options are given) with optional hint and a live error slot. */
export function field({ name, labelKey, type = 'text', required = false, hintKey, options, ...attrs }) {
  const id = uid(`f-${name}`);
  const hintId = hintKey ? `${id}-hint` : '';
  const errorId = `${id}-error`;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ');
  const control = options
    ? h('select', { id, name, required, 'aria-describedby': describedBy, ...attrs },
        options.map((o) => h('option', { value: o.value, 'data-i18n': o.labelKey }, t(o.labelKey))))
    : h('input', { id, name, type, required, 'aria-describedby': describedBy, ...attrs });
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: id, 'data-i18n': labelKey }, t(labelKey)),
    control,
    hintKey ? h('p', { id: hintId, class: 'hint', 'data-i18n': hintKey }, t(hintKey)) : null,
    h('p', { id: errorId, class: 'field-error', 'aria-live': 'polite' }));
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
}

/**
 * Shows message next to the control named fieldName (the API's error.field) and focuses it.
 * Returns false when the form has no such control.
 */
export function setFieldError(form, fieldName, message) {
  if (!fieldName) return false;
  const wrapper = form.querySelector(`[data-field="${CSS.escape(fieldName)}"]`);
  if (!wrapper) return false;
  const control = wrapper.querySelector('input, select, textarea');
  const slot = wrapper.querySelector('.field-error');
  slot.textContent = message;
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  }
  return true;
}

/** A status line announced to screen readers; kind is "" | "ok" | "error" | "busy". */
export function statusLine() {
  const el = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  el.show = (message, kind = '') => {
    el.textContent = message;
    el.dataset.kind = kind;
    delete el.dataset.poll;
  };
  /** An error of a periodic refresh: the next refresh that succeeds takes it back (clearPollError). */
  el.pollError = (message) => {
    el.show(message, 'error');
    el.dataset.poll = 'true';
  };
  el.clearPollError = () => {
    if (el.dataset.poll) el.show('', '');
  };
  return el;
}

/** A user-facing sentence for an API error. */
export function describeError(error) {
  if (error?.status === 0) return t('networkError');
  if (error?.status === 401) return t('sessionExpired');
  if (error?.status === 403) return t('forbidden');
  return t('error', { message: error?.message || String(error) });
}
