package jwtlocal

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	testIssuer   = "http://127.0.0.1:4566/local_pool"
	testAudience = "local-client"
)

func newTestIssuer(t *testing.T) *Issuer {
	t.Helper()
	iss, err := NewIssuer("")
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

func mint(t *testing.T, iss *Issuer, req MintRequest) string {
	t.Helper()
	tok, err := iss.Mint(req)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	return tok
}

func TestRoundTripCarriesCognitoClaims(t *testing.T) {
	iss := newTestIssuer(t)
	tok := mint(t, iss, MintRequest{
		Issuer: testIssuer, Audience: testAudience, Subject: "cust-1",
		Groups: []string{"customers", "drivers"}, TTL: 10 * time.Minute,
		Extra: map[string]any{"email": "a@example.com", "sub": "must-not-override"},
	})
	claims, err := iss.Verify(tok, testIssuer, []string{"other", testAudience})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if claims["sub"] != "cust-1" || claims["iss"] != testIssuer || claims["aud"] != testAudience {
		t.Errorf("identity claims = %v", claims)
	}
	if claims["token_use"] != "id" || claims["email"] != "a@example.com" {
		t.Errorf("token_use/email = %v/%v", claims["token_use"], claims["email"])
	}
	groups, _ := claims["cognito:groups"].([]any)
	if len(groups) != 2 || groups[0] != "customers" || groups[1] != "drivers" {
		t.Errorf("cognito:groups = %#v", claims["cognito:groups"])
	}
	iat, _ := claims["iat"].(float64)
	exp, _ := claims["exp"].(float64)
	if exp-iat != 600 || claims["auth_time"] != iat {
		t.Errorf("iat=%v exp=%v auth_time=%v", iat, exp, claims["auth_time"])
	}
}

func TestVerifyRejects(t *testing.T) {
	iss := newTestIssuer(t)
	other := newTestIssuer(t)
	good := mint(t, iss, MintRequest{Issuer: testIssuer, Audience: testAudience, Subject: "u"})
	forged := mint(t, other, MintRequest{Issuer: testIssuer, Audience: testAudience, Subject: "u"})
	parts := strings.Split(good, ".")

	tests := []struct {
		name    string
		token   string
		issuer  string
		aud     []string
		at      time.Time
		wantErr error
	}{
		{"expired", good, testIssuer, []string{testAudience}, time.Now().Add(2 * time.Hour), ErrExpired},
		{"wrong issuer", good, "https://elsewhere", []string{testAudience}, time.Now(), ErrIssuer},
		{"wrong audience", good, testIssuer, []string{"someone-else"}, time.Now(), ErrAudience},
		{"signed by another key", forged, testIssuer, []string{testAudience}, time.Now(), ErrSignature},
		{"alg none", withHeader(parts, `{"alg":"none","typ":"JWT"}`, ""), testIssuer, nil, time.Now(), ErrAlgorithm},
		{"HS256 keyed with the public key", hs256Token(t, iss, parts[1]), testIssuer, nil, time.Now(), ErrAlgorithm},
		{"tampered payload", parts[0] + "." + b64([]byte(`{"sub":"admin","exp":9999999999}`)) + "." + parts[2], "", nil, time.Now(), ErrSignature},
		{"empty", "", "", nil, time.Now(), ErrMalformed},
		{"two parts", parts[0] + "." + parts[1], "", nil, time.Now(), ErrMalformed},
		{"four parts", good + ".x", "", nil, time.Now(), ErrMalformed},
		{"bad base64 header", "%%%." + parts[1] + "." + parts[2], "", nil, time.Now(), ErrMalformed},
		{"header not json", b64([]byte("nope")) + "." + parts[1] + "." + parts[2], "", nil, time.Now(), ErrMalformed},
		{"bad base64 signature", parts[0] + "." + parts[1] + ".***", "", nil, time.Now(), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims, err := iss.verifyAt(tc.token, tc.issuer, tc.aud, tc.at)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if claims != nil {
				t.Errorf("claims returned on failure: %v", claims)
			}
		})
	}
}

