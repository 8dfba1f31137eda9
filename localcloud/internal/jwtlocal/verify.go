package jwtlocal

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Verification failures; Verify wraps one of these so callers can tell them apart with errors.Is.
var (
	ErrMalformed = errors.New("malformed token")
	ErrAlgorithm = errors.New("unsupported token algorithm")
	ErrSignature = errors.New("invalid token signature")
	ErrExpired   = errors.New("token has expired")
	ErrNotYet    = errors.New("token is not valid yet")
	ErrIssuer    = errors.New("token issuer is not accepted")
	ErrAudience  = errors.New("token audience is not accepted")
)

// Verify checks an RS256 token like the API Gateway JWT authorizer: signature with this issuer's
// key, exp, nbf, iss (when issuer is not empty) and that aud, or client_id for Cognito access
// tokens, is one of audiences (when audiences is not empty). It returns the claims.
func (i *Issuer) Verify(token, issuer string, audiences []string) (map[string]any, error) {
	return i.verifyAt(token, issuer, audiences, time.Now())
}

func (i *Issuer) verifyAt(token, issuer string, audiences []string, now time.Time) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: want 3 parts, got %d", ErrMalformed, len(parts))
	}
	if err := i.checkHeader(parts[0]); err != nil {
		return nil, err
	}
	if !i.sigs.seen(token) {
		sig, err := unb64(parts[2])
		if err != nil {
			return nil, fmt.Errorf("%w: signature encoding", ErrMalformed)
		}
		digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(&i.key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
			return nil, ErrSignature
		}
		i.sigs.add(token)
	}
	claims, err := decodeClaims(parts[1])
	if err != nil {
		return nil, err
	}
	if err := checkTimes(claims, now); err != nil {
		return nil, err
	}
	if issuer != "" && claims["iss"] != issuer {
		return nil, fmt.Errorf("%w: %v", ErrIssuer, claims["iss"])
	}
	if len(audiences) > 0 && !audienceAccepted(claims, audiences) {
		return nil, ErrAudience
	}
	return claims, nil
}

func (i *Issuer) checkHeader(encoded string) error {
	raw, err := unb64(encoded)
	if err != nil {
		return fmt.Errorf("%w: header encoding", ErrMalformed)
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &header); err != nil {
		return fmt.Errorf("%w: header json", ErrMalformed)
	}
	if header.Alg != "RS256" {
		return fmt.Errorf("%w: %q", ErrAlgorithm, header.Alg)
	}
	if header.Kid != "" && header.Kid != i.kid {
		return fmt.Errorf("%w: unknown kid %q", ErrSignature, header.Kid)
	}
	return nil
}

func decodeClaims(encoded string) (map[string]any, error) {
	raw, err := unb64(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: payload encoding", ErrMalformed)
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, fmt.Errorf("%w: payload json", ErrMalformed)
	}
	return claims, nil
}

func checkTimes(claims map[string]any, now time.Time) error {
	exp, ok := claims["exp"].(float64)
	if !ok {
		return fmt.Errorf("%w: exp missing", ErrMalformed)
	}
	unix := float64(now.Unix())
	if unix >= exp {
		return ErrExpired
	}
	if nbf, present := claims["nbf"]; present {
		n, ok := nbf.(float64)
		if !ok {
			return fmt.Errorf("%w: nbf is not a number", ErrMalformed)
		}
		if unix < n {
			return ErrNotYet
		}
	}
	return nil
}

func audienceAccepted(claims map[string]any, audiences []string) bool {
	switch aud := claims["aud"].(type) {
	case string:
		if slices.Contains(audiences, aud) {
			return true
		}
	case []any:
		for _, a := range aud {
			if s, ok := a.(string); ok && slices.Contains(audiences, s) {
				return true
			}
		}
	}
	clientID, ok := claims["client_id"].(string)
	return ok && slices.Contains(audiences, clientID)
}
