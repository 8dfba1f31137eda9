// Package svgchart draws the benchmark's timeline as a self-contained SVG: latency p50/p99 per second in the
// upper panel and throughput per second in the lower one. Standard library only.
package svgchart

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Point is one second of the run.
type Point struct {
	Second     int
	P50Ms      float64
	P99Ms      float64
	Throughput float64 // requests that started in this second
}

const (
	width       = 900
	panelHeight = 220
	marginLeft  = 70
	marginRight = 20
	marginTop   = 40
	panelGap    = 60
)

// Write renders the chart. title is escaped; an empty series still yields a valid, empty chart.
func Write(w io.Writer, title string, points []Point) error {
	var b strings.Builder
	height := marginTop + 2*panelHeight + panelGap + 40
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="15" font-weight="bold">%s</text>`+"\n", marginLeft, html.EscapeString(title))

	latency := panel{top: marginTop, label: "latency (ms)", seconds: len(points)}
	latency.yMax = niceCeil(maxOf(points, func(p Point) float64 { return p.P99Ms }))
	latency.draw(&b)
	latency.line(&b, points, func(p Point) float64 { return p.P50Ms }, "#1f77b4", "p50")
	latency.line(&b, points, func(p Point) float64 { return p.P99Ms }, "#d62728", "p99")
	latency.legend(&b, []legendEntry{{"p50", "#1f77b4"}, {"p99", "#d62728"}})

	rate := panel{top: marginTop + panelHeight + panelGap, label: "requests/s", seconds: len(points)}
	rate.yMax = niceCeil(maxOf(points, func(p Point) float64 { return p.Throughput }))
	rate.draw(&b)
	rate.line(&b, points, func(p Point) float64 { return p.Throughput }, "#2ca02c", "throughput")
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">seconds since start</text>`+"\n", marginLeft+(width-marginLeft-marginRight)/2, height-8)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write svg: %w", err)
	}
	return nil
}

type panel struct {
	top     int
	label   string
	seconds int
	yMax    float64
}

type legendEntry struct{ name, color string }

func (p panel) plotWidth() float64 { return float64(width - marginLeft - marginRight) }

func (p panel) x(second int) float64 {
	if p.seconds <= 1 {
		return marginLeft
	}
	return marginLeft + p.plotWidth()*float64(second)/float64(p.seconds-1)
}

func (p panel) y(v float64) float64 {
	if p.yMax <= 0 {
		return float64(p.top + panelHeight)
	}
	return float64(p.top+panelHeight) - float64(panelHeight)*min(v, p.yMax)/p.yMax
}

func (p panel) draw(b *strings.Builder) {
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.0f" height="%d" fill="none" stroke="#999"/>`+"\n", marginLeft, p.top, p.plotWidth(), panelHeight)
	fmt.Fprintf(b, `<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle">%s</text>`+"\n", p.top+panelHeight/2, p.top+panelHeight/2, html.EscapeString(p.label))
	const ticks = 4
	for i := 0; i <= ticks; i++ {
		v := p.yMax * float64(i) / ticks
		y := p.y(v)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#eee"/>`+"\n", marginLeft, y, marginLeft+p.plotWidth(), y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", marginLeft-6, y+4, formatTick(v))
	}
	step := max(1, p.seconds/10)
	for s := 0; s < p.seconds; s += step {
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`+"\n", p.x(s), p.top+panelHeight+16, s)
	}
}

func (p panel) line(b *strings.Builder, points []Point, value func(Point) float64, color, name string) {
	if len(points) == 0 {
		return
	}
	coords := make([]string, len(points))
	for i, pt := range points {
		coords[i] = fmt.Sprintf("%.1f,%.1f", p.x(i), p.y(value(pt)))
	}
	fmt.Fprintf(b, `<polyline data-series="%s" fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", name, color, strings.Join(coords, " "))
}

func (p panel) legend(b *strings.Builder, entries []legendEntry) {
	x := width - marginRight - 70*len(entries)
	for i, e := range entries {
		lx := x + 70*i
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`, lx, p.top-8, lx+20, p.top-8, e.color)
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", lx+24, p.top-4, e.name)
	}
}

func maxOf(points []Point, value func(Point) float64) float64 {
	m := 0.0
	for _, p := range points {
		m = max(m, value(p))
	}
	return m
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, so axis ticks are readable.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*exp {
			return m * exp
		}
	}
	return 10 * exp
}

func formatTick(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2g", v)
}