func TestVerifyNotBeforeAndClientID(t *testing.T) {
	iss := newTestIssuer(t)
	now := time.Now().Unix()
	future, err := iss.sign(map[string]any{"iss": testIssuer, "client_id": testAudience, "exp": now + 600, "nbf": now + 300})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Verify(future, testIssuer, []string{testAudience}); !errors.Is(err, ErrNotYet) {
		t.Errorf("nbf in the future: err = %v, want ErrNotYet", err)
	}
	access, err := iss.sign(map[string]any{"iss": testIssuer, "client_id": testAudience, "exp": now + 600, "token_use": "access"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Verify(access, testIssuer, []string{testAudience}); err != nil {
		t.Errorf("access token with client_id: %v", err)
	}
	noExp, err := iss.sign(map[string]any{"iss": testIssuer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Verify(noExp, testIssuer, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("token without exp: err = %v, want ErrMalformed", err)
	}
}

func TestKeyFileSurvivesRestart(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "sub", "jwt.pem")
	first, err := NewIssuer(keyFile)
	if err != nil {
		t.Fatalf("NewIssuer create: %v", err)
	}
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("key file not written: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %o, want 600", perm)
	}
	tok := mint(t, first, MintRequest{Issuer: testIssuer, Subject: "u"})

	second, err := NewIssuer(keyFile)
	if err != nil {
		t.Fatalf("NewIssuer reload: %v", err)
	}
	if second.KeyID() != first.KeyID() {
		t.Errorf("kid changed across restart: %s vs %s", first.KeyID(), second.KeyID())
	}
	if _, err := second.Verify(tok, testIssuer, nil); err != nil {
		t.Errorf("token from before restart rejected: %v", err)
	}

	if err := os.WriteFile(keyFile, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewIssuer(keyFile); err == nil {
		t.Error("NewIssuer accepted a corrupt key file")
	}
}

// TestJWKSVerifiesTokens rebuilds the public key from the JWKS alone, as an API Gateway would.
func TestJWKSVerifiesTokens(t *testing.T) {
	iss := newTestIssuer(t)
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(iss.JWKS(), &set); err != nil {
		t.Fatalf("JWKS json: %v", err)
	}
	if len(set.Keys) != 1 {
		t.Fatalf("keys = %d", len(set.Keys))
	}
	k := set.Keys[0]
	if k["kty"] != "RSA" || k["use"] != "sig" || k["alg"] != "RS256" || k["kid"] != iss.KeyID() {
		t.Errorf("jwk = %v", k)
	}
	n, _ := unb64(k["n"])
	e, _ := unb64(k["e"])
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}

	tok := mint(t, iss, MintRequest{Issuer: testIssuer, Subject: "u"})
	parts := strings.Split(tok, ".")
	sig, _ := unb64(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("JWKS key does not verify a minted token: %v", err)
	}
}

func TestMintRequiresIssuerAndSubject(t *testing.T) {
	iss := newTestIssuer(t)
	for _, req := range []MintRequest{{Subject: "u"}, {Issuer: testIssuer}} {
		if _, err := iss.Mint(req); err == nil {
			t.Errorf("Mint(%+v) succeeded", req)
		}
	}
}

func withHeader(parts []string, header, sig string) string {
	return b64([]byte(header)) + "." + parts[1] + "." + sig
}

// hs256Token is the classic key-confusion forgery: HMAC keyed with the issuer's public key.
func hs256Token(t *testing.T, iss *Issuer, payload string) string {
	t.Helper()
	input := b64([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + payload
	mac := hmac.New(sha256.New, iss.key.PublicKey.N.Bytes())
	mac.Write([]byte(input))
	return input + "." + b64(mac.Sum(nil))
}

func unb64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
