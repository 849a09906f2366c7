package explorerweb

import (
	"html/template"
	"math"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// valueRowTemplate is the values table's row as the city template wrote
// it before the rows were written in Go.
const valueRowTemplate = `{{range $p.Values}}<tr><td><a href="{{$r.Base}}/indicators/{{.Indicator}}">{{.Name}}</a></td><td class="num">{{if .Value}}{{if $p.Ranked}}<input type="text" inputmode="decimal" name="{{.Indicator}}" value="{{numd 2 .Value}}" aria-label="{{.Name}}" size="8">{{else}}{{num .Value}}{{end}}{{else if .Imputed}}<i>{{num .ImputedValue}}</i>{{else}}—{{end}}</td><td>{{.Unit}}</td><td>{{.Source}}</td><td class="num">{{with .DataYear}}{{.}}{{end}}</td><td>{{if .Imputed}}<span class="flag"{{if .ImputedMethod}} title="{{if .ImputedGroup}}{{t (printf "ex.imputed.%s.%s" .ImputedStage .ImputedMethod) .ImputedGroup}}{{else}}{{t (printf "ex.imputed.%s.%s" .ImputedStage .ImputedMethod)}}{{end}}"{{end}}>{{t "ex.flag.imputed"}}</span>{{end}}{{if .Estimated}}<span class="flag">{{t "ex.flag.estimated"}}</span>{{end}}</td><td class="num">{{with .Rank}}{{.}}{{end}}</td></tr>{{end}}`

// TestValueRowsMatchTemplate: the values rows written in Go are byte for
// byte what the template wrote, in both languages, for ranked and unranked
// cities, missing, imputed (each stage and method, with and without a
// group), estimated and NaN values, and names that need escaping.
func TestValueRowsMatchTemplate(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := func(x float64) *float64 { return &x }
	values := []release.Value{
		{Indicator: "EC-I-UP-1A", Name: "Pedestrian infrastructure", Unit: "%", Value: f(42.125), Source: "City <survey> & \"census\"", DataYear: 2025, Rank: 3},
		{Indicator: "SC EH/H 4A", Name: `Beds "in-patient" <per 100k> & 'more'`, Unit: "per 100,000", Value: f(-0.005)},
		{Indicator: "x'(y)\"<z>%~é", Name: "Odd code"},
		{Indicator: "a%2Fb%zz%4", Name: "Escapes + plus\x00nul", Unit: "+/-", Source: "A+B"},
		{Indicator: "EN-E-E-4A", Name: "Energy", Value: f(math.NaN()), Rank: 12},
		{Indicator: "MISSING", Name: "Missing value"},
		{Indicator: "IMP1", Name: "Imputed raw", Imputed: true, ImputedValue: f(7.25), ImputedMethod: "group_mean", ImputedGroup: "Asia", ImputedStage: "raw", Rank: 1},
		{Indicator: "IMP2", Name: "Imputed norm", Imputed: true, ImputedMethod: "median", ImputedStage: "normalised"},
		{Indicator: "IMP3", Name: "Imputed no method", Imputed: true, ImputedValue: f(1)},
		{Indicator: "EST", Name: "Estimated", Value: f(1e6), Estimated: true, DataYear: 2023, Source: "서울 통계"},
	}

	for _, lang := range []i18n.Lang{i18n.English, i18n.Korean} {
		for _, ranked := range []bool{true, false} {
			for _, base := range []string{"", "/releases/abc123"} {
				v := (&relView{Base: base}).in(lang, cat)
				p := &release.Profile{Ranked: ranked, Values: values}
				tpl := template.Must(template.New("row").Funcs(template.FuncMap{
					"num":  func(v any) string { return web.FormatNumber(v, 1) },
					"numd": func(d int, v any) string { return web.FormatNumber(v, d) },
					"t":    func(key string, args ...any) string { return cat.T(lang, key, args...) },
				}).Parse(`{{$p := .P}}{{$r := .R}}` + valueRowTemplate))
				var want strings.Builder
				if err := tpl.Execute(&want, map[string]any{"P": p, "R": v}); err != nil {
					t.Fatal(err)
				}
				if got := string(v.ValueRows(p)); got != want.String() {
					t.Errorf("%s, ranked %v, base %q:\n got %s\nwant %s", lang, ranked, base, got, want.String())
				}
			}
		}
	}
}
