// Booking retries: a 429 PAYMENT_BUSY or 503 PAYMENT_UNAVAILABLE (or a lost connection) is retried after
// Retry-After with the SAME Idempotency-Key, so the server can never charge twice for one booking.

export const retryableStatuses = new Set([0, 429, 503]);
export const defaultRetryAfterSeconds = 1;
export const maxRetryAfterSeconds = 30;

export function isRetryable(error) {
  return Boolean(error) && typeof error.status === 'number' && retryableStatuses.has(error.status);
}

/** How long to wait before the next attempt: Retry-After, defaulted and capped. */
export function waitSeconds(error) {
  const seconds = Number(error?.retryAfter) || 0;
  if (seconds <= 0) return defaultRetryAfterSeconds;
  return Math.min(seconds, maxRetryAfterSeconds);
}

const realSleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    }, { once: true });
  });

/**
 * withRetries calls attempt() until it succeeds, fails with a non-retryable error, or maxAttempts is
 * reached. Before each retry onWait(secondsLeft) is called once a second, counting down.
 */
export async function withRetries(attempt, { maxAttempts = 6, onWait = () => {}, sleep = realSleep, signal } = {}) {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!isRetryable(error) || n >= maxAttempts) throw error;
      for (let left = waitSeconds(error); left > 0; left--) {
        onWait(left);
        await sleep(1000, signal);
      }
    }
  }
}
