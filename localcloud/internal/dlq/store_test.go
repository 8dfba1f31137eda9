package dlq

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestPutListQueues(t *testing.T) {
	tests := []struct {
		name     string
		body     []byte
		wantBody string
	}{
		{name: "json object kept as json", body: []byte(`{"a":1}`), wantBody: `{"a":1}`},
		{name: "plain text becomes json string", body: []byte(`not json`), wantBody: `"not json"`},
		{name: "empty body becomes empty string", body: nil, wantBody: `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New("")
			if err != nil {
				t.Fatal(err)
			}
			attrs := map[string]string{"ERROR_CODE": "X"}
			s.Put("q1", tt.body, attrs)
			attrs["ERROR_CODE"] = "mutated after put"

			got := s.List("q1")
			if len(got) != 1 {
				t.Fatalf("List = %d messages, want 1", len(got))
			}
			if string(got[0].Body) != tt.wantBody {
				t.Errorf("Body = %s, want %s", got[0].Body, tt.wantBody)
			}
			if got[0].Attributes["ERROR_CODE"] != "X" || got[0].Queue != "q1" || got[0].ID == "" || got[0].At.IsZero() {
				t.Errorf("message = %+v", got[0])
			}
			if q := s.Queues(); q["q1"] != 1 || len(q) != 1 {
				t.Errorf("Queues = %v", q)
			}
		})
	}
}

func TestPersistenceReloadsEveryQueue(t *testing.T) {
	dir := t.TempDir()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Put("orders-dlq", []byte(`{"id":"e1"}`), map[string]string{"RULE_ARN": "arn:r"})
	s.Put("orders-dlq", []byte(`{"id":"e2"}`), nil)
	s.Put("arn:aws:sqs:us-east-1:123:taxi/dlq", []byte(`text`), nil)

	reloaded, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"orders-dlq": 2, "arn:aws:sqs:us-east-1:123:taxi/dlq": 1}
	got := reloaded.Queues()
	if len(got) != len(want) {
		t.Fatalf("Queues after reload = %v, want %v", got, want)
	}
	for q, n := range want {
		if got[q] != n {
			t.Errorf("queue %q depth = %d, want %d", q, got[q], n)
		}
	}
	msgs := reloaded.List("orders-dlq")
	var first struct{ ID string }
	if err := json.Unmarshal(msgs[0].Body, &first); err != nil || first.ID != "e1" {
		t.Errorf("first body = %s (%v), want id e1", msgs[0].Body, err)
	}
	if msgs[0].Attributes["RULE_ARN"] != "arn:r" {
		t.Errorf("attributes lost: %v", msgs[0].Attributes)
	}
	if msgs[0].ID != s.List("orders-dlq")[0].ID {
		t.Errorf("message id changed across reload")
	}
}

func TestReloadSkipsTornLine(t *testing.T) {
	dir := t.TempDir()
	content := `{"id":"1","queue":"q","body":{"a":1},"at":"2024-01-01T00:00:00Z"}` + "\n" + `{"id":"2","queue":"q","bo`
	if err := os.WriteFile(filepath.Join(dir, "q.jsonl"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Queues()["q"]; got != 1 {
		t.Errorf("depth = %d, want 1 (torn line skipped)", got)
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ queue, want string }{
		{"orders-dlq", "orders-dlq.jsonl"},
		{"arn:aws:sqs:r:1:q", "arn_aws_sqs_r_1_q.jsonl"},
		{"../../etc/passwd", ".._.._etc_passwd.jsonl"},
		{"..", "_.jsonl"},
		{"", "_.jsonl"},
	}
	for _, tt := range tests {
		if got := fileName(tt.queue); got != tt.want {
			t.Errorf("fileName(%q) = %q, want %q", tt.queue, got, tt.want)
		}
	}
}
