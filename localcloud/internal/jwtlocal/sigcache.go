package jwtlocal

import "sync"

// maxCachedSignatures bounds the cache; when full it starts over.
const maxCachedSignatures = 10_000

// signatureCache remembers tokens whose signature checked out, so a client that sends the same token
// with every request costs one RSA verification, not one per request. Only the signature is cached:
// it cannot change for a given token and key, while exp, nbf, iss and aud are checked on every call.
type signatureCache struct {
	mu     sync.Mutex
	tokens map[string]struct{}
}

func (c *signatureCache) seen(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.tokens[token]
	return ok
}

func (c *signatureCache) add(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tokens == nil || len(c.tokens) >= maxCachedSignatures {
		c.tokens = make(map[string]struct{})
	}
	c.tokens[token] = struct{}{}
}
