// Pickup times: the booking form's <input type="datetime-local"> value turned into the RFC 3339 time
// (with the browser's UTC offset) that POST /orders takes as pickupAt, the window a scheduled pickup must
// fall in, and the order of a dispatch board (as soon as possible first, then by pickup time).

/** A scheduled pickup is at least this far ahead… */
export const minLeadMs = 10 * 60 * 1000;
/** …and at most this far. */
export const maxLeadMs = 7 * 24 * 60 * 60 * 1000;

const pad = (n, width = 2) => String(Math.trunc(Math.abs(n))).padStart(width, '0');

/** "+09:00" for a Date in the runtime's time zone (getTimezoneOffset is minutes *behind* UTC). */
export function offsetOf(date) {
  const minutes = -date.getTimezoneOffset();
  return `${minutes < 0 ? '-' : '+'}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}

/** RFC 3339 in the runtime's time zone with its offset, to the second: 2026-05-01T08:30:00+09:00. */
export function toRfc3339(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${offsetOf(date)}`;
}

/** The value a datetime-local input shows for date (local time, to the minute). */
export function toLocalInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value ("2026-05-01T08:30", seconds optional) as a local Date, or null. */
export function fromLocalInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(value ?? '').trim());
  if (!m) return null;
  const [y, mo, d, hh, mm, ss] = m.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(y, mo - 1, d, hh, mm, ss);
  // Reject what Date silently rolls over (Feb 30) or a time skipped by a daylight-saving change.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== hh || date.getMinutes() !== mm) return null;
  return date;
}

/**
 * Checks a scheduled pickup (a datetime-local value) against now: {pickupAt} with the RFC 3339 time,
 * or {error} = 'invalid' | 'tooSoon' | 'tooLate'.
 */
export function scheduledPickup(value, now = Date.now()) {
  const date = fromLocalInput(value);
  if (!date) return { error: 'invalid' };
  const lead = date.getTime() - now;
  if (lead < minLeadMs) return { error: 'tooSoon' };
  if (lead > maxLeadMs) return { error: 'tooLate' };
  return { pickupAt: toRfc3339(date) };
}

/** The min and max of the time picker (whole minutes inside the allowed window) and a sensible default. */
export function pickerBounds(now = Date.now()) {
  const minute = 60 * 1000;
  const min = new Date(Math.ceil((now + minLeadMs + minute) / minute) * minute);
  const max = new Date(Math.floor((now + maxLeadMs) / minute) * minute);
  // Default: the next quarter hour at least 30 minutes ahead.
  const quarter = 15 * minute;
  const suggested = new Date(Math.ceil((now + 30 * minute) / quarter) * quarter);
  return { min: toLocalInput(min), max: toLocalInput(max), suggested: toLocalInput(suggested) };
}

/** Sort key of a booking's pickup: as soon as possible (null/absent) first, then by time, then by creation. */
export function byPickup(a, b) {
  const at = (x) => (x.pickupAt ? Date.parse(x.pickupAt) : Number.NEGATIVE_INFINITY);
  const [ta, tb] = [at(a), at(b)];
  if (ta !== tb) return ta < tb ? -1 : 1;
  return String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? ''));
}

/** A YYYY-MM-DD date in the runtime's time zone (the board's date filter default). */
export function localDate(date = new Date()) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
