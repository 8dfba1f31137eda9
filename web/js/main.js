// Boots the console: language, config.json, sign-in (local token or Cognito hosted UI), then the view of
// the signed-in role, plus the local cloud panel when running locally.

import { createApi } from './api.js';
import {
  clearSession, cognitoAuthorizeUrl, cognitoLogoutUrl, cognitoSettings, cognitoSignUpUrl, completeCognitoSignIn,
  loadSession, saveSession, signInLocal, signUpLocal,
} from './auth.js';
import { mountCustomer } from './customer.js';
import { h } from './dom.js';
import { mountDriver } from './driver.js';
import { defaultMinTaxiPrice } from './fares.js';
import { field, statusLine } from './forms.js';
import { dictionary, lang, onLanguageChange, setLanguage, startI18n, t } from './i18n.js';
import { mountLocalPanel } from './localpanel.js';
import { mountManager } from './manager.js';

const roles = ['customer', 'manager', 'driver'];
const mounts = { customer: mountCustomer, manager: mountManager, driver: mountDriver };
const roleLabel = { customer: 'roleCustomer', manager: 'roleManager', driver: 'roleDriver' };

const app = {
  config: null,
  session: null,
  unmountView: () => {},
  unmountLocal: () => {},
  notice: '',
};

const main = document.getElementById('main');
const userBox = document.getElementById('user');
const localBox = document.getElementById('local');
const globalStatus = document.getElementById('global-status');

async function loadConfig() {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return response.json();
}

function setupLanguageToggle() {
  const button = document.getElementById('lang-toggle');
  const other = () => Object.keys(dictionary).find((l) => l !== lang());
  const label = () => {
    button.textContent = t('languageToggle');
    button.lang = other();
    button.setAttribute('aria-label', `${t('language')}: ${t('languageToggle')}`);
  };
  button.addEventListener('click', () => setLanguage(other()));
  onLanguageChange(label);
  label();
}

function api() {
  return createApi({
    baseUrl: app.config.apiUrl ?? '',
    getToken: () => app.session?.token ?? '',
    onUnauthorized: () => signOut(t('sessionExpired')),
  });
}

function render() {
  app.unmountView();
  app.unmountView = () => {};
  if (app.session) renderSignedIn();
  else renderSignedOut();
  globalStatus.textContent = app.notice;
  app.notice = '';
}

function renderSignedOut() {
  userBox.replaceChildren();
  document.getElementById('role-nav').replaceChildren();
  if (app.config.auth === 'local') main.replaceChildren(localSignIn(), localSignUp());
  else main.replaceChildren(cognitoSignIn(), cognitoSignUp());
}

/** Local sign-up: the local user pool runs the real PostConfirmation trigger, which makes a customer. */
function localSignUp() {
  const status = statusLine();
  const email = field({ name: 'email', labelKey: 'email', type: 'email', required: true, autocomplete: 'email' });
  const emailInput = email.querySelector('input');
  const form = h('form', { class: 'card sign-up', 'aria-labelledby': 'signup-title' },
    h('h2', { id: 'signup-title', 'data-i18n': 'signUpTitle' }, t('signUpTitle')),
    h('p', { class: 'hint', 'data-i18n': 'signUpLocalHint' }, t('signUpLocalHint')),
    email,
    h('div', { class: 'actions' }, h('button', { type: 'submit', 'data-i18n': 'signUp' }, t('signUp'))),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const address = emailInput.value.trim();
    if (!address || !emailInput.checkValidity()) {
      emailInput.setAttribute('aria-invalid', 'true');
      emailInput.focus();
      return;
    }
    emailInput.removeAttribute('aria-invalid');
    try {
      app.session = await signUpLocal(app.config, address);
      render();
    } catch (error) {
      status.show(t('signUpFailed', { message: error.message }), 'error');
    }
  });
  return form;
}

/** On AWS: the hosted UI's sign-up page; it comes back to /callback like a sign-in. */
function cognitoSignUp() {
  const settings = cognitoSettings(app.config);
  const status = statusLine();
  const button = h('button', {
    type: 'button', 'data-i18n': 'signUp',
    onclick: async () => {
      if (!settings) {
        status.show(t('signUpFailed', { message: 'config.json has no Cognito settings' }), 'error');
        return;
      }
      window.location.assign(await cognitoSignUpUrl(settings));
    },
  }, t('signUp'));
  return h('section', { class: 'card sign-up', 'aria-labelledby': 'signup-title' },
    h('h2', { id: 'signup-title', 'data-i18n': 'signUpTitle' }, t('signUpTitle')),
    h('p', { class: 'hint', 'data-i18n': 'signUpCognitoHint' }, t('signUpCognitoHint')),
    h('div', { class: 'actions' }, button),
    status);
}

