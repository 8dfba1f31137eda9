package ids

import "testing"

func TestNewIsUniqueAndSortable(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := 0; i < 1000; i++ {
		id := New()
		if len(id) != 20 {
			t.Fatalf("len(%q) = %d", id, len(id))
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if id[:8] < prev[:min(8, len(prev))] {
			t.Fatalf("time prefix went backwards: %q after %q", id, prev)
		}
		prev = id
	}
}

func TestShort(t *testing.T) {
	tests := []struct{ in, want string }{
		{"01hx3k9v2mabcdef1234", "EF1234"},
		{"rsv-01hx3k9v2mabcdef1234", "EF1234"},
		{"abc", "ABC"},
	}
	for _, tt := range tests {
		if got := Short(tt.in); got != tt.want {
			t.Errorf("Short(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
