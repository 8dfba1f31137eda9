package main

import (
	"io"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/shared/apitest"
	"github.com/calltaxi/call-taxi/shared/ddbtest"
	"github.com/calltaxi/call-taxi/shared/logging"
	"github.com/calltaxi/call-taxi/shared/metrics"
)

// FuzzNotifyStream feeds any MyPagesTable stream images (new and old) to the SMS sender.
func FuzzNotifyStream(f *testing.F) {
	client := ddbtest.New(f, ddbtest.Table{Name: "notifications", Hash: "key"})
	records := NewRecords(client, "notifications", time.Hour, 30*time.Second)
	handlers := NewHandlers(records, &fakeQueue{}, &fakeSMS{}, nil, metrics.New(io.Discard, "notify"), logging.New(io.Discard, "ERROR"))

	names, newImages, oldImages := apitest.StreamSeeds(f, "notify")
	for i := range names {
		f.Add(names[i], newImages[i], oldImages[i])
	}
	for _, img := range []string{
		`{"orderId":{"S":"o-1"},"phone":{"S":"+821012345678"},"status":{"S":"CANCELED"},"history":{"L":[{"M":{"status":{"S":"CANCELED"}}}]}}`,
		`{"orderId":{"S":"o-2"},"phone":{"S":"not a phone"},"status":{"S":"PAID"},"history":{"L":[{"S":"PAID"}]}}`,
		`{"orderId":{"S":""},"status":{"S":"??"},"fare":{"N":"-1"},"history":{"M":{}}}`,
		`{"orderId":{"N":"1"},"history":{"NULL":true}}`,
	} {
		f.Add(uint8(1), []byte(img), []byte(`{"orderId":{"S":"o-1"},"status":{"S":"PAID"}}`))
	}
	f.Fuzz(func(t *testing.T, name uint8, newImage, oldImage []byte) {
		if ev, ok := apitest.StreamEvent(name, newImage, oldImage); ok {
			apitest.CheckStream(t, handlers, ev)
		}
	})
}
