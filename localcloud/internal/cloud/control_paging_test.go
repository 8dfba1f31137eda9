package cloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/calltaxi/call-taxi/localcloud/internal/sqsemu"
)

// /_local/dlq pages across the dead-letter queues: following "next" lists every message exactly once,
// whatever the page size, and counts always cover every queue.
func TestDeadLettersPage(t *testing.T) {
	sqs, err := sqsemu.New(sqsemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqs.Close() })
	want := map[string]int{"a-dlq": 3, "b-dlq": 0, "c-dlq": 5}
	for q, n := range want {
		if err := sqs.CreateQueue(sqsemu.QueueSpec{Name: q}); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if _, err := sqs.Send(q, fmt.Sprintf(`{"n":%d}`, i), nil, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	c := &Cloud{SQS: sqs, deadLetterQueues: []string{"c-dlq", "a-dlq", "b-dlq"}}
	srv := httptest.NewServer(http.HandlerFunc(c.deadLetters))
	t.Cleanup(srv.Close)

	cases := []struct {
		limit     string
		wantPages int
	}{{"", 1}, {"1", 8}, {"2", 4}, {"3", 3}, {"100", 1}}
	for _, tc := range cases {
		t.Run("limit="+tc.limit, func(t *testing.T) {
			got, pages, after := map[string]int{}, 0, ""
			for {
				q := url.Values{}
				if tc.limit != "" {
					q.Set("limit", tc.limit)
				}
				if after != "" {
					q.Set("after", after)
				}
				resp, err := http.Get(srv.URL + "?" + q.Encode())
				if err != nil {
					t.Fatal(err)
				}
				var page struct {
					Queues map[string][]dlqMessage `json:"queues"`
					Counts map[string]int          `json:"counts"`
					Next   string                  `json:"next"`
				}
				err = json.NewDecoder(resp.Body).Decode(&page)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %v", resp.StatusCode, err)
				}
				pages++
				for name, msgs := range page.Queues {
					got[name] += len(msgs)
				}
				for name, n := range want {
					if page.Counts[name] != n {
						t.Fatalf("counts[%s] = %d, want %d", name, page.Counts[name], n)
					}
				}
				if page.Next == "" || pages > 20 {
					break
				}
				after = page.Next
			}
			for name, n := range want {
				if got[name] != n {
					t.Fatalf("listed %d messages of %s, want %d (in %d pages)", got[name], name, n, pages)
				}
			}
			if pages != tc.wantPages {
				t.Fatalf("%d pages, want %d", pages, tc.wantPages)
			}
		})
	}
}

func TestDeadLettersRejectsBadPage(t *testing.T) {
	c := &Cloud{deadLetterQueues: []string{"a-dlq"}}
	for _, q := range []string{"limit=0", "limit=x", "after=nope", "after=a-dlq/x", "after=other/1"} {
		rec := httptest.NewRecorder()
		c.deadLetters(rec, httptest.NewRequest(http.MethodGet, "/_local/dlq?"+q, nil))
		if rec.Code != http.StatusBadRequest {
			t.Errorf("?%s: status %d, want 400", q, rec.Code)
		}
	}
}
