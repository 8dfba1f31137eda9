// Sign-in and sign-up. Locally the local cloud mints a token for any user and group (POST tokenEndpoint), or
// signs a new customer up (POST signupEndpoint); on AWS the Cognito hosted UI signs the user in (or up) with
// the authorization code flow and PKCE. Either way the session
// lives in sessionStorage and the API gets `Authorization: Bearer <token>`.

import { base64UrlEncode, decodeClaims, groupsOf, isExpired } from './jwt.js';

const sessionKey = 'calltaxi.session';
const pkceKey = 'calltaxi.pkce';

/** Cognito group → console role. */
export const roleOfGroup = { customers: 'customer', managers: 'manager', drivers: 'driver' };
export const groupOfRole = Object.fromEntries(Object.entries(roleOfGroup).map(([g, r]) => [r, g]));

export function rolesOf(groups) {
  return groups.map((g) => roleOfGroup[g]).filter(Boolean);
}

/** A session from a token: who, which roles, until when. Null when the token is unreadable. */
export function sessionFromToken(token, extra = {}) {
  const claims = decodeClaims(token);
  if (!claims || !claims.sub) return null;
  const groups = groupsOf(claims);
  return {
    token,
    sub: String(claims.sub),
    displayName: String(extra.displayName ?? claims.email ?? claims['cognito:username'] ?? claims.username ?? claims.sub),
    roles: rolesOf(groups),
    exp: typeof claims.exp === 'number' ? claims.exp : 0,
    idToken: extra.idToken ?? '',
  };
}

export function loadSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(sessionKey) ?? 'null');
    if (!session?.token) return null;
    if (isExpired({ exp: session.exp })) {
      sessionStorage.removeItem(sessionKey);
      return null;
    }
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(sessionKey, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(sessionKey);
}

/** Local cloud sign-in: any user name, one role. */
export async function signInLocal(config, userName, role, fetchImpl = fetch) {
  const endpoint = (config.apiUrl ?? '').replace(/\/+$/, '') + (config.tokenEndpoint || '/_local/token');
  const response = await fetchImpl(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub: userName, groups: [groupOfRole[role]] }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.token) {
    throw new Error(body?.error?.message ?? `token endpoint answered ${response.status}`);
  }
  const session = sessionFromToken(body.token, { displayName: userName });
  if (!session) throw new Error('the token endpoint returned an unreadable token');
  saveSession(session);
  return session;
}

/**
 * Local cloud sign-up: the local user pool creates a confirmed user and runs its PostConfirmation trigger
 * (the same function as on AWS), then mints a token with the groups the user now has.
 */
export async function signUpLocal(config, email, fetchImpl = fetch) {
  const endpoint = (config.apiUrl ?? '').replace(/\/+$/, '') + (config.signupEndpoint || '/_local/signup');
  const response = await fetchImpl(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.token) {
    throw new Error(body?.error?.message ?? `sign-up endpoint answered ${response.status}`);
  }
  const session = sessionFromToken(body.token, { displayName: body.email ?? email });
  if (!session) throw new Error('the sign-up endpoint returned an unreadable token');
  saveSession(session);
  return session;
}

/** The Cognito settings of config.json: {cognito: {domain, clientId, redirectUri, logoutUri?, scopes?}}. */
export function cognitoSettings(config) {
  const c = config.cognito ?? config;
  if (!c.domain || !c.clientId || !c.redirectUri) return null;
  const domain = /^https?:\/\//.test(c.domain) ? c.domain.replace(/\/+$/, '') : `https://${c.domain}`;
  return {
    domain,
    clientId: c.clientId,
    redirectUri: c.redirectUri,
    logoutUri: c.logoutUri ?? new URL('/', c.redirectUri).href,
    scopes: c.scopes ?? ['openid', 'email', 'profile'],
  };
}

function randomUrlSafe(bytes = 32) {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function pkceChallenge(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}

/**
 * The hosted-UI authorize URL; the verifier and state wait in sessionStorage for the callback. With
 * path '/signup' it opens the hosted UI's sign-up page, which takes the same parameters and, once the
 * address is confirmed, comes back with a code like a sign-in.
 */
export async function cognitoAuthorizeUrl(settings, path = '/oauth2/authorize') {
  const verifier = randomUrlSafe(48);
  const state = randomUrlSafe(16);
  sessionStorage.setItem(pkceKey, JSON.stringify({ verifier, state }));
  const url = new URL(path, settings.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    scope: settings.scopes.join(' '),
    state,
    code_challenge_method: 'S256',
    code_challenge: await pkceChallenge(verifier),
  }).toString();
  return url.href;
}

/**
 * Finishes a hosted-UI sign-in when the page is the redirect target (?code=&state=). Returns the
 * session, or null when the URL carries no authorization response.
 */
export async function completeCognitoSignIn(settings, location, fetchImpl = fetch) {
  const params = new URLSearchParams(location.search);
  if (params.has('error')) throw new Error(params.get('error_description') || params.get('error'));
  const code = params.get('code');
  if (!code) return null;
  const pending = JSON.parse(sessionStorage.getItem(pkceKey) ?? 'null');
  sessionStorage.removeItem(pkceKey);
  if (!pending || pending.state !== params.get('state')) throw new Error('sign-in state mismatch; please sign in again');

  const response = await fetchImpl(new URL('/oauth2/token', settings.domain).href, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: settings.clientId,
      code,
      redirect_uri: settings.redirectUri,
      code_verifier: pending.verifier,
    }).toString(),
  });
  const tokens = await response.json().catch(() => ({}));
  if (!response.ok || !tokens.access_token) throw new Error(tokens.error_description || tokens.error || `token endpoint answered ${response.status}`);
  // The access token carries sub and cognito:groups and is what the HTTP API's JWT authorizer checks
  // (client_id); the ID token only supplies a readable name.
  const idClaims = decodeClaims(tokens.id_token) ?? {};
  const session = sessionFromToken(tokens.access_token, { displayName: idClaims.email ?? idClaims['cognito:username'], idToken: tokens.id_token ?? '' });
  if (!session) throw new Error('unreadable access token');
  saveSession(session);
  return session;
}

/** The hosted UI's sign-up page, answering to the same callback as a sign-in. */
export function cognitoSignUpUrl(settings) {
  return cognitoAuthorizeUrl(settings, '/signup');
}

export function cognitoLogoutUrl(settings) {
  const url = new URL('/logout', settings.domain);
  url.search = new URLSearchParams({ client_id: settings.clientId, logout_uri: settings.logoutUri }).toString();
  return url.href;
}
