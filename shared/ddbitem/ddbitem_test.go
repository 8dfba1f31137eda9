package ddbitem

import (
	"context"
	"errors"
	"testing"

	"github.com/calltaxi/call-taxi/shared/ddbtest"
)

type row struct {
	ID      string `dynamodbav:"id"`
	Note    string `dynamodbav:"note"`
	Version int64  `dynamodbav:"version"`
}

func TestPutNewPutIfNumberGet(t *testing.T) {
	ctx := context.Background()
	db := ddbtest.New(t, ddbtest.Table{Name: "rows", Hash: "id"})

	var got row
	if found, err := Get(ctx, db, "rows", Key("id", "r1"), &got); err != nil || found {
		t.Fatalf("Get of a missing item = %v, %v", found, err)
	}
	steps := []struct {
		name    string
		write   func() error
		wantErr error
		want    row
	}{
		{"create", func() error { return PutNew(ctx, db, "rows", "id", row{ID: "r1", Note: "a", Version: 1}) }, nil, row{"r1", "a", 1}},
		{"create again loses", func() error { return PutNew(ctx, db, "rows", "id", row{ID: "r1", Note: "b", Version: 1}) }, ErrConditionFailed, row{"r1", "a", 1}},
		{"update at the read version", func() error { return PutIfNumber(ctx, db, "rows", row{ID: "r1", Note: "c", Version: 2}, "version", 1) }, nil, row{"r1", "c", 2}},
		{"update at a stale version loses", func() error { return PutIfNumber(ctx, db, "rows", row{ID: "r1", Note: "d", Version: 2}, "version", 1) }, ErrConditionFailed, row{"r1", "c", 2}},
	}
	for _, s := range steps {
		if err := s.write(); !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: err = %v, want %v", s.name, err, s.wantErr)
		}
		got = row{}
		if found, err := Get(ctx, db, "rows", Key("id", "r1"), &got); err != nil || !found || got != s.want {
			t.Fatalf("%s: stored %+v (found %v, %v), want %+v", s.name, got, found, err, s.want)
		}
	}
	if err := PutNew(ctx, db, "no-such-table", "id", row{ID: "x"}); err == nil || errors.Is(err, ErrConditionFailed) {
		t.Errorf("a failing table must be an error other than a lost condition, got %v", err)
	}
}
