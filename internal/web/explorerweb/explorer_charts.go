package explorerweb

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/release"
)

// The explorer's charts are drawn here as SVG, on the server, so they read
// without JavaScript (and in the embeddable and printed versions); the
// explorer's small script adds tooltips that follow the pointer and the
// keyboard. Every chart has axes with their units, a legend where it has
// more than one series, a <title> on each mark (the browser's own tooltip,
// and what a screen reader says), marks reachable with the Tab key, and
// beside it, in the template, its data table and CSV. A missing value is
// never drawn as 0: its row says "no data" and has no bar.

// tr translates a message key in the page's language.
type tr func(key string, args ...any) string

// chart is a drawn chart.
type chart struct {
	ID  string        // the figure's id (its share anchor)
	SVG template.HTML // the <svg> element
}

// svgb writes SVG markup; text goes through esc.
type svgb struct{ strings.Builder }

func (b *svgb) f(format string, args ...any) { fmt.Fprintf(b, format, args...) }

func esc(s string) string { return html.EscapeString(s) }

// fx prints a coordinate or a value with at most d decimals.
func fx(v float64, d int) string {
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// val prints a value with one decimal ("—" when missing).
func val(v *float64) string {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64)
}

// niceTicks are about n round values covering [lo, hi]: steps of 1, 2 or 5
// times a power of ten.
func niceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || n < 1 {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	// Ticks are whole multiples of step, rounded to step's decimals (no
	// float noise such as 0.6000000000000001 in a label or a CSV).
	scale := math.Pow(10, math.Max(0, -math.Floor(math.Log10(step))))
	var out []float64
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
		out = append(out, math.Round(k*step*scale)/scale)
	}
	return out
}

// scoreMax is the top of a score axis: 100 (scores are 0–100) unless a
// value is larger.
func scoreMax(vals ...*float64) float64 {
	m := 100.0
	for _, v := range vals {
		if v != nil && *v > m {
			m = math.Ceil(*v/10) * 10
		}
	}
	return m
}

