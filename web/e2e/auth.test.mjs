// The Cognito hosted-UI sign-in (authorization code + PKCE), which only AWS can run end to end: here
// against a fake token endpoint and an in-memory sessionStorage.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import {
  cognitoAuthorizeUrl, cognitoLogoutUrl, cognitoSettings, cognitoSignUpUrl, completeCognitoSignIn, loadSession, signInLocal,
  signUpLocal,
} from '../js/auth.js';

class MemoryStorage {
  #items = new Map();
  getItem(key) { return this.#items.has(key) ? this.#items.get(key) : null; }
  setItem(key, value) { this.#items.set(key, String(value)); }
  removeItem(key) { this.#items.delete(key); }
  clear() { this.#items.clear(); }
}

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
const jwt = (claims) => `${b64url({ alg: 'RS256' })}.${b64url(claims)}.sig`;
const config = { apiUrl: 'https://api.example', auth: 'cognito', cognito: { domain: 'calltaxi.auth.ap-northeast-2.amazoncognito.com', clientId: 'client-1', redirectUri: 'https://web.example/callback' } };

beforeEach(() => {
  globalThis.sessionStorage = new MemoryStorage();
});

test('cognito settings: nested or flat, with defaults; none without a client', () => {
  const s = cognitoSettings(config);
  assert.equal(s.domain, 'https://calltaxi.auth.ap-northeast-2.amazoncognito.com');
  assert.equal(s.logoutUri, 'https://web.example/');
  assert.deepEqual(s.scopes, ['openid', 'email', 'profile']);
  assert.equal(cognitoSettings({ domain: 'https://d.example/', clientId: 'c', redirectUri: 'https://w/' }).domain, 'https://d.example');
  assert.equal(cognitoSettings({ auth: 'cognito' }), null);
  assert.equal(cognitoLogoutUrl(s), 'https://calltaxi.auth.ap-northeast-2.amazoncognito.com/logout?client_id=client-1&logout_uri=https%3A%2F%2Fweb.example%2F');
});

test('authorize URL carries an S256 challenge of the stored verifier, and the code is exchanged with it', async () => {
  const settings = cognitoSettings(config);
  const url = new URL(await cognitoAuthorizeUrl(settings));
  assert.equal(url.origin + url.pathname, 'https://calltaxi.auth.ap-northeast-2.amazoncognito.com/oauth2/authorize');
  const q = url.searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('client_id'), 'client-1');
  assert.equal(q.get('redirect_uri'), 'https://web.example/callback');
  assert.equal(q.get('code_challenge_method'), 'S256');
  const pending = JSON.parse(sessionStorage.getItem('calltaxi.pkce'));
  assert.ok(pending.verifier.length >= 43, 'RFC 7636: verifier of 43+ characters');
  assert.equal(q.get('code_challenge'), createHash('sha256').update(pending.verifier).digest('base64url'));
  assert.equal(q.get('state'), pending.state);

  let posted;
  const fetchImpl = async (href, init) => {
    posted = { href, init };
    return new Response(JSON.stringify({
      access_token: jwt({ sub: 'u-1', 'cognito:groups': ['customers', 'drivers'], exp: Date.now() / 1000 + 3600 }),
      id_token: jwt({ sub: 'u-1', email: 'kim@example.com' }),
      expires_in: 3600,
    }), { status: 200 });
  };
  const session = await completeCognitoSignIn(settings, { search: `?code=abc&state=${pending.state}` }, fetchImpl);
  assert.equal(posted.href, 'https://calltaxi.auth.ap-northeast-2.amazoncognito.com/oauth2/token');
  const form = new URLSearchParams(posted.init.body);
  assert.deepEqual(Object.fromEntries(form), {
    grant_type: 'authorization_code', client_id: 'client-1', code: 'abc',
    redirect_uri: 'https://web.example/callback', code_verifier: pending.verifier,
  });
  assert.equal(session.sub, 'u-1');
  assert.equal(session.displayName, 'kim@example.com');
  assert.deepEqual(session.roles, ['customer', 'driver']);
  assert.equal(loadSession().token, session.token);
  assert.equal(sessionStorage.getItem('calltaxi.pkce'), null, 'the verifier is used once');
});

test('a callback with the wrong state, an error, or no code', async () => {
  const settings = cognitoSettings(config);
  await cognitoAuthorizeUrl(settings);
  const neverCalled = async () => assert.fail('the token endpoint must not be called');
  await assert.rejects(completeCognitoSignIn(settings, { search: '?code=abc&state=forged' }, neverCalled), /state mismatch/);
  await assert.rejects(completeCognitoSignIn(settings, { search: '?error=access_denied&error_description=nope' }, neverCalled), /nope/);
  assert.equal(await completeCognitoSignIn(settings, { search: '' }, neverCalled), null);
});

test('local sign-in asks the token endpoint for the role\'s group', async () => {
  let sent;
  const fetchImpl = async (href, init) => {
    sent = { href, body: JSON.parse(init.body) };
    return new Response(JSON.stringify({ token: jwt({ sub: 'manager-7', 'cognito:groups': ['managers'], exp: Date.now() / 1000 + 60 }) }));
  };
  const session = await signInLocal({ apiUrl: '', tokenEndpoint: '/_local/token' }, 'manager-7', 'manager', fetchImpl);
  assert.deepEqual(sent, { href: '/_local/token', body: { sub: 'manager-7', groups: ['managers'] } });
  assert.deepEqual(session.roles, ['manager']);
  const failing = async () => new Response(JSON.stringify({ error: { message: 'sub is required' } }), { status: 400 });
  await assert.rejects(signInLocal({}, '', 'customer', failing), /sub is required/);
});

test('sign-up opens the hosted UI\'s sign-up page with the same PKCE parameters, back to the callback', async () => {
  const settings = cognitoSettings(config);
  const url = new URL(await cognitoSignUpUrl(settings));
  assert.equal(url.origin + url.pathname, 'https://calltaxi.auth.ap-northeast-2.amazoncognito.com/signup');
  const q = url.searchParams;
  assert.equal(q.get('client_id'), 'client-1');
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('redirect_uri'), 'https://web.example/callback');
  const pending = JSON.parse(sessionStorage.getItem('calltaxi.pkce'));
  assert.equal(q.get('code_challenge'), createHash('sha256').update(pending.verifier).digest('base64url'));
  assert.equal(q.get('state'), pending.state);
});

test('local sign-up posts the e-mail and keeps the session the trigger\'s groups give', async () => {
  let sent;
  const fetchImpl = async (href, init) => {
    sent = { href, body: JSON.parse(init.body) };
    return new Response(JSON.stringify({
      sub: 'a1b2', email: 'kim@example.com', groups: ['customers'],
      token: jwt({ sub: 'a1b2', 'cognito:groups': ['customers'], exp: Date.now() / 1000 + 60 }),
    }), { status: 201 });
  };
  const session = await signUpLocal({ apiUrl: '', signupEndpoint: '/_local/signup' }, 'kim@example.com', fetchImpl);
  assert.deepEqual(sent, { href: '/_local/signup', body: { email: 'kim@example.com' } });
  assert.deepEqual(session.roles, ['customer']);
  assert.equal(session.displayName, 'kim@example.com');
  assert.equal(loadSession().token, session.token);
  const taken = async () => new Response(JSON.stringify({ error: { message: 'UsernameExistsException: An account with the given email already exists.' } }), { status: 409 });
  await assert.rejects(signUpLocal({}, 'kim@example.com', taken), /already exists/);
});

test('an expired session is dropped', () => {
  sessionStorage.setItem('calltaxi.session', JSON.stringify({ token: 't', exp: 1 }));
  assert.equal(loadSession(), null);
  assert.equal(sessionStorage.getItem('calltaxi.session'), null);
});
