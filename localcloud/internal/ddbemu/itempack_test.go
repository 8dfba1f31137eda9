package ddbemu

import (
	"bytes"
	"fmt"
	"testing"
)

// Items pack with the table's first item as the dictionary and unpack to the same bytes.
func TestItemPackRoundTrip(t *testing.T) {
	order := func(i int) []byte {
		return fmt.Appendf(nil, `{"createdAt":{"S":"2026-11-30T07:%02d:00.000Z"},"customerId":{"S":"customer-%04d"},"fare":{"N":"%d"},"id":{"S":"order-%06d"},"pickup":{"S":"Seoul Station"},"status":{"S":"PAID"}}`, i%60, i%100, 3800+i, i)
	}
	cases := []struct {
		name      string
		item      []byte
		maxPacked int // bytes
	}{
		{"first item, the dictionary", order(0), 40},
		{"a similar item", order(1234), 60},
		{"an unrelated item", []byte(`{"k":{"S":"x"},"list":{"L":[{"N":"1"},{"BOOL":true},{"NULL":true}]}}`), 80},
		{"empty", []byte(`{}`), 10},
	}
	st := &itemStore{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			packed, err := st.pack(c.item)
			if err != nil {
				t.Fatal(err)
			}
			if len(packed) > c.maxPacked {
				t.Errorf("%d bytes packed to %d, want at most %d", len(c.item), len(packed), c.maxPacked)
			}
			got, err := st.itemJSON(newStoredItem("", packed))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.item) {
				t.Fatalf("unpacked %s, want %s", got, c.item)
			}
		})
	}
}

func BenchmarkItemPack(b *testing.B) {
	item := []byte(`{"cardBrand":{"S":"visa"},"cardLast4":{"S":"4242"},"createdAt":{"S":"2026-11-30T07:00:16.635Z"},"customerId":{"S":"bench-customer-29exlg-0"},"destination":{"S":""},"fare":{"N":"3800"},"id":{"S":"06h2pg8tfc0qgxd43r5g"},"name":{"S":"Bench Rider"},"orderType":{"S":"basic"},"paymentId":{"S":"pay-06h2pg8tfc0qgxd43r5g"},"phone":{"S":"+821067496432"},"pickup":{"S":"Seoul Station"},"status":{"S":"PAID"},"updatedAt":{"S":"2026-11-30T07:00:16.839Z"},"version":{"N":"3"}}`)
	st := &itemStore{}
	packed, err := st.pack(bytes.ReplaceAll(item, []byte("06h2"), []byte("07x9")))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("pack", func(b *testing.B) {
		for range b.N {
			if _, err := st.pack(item); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unpack", func(b *testing.B) {
		for range b.N {
			if _, err := st.itemJSON(newStoredItem("", packed)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(len(packed)), "packed-bytes")
	b.ReportMetric(float64(len(item)), "json-bytes")
}
