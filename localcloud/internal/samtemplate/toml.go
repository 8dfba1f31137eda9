package samtemplate

import (
	"fmt"
	"strconv"
	"strings"
)

// parseTOML reads the subset of TOML samconfig.toml uses: [dotted.tables], key = "basic" | 'literal' |
// [arrays of those] | true/false | numbers (kept as their text), comments. It returns table → key → value
// (string, bool or []any); keys before any table header live under "".
func parseTOML(src string) (map[string]map[string]any, error) {
	p := &tomlParser{src: src, line: 1}
	tables := map[string]map[string]any{"": {}}
	current := ""
	for {
		p.skipBlank(true)
		if p.eof() {
			return tables, nil
		}
		if p.peek() == '[' {
			name, err := p.tableHeader()
			if err != nil {
				return nil, p.errorf("%v", err)
			}
			if _, dup := tables[name]; dup {
				return nil, p.errorf("table [%s] defined twice", name)
			}
			tables[name] = map[string]any{}
			current = name
		} else {
			key, err := p.key('=')
			if err != nil {
				return nil, p.errorf("%v", err)
			}
			p.pos++ // '='
			p.skipBlank(false)
			value, err := p.value()
			if err != nil {
				return nil, p.errorf("key %s: %v", key, err)
			}
			if _, dup := tables[current][key]; dup {
				return nil, p.errorf("key %s defined twice", key)
			}
			tables[current][key] = value
		}
		if err := p.endOfLine(); err != nil {
			return nil, p.errorf("%v", err)
		}
	}
}

type tomlParser struct {
	src  string
	pos  int
	line int
}

func (p *tomlParser) eof() bool  { return p.pos >= len(p.src) }
func (p *tomlParser) peek() byte { return p.src[p.pos] }

func (p *tomlParser) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", p.line, fmt.Sprintf(format, args...))
}

// skipBlank skips spaces and comments, and newlines too when newlines is true.
func (p *tomlParser) skipBlank(newlines bool) {
	for !p.eof() {
		switch c := p.peek(); {
		case c == ' ' || c == '\t' || c == '\r':
			p.pos++
		case c == '\n' && newlines:
			p.pos++
			p.line++
		case c == '#':
			for !p.eof() && p.peek() != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *tomlParser) endOfLine() error {
	p.skipBlank(false)
	if p.eof() {
		return nil
	}
	if p.peek() != '\n' {
		return fmt.Errorf("unexpected %q after value", p.peek())
	}
	return nil
}

func (p *tomlParser) tableHeader() (string, error) {
	if strings.HasPrefix(p.src[p.pos:], "[[") {
		return "", fmt.Errorf("arrays of tables are not supported")
	}
	p.pos++
	p.skipBlank(false)
	name, err := p.key(']')
	if err != nil {
		return "", err
	}
	p.pos++
	return name, nil
}

// key reads a (dotted, possibly quoted) key up to the terminator, which is left unread.
func (p *tomlParser) key(terminator byte) (string, error) {
	var parts []string
	for {
		p.skipBlank(false)
		if p.eof() {
			return "", fmt.Errorf("expected a key")
		}
		var part string
		switch c := p.peek(); {
		case c == '"' || c == '\'':
			s, err := p.quoted()
			if err != nil {
				return "", err
			}
			part = s
		default:
			start := p.pos
			for !p.eof() && isBareKeyChar(p.peek()) {
				p.pos++
			}
			if start == p.pos {
				return "", fmt.Errorf("unexpected %q in key", c)
			}
			part = p.src[start:p.pos]
		}
		parts = append(parts, part)
		p.skipBlank(false)
		if p.eof() {
			return "", fmt.Errorf("expected %q", terminator)
		}
		switch p.peek() {
		case '.':
			p.pos++
		case terminator:
			return strings.Join(parts, "."), nil
		default:
			return "", fmt.Errorf("unexpected %q in key, expected %q", p.peek(), terminator)
		}
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (p *tomlParser) value() (any, error) {
	if p.eof() {
		return nil, fmt.Errorf("missing value")
	}
	switch c := p.peek(); c {
	case '"', '\'':
		return p.quoted()
	case '[':
		return p.array()
	case '{':
		return nil, fmt.Errorf("inline tables are not supported")
	}
	start := p.pos
	for !p.eof() && !strings.ContainsRune(" \t\r\n#,]", rune(p.peek())) {
		p.pos++
	}
	raw := p.src[start:p.pos]
	switch raw {
	case "":
		return nil, fmt.Errorf("missing value")
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return raw, nil
}

func (p *tomlParser) array() ([]any, error) {
	p.pos++ // '['
	out := []any{}
	for {
		p.skipBlank(true)
		if p.eof() {
			return nil, fmt.Errorf("unterminated array")
		}
		if p.peek() == ']' {
			p.pos++
			return out, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.skipBlank(true)
		if p.eof() {
			return nil, fmt.Errorf("unterminated array")
		}
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
		default:
			return nil, fmt.Errorf("unexpected %q in array", p.peek())
		}
	}
}

// quoted reads a basic ("...", with escapes) or literal ('...') single-line string.
func (p *tomlParser) quoted() (string, error) {
	q := p.peek()
	if strings.HasPrefix(p.src[p.pos:], strings.Repeat(string(q), 3)) {
		return "", fmt.Errorf("multi-line strings are not supported")
	}
	p.pos++
	var b strings.Builder
	for !p.eof() {
		c := p.peek()
		switch {
		case c == '\n':
			return "", fmt.Errorf("newline in string")
		case c == q:
			p.pos++
			return b.String(), nil
		case c == '\\' && q == '"':
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			b.WriteString(r)
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", fmt.Errorf("unterminated string")
}

func (p *tomlParser) escape() (string, error) {
	p.pos++ // backslash
	if p.eof() {
		return "", fmt.Errorf("unterminated escape")
	}
	c := p.peek()
	p.pos++
	switch c {
	case '"', '\\':
		return string(c), nil
	case 'n':
		return "\n", nil
	case 't':
		return "\t", nil
	case 'r':
		return "\r", nil
	case 'b':
		return "\b", nil
	case 'f':
		return "\f", nil
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		if p.pos+n > len(p.src) {
			return "", fmt.Errorf("short \\%c escape", c)
		}
		code, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
		if err != nil {
			return "", fmt.Errorf("bad \\%c escape: %w", c, err)
		}
		p.pos += n
		return string(rune(code)), nil
	}
	return "", fmt.Errorf("unknown escape \\%c", c)
}
