package explorerweb

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
)

// The home page's map: the network's cities on the world's land, coloured
// by the latest release's index score or by any pillar or indicator the
// reader picks (?map=code), with a legend of the colour bins, zoom and pan
// (the explorer's script; without it the whole world shows), and the
// values as a table. A city with no value is drawn hollow, never in the
// colour of a low value.

// mapPalette is viridis in five steps: ordered in lightness, readable by
// the colour-blind, each step 3:1 or more against the map's background or
// outlined in dark grey.
var mapPalette = []string{"#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"}

// mapMeasure is something the map can be coloured by.
type mapMeasure struct {
	Code, Name, Unit string
	Group            string // index, pillar or indicator
}

// legendBin is one colour of the map's legend.
type legendBin struct {
	Color    string
	From, To string
	Class    int
}

// mapRow is one city of the map's data table.
type mapRow struct {
	Code, Name, Href string
	Value            *float64
}

// worldMap is the drawn map with its controls.
type worldMap struct {
	SVG      template.HTML
	Measures []mapMeasure
	Measure  mapMeasure
	Legend   []legendBin
	Rows     []mapRow // cities with a profile, by value (no value last)
	Points   int
	Colored  int
	Tools    template.HTML // share, CSV and embed links
}

// mapMeasures lists what a release's map can show: its index, pillars and
// indicators, in framework order.
func mapMeasures(rel *release.Release, index string) []mapMeasure {
	var out []mapMeasure
	for _, n := range rel.Methodology().Tree {
		name := n.Name
		if name == "" {
			name = n.Code
		}
		switch {
		case n.Code == index:
			out = append([]mapMeasure{{Code: n.Code, Name: name, Group: "index"}}, out...)
		case n.Kind == "indicator":
			out = append(out, mapMeasure{Code: n.Code, Name: name, Unit: n.Unit, Group: "indicator"})
		case n.Level == 1:
			out = append(out, mapMeasure{Code: n.Code, Name: name, Group: "pillar"})
		}
	}
	return out
}

// mapValues gives each city of the release its value of the measure (nil:
// none).
func mapValues(rel *release.Release, m mapMeasure) (map[string]*float64, error) {
	out := map[string]*float64{}
	switch m.Group {
	case "index", "pillar":
		rows, err := rel.Rankings(release.RankingQuery{})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if m.Group == "index" {
				s := r.Score
				out[r.City.Code] = &s
				continue
			}
			for _, p := range r.Pillars.Slice() {
				if p.Code == m.Code && !p.Missing {
					s := p.Score
					out[r.City.Code] = &s
				}
			}
		}
	default:
		for _, c := range rel.Cities() {
			vals, err := rel.Values(c.Code)
			if err != nil {
				return nil, err
			}
			for _, v := range vals {
				if v.Indicator == m.Code && v.Value != nil {
					x := *v.Value
					out[c.Code] = &x
				}
			}
		}
	}
	return out, nil
}

