// Tiny DOM helpers: h() builds elements, so no view ever assembles HTML from strings (no injection).

/**
 * h('button', {class: 'primary', onclick: fn, 'aria-label': 'x', dataset: {id: 1}}, 'text', child)
 * Props starting with "on" become listeners; false/null/undefined props are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key in el && typeof value !== 'string') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces el's children, keeping keyboard focus on the element with the same data-focus-key. */
export function replaceChildrenKeepingFocus(el, ...children) {
  const active = document.activeElement;
  const key = active && el.contains(active) ? active.dataset.focusKey : undefined;
  el.replaceChildren();
  append(el, children);
  if (key) el.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

let nextId = 0;
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * poll runs fn now and then every intervalMs after the previous run finished (never overlapping),
 * skipping runs while the page is hidden. Returns stop().
 */
export function poll(fn, intervalMs) {
  let stopped = false;
  let timer;
  const run = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try {
        await fn();
      } catch {
        // fn reports its own errors; polling goes on
      }
    }
    if (!stopped) timer = setTimeout(run, intervalMs);
  };
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
