// Shared by the browser tests: the local cloud's URL, a Chromium launched the way CI can run it, sign-in
// through the console, direct API calls for setup, and screenshots for docs/screenshots/.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const baseUrl = (process.env.CALLTAXI_URL ?? '').replace(/\/+$/, '');
/** Browser tests need a running local cloud; without CALLTAXI_URL they are skipped, with the reason. */
export const skipReason = baseUrl ? false : 'CALLTAXI_URL is not set: run `make test-browser`';

const here = dirname(fileURLToPath(import.meta.url));
// Screenshots are always taken; they replace the committed ones in docs/screenshots only with
// UPDATE_SCREENSHOTS=1 (`make screenshots`), so a test run leaves the work tree clean.
export const screenshotDir = process.env.UPDATE_SCREENSHOTS === '1'
  ? join(here, '..', '..', 'docs', 'screenshots')
  : join(tmpdir(), 'calltaxi-screenshots');

export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A fresh Chromium profile (its own --user-data-dir), removed by close(). */
export async function launch({ locale = 'en-US', viewport = { width: 1280, height: 900 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'calltaxi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    locale,
    viewport,
  });
  context.setDefaultTimeout(20_000);
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** Opens the console in a new page and signs in locally as name with role. */
export async function signIn(context, role, name) {
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  page.pageErrors = pageErrors;
  await page.goto(`${baseUrl}/`);
  await page.locator(`#role-${role}`).check();
  await page.locator('input[name="user"]').fill(name);
  await page.locator('form.sign-in button[type="submit"]').click();
  await page.locator('#user .who').waitFor();
  return page;
}

/** A unique suffix so runs against one local cloud never see each other's data. */
export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** A unique, valid E.164 Korean mobile number. */
export function uniquePhone() {
  return `+8210${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

export async function token(sub, groups) {
  const response = await fetch(`${baseUrl}/_local/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sub, groups }),
  });
  if (!response.ok) throw new Error(`token: HTTP ${response.status}`);
  return (await response.json()).token;
}

/** A direct API call: {status, headers, body}. */
export async function call(method, path, { bearer, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (bearer) init.headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Polls fn until it returns a truthy value (returned) or timeoutMs passes (throws with the last value). */
export async function eventually(fn, { timeoutMs = 30_000, intervalMs = 250, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage });
}

/** Problems with labels and text contrast of what is on screen now (WCAG AA: 4.5:1 for text). */
export function auditPage() {
  const problems = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (!visible(el) && el.type !== 'radio') continue;
    const name = el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim());
    if (!name) problems.push(`unlabelled ${el.tagName.toLowerCase()}[name=${el.name}]`);
  }
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const ch = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
  };
  const background = (el) => {
    for (let cur = el; cur; cur = cur.parentElement) {
      const bg = parse(getComputedStyle(cur).backgroundColor);
      if (bg && bg.a > 0.5) return bg;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || !visible(el) || el.closest('svg, [aria-hidden="true"]')) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    const bg = background(el);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)} for "${node.textContent.trim().slice(0, 30)}" (${style.color} on rgb(${bg.r},${bg.g},${bg.b}))`);
  }
  return problems;
}

/**
 * The statuses the English SMS texts announce (notify's phrases), each as often as announced: one text
 * may announce several statuses reached within a short window ("paid 5,700 KRW; reached the taxi company").
 */
export function announcedStatuses(texts) {
  const phrases = [
    ['PAID', /\bpaid\b/i],
    ['RESERVED', /reached the taxi company/i],
    ['CONFIRMED', /\bassigned\b/i],
    ['PICKED_UP', /\bpicked up\b/i],
    ['COMPLETED', /\bride completed\b/i],
    ['CANCELED', /\bcancell?ed\b/i],
  ];
  const out = [];
  for (const text of texts) {
    for (const [status, re] of phrases) if (re.test(text)) out.push(status);
  }
  return out;
}
