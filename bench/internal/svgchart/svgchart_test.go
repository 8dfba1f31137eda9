package svgchart

import (
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
)

func TestWriteIsWellFormedXMLWithOneSeriesPerLine(t *testing.T) {
	points := []Point{
		{Second: 0, P50Ms: 2, P99Ms: 10, Throughput: 100},
		{Second: 1, P50Ms: 3, P99Ms: 40, Throughput: 250},
		{Second: 2, P50Ms: 2.5, P99Ms: 12, Throughput: 0},
	}
	var b strings.Builder
	if err := Write(&b, `orders <&> reads`, points); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
	for _, series := range []string{"p50", "p99", "throughput"} {
		re := regexp.MustCompile(`data-series="` + series + `"[^>]*points="([^"]*)"`)
		m := re.FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("series %s missing", series)
		}
		if n := len(strings.Fields(m[1])); n != len(points) {
			t.Errorf("series %s has %d points, want %d", series, n, len(points))
		}
	}
	if !strings.Contains(svg, "orders &lt;&amp;&gt; reads") {
		t.Error("title not escaped")
	}
}

func TestPeakIsDrawnAtTheTopOfItsPanel(t *testing.T) {
	points := []Point{{P99Ms: 5}, {P99Ms: 50}}
	var b strings.Builder
	if err := Write(&b, "t", points); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`data-series="p99"[^>]*points="[^ ]+ [0-9.]+,([0-9.]+)"`).FindStringSubmatch(b.String())
	if m == nil {
		t.Fatal("p99 series not found")
	}
	if m[1] != "40.0" { // marginTop: 50 ms is the axis maximum (niceCeil(50) = 50)
		t.Errorf("peak drawn at y=%s, want 40.0", m[1])
	}
}

func TestEmptySeriesStillValid(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, "empty", nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "<svg") || !strings.HasSuffix(b.String(), "</svg>\n") {
		t.Error("empty chart is not an svg document")
	}
}

func TestNiceCeil(t *testing.T) {
	tests := []struct{ in, want float64 }{{0, 1}, {0.3, 0.5}, {1, 1}, {1.1, 2}, {3, 5}, {7, 10}, {42, 50}, {120, 200}}
	for _, tt := range tests {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
