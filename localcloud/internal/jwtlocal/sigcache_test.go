package jwtlocal

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestCachedSignatureStillChecksClaimsAndTampering(t *testing.T) {
	iss := newTestIssuer(t)
	tok := mint(t, iss, MintRequest{Issuer: testIssuer, Audience: testAudience, Subject: "cust-1", TTL: time.Minute})
	if _, err := iss.Verify(tok, testIssuer, []string{testAudience}); err != nil { // caches the signature
		t.Fatalf("first Verify: %v", err)
	}
	parts := strings.Split(tok, ".")
	other := mint(t, newTestIssuer(t), MintRequest{Issuer: testIssuer, Audience: testAudience, Subject: "cust-2", TTL: time.Minute})
	tests := []struct {
		name    string
		token   string
		issuer  string
		now     time.Time
		wantErr error
	}{
		{name: "same token again", token: tok, issuer: testIssuer, now: time.Now()},
		{name: "same token after it expired", token: tok, issuer: testIssuer, now: time.Now().Add(2 * time.Minute), wantErr: ErrExpired},
		{name: "same token, other issuer expected", token: tok, issuer: "https://elsewhere", now: time.Now(), wantErr: ErrIssuer},
		{name: "payload swapped under the cached signature", token: parts[0] + "." + strings.Split(other, ".")[1] + "." + parts[2], issuer: testIssuer, now: time.Now(), wantErr: ErrSignature},
		{name: "token of another key", token: other, issuer: testIssuer, now: time.Now(), wantErr: ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := iss.verifyAt(tt.token, tt.issuer, []string{testAudience}, tt.now)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("err = %v, want nil", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestSignatureCacheIsBounded(t *testing.T) {
	var c signatureCache
	for i := range maxCachedSignatures + 5 {
		c.add(strings.Repeat("x", i%7)+string(rune('a'+i%26))+time.Duration(i).String(), jwt.MapClaims{})
	}
	if n := len(c.tokens); n > maxCachedSignatures {
		t.Fatalf("cache holds %d tokens, bound %d", n, maxCachedSignatures)
	}
}

func TestCachedClaimsAreTheTokensAndCannotBeAltered(t *testing.T) {
	iss := newTestIssuer(t)
	tok := mint(t, iss, MintRequest{Issuer: testIssuer, Audience: testAudience, Subject: "cust-1", TTL: time.Minute,
		Groups: []string{"customers"}})
	first, err := iss.Verify(tok, testIssuer, []string{testAudience})
	if err != nil {
		t.Fatalf("first Verify: %v", err)
	}
	var want map[string]any // a deep copy, through JSON
	raw, _ := json.Marshal(first)
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	groups, ok := first["cognito:groups"].([]any)
	if !ok || len(groups) != 1 {
		t.Fatalf("cognito:groups = %#v, want one group", first["cognito:groups"])
	}
	first["sub"] = "someone-else" // a caller writing into what it got, at the top and inside
	groups[0] = "managers"
	for i := range 2 {
		again, err := iss.Verify(tok, testIssuer, []string{testAudience})
		if err != nil {
			t.Fatalf("Verify #%d from the cache: %v", i+2, err)
		}
		if !reflect.DeepEqual(again, want) {
			t.Fatalf("Verify #%d from the cache = %v, want the token's claims %v", i+2, again, want)
		}
		again["sub"] = "someone-else"
		again["cognito:groups"].([]any)[0] = "managers"
	}
}

func BenchmarkVerifyCachedToken(b *testing.B) {
	iss, err := NewIssuer("")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := iss.Mint(MintRequest{Issuer: testIssuer, Audience: testAudience, Subject: "cust-1", TTL: time.Hour, Groups: []string{"customers"}})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := iss.Verify(tok, testIssuer, []string{testAudience}); err != nil {
			b.Fatal(err)
		}
	}
}
