package ddbemu

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The write log holds items packed (replay does not repack them), except the item that makes the
// table's packer, and a restart restores the same items and index entries, with or without a
// snapshot before the log.
func TestWriteLogHoldsPackedItems(t *testing.T) {
	cases := []struct {
		name         string
		compactAfter int // items written before a compaction, -1: none
		wantRaw      int // log entries with DynamoDB JSON in the newest log
	}{
		{"log only: the first item makes the packer", -1, 1},
		{"snapshot, then the log: all packed", 5, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			spec := ordersSpec("Orders", "")
			svc, _ := startService(t, Options{DataDir: dir, CompactAboveBytes: -1}, spec)
			for i := range 12 {
				if i == c.compactAfter {
					if _, err := svc.Compact(); err != nil {
						t.Fatal(err)
					}
				}
				body := fmt.Sprintf(`{"TableName":"Orders","Item":{"id":{"S":"o%d"},"customerId":{"S":"c%d"},"createdAt":{"S":"2026-11-30T08:%02d"},"v":{"N":"%d"}}}`, i%8, i%3, i, i)
				if res := svc.dispatch("PutItem", []byte(body)); !res.ok() {
					t.Fatalf("put: %s", res.body)
				}
			}
			if res := svc.dispatch("DeleteItem", []byte(`{"TableName":"Orders","Key":{"id":{"S":"o1"}}}`)); !res.ok() {
				t.Fatalf("delete: %s", res.body)
			}
			want, err := svc.Scan("Orders")
			if err != nil {
				t.Fatal(err)
			}
			wantIndex := svc.dispatch("Query", []byte(`{"TableName":"Orders","IndexName":"customerId-createdAt-index","KeyConditionExpression":"customerId = :c","ExpressionAttributeValues":{":c":{"S":"c1"}}}`))
			logs, _, err := dataFiles(svc.dataDir())
			if err != nil || len(logs) == 0 {
				t.Fatalf("logs %v, %v", logs, err)
			}
			log, err := os.ReadFile(filepath.Join(svc.dataDir(), walName(logs[len(logs)-1])))
			if err != nil {
				t.Fatal(err)
			}
			if raw := strings.Count(string(log), `"i":`); raw != c.wantRaw || !strings.Contains(string(log), `"p":`) {
				t.Fatalf("log has %d unpacked items (want %d) and packed ones: %v\n%s", raw, c.wantRaw, strings.Contains(string(log), `"p":`), log)
			}
			if err := svc.Close(); err != nil {
				t.Fatal(err)
			}

			svc2, _ := reopen(t, Options{DataDir: dir, CompactAboveBytes: -1}, spec)
			got, err := svc2.Scan("Orders")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 7 || !reflect.DeepEqual(got, want) {
				t.Fatalf("after restart:\n got %v\nwant %v", got, want)
			}
			if gotIndex := svc2.dispatch("Query", []byte(`{"TableName":"Orders","IndexName":"customerId-createdAt-index","KeyConditionExpression":"customerId = :c","ExpressionAttributeValues":{":c":{"S":"c1"}}}`)); string(gotIndex.body) != string(wantIndex.body) {
				t.Fatalf("index after restart:\n got %s\nwant %s", gotIndex.body, wantIndex.body)
			}
		})
	}
}

// A packed item logged with another dictionary than the table's is refused, not misread.
func TestLoadPackedChecksTheDictionary(t *testing.T) {
	st := newItemStore(&tableState{hashKey: "id"})
	packed, err := st.pack([]byte(`{"id":{"S":"a"}}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		dict    uint32
		wantErr bool
	}{
		{"the table's dictionary", st.packer.dictCRC, false},
		{"another dictionary", st.packer.dictCRC + 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := st.loadPacked(packed, c.dict); (err != nil) != c.wantErr {
				t.Fatalf("loadPacked: %v, want error %v", err, c.wantErr)
			}
		})
	}
}
