// Package jwtlocal is the local stand-in for the Cognito user pool: it mints RS256 JWTs shaped like
// Cognito ID tokens, publishes the signing key as a JWKS, and verifies tokens the way the
// API Gateway JWT authorizer does.
package jwtlocal

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
)

const keyBits = 2048

// Issuer signs and verifies tokens with one RSA key.
type Issuer struct {
	key  *rsa.PrivateKey
	kid  string
	sigs signatureCache
}

// NewIssuer loads the RSA key from keyFile, or creates and saves one (PEM, mode 0600) when the file
// does not exist, so tokens minted before a restart stay valid. keyFile "" keeps the key in memory.
func NewIssuer(keyFile string) (*Issuer, error) {
	key, err := loadOrCreateKey(keyFile)
	if err != nil {
		return nil, err
	}
	return &Issuer{key: key, kid: thumbprint(&key.PublicKey)}, nil
}

// KeyID is the "kid" put in every token header and in the JWKS.
func (i *Issuer) KeyID() string { return i.kid }

func loadOrCreateKey(keyFile string) (*rsa.PrivateKey, error) {
	if keyFile == "" {
		return generateKey()
	}
	data, err := os.ReadFile(keyFile)
	if err == nil {
		return parseKey(data, keyFile)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key file %s: %w", keyFile, err)
	}
	key, err := generateKey()
	if err != nil {
		return nil, err
	}
	if err := saveKey(key, keyFile); err != nil {
		return nil, err
	}
	return key, nil
}

func generateKey() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, fmt.Errorf("generate rsa key: %w", err)
	}
	return key, nil
}

func parseKey(data []byte, keyFile string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("key file %s: no PEM block", keyFile)
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", keyFile, err)
		}
		return key, nil
	case "PRIVATE KEY":
		parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %w", keyFile, err)
		}
		key, ok := parsed.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("key file %s: not an RSA key", keyFile)
		}
		return key, nil
	default:
		return nil, fmt.Errorf("key file %s: unexpected PEM type %q", keyFile, block.Type)
	}
}

// saveKey writes through a temporary file and a rename so a crash never leaves half a key behind.
func saveKey(key *rsa.PrivateKey, keyFile string) error {
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		return fmt.Errorf("create key dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(keyFile), ".jwtkey-*")
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod key file: %w", err)
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	if err := pem.Encode(tmp, block); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), keyFile); err != nil {
		return fmt.Errorf("save key file: %w", err)
	}
	return nil
}

// thumbprint is the RFC 7638 JWK thumbprint, a stable key id derived from the public key.
func thumbprint(pub *rsa.PublicKey) string {
	canonical, _ := json.Marshal(struct {
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
	}{E: b64(big.NewInt(int64(pub.E)).Bytes()), Kty: "RSA", N: b64(pub.N.Bytes())})
	sum := sha256.Sum256(canonical)
	return b64(sum[:])
}
