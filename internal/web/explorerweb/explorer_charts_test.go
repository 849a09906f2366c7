package explorerweb

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/release"
)

func ptr(f float64) *float64 { return &f }

// echo is a translator that shows the key and its arguments.
func echo(key string, args ...any) string {
	if len(args) == 0 {
		return key
	}
	return key + fmt.Sprint(args...)
}

var reRect = regexp.MustCompile(`<rect class="s(\d)[^"]*" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"`)

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 100, 5, []float64{0, 20, 40, 60, 80, 100}},
		{0, 16, 4, []float64{0, 5, 10, 15}},
		{3, 47, 5, []float64{10, 20, 30, 40}},
		{0.1, 0.9, 4, []float64{0.2, 0.4, 0.6, 0.8}},
	} {
		if got := niceTicks(tc.lo, tc.hi, tc.n); !cmp.Equal(got, tc.want) {
			t.Errorf("niceTicks(%v, %v, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
		}
	}
}

// TestCompareChartMissingIsNotZero: a city without a pillar score gets "no
// data" in that group and no bar, while a real 0 draws a zero-width bar
// with its value; the chart has an axis, a legend and readable values
// outside the bars.
func TestCompareChartMissingIsNotZero(t *testing.T) {
	rows := []release.CompareRow{
		{City: release.City{Code: "a", Name: "Alpha"}, Score: ptr(60), Pillars: []release.PillarScore{{Code: "ENV", Score: ptr(40)}, {Code: "SOC", Score: ptr(0)}}},
		{City: release.City{Code: "b", Name: "Beta"}, Score: ptr(50), Pillars: []release.PillarScore{{Code: "ENV"}, {Code: "SOC", Score: ptr(70)}}},
	}
	c := compareChartOf(rows, "IDX", map[string]string{"IDX": "Index", "ENV": "Environment", "SOC": "Society"}, echo)
	svg := string(c.SVG)
	bars := reRect.FindAllStringSubmatch(svg, -1)
	var got []string
	for _, b := range bars {
		got = append(got, b[1]+":"+b[3])
	}
	// Legend swatches (12 wide), then per group: index A, B; ENV A (B has
	// none); SOC A (0), B.
	want := []string{"0:12", "1:12", "0:222", "1:185", "0:148", "0:0", "1:259"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bars (series:width) -want +got:\n%s\n%s", diff, svg)
	}
	for _, s := range []string{`Beta — ex.chart.no_data`, `data-tip="Beta · Environment: ex.chart.no_data"`, `>0.0</text>`, `>70.0</text>`,
		`class="axis-title"`, `ex.chart.score_axis`, `>100</text>`, `<g class="legend">`} {
		if !strings.Contains(svg, s) {
			t.Errorf("compare chart lacks %s", s)
		}
	}
	if strings.Count(svg, `tabindex="0"`) != 6 {
		t.Errorf("%d focusable marks, want one per city and score (6)", strings.Count(svg, `tabindex="0"`))
	}
}

func TestPillarsChart(t *testing.T) {
	p := &release.Profile{City: release.City{Name: "Alpha"}, Score: ptr(55), ScoreBand: release.Band{Q5: ptr(50), Q95: ptr(60)},
		Pillars: []release.PillarProfile{
			{PillarScore: release.PillarScore{Code: "ENV", Score: ptr(80), Band: release.Band{Q5: ptr(70), Q95: ptr(85)}}, PeerMedian: ptr(50), NetworkBest: ptr(90)},
			{PillarScore: release.PillarScore{Code: "SOC"}, PeerMedian: ptr(40)},
		}}
	svg := string(pillarsChart(p, "IDX", map[string]string{"IDX": "Index", "ENV": "Environment", "SOC": "Society"}, echo).SVG)
	if !strings.Contains(svg, `data-tip="Society: ex.chart.no_data"`) {
		t.Errorf("missing pillar not said:\n%s", svg)
	}
	// Index and ENV have bars (plus the legend's swatch); SOC has none.
	if n := len(reRect.FindAllString(svg, -1)); n != 3 {
		t.Errorf("%d bars, want 3 (legend, index, ENV)", n)
	}
	// ENV's bar: 80 of 100 over the 370 px plot.
	if !strings.Contains(svg, `width="296"`) || !strings.Contains(svg, `>80.0</text>`) {
		t.Errorf("ENV bar not 296 px wide or value missing:\n%s", svg)
	}
	for _, s := range []string{"ex.chart.score_axis", "ex.city.peer_median", "ex.city.network_best", "ex.chart.band", `class="band-whisker"`} {
		if !strings.Contains(svg, s) {
			t.Errorf("pillars chart lacks %s", s)
		}
	}
}

