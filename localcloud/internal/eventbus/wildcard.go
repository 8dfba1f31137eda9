package eventbus

import (
	"errors"
	"strings"
)

// wildcard is a compiled EventBridge wildcard: '*' matches any run of characters (including none), "\*" is a
// literal asterisk and "\\" a literal backslash. Consecutive '*' and any other escape are rejected.
type wildcard struct {
	// segments are the literal parts between stars; len(segments) == stars+1.
	segments []string
}

func compileWildcard(pattern string) (wildcard, error) {
	var (
		segments []string
		current  strings.Builder
		lastStar bool
	)
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*':
			if lastStar {
				return wildcard{}, errors.New(`wildcard: consecutive "*" characters are not allowed`)
			}
			segments = append(segments, current.String())
			current.Reset()
			lastStar = true
			continue
		case '\\':
			if i+1 >= len(pattern) || (pattern[i+1] != '*' && pattern[i+1] != '\\') {
				return wildcard{}, errors.New(`wildcard: a backslash may only escape "*" or "\"`)
			}
			i++
			current.WriteByte(pattern[i])
		default:
			current.WriteByte(c)
		}
		lastStar = false
	}
	segments = append(segments, current.String())
	return wildcard{segments: segments}, nil
}

func (w wildcard) match(s string) bool {
	segs := w.segments
	if len(segs) == 1 {
		return s == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	if !strings.HasSuffix(s, last) {
		return false
	}
	s = s[:len(s)-len(last)]
	// Leftmost placement of each middle literal is optimal when '*' is the only metacharacter.
	for _, mid := range segs[1 : len(segs)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return true
}
