package explorerweb

import (
	"context"
	"fmt"
	"hash"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// The network's partnerships on the explorer (issue 16, item 4): a map with
// a line between the two cities of each public partnership, drawn as SVG
// on the server (the home map's land and projection), with a table of the
// same rows beside it, and each city's partnerships on its profile. Only
// public partnerships are read (Partnerships.Public): the explorer is the
// same for every reader, so a members-only partnership is in no page, line
// or count of it. They are read with the snapshot of releases and members
// (every recordsTTL) and are part of its digest, so cached pages follow.

// Partnerships is what the explorer reads of the network's partnerships.
type Partnerships interface {
	// Public lists the public partnerships, newest start first.
	Public(ctx context.Context) ([]*exchange.Partnership, error)
	// PartnerName is a partner organisation's name ("" when unknown).
	PartnerName(ctx context.Context, code string) string
	// OnChange registers a function called after each change in this
	// process.
	OnChange(fn func())
}

// partnershipSnap is what the snapshot holds of the partnerships.
type partnershipSnap struct {
	list     []*exchange.Partnership
	cities   map[string]members.City // every city of a partnership, any status
	partners map[string]string       // partner organisations' names by code
}

// readPartnerships reads the public partnerships into snap and the digest.
func (a *Explorer) readPartnerships(ctx context.Context, cities []members.City, h hash.Hash) (*partnershipSnap, error) {
	ps := &partnershipSnap{cities: map[string]members.City{}, partners: map[string]string{}}
	if a.partnerships == nil {
		return ps, nil
	}
	list, err := a.partnerships.Public(ctx)
	if err != nil {
		return nil, err
	}
	ps.list = list
	byCode := make(map[string]members.City, len(cities))
	for _, c := range cities {
		byCode[c.Code] = c
	}
	for _, p := range list {
		fmt.Fprintf(h, "p%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00%d\x00", p.ID, p.CityA, p.CityB, p.Partner, p.Title,
			p.TitleKO, p.Status, p.StartDate, len(p.Activities), strings.Join(p.Themes, ","), p.UpdatedAt.UnixNano())
		for _, code := range p.Cities() {
			if c, ok := byCode[code]; ok {
				ps.cities[code] = c
				fmt.Fprintf(h, "%s\x00%s\x00%s\x00%g\x00%g\x00", c.Code, c.Names.En, c.Names.Ko, c.Latitude, c.Longitude)
			}
		}
		if p.Partner != "" {
			if _, ok := ps.partners[p.Partner]; !ok {
				ps.partners[p.Partner] = a.partnerships.PartnerName(ctx, p.Partner)
				fmt.Fprintf(h, "%s\x00%s\x00", p.Partner, ps.partners[p.Partner])
			}
		}
	}
	return ps, nil
}

// partnershipRow is a partnership as the map's table and a profile list it.
type partnershipRow struct {
	ID         int64
	Href       string
	Title      string
	A, B       string // the parties' names
	AHref      string
	BHref      string // "" for a partner organisation, or a city without a profile
	Themes     string
	StartDate  string
	Status     string
	Activities int
	Line       bool // drawn on the map (two cities with coordinates)
}

func (ps *partnershipSnap) row(p *exchange.Partnership, members map[string]members.City, lang i18n.Lang) partnershipRow {
	name := func(code string) (string, string) {
		c, ok := ps.cities[code]
		if !ok {
			return code, ""
		}
		href := ""
		if _, member := members[code]; member {
			href = "/cities/" + url.PathEscape(code)
		}
		return displayName(c, lang), href
	}
	r := partnershipRow{ID: p.ID, Href: "/exchange/partnerships/" + strconv.FormatInt(p.ID, 10), Title: p.TitleIn(string(lang)),
		Themes: strings.Join(p.Themes, ", "), StartDate: p.StartDate, Status: p.Status, Activities: len(p.Activities)}
	r.A, r.AHref = name(p.CityA)
	if p.CityB != "" {
		r.B, r.BHref = name(p.CityB)
		ca, okA := ps.cities[p.CityA]
		cb, okB := ps.cities[p.CityB]
		r.Line = okA && okB && !(ca.Latitude == 0 && ca.Longitude == 0) && !(cb.Latitude == 0 && cb.Longitude == 0)
	} else {
		r.B = ps.partners[p.Partner]
		if r.B == "" {
			r.B = p.Partner
		}
	}
	return r
}

// partnershipMap is the map page's data.
type partnershipMap struct {
	SVG      template.HTML
	Rows     []partnershipRow
	Lines    int
	Cities   int
	Statuses []statusCount
}

type statusCount struct {
	Status string
	Count  int
	Dash   string // the line's dash pattern in the legend
}

// statusDash is each status's line: a pattern as well as a colour, so the
// map reads without colour.
var statusDash = map[string]string{
	exchange.StatusActive:    "",
	exchange.StatusProposed:  "6 4",
	exchange.StatusCompleted: "1.5 3",
	exchange.StatusLapsed:    "10 3 2 3",
}

// buildPartnershipMap draws the public partnerships' lines and cities.
func buildPartnershipMap(ps *partnershipSnap, members map[string]members.City, lang i18n.Lang, t tr) *partnershipMap {
	m := &partnershipMap{}
	counts := map[string]int{}
	var b svgb
	b.f(`<svg id="partnership-map" class="map-svg" viewBox="0 0 720 300" role="group" aria-labelledby="partnership-map-title" aria-describedby="partnership-map-note" preserveAspectRatio="xMidYMid meet">`)
	var lines, points strings.Builder
	drawn := map[string]bool{}
	point := func(code string) {
		if drawn[code] {
			return
		}
		drawn[code] = true
		c := ps.cities[code]
		x, y := mapXY(c.Latitude, c.Longitude)
		name := displayName(c, lang)
		circle := `<circle class="pt city" cx="` + fx(x, 1) + `" cy="` + fx(y, 1) + `" r="3" data-city="` + esc(code) + `"><title>` + esc(name) + `</title></circle>`
		if _, member := members[code]; member {
			points.WriteString(`<a href="/cities/` + esc(url.PathEscape(code)) + `" aria-label="` + esc(name) + `">` + circle + `</a>`)
		} else {
			points.WriteString(circle)
		}
	}
	for _, p := range ps.list {
		r := ps.row(p, members, lang)
		m.Rows = append(m.Rows, r)
		counts[p.Status]++
		if !r.Line {
			continue
		}
		m.Lines++
		a, c := ps.cities[p.CityA], ps.cities[p.CityB]
		x1, y1 := mapXY(a.Latitude, a.Longitude)
		x2, y2 := mapXY(c.Latitude, c.Longitude)
		// A gentle arc: the control point is off the chord's middle by a
		// fifth of its length, so lines sharing a city stay apart; between
		// neighbouring cities by at least 8 units, so a short line still
		// shows beside the cities' points and can be pointed at.
		mx, my := (x1+x2)/2, (y1+y2)/2
		dx, dy := x2-x1, y2-y1
		l := math.Hypot(dx, dy)
		cx, cy := mx, my-8
		if l > 0 {
			off := math.Max(l/5, 8)
			cx, cy = mx+dy/l*off, my-dx/l*off
			if cy > my { // arcs bow northwards
				cx, cy = mx-dy/l*off, my+dx/l*off
			}
		}
		label := t("ex.partnerships.line", r.Title, r.A, r.B, t("partnership.status."+p.Status))
		dash := ""
		if d := statusDash[p.Status]; d != "" {
			dash = ` stroke-dasharray="` + d + `"`
		}
		fmt.Fprintf(&lines, `<a href="%s" class="pl s-%s" data-partnership="%d" aria-label="%s"><path d="M%s %sQ%s %s %s %s"%s><title>%s</title></path></a>`,
			esc(r.Href), esc(p.Status), p.ID, esc(label), fx(x1, 1), fx(y1, 1), fx(cx, 1), fx(cy, 1), fx(x2, 1), fx(y2, 1), dash, esc(label))
		point(p.CityA)
		point(p.CityB)
	}
	for _, p := range ps.list { // cities with a partner organisation only
		if p.CityB == "" {
			if c, ok := ps.cities[p.CityA]; ok && !(c.Latitude == 0 && c.Longitude == 0) {
				point(p.CityA)
			}
		}
	}
	m.Cities = len(drawn)
	b.f(`<title id="partnership-map-title">%s</title>`, esc(t("ex.partnerships.map_title", m.Lines, m.Cities)))
	b.f(`<rect class="sea" x="0" y="0" width="720" height="300"/><path class="land" d="%s"/>`, esc(worldLand))
	b.f(`<g class="partnership-lines">%s</g><g class="points">%s</g></svg>`, lines.String(), points.String())
	m.SVG = template.HTML(b.String())
	for _, s := range exchange.PartnershipStatuses {
		m.Statuses = append(m.Statuses, statusCount{Status: s, Count: counts[s], Dash: statusDash[s]})
	}
	return m
}

// explorerPartnerships is the map of the network's public partnerships,
// with the same rows as a table.
func (a *Explorer) explorerPartnerships(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.explorerSnap(r.Context())
	if err != nil {
		return err
	}
	lang := web.RequestLang(w, r)
	t := func(k string, args ...any) string { return a.s.Catalog().T(lang, k, args...) }
	m := buildPartnershipMap(snap.partnerships, snap.members, lang, t)
	return a.s.Render(w, r, "explorer_partnerships.html", m)
}

// cityPartnerships are the public partnerships of city code, for its
// profile (nil: none).
func cityPartnerships(snap *recordsSnap, code string, lang i18n.Lang) []partnershipRow {
	if snap == nil || snap.partnerships == nil {
		return nil
	}
	var out []partnershipRow
	for _, p := range snap.partnerships.list {
		if !p.Involves(code) {
			continue
		}
		r := snap.partnerships.row(p, snap.members, lang)
		if p.CityB == code { // the other party second
			r.A, r.B, r.AHref, r.BHref = r.B, r.A, r.BHref, r.AHref
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartDate > out[j].StartDate })
	return out
}
