// A small client of the call-taxi HTTP API: JSON in and out, the bearer token, and every failure turned
// into an ApiError that carries the error envelope ({"error":{"code","message","field"}}).

export class ApiError extends Error {
  constructor({ status, code, message, field = '', retryAfter = 0 }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); 0 when absent or bad. */
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null || value === '') return 0;
  const trimmed = String(value).trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Builds an ApiError from a failed response's status, headers and parsed body (any shape). */
export function errorFromResponse(status, body, retryAfterHeader) {
  const envelope = body && typeof body === 'object' ? body.error : undefined;
  if (envelope && typeof envelope === 'object') {
    return new ApiError({
      status,
      code: String(envelope.code ?? 'ERROR'),
      message: String(envelope.message ?? ''),
      field: envelope.field ? String(envelope.field) : '',
      retryAfter: parseRetryAfter(retryAfterHeader),
    });
  }
  // API Gateway itself answers {"message": "..."} (401 from the JWT authorizer, 404 unknown route, 503 timeout).
  const message = body && typeof body === 'object' && body.message ? String(body.message) : `HTTP ${status}`;
  const codes = { 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'TOO_MANY_REQUESTS', 503: 'SERVICE_UNAVAILABLE' };
  return new ApiError({ status, code: codes[status] ?? 'HTTP_ERROR', message, retryAfter: parseRetryAfter(retryAfterHeader) });
}

/**
 * createApi returns request(method, path, {body, headers, query}) → parsed JSON body.
 * getToken() supplies the bearer token; onUnauthorized(error) is told about every 401.
 */
export function createApi({ baseUrl = '', getToken = () => '', onUnauthorized = () => {}, fetchImpl = globalThis.fetch }) {
  const base = String(baseUrl).replace(/\/+$/, '');

  return async function request(method, path, { body, headers = {}, query } = {}) {
    let url = base + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
      }
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    const init = { method, headers: { Accept: 'application/json', ...headers } };
    const token = getToken();
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }

    let response;
    try {
      response = await fetchImpl(url, init);
    } catch (cause) {
      throw new ApiError({ status: 0, code: 'NETWORK', message: cause?.message ?? 'network error' });
    }
    const text = await response.text();
    let parsed = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { message: text.slice(0, 200) };
      }
    }
    if (response.ok) return parsed;
    const error = errorFromResponse(response.status, parsed, response.headers.get('Retry-After'));
    if (response.status === 401) onUnauthorized(error);
    throw error;
  };
}

/** The array in a list response ({"items": [...]}), tolerating a bare array. */
export function itemsOf(body) {
  if (Array.isArray(body)) return body;
  if (body && Array.isArray(body.items)) return body.items;
  return [];
}
