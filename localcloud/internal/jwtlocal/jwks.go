package jwtlocal

import (
	"encoding/json"
	"math/big"
)

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS is the public key set, served at <issuer>/.well-known/jwks.json.
func (i *Issuer) JWKS() []byte {
	pub := &i.key.PublicKey
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{{
		Kty: "RSA", Kid: i.kid, Use: "sig", Alg: "RS256",
		N: b64(pub.N.Bytes()), E: b64(big.NewInt(int64(pub.E)).Bytes()),
	}}}
	out, _ := json.Marshal(set) // plain strings: cannot fail
	return out
}
