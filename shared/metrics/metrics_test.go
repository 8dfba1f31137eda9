package metrics

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestCountWritesEMF(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, "order").Count(OrdersPlaced, 2)

	var line struct {
		AWS struct {
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Service      string  `json:"service"`
		OrdersPlaced float64 `json:"OrdersPlaced"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	m := line.AWS.CloudWatchMetrics
	if len(m) != 1 || m[0].Namespace != Namespace || m[0].Metrics[0].Name != OrdersPlaced || line.OrdersPlaced != 2 || line.Service != "order" {
		t.Errorf("unexpected EMF line: %s", buf.String())
	}
	var nilRecorder *Recorder
	nilRecorder.Count(SMSSent, 1) // must not panic
}
