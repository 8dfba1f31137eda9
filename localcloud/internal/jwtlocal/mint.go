package jwtlocal

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const defaultTTL = time.Hour

// MintRequest describes one token. Audience becomes "aud" (the app client id, as in Cognito ID
// tokens); Groups become the "cognito:groups" array; Extra adds claims such as "email" but cannot
// replace the standard ones.
type MintRequest struct {
	Issuer   string
	Audience string
	Subject  string
	Groups   []string
	TTL      time.Duration // default one hour; negative mints an already expired token (for tests)
	Extra    map[string]any
}

// Mint returns a signed RS256 JWT shaped like a Cognito ID token.
func (i *Issuer) Mint(c MintRequest) (string, error) {
	if c.Issuer == "" || c.Subject == "" {
		return "", fmt.Errorf("mint token: issuer and subject are required")
	}
	ttl := c.TTL
	if ttl == 0 {
		ttl = defaultTTL
	}
	now := time.Now().Unix()
	claims := make(map[string]any, len(c.Extra)+10)
	for k, v := range c.Extra {
		claims[k] = v
	}
	claims["iss"] = c.Issuer
	claims["sub"] = c.Subject
	claims["token_use"] = "id"
	claims["iat"] = now
	claims["auth_time"] = now
	claims["exp"] = now + int64(ttl/time.Second)
	claims["jti"] = randomID()
	if c.Audience != "" {
		claims["aud"] = c.Audience
	}
	if len(c.Groups) > 0 {
		claims["cognito:groups"] = c.Groups
	}
	return i.sign(claims)
}

func (i *Issuer) sign(claims map[string]any) (string, error) {
	token := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(claims))
	token.Header["kid"] = i.kid
	signed, err := token.SignedString(i.key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
