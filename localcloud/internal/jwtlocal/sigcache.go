package jwtlocal

import (
	"sync"

	"github.com/golang-jwt/jwt/v5"
)

// maxCachedSignatures bounds the cache; when full it starts over.
const maxCachedSignatures = 10_000

// signatureCache remembers tokens whose signature checked out, with their decoded claims, so a client
// that sends the same token with every request costs one RSA verification and one decode, not one per
// request. Both are fixed for a given token and key (the claims are the signed bytes), while exp, nbf,
// iss and aud are checked on every call, as the API Gateway JWT authorizer validates every request.
type signatureCache struct {
	mu     sync.Mutex
	tokens map[string]jwt.MapClaims
}

// seen returns a copy of a verified token's claims.
func (c *signatureCache) seen(token string) (jwt.MapClaims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	claims, ok := c.tokens[token]
	if !ok {
		return nil, false
	}
	return cloneClaims(claims), true
}

func (c *signatureCache) add(token string, claims jwt.MapClaims) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tokens == nil || len(c.tokens) >= maxCachedSignatures {
		c.tokens = make(map[string]jwt.MapClaims)
	}
	c.tokens[token] = cloneClaims(claims)
}

// cloneClaims copies claims deeply, so no caller can change what the cache hands the next request. The
// claims were decoded from the token's JSON: objects and arrays are map[string]any and []any.
func cloneClaims(claims jwt.MapClaims) jwt.MapClaims {
	return jwt.MapClaims(cloneJSON(map[string]any(claims)).(map[string]any))
}

func cloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = cloneJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneJSON(e)
		}
		return out
	}
	return v
}