// binEdges are the legend's bin edges: round values covering the values'
// range, in at most as many bins as the palette has colours.
func binEdges(vals []float64) []float64 {
	if len(vals) == 0 {
		return nil
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi == lo {
		return []float64{lo, hi}
	}
	var t []float64
	for n := len(mapPalette); n >= 1; n-- {
		t = niceTicks(lo, hi, n)
		step := 1.0
		if len(t) > 1 {
			step = t[1] - t[0]
		}
		for t[0] > lo {
			t = append([]float64{t[0] - step}, t...)
		}
		for t[len(t)-1] < hi {
			t = append(t, t[len(t)-1]+step)
		}
		if len(t)-1 <= len(mapPalette) {
			break
		}
	}
	return t
}

func binOf(edges []float64, v float64) int {
	for i := 1; i < len(edges)-1; i++ {
		if v < edges[i] {
			return i - 1
		}
	}
	return max(0, len(edges)-2)
}

// buildMap draws the map of the cities coloured by the measure named code
// ("" for the index) of the release (nil: none published yet).
func buildMap(cities []members.City, rel *release.Release, index, code string, lang i18n.Lang, t tr) (*worldMap, error) {
	wm := &worldMap{}
	values := map[string]*float64{}
	inRelease := map[string]bool{}
	if rel != nil {
		wm.Measures = mapMeasures(rel, index)
		if code == "" {
			code = index
		}
		found := false
		for _, m := range wm.Measures {
			if m.Code == code {
				wm.Measure, found = m, true
			}
		}
		if !found {
			return nil, citylens.Ef(citylens.EINVALID, "ex.error.map_measure", "the map cannot be coloured by %q: choose the index, a pillar or an indicator of the release", code)
		}
		var err error
		if values, err = mapValues(rel, wm.Measure); err != nil {
			return nil, err
		}
		for _, c := range rel.Cities() {
			inRelease[c.Code] = true
		}
	}
	var vals []float64
	for _, v := range values {
		vals = append(vals, *v)
	}
	edges := binEdges(vals)
	for i := 0; i+1 < len(edges); i++ {
		k := i * (len(mapPalette) - 1) / max(1, len(edges)-2) // fewer bins: spread over the palette
		wm.Legend = append(wm.Legend, legendBin{Color: mapPalette[k], From: fmtValue(edges[i]), To: fmtValue(edges[i+1]), Class: k})
	}
	var b svgb
	b.f(`<svg id="network-map" class="map-svg" viewBox="0 0 720 300" role="group" aria-labelledby="map-title" preserveAspectRatio="xMidYMid meet">`)
	b.f(`<title id="map-title">%s</title>`, esc(t("ex.home.map.title_by", len(cities), wm.Measure.Name)))
	b.f(`<rect class="sea" x="0" y="0" width="720" height="300"/><path class="land" d="%s"/><g class="points">`, esc(worldLand))
	sorted := append([]members.City(nil), cities...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Code < sorted[j].Code })
	for _, c := range sorted {
		if c.Latitude == 0 && c.Longitude == 0 {
			continue
		}
		x, y := mapXY(c.Latitude, c.Longitude)
		wm.Points++
		v := values[c.Code]
		name := displayName(c, lang)
		tip := name + ": " + t("ex.chart.no_data")
		cls, fill := "pt none", ""
		if v != nil {
			wm.Colored++
			lb := wm.Legend[min(binOf(edges, *v), len(wm.Legend)-1)]
			cls, fill = "pt q"+strconv.Itoa(lb.Class), lb.Color
			tip = name + ": " + fmtValue(*v)
			if wm.Measure.Unit != "" {
				tip += " " + wm.Measure.Unit
			}
		}
		circle := `<circle class="` + cls + `" cx="` + fx(x, 1) + `" cy="` + fx(y, 1) + `" r="3.4" data-city="` + esc(c.Code) + `"`
		if fill != "" {
			circle += ` fill="` + fill + `"`
		}
		circle += `><title>` + esc(tip) + `</title></circle>`
		if inRelease[c.Code] {
			href := "/cities/" + url.PathEscape(c.Code)
			b.f(`<a href="%s" data-tip="%s">%s</a>`, esc(href), esc(tip), circle)
			wm.Rows = append(wm.Rows, mapRow{Code: c.Code, Name: name, Href: href, Value: v})
		} else {
			b.WriteString(circle)
		}
	}
	b.WriteString(`</g></svg>`)
	wm.SVG = template.HTML(b.String())
	q := ""
	if wm.Measure.Code != "" {
		q = "?map=" + url.QueryEscape(wm.Measure.Code)
	}
	embed := "/embed/map?lang=" + string(lang)
	if q != "" {
		embed += "&" + q[1:]
	}
	wm.Tools = chartLinks{Share: "/" + q + "#chart-map", CSV: "/map.csv" + q, Embed: embed, Title: t("ex.home.map.title_by", wm.Points, wm.Measure.Name), Width: 760, Height: 440}.tools(t)
	sort.SliceStable(wm.Rows, func(i, j int) bool {
		a, c := wm.Rows[i].Value, wm.Rows[j].Value
		switch {
		case a == nil || c == nil:
			return a != nil && c == nil
		case *a != *c:
			return *a > *c
		}
		return strings.Compare(wm.Rows[i].Name, wm.Rows[j].Name) < 0
	})
	return wm, nil
}

// maxMaps bounds the drawn maps the explorer keeps.
const maxMaps = 256

// worldMap returns the home page's map in lang coloured by the measure
// named code of the release v shows (nil: none published), drawn once per
// release, measure, language and list of cities.
func (a *Explorer) worldMap(lang i18n.Lang, cities []members.City, v *relView, code string) (*worldMap, error) {
	h := fnv.New64a()
	for _, c := range cities {
		fmt.Fprintf(h, "%s\x00%s\x00%g\x00%g\x00", c.Code, c.Name, c.Latitude, c.Longitude)
	}
	var rel *release.Release
	index, hash := "", ""
	if v != nil {
		rel, index, hash = v.rel, v.Sum.Index, v.Rec.Hash
	}
	key := string(lang) + "|" + hash + "|" + strconv.FormatUint(h.Sum64(), 16) + "|" + code
	if m, ok := a.maps.Load(key); ok {
		return m.(*worldMap), nil
	}
	t := func(k string, args ...any) string { return a.s.Catalog().T(lang, k, args...) }
	m, err := buildMap(cities, rel, index, code, lang, t)
	if err != nil {
		return nil, err
	}
	// The index's name in the page's language (releases store it in English).
	for i := range m.Measures {
		if m.Measures[i].Group == "index" {
			m.Measures[i].Name = localTitle(a.s.Catalog(), lang, m.Measures[i].Name)
		}
	}
	if m.Measure.Group == "index" {
		m.Measure.Name = localTitle(a.s.Catalog(), lang, m.Measure.Name)
	}
	if a.mapCount.Add(1) > maxMaps {
		a.maps.Clear()
		a.mapCount.Store(1)
	}
	a.maps.Store(key, m)
	return m, nil
}