// TestTrendChart: the rank axis spans the ranks shown, not every possible
// rank, so the line is not squeezed at the top; the top label is inside
// the chart; an edition without a rank has a label and no point.
func TestTrendChart(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := []release.TrendPoint{
		{Edition: "2024", Ranked: true, Rank: 3, Cities: 146, PublishedAt: at, RankBand: release.Band{Q5: ptr(1), Q95: ptr(6)}},
		{Edition: "2025", Ranked: false, Cities: 140, PublishedAt: at.AddDate(1, 0, 0)},
		{Edition: "2026", Ranked: true, Rank: 8, Cities: 112, PublishedAt: at.AddDate(2, 0, 0), RankBand: release.Band{Q5: ptr(5), Q95: ptr(12)}},
	}
	svg := string(trendChartOf(tr, echo).SVG)
	cy := regexp.MustCompile(`<circle class="s0" cx="[\d.]+" cy="([\d.]+)"`).FindAllStringSubmatch(svg, -1)
	if len(cy) != 2 {
		t.Fatalf("%d points, want 2 (one edition not ranked):\n%s", len(cy), svg)
	}
	y3, _ := strconv.ParseFloat(cy[0][1], 64)
	y8, _ := strconv.ParseFloat(cy[1][1], 64)
	// 2024's rank 3 and 2026's rank 8 are well apart on the 30–200 axis.
	if y8-y3 < 50 || y3 < 30+5 {
		t.Errorf("ranks 3 and 8 at y %v and %v: squeezed or at the edge", y3, y8)
	}
	for _, s := range []string{"ex.chart.not_ranked", "ex.chart.rank_axis", ">2024<", ">2025<", ">2026<"} {
		if !strings.Contains(svg, s) {
			t.Errorf("trend chart lacks %s", s)
		}
	}
	if strings.Contains(svg, ">146<") {
		t.Errorf("the axis runs to the last possible rank")
	}
}

func TestHistogramHasBothAxes(t *testing.T) {
	d := release.Distribution{N: 20, Min: 0, Median: 12, Max: 40, Bins: []release.Bin{{From: 0, To: 10, Count: 4}, {From: 10, To: 20, Count: 11}, {From: 20, To: 30, Count: 0}, {From: 30, To: 40, Count: 5}}}
	svg := string(histogramOf(d, "kWh", echo).SVG)
	for _, s := range []string{"ex.chart.cities_axis", "ex.col.value (kWh)", `>0</text>`, `>5</text>`, `>10</text>`, `>40</text>`, "ex.ind.median", `class="empty"`} {
		if !strings.Contains(svg, s) {
			t.Errorf("histogram lacks %s:\n%s", s, svg)
		}
	}
	if n := strings.Count(svg, `tabindex="0"`); n != 4 {
		t.Errorf("%d focusable bins, want 4", n)
	}
}

// TestBandBarVisible: every row draws ranks at one scale centred on its
// rank, so a band of 3 ranks and one of 30 differ visibly on a ranking of
// 112, and a missing band leaves the rank's dot.
func TestBandBarVisible(t *testing.T) {
	narrow := bandBar(2, release.Band{Q5: ptr(1), Q95: ptr(3)}, 112)
	wide := bandBar(13, release.Band{Q5: ptr(9), Q95: ptr(30)}, 112)
	if !narrow.Ok || narrow.W < 7 || narrow.W > 9 {
		t.Errorf("a band of 2 ranks is %v px wide, want about 8", narrow.W)
	}
	if !wide.Ok || wide.W < 60 {
		t.Errorf("a band of 21 ranks is %v px wide", wide.W)
	}
	// Rank 2: the strip starts at rank 1 (an end cap), a rank before the dot.
	if narrow.AxisX1 < 75 || len(narrow.Ends) != 1 || narrow.Ends[0] != narrow.AxisX1 {
		t.Errorf("rank 2's strip does not start at rank 1: %+v", narrow)
	}
	if none := bandBar(56, release.Band{}, 112); none.Ok || none.X != bandWidth/2 {
		t.Errorf("a missing band drawn: %+v", none)
	}
	if tiny := bandBar(5, release.Band{Q5: ptr(5), Q95: ptr(5)}, 112); tiny.W < 4 {
		t.Errorf("a band of one rank is invisible: %+v", tiny)
	}
}

func TestMapBins(t *testing.T) {
	edges := binEdges([]float64{31.2, 45, 52, 68.9})
	if edges[0] > 31.2 || edges[len(edges)-1] < 68.9 || len(edges)-1 > len(mapPalette) {
		t.Errorf("bins %v do not cover the values in at most %d bins", edges, len(mapPalette))
	}
	if binOf(edges, 31.2) != 0 || binOf(edges, 68.9) != len(edges)-2 {
		t.Errorf("bins of the ends: %d, %d", binOf(edges, 31.2), binOf(edges, 68.9))
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{"Łódź": "Lódz", "Bogotá": "Bogotá", "서울": "서울", "Kraków": "Kraków", "Győr": "Gyor"} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBandCell(t *testing.T) {
	h := string(bandCell(4, release.Band{Q5: ptr(3), Q95: ptr(10)}, 112, "band 3–10", `Tel Aviv <"Yafo">: band 3–10`))
	for _, s := range []string{`class="band-rect"`, `aria-label="band 3–10"`, `data-tip="Tel Aviv &lt;&#34;Yafo&#34;&gt;: band 3–10"`, `class="band-dot" cx="84"`} {
		if !strings.Contains(h, s) {
			t.Errorf("band cell lacks %s:\n%s", s, h)
		}
	}
	if strings.Contains(string(bandCell(4, release.Band{}, 112, "", "")), "band-rect") {
		t.Errorf("a missing band is drawn")
	}
}
