package samtemplate

import (
	"fmt"
	"strings"
	"unicode"
)

// ParseParameterOverrides parses `sam deploy --parameter-overrides` / samconfig.toml syntax:
// `Key=Value Key2="quoted value" Key3='single'`, and also `ParameterKey=K,ParameterValue=V`.
func ParseParameterOverrides(s string) (map[string]string, error) {
	tokens, err := splitShellWords(s)
	if err != nil {
		return nil, fmt.Errorf("parameter overrides: %w", err)
	}
	out := make(map[string]string, len(tokens))
	for _, token := range tokens {
		key, value, err := parseOverride(token)
		if err != nil {
			return nil, fmt.Errorf("parameter overrides: %w", err)
		}
		out[key] = value
	}
	return out, nil
}

func parseOverride(token string) (string, string, error) {
	if rest, ok := strings.CutPrefix(token, "ParameterKey="); ok {
		key, value, ok := strings.Cut(rest, ",ParameterValue=")
		if !ok || !validParameterName(key) {
			return "", "", fmt.Errorf("%q is not ParameterKey=<name>,ParameterValue=<value>", token)
		}
		return key, value, nil
	}
	key, value, ok := strings.Cut(token, "=")
	if !ok || !validParameterName(key) {
		return "", "", fmt.Errorf("%q is not <Name>=<Value>", token)
	}
	return key, value, nil
}

func validParameterName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if c > unicode.MaxASCII || !(unicode.IsLetter(c) || unicode.IsDigit(c)) {
			return false
		}
	}
	return true
}

// splitShellWords splits on unquoted whitespace; quotes group and are removed; inside double quotes a
// backslash escapes the next character.
func splitShellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		c := runes[i]
		switch {
		case quote != 0:
			switch {
			case c == quote:
				quote = 0
			case c == '\\' && quote == '"' && i+1 < len(runes):
				i++
				cur.WriteRune(runes[i])
			default:
				cur.WriteRune(c)
			}
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case unicode.IsSpace(c):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
