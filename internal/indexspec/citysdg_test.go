package indexspec_test

import (
	"context"
	"math"
	"testing"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexspec"
)

// TestCitySDGExample builds the worked example of docs/index-spec.md (an
// uneven tree, goalposts in both directions, an unscored indicator,
// imputation after scoring for two goals only) and checks every score
// against a computation written out here, independently of the engine.
func TestCitySDGExample(t *testing.T) {
	ix, err := indexspec.Load("../../testdata/citysdg/city_sdg.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ix.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// The data and goalposts of testdata/citysdg, as written there.
	units := []string{"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"}
	region := []string{"N", "N", "N", "N", "S", "S", "S", "S"}
	na := math.NaN()
	type ind struct {
		code   string
		dir    float64
		lo, hi float64
		x      []float64
		impute bool // under SDG 6 or SDG 11
	}
	inds := []ind{
		{"Poverty", -1, 0, 30, []float64{5, 12, na, 20, 35, 8, 15, 25}, false},
		{"Water", 1, 80, 100, []float64{99, 95, 90, 85, 82, na, 97, 78}, true},
		{"Sanitation", 1, 50, 100, []float64{90, 80, 70, 60, 55, 95, 85, 65}, true},
		{"PM25", -1, 5, 50, []float64{4, na, 20, 30, 45, 12, 25, 35}, true},
		{"NO2", -1, 10, 60, []float64{15, 25, 30, 40, na, 20, na, 50}, true},
		{"Transit", 1, 0, 100, []float64{80, 60, 70, 40, 30, 90, 50, 20}, true},
		{"GreenSpace", 1, 0, 50, []float64{40, 20, 10, na, 5, 30, 15, 25}, true},
	}
	score := map[string][]float64{}
	imputed := map[string]bool{} // unit/indicator
	for _, in := range inds {
		s := make([]float64, len(units))
		for i, x := range in.x {
			// Worst and best: a lower-is-better indicator's best is its low goalpost.
			worst, best := in.lo, in.hi
			if in.dir < 0 {
				worst, best = in.hi, in.lo
			}
			s[i] = 100 * math.Min(1, math.Max(0, (x-worst)/(best-worst)))
		}
		if in.impute {
			// The regional mean of the scores available.
			filled := append([]float64(nil), s...)
			for i := range s {
				if !math.IsNaN(s[i]) {
					continue
				}
				var sum float64
				var n int
				for k := range s {
					if region[k] == region[i] && !math.IsNaN(s[k]) {
						sum += s[k]
						n++
					}
				}
				filled[i] = sum / float64(n)
				imputed[units[i]+"/"+in.code] = true
			}
			s = filled
		}
		score[in.code] = s
	}
	// Plain means over the children present; GreenSpace has weight 0 and is not scored.
	meanOf := func(codes ...string) []float64 {
		out := make([]float64, len(units))
		for i := range units {
			var sum float64
			var n int
			for _, c := range codes {
				if v := score[c][i]; !math.IsNaN(v) {
					sum += v
					n++
				}
			}
			out[i] = math.NaN()
			if n > 0 {
				out[i] = sum / float64(n)
			}
		}
		return out
	}
	score["G1"] = meanOf("Poverty")
	score["G6"] = meanOf("Water", "Sanitation")
	score["G11_Air"] = meanOf("PM25", "NO2")
	score["G11"] = meanOf("G11_Air", "Transit")
	score["Index"] = meanOf("G1", "G6", "G11")

	if len(r.Aggregated.Codes) != len(score) {
		t.Errorf("aggregated columns %v, want %d", r.Aggregated.Codes, len(score))
	}
	for code, want := range score {
		got, ok := r.Aggregated.Col(code)
		if !ok {
			t.Errorf("%s: no column", code)
			continue
		}
		for i, u := range units {
			if r.Aggregated.Units[i] != u {
				t.Fatalf("unit %d is %s, want %s", i, r.Aggregated.Units[i], u)
			}
			g, w := got[i], want[i]
			if math.IsNaN(g) != math.IsNaN(w) || (!math.IsNaN(w) && math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w))) {
				t.Errorf("%s/%s = %v, independent computation %v", u, code, g, w)
			}
		}
	}
	// C3 has no poverty figure and SDG 1 is not imputed: no SDG 1 score, and
	// its index is the mean of the two other goals.
	if v := score["G1"][2]; !math.IsNaN(v) {
		t.Fatalf("independent SDG 1 of C3 = %v", v)
	}

	// Every imputed value is flagged, with its stage, method and group, and no other.
	if len(r.Imputations) != len(imputed) {
		t.Errorf("%d imputed values flagged, want %d: %+v", len(r.Imputations), len(imputed), r.Imputations)
	}
	for _, v := range r.Imputations {
		if !imputed[v.Unit+"/"+v.Indicator] || v.Stage != engine.ImputeNormalised || v.Method != engine.ImputeGroupMean || v.Group != "Region" {
			t.Errorf("flag %+v: not an imputation of the independent computation", v)
		}
	}

	// Levels come from the framework as written: the goals at 3 although two of
	// them hold indicators only, the sub-indicator at 2.
	for code, want := range map[string]int{"Index": 4, "G1": 3, "G6": 3, "G11": 3, "G11_Air": 2, "Transit": 1} {
		if got := ix.Framework.Level(code); got != want {
			t.Errorf("level of %s = %d, want %d", code, got, want)
		}
	}

	// The unscored indicator never moves a score: change every green-space
	// value and the goals and the index stay as they were.
	d := *ix.Data
	d.Columns = map[string][]float64{}
	for k, v := range ix.Data.Columns {
		d.Columns[k] = v
	}
	d.Columns["GreenSpace"] = []float64{0, 50, 1, 49, 2, 48, 3, na}
	r2, err := engine.Build(context.Background(), ix.Framework, &d, ix.Method)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"Index", "G11", "G11_Air"} {
		a, _ := r.Aggregated.Col(code)
		b, _ := r2.Aggregated.Col(code)
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("%s/%s moved from %v to %v when only the unscored green space changed", units[i], code, a[i], b[i])
			}
		}
	}
	if w := r.Weight["GreenSpace"]; w != 0 {
		t.Errorf("GreenSpace weight %v, want 0", w)
	}
	if ew := ix.Framework.EffectiveWeights(nil)["GreenSpace"]; ew != 0 {
		t.Errorf("GreenSpace effective weight %v, want 0", ew)
	}
}
