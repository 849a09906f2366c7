package release

import (
	"fmt"
	"testing"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/synthetic"
)

// syntheticDraft is a synthetic network of units cities × inds indicators
// over levels levels, with city metadata, imputation by region, outlier
// treatment and screening, for benchmarks and what-if equivalence tests.
func syntheticDraft(t testing.TB, units, inds, levels int, seed uint64) Draft {
	t.Helper()
	f, d, err := synthetic.Index(units, inds, levels, seed)
	if err != nil {
		t.Fatal(err)
	}
	dr := Draft{Edition: "synthetic", Framework: f.Nodes(), Licence: Licence{Name: "CC-BY-4.0"}, Attribution: "synthetic data"}
	dr.Method = engine.DefaultMethod()
	dr.Method.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: GroupRegion}
	dr.Method.Treat = engine.Treatment{Method: engine.TreatWinsorise, Winmax: 5}
	dr.Method.Screen = engine.Screening{Method: engine.ScreenByNA, Threshold: 0.5}
	groups := []string{"low", "medium", "high", "very-high"}
	pops := []int64{150_000, 650_000, 2_300_000, 7_000_000, 14_000_000}
	for i, u := range d.Units {
		dr.Cities = append(dr.Cities, City{Code: u, Name: fmt.Sprintf("City %d", i+1), Country: fmt.Sprintf("C%02d", i%40), Region: d.Groups["region"][i],
			Population: pops[i%len(pops)] + int64(i), Lat: float64(i%180) - 89.5, Lon: float64(i%360) - 179.5, PeerGroup: groups[(i/3)%len(groups)]})
	}
	for _, code := range f.Indicators() {
		for i, v := range d.Columns[code] {
			if !engine.IsNA(v) {
				dr.Data = append(dr.Data, DataPoint{City: d.Units[i], Indicator: code, Value: v, Source: "synthetic", DataYear: 2025})
			}
		}
	}
	return dr
}

// quickConfig keeps the analyses small where they are not what is measured.
func quickConfig() Config {
	return Config{Uncertainty: Uncertainty{N: 20, Seed: 3, SkipSA: true}}
}
