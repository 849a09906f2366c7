package explorerweb

import (
	"encoding/json"
	"html/template"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// rankingRowTemplate is the rankings table's row as the template wrote it
// before the rows were written in Go.
const rankingRowTemplate = `{{range $d.Rows}}<tr data-city="{{.City.Code}}" data-region="{{.City.Region}}"{{if gt .TieSize 1}} data-tie-group="{{.TieGroup}}" class="tied tie-{{if eq .Rank .TieFrom}}first{{else if eq .Rank .TieTo}}last{{else}}mid{{end}} tie-g{{mod2 .TieGroup}}"{{end}}>
<td class="num">{{.Rank}}{{if gt .TieSize 1}}<abbr class="tie" title="{{t "ex.tie.with" .TieFrom .TieTo (tieNames .TiedWith $d.Names)}}">=</abbr>{{end}}</td>
<td><a href="{{$r.Base}}/cities/{{.City.Code}}">{{$r.CityName .City.Code .City.Name}}</a>{{with $r.OtherName .City.Code .City.Name}} <span class="official">({{.}})</span>{{end}} <span class="muted">{{.City.Country}}</span></td>
<td>{{$aria := t "ex.band.aria" (rankBand .RankBand)}}{{bandCell .Rank .RankBand $d.All $aria (printf "%s: %s" ($r.CityName .City.Code .City.Name) $aria)}} <span class="band-text">{{rankBand .RankBand}}</span></td>
<td class="num">{{num .Score}}</td>
{{range .Pillars.Slice}}<td class="num">{{if .Missing}}<span class="missing" title="{{t "ex.missing.title"}}">—</span>{{else}}{{num .Score}}{{end}}</td>{{end}}
<td>{{label "stage" .Stage}}</td><td>{{with .Rating}}{{.}}{{else}}—{{end}}</td>
<td class="num change">{{if .New}}<span class="new">{{t "ex.change.new"}}</span>{{else}}{{signed .Change}}{{end}}</td>
</tr>{{end}}`

// TestRankingRowsMatchTemplate: the rankings rows written in Go are byte
// for byte what the template wrote, in both languages, under the latest
// and a release's own URLs: tie groups (first, middle, last, the tooltip
// naming the tied cities), bands present and absent, missing pillars,
// ratings, new cities and moves up, down and none, and names that need
// escaping.
func TestRankingRowsMatchTemplate(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := func(x float64) *float64 { return &x }
	n := func(x int) *int { return &x }
	pillars := func(ps ...release.RankingPillar) release.Pillars {
		var out release.Pillars
		b, _ := json.Marshal(ps)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	rows := []release.RankingRow{
		{Rank: 1, City: release.City{Code: "kr-seoul", Name: "Seoul", Country: "KOR", Region: "AS"}, Score: 71.25, RankBand: release.Band{Q5: f(1), Q95: f(3)},
			TieGroup: 1, TieSize: 3, TieFrom: 1, TieTo: 3, TiedWith: []string{"nl-rotterdam", "xx-unknown"}, Stage: "Advanced", Rating: "A+", Change: n(2),
			Pillars: pillars(release.RankingPillar{Code: "E", Score: 80.04}, release.RankingPillar{Code: "S", Missing: true})},
		{Rank: 2, City: release.City{Code: "nl-rotterdam", Name: `Rotterdam <"&'>`, Country: "NLD", Region: "EU"}, Score: 70, RankBand: release.Band{Q5: f(1), Q95: f(4)},
			TieGroup: 1, TieSize: 3, TieFrom: 1, TieTo: 3, Stage: "Unknown stage", Change: n(-5),
			Pillars: pillars(release.RankingPillar{Code: "E", Score: 1}, release.RankingPillar{Code: "S", Score: 2})},
		{Rank: 3, City: release.City{Code: "a b/c", Name: "Odd", Country: "", Region: "AF"}, Score: 69.95, TieGroup: 1, TieSize: 3, TieFrom: 1, TieTo: 3, New: true,
			Pillars: pillars(release.RankingPillar{Code: "E", Score: 0}, release.RankingPillar{Code: "S", Score: 100})},
		{Rank: 4, City: release.City{Code: "eg-cairo", Name: "Al-Qahirah", Country: "EGY", Region: "AF"}, Score: 12.5, RankBand: release.Band{Q5: f(4), Q95: f(40)},
			TieGroup: 2, TieSize: 1, Change: n(0), Pillars: pillars()},
	}
	// Member cities with a common English and a Korean name: the link
	// shows that name, and the release's name follows as the official one.
	snap := &recordsSnap{members: map[string]members.City{
		"eg-cairo": {Code: "eg-cairo", Name: "Al-Qahirah", Names: members.CityNames{En: "Cairo", Ko: "카이로"}},
		"kr-seoul": {Code: "kr-seoul", Name: "Seoul", Names: members.CityNames{Ko: "서울"}},
	}}
	for _, lang := range []i18n.Lang{i18n.English, i18n.Korean} {
		for _, base := range []string{"", "/releases/abc123"} {
			v := (&relView{Base: base, snap: snap}).in(lang, cat)
			d := &rankingsData{R: v, Rows: rows, All: 146, Names: map[string]string{"nl-rotterdam": "Rotterdam", "kr-seoul": "Seoul"}}
			tpl := template.Must(template.New("row").Funcs(template.FuncMap{
				"num":      func(v any) string { return web.FormatNumber(v, 1) },
				"t":        func(key string, args ...any) string { return cat.T(lang, key, args...) },
				"label":    func(prefix string, code any) string { return web.Label(cat, lang, prefix, code) },
				"signed":   web.SignedChange,
				"tieNames": web.TieNames,
				"mod2":     func(n int) int { return n % 2 },
				"rankBand": web.RankBand,
				"bandCell": bandCell,
			}).Parse(`{{$d := .D}}{{$r := .R}}` + rankingRowTemplate))
			var want strings.Builder
			if err := tpl.Execute(&want, map[string]any{"D": d, "R": v}); err != nil {
				t.Fatal(err)
			}
			if got := string(d.RowsHTML()); got != want.String() {
				t.Errorf("%s, base %q:\n got %s\nwant %s", lang, base, got, want.String())
			}
		}
	}
}
