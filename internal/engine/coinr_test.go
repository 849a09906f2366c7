package engine_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
)

const asemDir = "../../testdata/asem"

// loadASEM reads the ASEM input in COINr's layout.
func loadASEM(t testing.TB) (*engine.Framework, *engine.Data) {
	t.Helper()
	mf, err := os.Open(filepath.Join(asemDir, "input/iMeta.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	meta, err := indexfile.ReadMeta("iMeta.csv", mf)
	if err != nil {
		t.Fatal(err)
	}
	df, err := os.Open(filepath.Join(asemDir, "input/iData.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer df.Close()
	data, err := indexfile.ReadData("iData.csv", df, meta)
	if err != nil {
		t.Fatal(err)
	}
	return meta.Framework, data
}

// asemDefault is build_example_coin()'s method.
func asemDefault() engine.Method {
	m := engine.DefaultMethod()
	m.Denominate = true
	m.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: "EurAsia_group"}
	m.Screen = engine.Screening{Method: engine.ScreenByNA, Threshold: 0.9}
	m.Treat = engine.Treatment{Method: engine.TreatWinsorise, Winmax: 5}
	return m
}

// asemVariants are the method variants whose COINr results are in testdata.
func asemVariants() map[string]engine.Method {
	v := map[string]engine.Method{"default": asemDefault()}
	m := asemDefault()
	m.AggregateLevels = map[int]engine.Aggregation{4: {Method: engine.AggGMean}}
	v["agg_gmean_top"] = m
	m = asemDefault()
	m.Normalise = engine.Normalisation{Method: engine.NormZScore, Mean: 0, SD: 1}
	v["norm_zscore"] = m
	m = asemDefault()
	m.Treat.Winmax = 1
	v["treat_winmax1"] = m
	m = asemDefault()
	m.Impute = engine.Imputation{Method: engine.ImputeNone}
	v["impute_none"] = m
	return v
}

func readWant(t *testing.T, variant, file string, skip ...string) *engine.Matrix {
	t.Helper()
	f, err := os.Open(filepath.Join(asemDir, "results", variant, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := indexfile.ReadWide(file, f, skip...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// relTol is the largest relative difference allowed against COINr.
const relTol = 1e-9

func close(a, b float64) bool {
	if engine.IsNA(a) || engine.IsNA(b) {
		return engine.IsNA(a) && engine.IsNA(b)
	}
	d := math.Abs(a - b)
	return d <= relTol*math.Max(math.Abs(a), math.Abs(b)) || d < 1e-12
}

// compareMatrix checks every value of want (by unit and code) against got.
func compareMatrix(t *testing.T, name string, got, want *engine.Matrix) (maxRel float64) {
	t.Helper()
	if len(got.Units) != len(want.Units) {
		t.Errorf("%s: %d units, COINr has %d", name, len(got.Units), len(want.Units))
		return
	}
	row := map[string]int{}
	for i, u := range got.Units {
		row[u] = i
	}
	bad := 0
	for j, code := range want.Codes {
		gc, ok := got.Col(code)
		if !ok {
			t.Errorf("%s: column %s missing", name, code)
			continue
		}
		for i, u := range want.Units {
			gi, ok := row[u]
			if !ok {
				t.Errorf("%s: unit %s missing", name, u)
				bad++
				continue
			}
			g, w := gc[gi], want.Cols[j][i]
			if !close(g, w) {
				bad++
				if bad <= 10 {
					t.Errorf("%s: %s/%s = %v, COINr %v", name, u, code, g, w)
				}
			} else if !engine.IsNA(w) && w != 0 {
				maxRel = math.Max(maxRel, math.Abs(g-w)/math.Abs(w))
			}
		}
	}
	if len(got.Codes) != len(want.Codes) {
		t.Errorf("%s: %d columns, COINr has %d", name, len(got.Codes), len(want.Codes))
	}
	return maxRel
}

func TestBuildMatchesCOINr(t *testing.T) {
	f, d := loadASEM(t)
	for name, method := range asemVariants() {
		t.Run(name, func(t *testing.T) {
			r, err := engine.Build(context.Background(), f, d, method)
			if err != nil {
				t.Fatal(err)
			}
			var worst float64
			steps := []struct {
				file string
				got  *engine.Matrix
			}{
				{"Denominated.csv", r.Denominated},
				{"Imputed.csv", r.Imputed},
				{"Screened.csv", r.Screened},
				{"Treated.csv", r.Treated},
				{"Normalised.csv", r.Normalised},
				{"Aggregated.csv", r.Aggregated},
				{"Ranks.csv", r.Ranks},
			}
			if name == "default" {
				steps = append(steps, struct {
					file string
					got  *engine.Matrix
				}{"Raw.csv", r.Raw})
			}
			for _, s := range steps {
				worst = math.Max(worst, compareMatrix(t, name+"/"+s.file, s.got, readWant(t, name, s.file)))
			}
			t.Logf("%s: largest relative difference from COINr %.3g", name, worst)
			checkScreen(t, name, r)
			checkTreat(t, name, r)
		})
	}
}

func checkScreen(t *testing.T, variant string, r *engine.Result) {
	t.Helper()
	want := readWant(t, variant, "Screen_summary.csv", "LowData", "LowNonZero", "LowDatOrZeroFlag", "Included")
	got := &engine.Matrix{Codes: []string{"N_missing", "N_zero", "Dat_Avail", "Non_Zero"}, Cols: make([][]float64, 4)}
	for _, s := range r.Screen {
		got.Units = append(got.Units, s.Unit)
		got.Cols[0] = append(got.Cols[0], float64(s.NMissing))
		got.Cols[1] = append(got.Cols[1], float64(s.NZero))
		got.Cols[2] = append(got.Cols[2], s.DatAvail)
		got.Cols[3] = append(got.Cols[3], s.NonZero)
	}
	want.Codes, want.Cols = append(want.Codes[:2:2], want.Codes[3:5]...), append(want.Cols[:2:2], want.Cols[3:5]...)
	compareMatrix(t, variant+"/Screen_summary.csv", got, want)
}

func checkTreat(t *testing.T, variant string, r *engine.Result) {
	t.Helper()
	f, err := os.Open(filepath.Join(asemDir, "results", variant, "Treat_details.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := indexfile.ReadTreatDetails("Treat_details.csv", f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]engine.TreatDetail{}
	for _, d := range r.Treat {
		got[d.Indicator] = d
	}
	for _, w := range want {
		g := got[w.Indicator]
		s := func(d engine.TreatDetail) string {
			return fmt.Sprintf("before %v %.12g %.12g win %v nwin %d after %v %.12g %.12g log %v %v %.12g %.12g",
				d.Before.Pass, d.Before.Skew, d.Before.Kurt, d.Winsorised, d.NWin, d.After.Pass, d.After.Skew, d.After.Kurt,
				d.Logged, d.AfterLog.Pass, d.AfterLog.Skew, d.AfterLog.Kurt)
		}
		if s(g) != s(w) {
			t.Errorf("%s/Treat_details %s:\n got %s\nwant %s", variant, w.Indicator, s(g), s(w))
		}
	}
}

// loadASEMMeta reads the ASEM data with another indicator table of the reference folder.
func loadASEMMeta(t testing.TB, metaFile string) (*engine.Framework, *engine.Data) {
	t.Helper()
	mf, err := os.Open(filepath.Join(asemDir, "input", metaFile))
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	meta, err := indexfile.ReadMeta(metaFile, mf)
	if err != nil {
		t.Fatal(err)
	}
	df, err := os.Open(filepath.Join(asemDir, "input/iData.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer df.Close()
	data, err := indexfile.ReadData("iData.csv", df, meta)
	if err != nil {
		t.Fatal(err)
	}
	return meta.Framework, data
}

// TestGoalpostsMatchCOINr: COINr's n_goalposts with the goalposts, scale and
// truncation of the indicator table (use_iMeta), on ASEM's 35 higher-is-better
// and 14 lower-is-better indicators: every normalised and aggregated value.
func TestGoalpostsMatchCOINr(t *testing.T) {
	f, d := loadASEMMeta(t, "iMeta_goalposts.csv")
	neg := 0
	for _, c := range f.Indicators() {
		n, _ := f.Node(c)
		if n.Goalposts == nil || n.Goalposts.Scale != 100 || n.Goalposts.Truncate == nil || !*n.Goalposts.Truncate {
			t.Fatalf("%s: goalposts %+v, want the table's with scale 100 and truncation", c, n.Goalposts)
		}
		if n.Direction == -1 {
			neg++
		}
	}
	if neg != 14 {
		t.Fatalf("%d lower-is-better indicators, want ASEM's 14", neg)
	}
	m := asemDefault()
	m.Normalise = engine.Normalisation{Method: engine.NormGoalposts}
	r, err := engine.Build(context.Background(), f, d, m)
	if err != nil {
		t.Fatal(err)
	}
	worst := compareMatrix(t, "norm_goalposts/Normalised.csv", r.Normalised, readWant(t, "norm_goalposts", "Normalised.csv"))
	worst = math.Max(worst, compareMatrix(t, "norm_goalposts/Aggregated.csv", r.Aggregated, readWant(t, "norm_goalposts", "Aggregated.csv")))
	t.Logf("norm_goalposts: largest relative difference from COINr %.3g", worst)

	// Without the table's scale and truncation, the method's apply: scale 1
	// and no truncation give (x-low)/(high-low), or (high-x)/(high-low).
	for _, n := range f.Nodes() {
		if n.Goalposts != nil {
			n.Goalposts.Scale, n.Goalposts.Truncate = 0, nil
		}
	}
	m.Normalise = engine.Normalisation{Method: engine.NormGoalposts, NoTruncate: true}
	r2, err := engine.Build(context.Background(), f, d, m)
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range r2.Treated.Codes {
		n, _ := f.Node(c)
		lo, hi := n.Goalposts.Low, n.Goalposts.High
		for i, x := range r2.Treated.Cols[j] {
			want := (x - lo) / (hi - lo)
			if n.Direction == -1 {
				want = (hi - x) / (hi - lo)
			}
			if got := r2.Normalised.Cols[j][i]; !close(got, want) {
				t.Fatalf("%s/%s: %v, want %v", r2.Treated.Units[i], c, got, want)
			}
		}
	}
}
