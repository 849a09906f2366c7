package catalogue

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

func datasetFramework(t *testing.T) *engine.Framework {
	t.Helper()
	f, err := engine.NewFramework([]engine.Node{
		{Code: "INDEX", Kind: engine.Aggregate, Weight: 1},
		{Code: "A", Parent: "INDEX", Kind: engine.Indicator, Weight: 1, Direction: 1},
		{Code: "B", Parent: "INDEX", Kind: engine.Indicator, Weight: 1, Direction: -1, Denominator: "POP"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDataColumns(t *testing.T) {
	if diff := cmp.Diff([]string{"A", "B", "POP"}, DataColumns(datasetFramework(t))); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
}

func TestDataSet(t *testing.T) {
	f := datasetFramework(t)
	units := []Unit{
		{Code: "SEO", Name: "Seoul", Region: "AS", Country: "KOR", PeerGroup: "AS", Population: 9_963_000},
		{Code: "LYO", Name: "Lyon", Region: "EU", Country: "FRA", PeerGroup: "high"},
	}
	d, err := DataSet(f, units, []Point{
		{City: "LYO", Indicator: "A", Value: 2},
		{City: "SEO", Indicator: "A", Value: 1},
		{City: "SEO", Indicator: "POP", Value: 9.9},
	})
	if err != nil {
		t.Fatal(err)
	}
	na := engine.NA
	want := &engine.Data{
		Units: []string{"SEO", "LYO"}, Names: []string{"Seoul", "Lyon"},
		Groups: map[string][]string{
			GroupRegion: {"AS", "EU"}, GroupCountry: {"KOR", "FRA"}, GroupPeer: {"AS", "high"}, GroupPopulation: {Pop5MTo10M, ""},
		},
		Columns: map[string][]float64{"A": {1, 2}, "B": {na, na}, "POP": {9.9, na}},
	}
	if diff := cmp.Diff(want, d, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("data set (-want +got):\n%s", diff)
	}
	// Every data set has every group column, so a method checked against
	// an edition's (Validate) runs on its compute and its publication.
	for _, g := range Groups() {
		if _, ok := d.Groups[g]; !ok {
			t.Errorf("no group column %q", g)
		}
	}
	m := engine.DefaultMethod()
	m.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: GroupPopulation}
	if err := m.Validate(f, d); err != nil {
		t.Errorf("imputing by population class: %v", err)
	}
}

func TestDataSetErrors(t *testing.T) {
	f := datasetFramework(t)
	units := []Unit{{Code: "SEO"}, {Code: "LYO"}}
	tests := []struct {
		name   string
		units  []Unit
		points []Point
		want   string
	}{
		{"unknown city", units, []Point{{City: "TOK", Indicator: "A", Value: 1}}, `city "TOK" is not a city of the data set`},
		{"unknown column", units, []Point{{City: "SEO", Indicator: "C", Value: 1}}, `"C" is not an indicator or denominator`},
		{"NaN", units, []Point{{City: "SEO", Indicator: "A", Value: math.NaN()}}, "SEO/A: value is not a finite number"},
		{"infinite", units, []Point{{City: "SEO", Indicator: "A", Value: math.Inf(-1)}}, "not a finite number"},
		{"twice", units, []Point{{City: "SEO", Indicator: "A", Value: 1}, {City: "SEO", Indicator: "A", Value: 2}}, "SEO/A appears twice"},
		{"city twice", []Unit{{Code: "SEO"}, {Code: "SEO"}}, nil, `city "SEO" appears twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DataSet(f, tc.units, tc.points)
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(citylens.ErrorMessage(err), tc.want) {
				t.Errorf("error %v, want EINVALID with %q", err, tc.want)
			}
			i18ntest.WantKeyed(t, err)
		})
	}
}

func TestPopulationClassOf(t *testing.T) {
	for pop, want := range map[int64]string{0: "", -1: "", 1: PopUnder300k, 299_999: PopUnder300k, 300_000: Pop300kTo1M,
		999_999: Pop300kTo1M, 1_000_000: Pop1MTo5M, 5_000_000: Pop5MTo10M, 10_000_000: PopOver10M} {
		if got := PopulationClassOf(pop); got != want {
			t.Errorf("PopulationClassOf(%d) = %q, want %q", pop, got, want)
		}
	}
}
