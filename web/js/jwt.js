// Reading (never verifying: the API does that) the claims of a JWT for display and expiry.

function base64UrlDecode(segment) {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The payload of a compact JWT, or null when it is not one. */
export function decodeClaims(token) {
  const parts = String(token ?? '').split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1]));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** The cognito:groups claim as an array, whatever form the issuer used. */
export function groupsOf(claims) {
  const raw = claims?.['cognito:groups'];
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string' && raw.trim()) return raw.replace(/[[\]"]/g, '').split(/[\s,]+/).filter(Boolean);
  return [];
}

export function isExpired(claims, nowSeconds = Date.now() / 1000) {
  return typeof claims?.exp === 'number' && claims.exp <= nowSeconds;
}

export function base64UrlEncode(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
