package survey

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The reference in testdata/rsurvey is a synthetic 6-city survey with the
// weights and estimates R's survey package (4.1-1) computes: rake() to the
// sex, age and education margins, then svymean() with the raked weights
// taken as fixed. CityLens must give the same numbers within 1e-9,
// relative to the figure.
const rTolerance = 1e-9

func readCSV(t testing.TB, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "rsurvey", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for j, h := range recs[0] {
			m[h] = strings.TrimSpace(r[j])
		}
		out = append(out, m)
	}
	return out
}

func num(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return v
}

// maxRelDiff is the largest relative difference close9 saw (logged).
var maxRelDiff float64

func close9(got, want float64) bool {
	d := math.Abs(got - want)
	if want != 0 {
		maxRelDiff = math.Max(maxRelDiff, d/math.Abs(want))
	}
	return d <= rTolerance*math.Abs(want) || d <= 1e-15
}

// referenceSample is the reference survey as RakeInputs and item columns,
// per city in file order.
type referenceCity struct {
	in      RakeInput
	ids     []string
	answers map[string][]float64 // item → answers (NaN: none)
}

var referenceItems = []string{"q01", "q02", "q03", "q04", "q05", "q06", "q07", "q08", "q09", "q10", "q11", "q12"}

func referenceSample(t testing.TB) (map[string]*referenceCity, []string) {
	t.Helper()
	cities := map[string]*referenceCity{}
	var order []string
	for _, m := range readCSV(t, "margins.csv") {
		c := cities[m["city"]]
		if c == nil {
			c = &referenceCity{in: RakeInput{City: m["city"], Variables: []string{"sex", "age", "education"},
				Categories: make([][]string, 3), Margins: Population{}}, answers: map[string][]float64{}}
			cities[m["city"]] = c
			order = append(order, m["city"])
		}
		if c.in.Margins[m["variable"]] == nil {
			c.in.Margins[m["variable"]] = map[string]float64{}
		}
		c.in.Margins[m["variable"]][m["category"]] = num(t, m["population"])
	}
	for _, r := range readCSV(t, "responses.csv") {
		c := cities[r["city"]]
		c.ids = append(c.ids, r["respondent"])
		for v, name := range c.in.Variables {
			c.in.Categories[v] = append(c.in.Categories[v], r[name])
		}
		for _, q := range referenceItems {
			a := math.NaN()
			if r[q] != "" {
				a = num(t, r[q])
			}
			c.answers[q] = append(c.answers[q], a)
		}
	}
	return cities, order
}

