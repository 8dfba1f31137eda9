package jwtlocal

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"
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
	opts := []jwt.ParserOption{jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now })}
	if issuer != "" {
		opts = append(opts, jwt.WithIssuer(issuer))
	}
	claims, seen := i.sigs.seen(token)
	var err error
	if seen {
		// The signature of this exact token checked out before; the claims are still checked every time.
		err = jwt.NewValidator(opts...).Validate(claims)
	} else {
		claims = jwt.MapClaims{}
		if _, err = jwt.NewParser(opts...).ParseWithClaims(token, claims, i.verificationKey); err == nil {
			i.sigs.add(token, claims)
		}
	}
	if err != nil {
		return nil, classify(err)
	}
	if len(audiences) > 0 && !audienceAccepted(claims, audiences) {
		return nil, ErrAudience
	}
	return claims, nil
}

// verificationKey returns the verification key for a token: only RS256 with this issuer's key id is accepted.
func (i *Issuer) verificationKey(t *jwt.Token) (any, error) {
	if t.Method.Alg() != jwt.SigningMethodRS256.Alg() {
		return nil, fmt.Errorf("%w: %q", ErrAlgorithm, t.Method.Alg())
	}
	if kid, _ := t.Header["kid"].(string); kid != "" && kid != i.kid {
		return nil, fmt.Errorf("%w: unknown kid %q", ErrSignature, kid)
	}
	return &i.key.PublicKey, nil
}

// classify maps the library's errors to this package's.
func classify(err error) error {
	for _, m := range []struct{ lib, ours error }{
		{ErrAlgorithm, ErrAlgorithm},
		{ErrSignature, ErrSignature},
		{jwt.ErrTokenMalformed, ErrMalformed},
		{jwt.ErrTokenRequiredClaimMissing, ErrMalformed},
		{jwt.ErrInvalidType, ErrMalformed},
		{jwt.ErrTokenSignatureInvalid, ErrSignature},
		{jwt.ErrTokenExpired, ErrExpired},
		{jwt.ErrTokenNotValidYet, ErrNotYet},
		{jwt.ErrTokenInvalidIssuer, ErrIssuer},
	} {
		if errors.Is(err, m.lib) {
			if m.lib == m.ours {
				return err
			}
			return fmt.Errorf("%w: %v", m.ours, err)
		}
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
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
