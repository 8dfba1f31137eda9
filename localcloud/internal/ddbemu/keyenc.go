package ddbemu

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Key values are encoded so that comparing the encodings byte by byte orders them as DynamoDB
// orders key values ("Query", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html:
// "If the data type of the sort key is Number, the results are stored in numeric order. For type
// String, the results are stored in order of UTF-8 bytes. For type Binary, DynamoDB treats each byte
// of the binary data as unsigned."). Each encoding is self-delimiting, so a concatenation of
// encodings (hash, range, then the table key for an index) orders component by component.

const (
	keyTagBytes    = 0x01 // S and B: the bytes, 0x00 escaped as 0x00 0xFF, ended by 0x00 0x01
	keyTagNegative = 0x02
	keyTagZero     = 0x03
	keyTagPositive = 0x04
)

// exponentBias keeps every exponent DynamoDB accepts (10^-130 to 10^126) positive in two bytes.
const exponentBias = 1 << 14

var errNotAKey = errors.New("not a key value")

// encodeKeyValue encodes one DynamoDB JSON key value ({"S": ...}, {"N": ...} or {"B": ...}).
func encodeKeyValue(dst []byte, v json.RawMessage) ([]byte, error) {
	typ, scalar, err := scalarValue(v)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "S", "B":
		return appendEscaped(dst, scalar), nil
	case "N":
		return appendNumber(dst, scalar)
	}
	return nil, fmt.Errorf("%w: type %s", errNotAKey, typ)
}

// scalarValue decodes an S, N or B value to its bytes (the string, the number text, the binary).
func scalarValue(v json.RawMessage) (typ string, value string, err error) {
	if typ, value, ok := plainScalar(v); ok {
		return typ, value, nil
	}
	var av struct {
		S *string
		N *string
		B *string
	}
	if err := json.Unmarshal(v, &av); err != nil {
		return "", "", fmt.Errorf("%w: %v", errNotAKey, err)
	}
	switch {
	case av.S != nil:
		return "S", *av.S, nil
	case av.N != nil:
		return "N", *av.N, nil
	case av.B != nil:
		b, err := base64.StdEncoding.DecodeString(*av.B)
		if err != nil {
			return "", "", fmt.Errorf("%w: binary: %v", errNotAKey, err)
		}
		return "B", string(b), nil
	}
	return "", "", errNotAKey
}

// plainScalar reads {"S":"..."} and {"N":"..."} without escapes, as stored items hold their key
// values, without encoding/json (replay encodes the keys of every logged item).
func plainScalar(v []byte) (typ, value string, ok bool) {
	if len(v) < 8 || v[0] != '{' || v[1] != '"' || v[3] != '"' || v[4] != ':' || v[5] != '"' || v[len(v)-2] != '"' || v[len(v)-1] != '}' {
		return "", "", false
	}
	if v[2] != 'S' && v[2] != 'N' {
		return "", "", false
	}
	body := v[6 : len(v)-2]
	for _, c := range body {
		if c == '"' || c == '\\' || c < 0x20 {
			return "", "", false
		}
	}
	return string(v[2]), string(body), true
}

func appendEscaped(dst []byte, s string) []byte {
	dst = append(dst, keyTagBytes)
	for i := 0; i < len(s); i++ {
		dst = append(dst, s[i])
		if s[i] == 0 {
			dst = append(dst, 0xFF)
		}
	}
	return append(dst, 0x00, 0x01)
}

// appendNumber encodes a decimal as sign, exponent and significant digits: value = 0.d1d2… × 10^exp.
// Negative numbers store the exponent and digits complemented, so larger magnitudes sort first.
func appendNumber(dst []byte, text string) ([]byte, error) {
	negative, digits, exp, err := parseDecimal(text)
	if err != nil {
		return nil, err
	}
	if digits == "" {
		return append(dst, keyTagZero), nil
	}
	e := exp + exponentBias
	if negative {
		e = exponentBias*2 - e
		dst = append(dst, keyTagNegative, byte(e>>8), byte(e))
		for i := 0; i < len(digits); i++ {
			dst = append(dst, '9'-digits[i]+'0')
		}
		return append(dst, 0xFF), nil
	}
	dst = append(dst, keyTagPositive, byte(e>>8), byte(e))
	dst = append(dst, digits...)
	return append(dst, 0x00), nil
}

// parseDecimal splits a DynamoDB number into its sign, significant digits (no leading or trailing
// zeros; "" for zero) and the exponent exp with value = 0.digits × 10^exp.
func parseDecimal(text string) (negative bool, digits string, exp int, err error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return false, "", 0, fmt.Errorf("%w: empty number", errNotAKey)
	}
	switch s[0] {
	case '-':
		negative, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	mantissa, exponent := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mantissa = s[:i]
		if _, err := fmt.Sscanf(s[i+1:], "%d", &exponent); err != nil {
			return false, "", 0, fmt.Errorf("%w: number %q", errNotAKey, text)
		}
	}
	intPart, fracPart, _ := strings.Cut(mantissa, ".")
	all := intPart + fracPart
	if all == "" || strings.Trim(all, "0123456789") != "" {
		return false, "", 0, fmt.Errorf("%w: number %q", errNotAKey, text)
	}
	exp = len(intPart) + exponent
	trimmed := strings.TrimLeft(all, "0")
	exp -= len(all) - len(trimmed)
	digits = strings.TrimRight(trimmed, "0")
	if digits == "" {
		return false, "", 0, nil
	}
	return negative, digits, exp, nil
}
