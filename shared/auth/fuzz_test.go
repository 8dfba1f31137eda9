package auth

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParseGroups: any claim text parses without panicking into groups without separators or empties
// (except verbatim JSON array elements), and the HTTP API's "[a b]" rendering of plain names round-trips.
func FuzzParseGroups(f *testing.F) {
	for _, seed := range []string{"[customers]", "[customers managers]", `["drivers"]`, `["a b","c"]`, "a,b", " [ ] ", "[", `["`, `[""]`, "[,]", "managers]"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		groups := parseGroups(raw)
		jsonForm := strings.HasPrefix(strings.TrimSpace(raw), `["`)
		for _, g := range groups {
			if !jsonForm && (g == "" || strings.ContainsAny(g, " ,")) {
				t.Fatalf("parseGroups(%q) = %q: empty or unsplit group", raw, groups)
			}
		}
		var plain []string
		for _, name := range strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune(" ,[]\"\t\n\r\v\f\u0085\u00a0", r) }) {
			if strings.TrimSpace(name) == name {
				plain = append(plain, name)
			}
		}
		if len(plain) == 0 {
			return
		}
		rendered := "[" + strings.Join(plain, " ") + "]"
		if got := parseGroups(rendered); !reflect.DeepEqual(got, plain) {
			t.Fatalf("parseGroups(%q) = %q, want %q", rendered, got, plain)
		}
	})
}