// xAxis draws a horizontal axis at y from x0 to x1 for [0, max], with grid
// lines up to top, tick labels and the axis title below.
func xAxis(b *svgb, x0, x1, y, top, maxV float64, title string) {
	for _, t := range niceTicks(0, maxV, 5) {
		x := x0 + t/maxV*(x1-x0)
		b.f(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/>`, fx(x, 1), fx(x, 1), fx(top, 1), fx(y, 1))
		b.f(`<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, fx(x, 1), fx(y+15, 1), fx(t, 2))
	}
	b.f(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`, fx(x0, 1), fx(x1, 1), fx(y, 1), fx(y, 1))
	b.f(`<text class="axis-title" x="%s" y="%s" text-anchor="middle">%s</text>`, fx((x0+x1)/2, 1), fx(y+32, 1), esc(title))
}

// mark opens a focusable group with its tooltip text.
func mark(b *svgb, class, tip string) {
	b.f(`<g class="mark %s" tabindex="0" data-tip="%s"><title>%s</title>`, class, esc(tip), esc(tip))
}

// --- a city's pillars ---

// pillarsChart draws a city's index score and pillar scores as bars, with
// each score's 5–95 % band, the peer-group median and the network's best.
func pillarsChart(p *release.Profile, index string, names map[string]string, t tr) chart {
	type row struct {
		name                string
		score, median, best *float64
		band                release.Band
	}
	rows := []row{{name: names[index], score: p.Score, band: p.ScoreBand}}
	if rows[0].name == "" {
		rows[0].name = t("ex.col.score")
	}
	all := []*float64{p.Score, p.ScoreBand.Q95}
	for _, pl := range p.Pillars {
		n := names[pl.Code]
		if n == "" {
			n = pl.Name
		}
		rows = append(rows, row{name: n, score: pl.Score, median: pl.PeerMedian, best: pl.NetworkBest, band: pl.Band})
		all = append(all, pl.Score, pl.PeerMedian, pl.NetworkBest, pl.Band.Q95)
	}
	const left, right, top, rowH, width = 190.0, 560.0, 34.0, 34.0, 640.0
	maxV := scoreMax(all...)
	height := top + float64(len(rows))*rowH + 44
	x := func(v float64) float64 { return left + math.Max(0, math.Min(v, maxV))/maxV*(right-left) }
	var b svgb
	b.f(`<svg class="chart-svg" viewBox="0 0 %s %s" role="group" aria-labelledby="pillars-title"><title id="pillars-title">%s</title>`,
		fx(width, 0), fx(height, 0), esc(t("ex.city.chart_title")))
	// Legend, its items placed by their labels' length.
	b.WriteString(`<g class="legend" aria-hidden="true">`)
	lx := 8.0
	item := func(sym, label string) {
		b.f(sym, fx(lx, 0))
		b.f(`<text x="%s" y="16">%s</text>`, fx(lx+16, 0), esc(label))
		lx += 34 + textWidth(label, 6.8)
	}
	item(`<rect class="s0" x="%s" y="6" width="12" height="12"/>`, p.City.Name)
	item(`<path class="band-whisker" d="M%s 12h12"/>`, t("ex.chart.band"))
	item(`<path class="median-mark" d="M%s 5v14" transform="translate(6 0)"/>`, t("ex.city.peer_median"))
	item(`<path class="best-mark" d="M%s 5v14" transform="translate(6 0)"/>`, t("ex.city.network_best"))
	b.WriteString(`</g>`)
	axisY := top + float64(len(rows))*rowH
	xAxis(&b, left, right, axisY, top-4, maxV, t("ex.chart.score_axis"))
	for i, r := range rows {
		y := top + float64(i)*rowH + 8
		tip := r.name + ": " + val(r.score)
		if r.band.Q5 != nil && r.band.Q95 != nil {
			tip += " (" + t("ex.chart.band") + " " + val(r.band.Q5) + "–" + val(r.band.Q95) + ")"
		}
		if r.median != nil {
			tip += " · " + t("ex.city.peer_median") + " " + val(r.median)
		}
		if r.best != nil {
			tip += " · " + t("ex.city.network_best") + " " + val(r.best)
		}
		if r.score == nil {
			tip = r.name + ": " + t("ex.chart.no_data")
		}
		mark(&b, "row", tip)
		b.f(`<text class="label" x="%s" y="%s" text-anchor="end">%s</text>`, fx(left-8, 0), fx(y+13, 1), esc(r.name))
		if r.score == nil {
			b.f(`<text class="no-data" x="%s" y="%s">%s</text></g>`, fx(left+4, 0), fx(y+13, 1), esc(t("ex.chart.no_data")))
			continue
		}
		cls := "s0"
		if i == 0 {
			cls = "s0 index"
		}
		b.f(`<rect class="%s" x="%s" y="%s" width="%s" height="18"/>`, cls, fx(left, 1), fx(y, 1), fx(x(*r.score)-left, 1))
		if r.band.Q5 != nil && r.band.Q95 != nil {
			b.f(`<line class="band-whisker" x1="%s" x2="%s" y1="%s" y2="%s"/>`, fx(x(*r.band.Q5), 1), fx(x(*r.band.Q95), 1), fx(y+9, 1), fx(y+9, 1))
		}
		if r.median != nil {
			b.f(`<path class="median-mark" d="M%s %sv24"/>`, fx(x(*r.median), 1), fx(y-3, 1))
		}
		if r.best != nil {
			b.f(`<path class="best-mark" d="M%s %sv24"/>`, fx(x(*r.best), 1), fx(y-3, 1))
		}
		b.f(`<text class="value" x="%s" y="%s" text-anchor="end">%s</text></g>`, fx(width-4, 0), fx(y+13, 1), val(r.score))
	}
	b.WriteString(`</svg>`)
	return chart{ID: "chart-pillars", SVG: template.HTML(b.String())}
}

// --- a city's rank across editions ---

// trendChartOf draws a city's rank in each edition (rank 1 at the top) with
// its 5–95 % band. The axis spans the ranks and bands shown, with a margin,
// not every possible rank; editions where the city was not ranked are
// labelled, with no point.
func trendChartOf(points []release.TrendPoint, t tr) chart {
	const left, right, top, bottom, width, height = 56.0, 620.0, 30.0, 200.0, 640.0, 250.0
	lo, hi, maxCities := math.Inf(1), math.Inf(-1), 1
	ranked := 0
	for _, p := range points {
		if !p.Ranked {
			continue
		}
		ranked++
		maxCities = max(maxCities, p.Cities)
		for _, v := range []float64{float64(p.Rank), derefOr(p.RankBand.Q5, float64(p.Rank)), derefOr(p.RankBand.Q95, float64(p.Rank))} {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	var b svgb
	b.f(`<svg class="chart-svg" viewBox="0 0 %s %s" role="group" aria-labelledby="trend-title"><title id="trend-title">%s</title>`,
		fx(width, 0), fx(height, 0), esc(t("ex.city.trend")))
	if ranked == 0 {
		b.f(`<text class="no-data" x="%s" y="%s" text-anchor="middle">%s</text></svg>`, fx(width/2, 0), fx(height/2, 0), esc(t("ex.chart.never_ranked")))
		return chart{ID: "chart-trend", SVG: template.HTML(b.String())}
	}
	pad := math.Max(3, (hi-lo)*0.15)
	lo, hi = math.Max(1, math.Floor(lo-pad)), math.Min(float64(maxCities), math.Ceil(hi+pad))
	if hi <= lo {
		hi = lo + 1
	}
	y := func(r float64) float64 { return top + (r-lo)/(hi-lo)*(bottom-top) }
	// The editions oldest first, left to right.
	pts := append([]release.TrendPoint(nil), points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].PublishedAt.Before(pts[j].PublishedAt) })
	xOf := func(i int) float64 {
		if len(pts) == 1 {
			return (left + right) / 2
		}
		return left + 30 + float64(i)/float64(len(pts)-1)*(right-left-60)
	}
	ticks := niceTicks(lo, hi, 5)
	if lo == 1 && (len(ticks) == 0 || ticks[0] > 1) {
		ticks = append([]float64{1}, ticks...) // rank 1, the best, is always labelled
	}
	for _, tk := range ticks {
		if tk < lo || tk > hi {
			continue
		}
		b.f(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/><text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`,
			fx(left, 0), fx(right, 0), fx(y(tk), 1), fx(y(tk), 1), fx(left-6, 0), fx(y(tk)+4, 1), fx(tk, 0))
	}
	b.f(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`, fx(left, 0), fx(left, 0), fx(top, 0), fx(bottom, 0))
	b.f(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`, fx(left, 0), fx(right, 0), fx(bottom, 0), fx(bottom, 0))
	b.f(`<text class="axis-title" transform="translate(14 %s) rotate(-90)" text-anchor="middle">%s</text>`, fx((top+bottom)/2, 0), esc(t("ex.chart.rank_axis")))
	b.f(`<text class="axis-title" x="%s" y="%s" text-anchor="middle">%s</text>`, fx((left+right)/2, 0), fx(height-6, 0), esc(t("ex.col.edition")))
	var line []string
	for i, p := range pts {
		x := xOf(i)
		b.f(`<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, fx(x, 1), fx(bottom+16, 0), esc(p.Edition))
		if !p.Ranked {
			b.f(`<text class="no-data" x="%s" y="%s" text-anchor="middle">%s</text>`, fx(x, 1), fx(bottom-8, 0), esc(t("ex.chart.not_ranked")))
			if len(line) > 1 {
				b.f(`<polyline class="line" points="%s"/>`, strings.Join(line, " "))
			}
			line = nil
			continue
		}
		tip := t("ex.chart.trend_tip", p.Edition, p.Rank, p.Cities)
		if p.RankBand.Q5 != nil && p.RankBand.Q95 != nil {
			tip += " (" + t("ex.chart.band") + " " + fx(*p.RankBand.Q5, 0) + "–" + fx(*p.RankBand.Q95, 0) + ")"
		}
		mark(&b, "point", tip)
		if p.RankBand.Q5 != nil && p.RankBand.Q95 != nil {
			b.f(`<line class="band-whisker" x1="%s" x2="%s" y1="%s" y2="%s"/>`, fx(x, 1), fx(x, 1), fx(y(*p.RankBand.Q5), 1), fx(y(*p.RankBand.Q95), 1))
		}
		b.f(`<circle class="s0" cx="%s" cy="%s" r="5"/><text class="value" x="%s" y="%s">%d</text></g>`, fx(x, 1), fx(y(float64(p.Rank)), 1), fx(x+9, 1), fx(y(float64(p.Rank))+4, 1), p.Rank)
		line = append(line, fx(x, 1)+","+fx(y(float64(p.Rank)), 1))
	}
	if len(line) > 1 {
		b.f(`<polyline class="line" points="%s"/>`, strings.Join(line, " "))
	}
	b.WriteString(`</svg>`)
	return chart{ID: "chart-trend", SVG: template.HTML(b.String())}
}

// --- compare ---

// compareChartOf draws, per score (the index, then each pillar), one bar
// per compared city, values printed beside the bars' ends.
func compareChartOf(rows []release.CompareRow, index string, names map[string]string, t tr) chart {
	const left, right, width, barH = 170.0, 540.0, 640.0, 14.0
	// The legend, wrapped to the chart's width, sets where the bars start.
	var legend svgb
	lx, ly := left, 8.0
	for i, r := range rows {
		w := 24 + textWidth(r.City.Name, 6.8)
		if lx+w > width && lx > left {
			lx, ly = left, ly+18
		}
		legend.f(`<rect class="s%d" x="%s" y="%s" width="12" height="12"/><text x="%s" y="%s">%s</text>`, i, fx(lx, 0), fx(ly, 0), fx(lx+16, 0), fx(ly+10, 0), esc(r.City.Name))
		lx += w
	}
	top := ly + 32
	codes := []string{index}
	if len(rows) > 0 {
		for _, p := range rows[0].Pillars {
			codes = append(codes, p.Code)
		}
	}
	scoreOf := func(r release.CompareRow, gi int) *float64 {
		if gi == 0 {
			return r.Score
		}
		for _, p := range r.Pillars {
			if p.Code == codes[gi] {
				return p.Score
			}
		}
		return nil
	}
	var all []*float64
	for _, r := range rows {
		for gi := range codes {
			all = append(all, scoreOf(r, gi))
		}
	}
	maxV := scoreMax(all...)
	groupH := float64(len(rows))*(barH+3) + 14
	axisY := top + float64(len(codes))*groupH
	height := axisY + 44
	x := func(v float64) float64 { return left + math.Max(0, math.Min(v, maxV))/maxV*(right-left) }
	var b svgb
	b.f(`<svg class="chart-svg" viewBox="0 0 %s %s" role="group" aria-labelledby="compare-title"><title id="compare-title">%s</title>`,
		fx(width, 0), fx(height, 0), esc(t("ex.compare.chart")))
	b.f(`<g class="legend">%s</g>`, legend.String())
	xAxis(&b, left, right, axisY, top-6, maxV, t("ex.chart.score_axis"))
	for gi, code := range codes {
		gy := top + float64(gi)*groupH
		name := names[code]
		if name == "" {
			name = code
		}
		b.f(`<text class="label group" x="%s" y="%s" text-anchor="end">%s</text>`, fx(left-8, 0), fx(gy+11, 1), esc(name))
		for i, r := range rows {
			y := gy + float64(i)*(barH+3)
			v := scoreOf(r, gi)
			if v == nil {
				mark(&b, "bar", r.City.Name+" · "+name+": "+t("ex.chart.no_data"))
				b.f(`<text class="no-data" x="%s" y="%s">%s — %s</text></g>`, fx(left+4, 0), fx(y+11, 1), esc(r.City.Name), esc(t("ex.chart.no_data")))
				continue
			}
			mark(&b, "bar", r.City.Name+" · "+name+": "+val(v))
			end := x(*v)
			b.f(`<rect class="s%d" x="%s" y="%s" width="%s" height="%s"/><text class="value" x="%s" y="%s">%s</text></g>`,
				i, fx(left, 0), fx(y, 1), fx(end-left, 1), fx(barH, 0), fx(end+4, 1), fx(y+11, 1), val(v))
		}
	}
	b.WriteString(`</svg>`)
	return chart{ID: "chart-compare", SVG: template.HTML(b.String())}
}

// --- an indicator's distribution ---

// histogramOf draws the histogram of an indicator's submitted values, with
// a count axis, the bins' edges in the indicator's unit and the median.
func histogramOf(d release.Distribution, unit string, t tr) chart {
	const left, right, top, bottom, width, height = 56.0, 620.0, 16.0, 196.0, 640.0, 246.0
	var b svgb
	b.f(`<svg class="chart-svg" viewBox="0 0 %s %s" role="group" aria-labelledby="hist-title"><title id="hist-title">%s</title>`,
		fx(width, 0), fx(height, 0), esc(t("ex.ind.distribution")))
	maxCount := 0
	for _, bn := range d.Bins {
		maxCount = max(maxCount, bn.Count)
	}
	if len(d.Bins) == 0 || maxCount == 0 {
		b.f(`<text class="no-data" x="%s" y="%s" text-anchor="middle">%s</text></svg>`, fx(width/2, 0), fx(height/2, 0), esc(t("ex.chart.no_data")))
		return chart{ID: "chart-distribution", SVG: template.HTML(b.String())}
	}
	ticks := niceTicks(0, float64(maxCount), 4)
	yMax := math.Max(float64(maxCount), ticks[len(ticks)-1])
	y := func(c float64) float64 { return bottom - c/yMax*(bottom-top) }
	for _, tk := range ticks {
		if tk != math.Trunc(tk) { // counts are whole
			continue
		}
		b.f(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/><text class="tick" x="%s" y="%s" text-anchor="end">%s</text>`,
			fx(left, 0), fx(right, 0), fx(y(tk), 1), fx(y(tk), 1), fx(left-6, 0), fx(y(tk)+4, 1), fx(tk, 0))
	}
	lo, hi := d.Bins[0].From, d.Bins[len(d.Bins)-1].To
	span := hi - lo
	if span <= 0 {
		span = 1
	}
	x := func(v float64) float64 { return left + (v-lo)/span*(right-left) }
	labelEvery := max(1, (len(d.Bins)+1)/6)
	for i, bn := range d.Bins {
		x0, x1 := x(bn.From), x(bn.To)
		tip := t("ex.chart.bin_tip", fmtValue(bn.From), fmtValue(bn.To), bn.Count)
		mark(&b, "bar", tip)
		if bn.Count > 0 {
			b.f(`<rect class="s0" x="%s" y="%s" width="%s" height="%s"/>`, fx(x0+1, 1), fx(y(float64(bn.Count)), 1), fx(math.Max(1, x1-x0-2), 1), fx(bottom-y(float64(bn.Count)), 1))
		} else { // an empty bin keeps a focusable, invisible target
			b.f(`<rect class="empty" x="%s" y="%s" width="%s" height="2"/>`, fx(x0+1, 1), fx(bottom-2, 1), fx(math.Max(1, x1-x0-2), 1))
		}
		b.WriteString(`</g>`)
		if i%labelEvery == 0 {
			b.f(`<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, fx(x0, 1), fx(bottom+15, 0), esc(fmtValue(bn.From)))
		}
	}
	b.f(`<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`, fx(right, 1), fx(bottom+15, 0), esc(fmtValue(hi)))
	if d.N > 0 {
		mx := x(d.Median)
		b.f(`<line class="median-line" x1="%s" x2="%s" y1="%s" y2="%s"/><text class="value" x="%s" y="%s">%s %s</text>`,
			fx(mx, 1), fx(mx, 1), fx(top, 0), fx(bottom, 0), fx(mx+4, 1), fx(top+10, 0), esc(t("ex.ind.median")), esc(fmtValue(d.Median)))
	}
	b.f(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/><line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>`,
		fx(left, 0), fx(left, 0), fx(top, 0), fx(bottom, 0), fx(left, 0), fx(right, 0), fx(bottom, 0), fx(bottom, 0))
	b.f(`<text class="axis-title" transform="translate(14 %s) rotate(-90)" text-anchor="middle">%s</text>`, fx((top+bottom)/2, 0), esc(t("ex.chart.cities_axis")))
	xt := t("ex.col.value")
	if unit != "" {
		xt += " (" + unit + ")"
	}
	b.f(`<text class="axis-title" x="%s" y="%s" text-anchor="middle">%s</text></svg>`, fx((left+right)/2, 0), fx(height-6, 0), esc(xt))
	return chart{ID: "chart-distribution", SVG: template.HTML(b.String())}
}

// fmtValue prints an indicator value compactly: whole numbers without
// decimals, others with up to two significant decimals.
func fmtValue(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return fx(v/1e6, 1) + "M"
	case a >= 1000:
		return fx(v, 0)
	case a >= 10:
		return fx(v, 1)
	}
	return fx(v, 2)
}

// textWidth estimates a label's width in the charts' font: wide (CJK)
// characters count double.
func textWidth(s string, perChar float64) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x1100 {
			w += 2 * perChar
		} else {
			w += perChar
		}
	}
	return w
}