function localSignIn() {
  const status = statusLine();
  const user = field({ name: 'user', labelKey: 'userName', required: true, value: 'customer-1', autocomplete: 'username' });
  const userInput = user.querySelector('input');
  let userEdited = false;
  userInput.addEventListener('input', () => { userEdited = true; });
  const choices = roles.map((role, i) => h('div', { class: 'radio' },
    h('input', {
      type: 'radio', name: 'role', id: `role-${role}`, value: role, checked: i === 0,
      onchange: () => { if (!userEdited) userInput.value = `${role}-1`; },
    }),
    h('label', { for: `role-${role}`, 'data-i18n': roleLabel[role] }, t(roleLabel[role]))));
  const form = h('form', { class: 'card sign-in', 'aria-labelledby': 'signin-title' },
    h('h2', { id: 'signin-title', 'data-i18n': 'signInTitle' }, t('signInTitle')),
    h('p', { class: 'hint', 'data-i18n': 'signInLocalHint' }, t('signInLocalHint')),
    h('fieldset', { class: 'roles' }, h('legend', { 'data-i18n': 'role' }, t('role')), choices),
    user,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', 'data-i18n': 'signIn' }, t('signIn'))),
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const name = String(data.get('user') ?? '').trim();
    if (!name) {
      userInput.setAttribute('aria-invalid', 'true');
      userInput.focus();
      return;
    }
    try {
      app.session = await signInLocal(app.config, name, String(data.get('role')));
      render();
    } catch (error) {
      status.show(t('signInFailed', { message: error.message }), 'error');
    }
  });
  return form;
}

function cognitoSignIn() {
  const settings = cognitoSettings(app.config);
  const status = statusLine();
  const button = h('button', {
    type: 'button', class: 'primary', 'data-i18n': 'signInCognito',
    onclick: async () => {
      if (!settings) {
        status.show(t('signInFailed', { message: 'config.json has no Cognito settings' }), 'error');
        return;
      }
      window.location.assign(await cognitoAuthorizeUrl(settings));
    },
  }, t('signInCognito'));
  return h('section', { class: 'card sign-in', 'aria-labelledby': 'signin-title' },
    h('h2', { id: 'signin-title', 'data-i18n': 'signInTitle' }, t('signInTitle')),
    h('p', { class: 'hint', 'data-i18n': 'signInCognitoHint' }, t('signInCognitoHint')),
    h('div', { class: 'actions' }, button),
    status);
}

function renderSignedIn() {
  const { session } = app;
  if (!session.roles.includes(session.role)) session.role = session.roles[0];
  saveSession(session);
  renderHeader();
  if (!session.role) {
    main.replaceChildren(h('p', { class: 'card' }, t('forbidden')));
    return;
  }
  const mount = mounts[session.role];
  app.unmountView = mount(main, {
    api: api(),
    session,
    minTaxiPrice: Number(app.config.minTaxiPrice) || defaultMinTaxiPrice,
  });
}

/** The signed-in user and the role switcher; re-drawn on a language change without touching the view. */
function renderHeader() {
  const { session } = app;
  if (!session) return;
  userBox.replaceChildren(
    h('span', { class: 'who' }, t('signedInAs', { name: session.displayName })),
    h('button', { type: 'button', class: 'link', onclick: () => signOut(''), 'data-i18n': 'signOut' }, t('signOut')));

  const nav = document.getElementById('role-nav');
  nav.setAttribute('aria-label', t('views'));
  nav.replaceChildren(...session.roles.map((role) => h('button', {
    type: 'button', class: 'role-tab', 'aria-current': role === session.role ? 'page' : false,
    'data-i18n': roleLabel[role],
    onclick: () => {
      session.role = role;
      render();
    },
  }, t(roleLabel[role]))));
}

function signOut(notice) {
  const wasCognito = app.config.auth !== 'local' && app.session;
  clearSession();
  app.session = null;
  app.notice = notice;
  const settings = cognitoSettings(app.config);
  if (wasCognito && settings && !notice) {
    window.location.assign(cognitoLogoutUrl(settings));
    return;
  }
  render();
}

function renderLocalPanel() {
  app.unmountLocal();
  if (app.config.auth !== 'local') {
    localBox.hidden = true;
    return;
  }
  localBox.hidden = false;
  app.unmountLocal = mountLocalPanel(localBox, { control: createApi({ baseUrl: app.config.apiUrl ?? '' }) });
}

async function boot() {
  startI18n();
  setupLanguageToggle();
  try {
    app.config = await loadConfig();
  } catch (error) {
    main.replaceChildren(h('p', { class: 'card status', 'data-kind': 'error', role: 'alert' }, t('error', { message: error.message })));
    return;
  }
  if (app.config.auth !== 'local') {
    const settings = cognitoSettings(app.config);
    try {
      if (settings && (await completeCognitoSignIn(settings, window.location))) {
        window.history.replaceState(null, '', '/');
      }
    } catch (error) {
      app.notice = t('signInFailed', { message: error.message });
      window.history.replaceState(null, '', '/');
    }
  }
  app.session = loadSession();
  render();
  renderLocalPanel();
  onLanguageChange(renderHeader);
}

boot();
