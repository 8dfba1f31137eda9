package ddbemu

import (
	"regexp"
	"strings"
)

var nameAlias = regexp.MustCompile(`#[A-Za-z0-9_]+`)

// updatePaths returns the document paths an UpdateExpression writes ("a", "#n.b[2]"), in order:
// the left side of each SET action and the operand of each REMOVE, ADD and DELETE action.
func updatePaths(expr string) []string {
	type clause struct{ keyword, body string }
	var clauses []clause
	keyword, start, depth := "", 0, 0
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '(' || c == '[':
			depth++
			i++
		case c == ')' || c == ']':
			depth--
			i++
		case isIdentByte(c):
			j := i
			for j < len(expr) && isIdentByte(expr[j]) {
				j++
			}
			word := strings.ToUpper(expr[i:j])
			afterName := i > 0 && strings.ContainsRune("#:.", rune(expr[i-1]))
			if depth == 0 && !afterName && (word == "SET" || word == "REMOVE" || word == "ADD" || word == "DELETE") {
				if keyword != "" {
					clauses = append(clauses, clause{keyword, expr[start:i]})
				}
				keyword, start = word, j
			}
			i = j
		default:
			i++
		}
	}
	if keyword != "" {
		clauses = append(clauses, clause{keyword, expr[start:]})
	}
	var paths []string
	for _, cl := range clauses {
		for _, action := range splitTopLevel(cl.body, ',') {
			var path string
			switch cl.keyword {
			case "SET":
				if parts := splitTopLevel(action, '='); len(parts) > 1 {
					path = parts[0]
				}
			case "REMOVE":
				path = action
			default: // ADD, DELETE: "path value"
				if f := strings.Fields(action); len(f) > 0 {
					path = f[0]
				}
			}
			if path = strings.TrimSpace(path); path != "" {
				paths = append(paths, path)
			}
		}
	}
	return paths
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// splitTopLevel splits s at sep outside parentheses and brackets.
func splitTopLevel(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}