func TestRakeMatchesR(t *testing.T) {
	cities, order := referenceSample(t)
	weights := map[string]float64{}
	for _, r := range readCSV(t, "weights.csv") {
		weights[r["respondent"]] = num(t, r["weight"])
	}
	summary := map[string]map[string]string{}
	for _, r := range readCSV(t, "city_summary.csv") {
		summary[r["city"]] = r
	}
	raked := map[string][]float64{}
	for _, city := range order {
		c := cities[city]
		res, err := Rake(c.in, RakeOptions{})
		if err != nil {
			t.Fatalf("%s: %v", city, err)
		}
		if !res.Converged {
			t.Errorf("%s: raking did not converge in %d sweeps", city, res.Iterations)
		}
		raked[city] = res.Weights
		for i, id := range c.ids {
			if want := weights[id]; !close9(res.Weights[i], want) {
				t.Errorf("%s weight = %.15g, R %.15g", id, res.Weights[i], want)
			}
		}
		d := Kish(res.Weights)
		s := summary[city]
		if d.N != int(num(t, s["n"])) {
			t.Errorf("%s n = %d, R %s", city, d.N, s["n"])
		}
		for _, f := range []struct {
			name      string
			got, want float64
		}{
			{"weight_sum", d.WeightSum, num(t, s["weight_sum"])},
			{"kish_deff", d.DEff, num(t, s["kish_deff"])},
			{"n_eff", d.NEff, num(t, s["n_eff"])},
		} {
			if !close9(f.got, f.want) {
				t.Errorf("%s %s = %.15g, R %.15g", city, f.name, f.got, f.want)
			}
		}
	}

	rows := readCSV(t, "item_estimates.csv")
	if len(rows) != len(order)*len(referenceItems) {
		t.Fatalf("%d item estimates in the reference, want %d", len(rows), len(order)*len(referenceItems))
	}
	for _, r := range rows {
		c := cities[r["city"]]
		ans := c.answers[r["item"]]
		agree := make([]float64, len(ans))
		score := make([]float64, len(ans))
		for i, a := range ans {
			agree[i], score[i] = math.NaN(), math.NaN()
			if !math.IsNaN(a) {
				agree[i] = b2f(a >= 4)
				score[i] = (a - 1) / 4 * 100
			}
		}
		ag := WeightedMean(agree, raked[r["city"]])
		sc := WeightedMean(score, raked[r["city"]])
		if ag.N != int(num(t, r["n_valid"])) {
			t.Errorf("%s %s n_valid = %d, R %s", r["city"], r["item"], ag.N, r["n_valid"])
		}
		for _, f := range []struct {
			name      string
			got, want float64
		}{
			{"agree_share", ag.Mean, num(t, r["agree_share"])},
			{"agree_se", ag.SE, num(t, r["agree_se"])},
			{"score_mean", sc.Mean, num(t, r["score_mean"])},
			{"score_se", sc.SE, num(t, r["score_se"])},
		} {
			if !close9(f.got, f.want) {
				t.Errorf("%s %s %s = %.15g, R %.15g", r["city"], r["item"], f.name, f.got, f.want)
			}
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if maxRelDiff > 0 {
		fmt.Printf("largest relative difference from R: %.3g\n", maxRelDiff)
	}
	os.Exit(code)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// rRakedSE is R's svymean standard error on a raked design written out as
// R's survey 4.1-1 computes it (svyrecvar's "raking" branch): the influence
// values x = w(y − ȳ)/Σw (0 where y is missing) go through ten sweeps of
// x ← x − w·ave(x/w, category) over the raking variables in order, then
// SE² = m/(m−1)·Σ(x − x̄)². An independent transcription, to check
// Calibration.Mean on figures the reference does not list (the score).
func rRakedSE(y, w []float64, cats [][]string) float64 {
	m := len(y)
	var sw, swy float64
	for i, v := range y {
		if !math.IsNaN(v) {
			sw += w[i]
			swy += w[i] * v
		}
	}
	mean := swy / sw
	x := make([]float64, m)
	for i, v := range y {
		if !math.IsNaN(v) {
			x[i] = w[i] * (v - mean) / sw
		}
	}
	for range 10 {
		for _, col := range cats {
			sum, cnt := map[string]float64{}, map[string]float64{}
			for i, c := range col {
				sum[c] += x[i] / w[i]
				cnt[c]++
			}
			for i, c := range col {
				x[i] -= w[i] * sum[c] / cnt[c]
			}
		}
	}
	var xb, ss float64
	for _, v := range x {
		xb += v / float64(m)
	}
	for _, v := range x {
		ss += (v - xb) * (v - xb)
	}
	return math.Sqrt(float64(m) / float64(m-1) * ss)
}

// The calibrated standard error of the agree share equals R's
// (agree_se_calibrated: svymean on the raked design), and that of the
// score equals R's algorithm transcribed, within 1e-9 relative.
func TestCalibratedSEMatchesR(t *testing.T) {
	cities, _ := referenceSample(t)
	raked := map[string]Raked{}
	for city, c := range cities {
		res, err := Rake(c.in, RakeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		raked[city] = res
	}
	var worst float64
	for _, r := range readCSV(t, "item_estimates.csv") {
		c, rk := cities[r["city"]], raked[r["city"]]
		ans := c.answers[r["item"]]
		agree := make([]float64, len(ans))
		score := make([]float64, len(ans))
		for i, a := range ans {
			agree[i], score[i] = math.NaN(), math.NaN()
			if !math.IsNaN(a) {
				agree[i] = b2f(a >= 4)
				score[i] = (a - 1) / 4 * 100
			}
		}
		ag, sc := rk.Calibration.Mean(agree), rk.Calibration.Mean(score)
		fixed := WeightedMean(agree, rk.Weights)
		if ag.N != fixed.N || ag.Mean != fixed.Mean || ag.NEff != fixed.NEff {
			t.Errorf("%s %s: calibrated %+v, fixed %+v: only the SE may differ", r["city"], r["item"], ag, fixed)
		}
		want := num(t, r["agree_se_calibrated"])
		worst = math.Max(worst, math.Abs(ag.SE-want)/want)
		if !close9(ag.SE, want) {
			t.Errorf("%s %s agree_se_calibrated = %.15g, R %.15g", r["city"], r["item"], ag.SE, want)
		}
		if want := rRakedSE(score, rk.Weights, c.in.Categories); !close9(sc.SE, want) {
			t.Errorf("%s %s calibrated score SE = %.15g, R's algorithm %.15g", r["city"], r["item"], sc.SE, want)
		}
	}
	t.Logf("largest relative difference from R's agree_se_calibrated: %.3g", worst)
}

// A share the raking fixes has no sampling error once the raking is
// accounted for: the share of women among those who stated their sex is
// the population's, whoever answered, with or without respondents who
// preferred not to say.
func TestCalibratedSEOfAMargin(t *testing.T) {
	cities, _ := referenceSample(t)
	c := cities["C02"]
	for _, refuse := range []bool{false, true} {
		in := c.in
		in.Categories = [][]string{slices.Clone(c.in.Categories[0]), c.in.Categories[1], slices.Clone(c.in.Categories[2])}
		if refuse {
			for i := 0; i < len(in.Categories[0]); i += 7 {
				in.Categories[0][i] = "" // sex not stated
			}
			for i := 3; i < len(in.Categories[2]); i += 11 {
				in.Categories[2][i] = "" // education not stated
			}
		}
		res, err := Rake(in, RakeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		y := make([]float64, len(res.Weights))
		for i, s := range in.Categories[0] {
			y[i] = math.NaN()
			if s != "" {
				y[i] = b2f(s == "female")
			}
		}
		m := res.Calibration.Mean(y)
		share := c.in.Margins["sex"]["female"] / c.in.Margins.Total()
		if math.Abs(m.Mean-share) > 1e-9 || !(m.SE < 1e-12) {
			t.Errorf("refusals %v: women %.12f (population %.12f), calibrated SE %g, want 0", refuse, m.Mean, share, m.SE)
		}
		if f := WeightedMean(y, res.Weights); !(f.SE > 1e-3) {
			t.Errorf("refusals %v: the fixed-weight SE %g should not be 0", refuse, f.SE)
		}
	}
}
