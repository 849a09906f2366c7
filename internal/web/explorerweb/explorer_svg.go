package explorerweb

import (
	"fmt"
	"math"
	"strconv"

	"github.com/citylens/citylens/internal/release"
)

// Chart geometry for the explorer's inline SVG charts, computed here so the
// templates only place elements. Every chart has a data-table fallback in
// its template.

func derefOr(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// bandSVG is a rank's 5–95 % band on a strip of the ranked cities, best
// left: the line spans the band, the dot is the rank.
type bandSVG struct {
	X1, X2, X float64
	Ok        bool
}

const bandWidth = 120.0

func bandBar(rank int, b release.Band, n int) bandSVG {
	if n < 2 || b.Q5 == nil || b.Q95 == nil {
		return bandSVG{X: 4}
	}
	pos := func(r float64) float64 { return round1(4 + (r-1)/float64(n-1)*(bandWidth-8)) }
	return bandSVG{X1: pos(*b.Q5), X2: pos(*b.Q95), X: pos(float64(rank)), Ok: true}
}

// barChart: one row per score (index, then pillars): the city's bar, the
// peer-group median and the network's best as ticks.
type barChart struct {
	Rows   []barRow
	Width  float64
	Height float64
	Max    float64
	Ticks  []tick
}

type barRow struct {
	Code, Name            string
	Y                     float64
	W                     float64 // the city's bar
	Median, Best          float64 // tick positions (-1: none)
	Score, MedianV, BestV *float64
	Band1, Band2          float64 // score band (-1: none)
}

type tick struct {
	X     float64
	Label string
}

const (
	chartLeft  = 170.0
	chartRight = 560.0
	rowHeight  = 34.0
)

func scaleMax(vals ...*float64) float64 {
	m := 0.0
	for _, v := range vals {
		if v != nil && *v > m {
			m = *v
		}
	}
	if m <= 100 {
		return 100
	}
	return math.Ceil(m/10) * 10
}

func pillarChart(p *release.Profile, names map[string]string) barChart {
	var all []*float64
	all = append(all, p.Score, p.ScoreBand.Q95)
	for _, pl := range p.Pillars {
		all = append(all, pl.Score, pl.PeerMedian, pl.NetworkBest, pl.Band.Q95)
	}
	c := barChart{Width: chartRight + 20, Max: scaleMax(all...)}
	x := func(v *float64) float64 {
		if v == nil {
			return -1
		}
		return round1(chartLeft + math.Max(0, *v)/c.Max*(chartRight-chartLeft))
	}
	w := func(v *float64) float64 {
		if v == nil {
			return 0
		}
		return round1(math.Max(0, *v) / c.Max * (chartRight - chartLeft))
	}
	for i, pl := range p.Pillars {
		c.Rows = append(c.Rows, barRow{Code: pl.Code, Name: names[pl.Code], Y: float64(i)*rowHeight + 8, W: w(pl.Score),
			Median: x(pl.PeerMedian), Best: x(pl.NetworkBest), Score: pl.Score, MedianV: pl.PeerMedian, BestV: pl.NetworkBest,
			Band1: x(pl.Band.Q5), Band2: x(pl.Band.Q95)})
	}
	c.Height = float64(len(c.Rows))*rowHeight + 30
	for v := 0.0; v <= c.Max; v += c.Max / 4 {
		vv := v
		c.Ticks = append(c.Ticks, tick{X: x(&vv), Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return c
}

// lineChart is a city's rank across editions (rank 1 at the top).
type lineChart struct {
	Points string
	Dots   []dot
	Width  float64
	Height float64
}

type dot struct {
	X, Y  float64
	Label string
	Rank  int
}

func trendChart(tr []release.TrendPoint) lineChart {
	c := lineChart{Width: 360, Height: 140}
	maxRank := 1
	var pts []release.TrendPoint
	for _, t := range tr {
		if t.Ranked {
			pts = append(pts, t)
			maxRank = max(maxRank, t.Cities)
		}
	}
	if len(pts) == 0 {
		return c
	}
	for i, t := range pts {
		x := 40.0
		if len(pts) > 1 {
			x = 40 + float64(i)/float64(len(pts)-1)*280
		}
		y := 20.0
		if maxRank > 1 {
			y = 20 + float64(t.Rank-1)/float64(maxRank-1)*100
		}
		c.Dots = append(c.Dots, dot{X: round1(x), Y: round1(y), Label: t.Edition, Rank: t.Rank})
		if i > 0 {
			c.Points += " "
		}
		c.Points += fmt.Sprintf("%.1f,%.1f", x, y)
	}
	return c
}

// groupedChart: per score (index and pillars), one bar per compared city.
type groupedChart struct {
	Groups []group
	Width  float64
	Height float64
}

type group struct {
	Name string
	Y    float64
	Bars []groupBar
}

type groupBar struct {
	City  string
	Y, W  float64
	Score *float64
	Class string
}

func compareChart(rows []release.CompareRow, index string, names map[string]string) groupedChart {
	c := groupedChart{Width: chartRight + 60}
	var all []*float64
	for _, r := range rows {
		all = append(all, r.Score)
		for _, p := range r.Pillars {
			all = append(all, p.Score)
		}
	}
	m := scaleMax(all...)
	w := func(v *float64) float64 {
		if v == nil {
			return 0
		}
		return round1(math.Max(0, *v) / m * (chartRight - chartLeft))
	}
	y := 4.0
	codes := []string{index}
	if len(rows) > 0 {
		for _, p := range rows[0].Pillars {
			codes = append(codes, p.Code)
		}
	}
	for gi, code := range codes {
		g := group{Name: names[code], Y: y}
		for i, r := range rows {
			score := r.Score
			if gi > 0 {
				score = nil
				for _, p := range r.Pillars {
					if p.Code == code {
						score = p.Score
					}
				}
			}
			g.Bars = append(g.Bars, groupBar{City: r.City.Name, Y: round1(y + float64(i)*14), W: w(score), Score: score, Class: "c" + strconv.Itoa(i)})
		}
		y += float64(len(rows))*14 + 14
		c.Groups = append(c.Groups, g)
	}
	c.Height = y + 4
	return c
}

// histChart of an indicator's submitted values.
type histChart struct {
	Bars   []histBar
	Width  float64
	Height float64
}

type histBar struct {
	X, Y, W, H float64
	From, To   float64
	Count      int
}

func histChartOf(d release.Distribution) histChart {
	h := histChart{Width: 560, Height: 160}
	maxCount := 0
	for _, b := range d.Bins {
		maxCount = max(maxCount, b.Count)
	}
	if len(d.Bins) == 0 || maxCount == 0 {
		return h
	}
	bw := 520.0 / float64(len(d.Bins))
	for i, b := range d.Bins {
		ht := float64(b.Count) / float64(maxCount) * 130
		h.Bars = append(h.Bars, histBar{X: round1(20 + float64(i)*bw), W: round1(math.Max(1, bw-2)), Y: round1(140 - ht), H: round1(ht),
			From: b.From, To: b.To, Count: b.Count})
	}
	return h
}
