package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"github.com/citylens/citylens/internal/csvsafe"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const btASEMDir = "../../testdata/asem"

// btBuildSpec runs `citylens index build spec --out dir` and fails the test
// unless it succeeds.
func btBuildSpec(t *testing.T, spec string) (dir, stdout string) {
	t.Helper()
	dir = t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"index", "build", spec, "--out", dir}, &out, &errOut); code != 0 {
		t.Fatalf("index build %s: exit code %d, stderr:\n%s", spec, code, errOut.String())
	}
	return dir, out.String()
}

// btCSV is a CSV file read whole: its header and rows.
type btCSV struct {
	header []string
	rows   [][]string
}

func btReadCSV(t *testing.T, path string) btCSV {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(all) == 0 {
		t.Fatalf("%s: empty", path)
	}
	return btCSV{header: all[0], rows: all[1:]}
}

func (c btCSV) col(name string) int {
	for j, h := range c.header {
		if h == name {
			return j
		}
	}
	return -1
}

// column returns a numeric column by the key of the first column; NA is NaN.
func (c btCSV) column(t *testing.T, name string) map[string]float64 {
	t.Helper()
	j := c.col(name)
	if j < 0 {
		t.Fatalf("no column %q in %v", name, c.header)
	}
	out := map[string]float64{}
	for _, r := range c.rows {
		out[r[0]] = btNum(t, r[j])
	}
	return out
}

func btNum(t *testing.T, s string) float64 {
	t.Helper()
	if s == "NA" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return v
}

func btIsNumber(s string) bool {
	if s == "NA" {
		return true
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// btRelTol is the largest relative difference allowed against COINr.
const btRelTol = 1e-9

func btNear(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	d := math.Abs(a - b)
	return d <= tol*math.Max(math.Abs(a), math.Abs(b)) || d < 1e-12
}

type btCompareOpts struct {
	exact     map[string]bool // columns compared exactly (ranks)
	allExact  bool
	extraCols map[string]bool // columns got may have that want lacks
	// extraRow reports whether a row of got that want lacks is expected.
	extraRow func(row map[string]string) bool
	ordered  bool // rows must come in want's order
}

// btCompareCSV checks every cell of want against got, by the key in the first
// column and by column name: numbers to btRelTol (or exactly), text exactly.
func btCompareCSV(t *testing.T, gotPath, wantPath string, o btCompareOpts) {
	t.Helper()
	got, want := btReadCSV(t, gotPath), btReadCSV(t, wantPath)
	// CityLens writes every CSV spreadsheet-safe: COINr's text cells that a
	// spreadsheet would read as a formula ("+log_CT") are expected with the
	// leading apostrophe of internal/csvsafe; numbers are unchanged.
	for _, r := range want.rows {
		for j := range r {
			r[j] = csvsafe.Cell(r[j])
		}
	}
	name := filepath.Base(gotPath)
	if got.header[0] != want.header[0] {
		t.Fatalf("%s: key column %q, want %q", name, got.header[0], want.header[0])
	}
	for _, h := range got.header {
		if want.col(h) < 0 && !o.extraCols[h] {
			t.Errorf("%s: unexpected column %q", name, h)
		}
	}
	gotRow := map[string][]string{}
	var gotOrder []string
	for _, r := range got.rows {
		if _, dup := gotRow[r[0]]; dup {
			t.Errorf("%s: %s appears twice", name, r[0])
		}
		gotRow[r[0]] = r
		gotOrder = append(gotOrder, r[0])
	}
	wantKeys := map[string]bool{}
	var wantOrder []string
	bad := 0
	for _, wr := range want.rows {
		key := wr[0]
		wantKeys[key] = true
		wantOrder = append(wantOrder, key)
		gr, ok := gotRow[key]
		if !ok {
			t.Errorf("%s: row %s missing", name, key)
			continue
		}
		for j := 1; j < len(want.header); j++ {
			col := want.header[j]
			gj := got.col(col)
			if gj < 0 {
				if key == want.rows[0][0] {
					t.Errorf("%s: column %s missing", name, col)
				}
				continue
			}
			g, w := gr[gj], wr[j]
			var same bool
			switch {
			case btIsNumber(w) && btIsNumber(g):
				gv, wv := btNum(t, g), btNum(t, w)
				if o.allExact || o.exact[col] {
					same = gv == wv || (math.IsNaN(gv) && math.IsNaN(wv))
				} else {
					same = btNear(gv, wv, btRelTol)
				}
			default:
				same = g == w
			}
			if !same {
				bad++
				if bad <= 10 {
					t.Errorf("%s: %s/%s = %q, COINr %q", name, key, col, g, w)
				}
			}
		}
	}
	if bad > 10 {
		t.Errorf("%s: %d cells differ in all", name, bad)
	}
	var extra []string
	for _, r := range got.rows {
		if wantKeys[r[0]] {
			continue
		}
		row := map[string]string{}
		for j, h := range got.header {
			row[h] = r[j]
		}
		if o.extraRow == nil || !o.extraRow(row) {
			extra = append(extra, r[0])
		}
	}
	if len(extra) > 0 {
		t.Errorf("%s: unexpected rows %v", name, extra)
	}
	if o.ordered {
		var gotKnown []string
		for _, k := range gotOrder {
			if wantKeys[k] {
				gotKnown = append(gotKnown, k)
			}
		}
		if diff := cmp.Diff(wantOrder, gotKnown); diff != "" {
			t.Errorf("%s: row order (-COINr +got):\n%s", name, diff)
		}
	}
}

// TestIndexBuildMatchesCOINr builds every ASEM variant with COINr results
// through the command line and compares every file written with COINr's.
func TestIndexBuildMatchesCOINr(t *testing.T) {
	wantFiles := []string{"Aggregated.csv", "Denominated.csv", "Imputed.csv", "Normalised.csv", "Ranks.csv", "Raw.csv",
		"Results.csv", "Screen_summary.csv", "Screened.csv", "Treat_details.csv", "Treat_points.csv", "Treated.csv",
		"Weights.csv", "warnings.txt"}
	for _, variant := range []string{"default", "agg_gmean_top", "norm_zscore", "treat_winmax1", "impute_none"} {
		t.Run(variant, func(t *testing.T) {
			dir, stdout := btBuildSpec(t, filepath.Join(btASEMDir, variant+".json"))
			want := filepath.Join(btASEMDir, "results", variant)
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var files []string
			for _, e := range entries {
				files = append(files, e.Name())
			}
			// The audit engineer's files may come beside ours; ours must all be there.
			for _, f := range wantFiles {
				if !slices.Contains(files, f) {
					t.Errorf("%s not written (wrote %v)", f, files)
				}
			}
			for _, step := range []string{"Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"} {
				btCompareCSV(t, filepath.Join(dir, step+".csv"), filepath.Join(want, step+".csv"), btCompareOpts{ordered: true})
			}
			if variant == "default" {
				btCompareCSV(t, filepath.Join(dir, "Raw.csv"), filepath.Join(want, "Raw.csv"), btCompareOpts{ordered: true})
				btCompareCSV(t, filepath.Join(dir, "Weights.csv"), filepath.Join(want, "Weights.csv"), btCompareOpts{allExact: true})
			}
			btCompareCSV(t, filepath.Join(dir, "Ranks.csv"), filepath.Join(want, "Ranks.csv"), btCompareOpts{allExact: true, ordered: true})
			btCompareCSV(t, filepath.Join(dir, "Screen_summary.csv"), filepath.Join(want, "Screen_summary.csv"), btCompareOpts{ordered: true})
			btCompareCSV(t, filepath.Join(dir, "Treat_details.csv"), filepath.Join(want, "Treat_details.csv"), btCompareOpts{ordered: true})
			btCompareCSV(t, filepath.Join(dir, "Treat_points.csv"), filepath.Join(want, "Treat_points.csv"), btCompareOpts{ordered: true})
			notRanked := func(row map[string]string) bool {
				return strings.HasPrefix(row["Status"], "not ranked (data availability ") && row["Rank"] == "" && row["Index"] == ""
			}
			btCompareCSV(t, filepath.Join(dir, "Results.csv"), filepath.Join(want, "Results_Aggs.csv"), btCompareOpts{
				exact: map[string]bool{"Rank": true}, extraCols: map[string]bool{"uName": true, "Status": true},
				extraRow: notRanked, ordered: true,
			})
			// Five ranked first in the summary, as COINr's top 5.
			top := btReadCSV(t, filepath.Join(want, "Results_Aggs.csv"))
			for _, r := range top.rows[:5] {
				if !strings.Contains(stdout, r[0]) {
					t.Errorf("summary does not name %s of COINr's top 5:\n%s", r[0], stdout)
				}
			}
		})
	}
}

// TestIndexBuildGoalpostsMatchCOINr builds ASEM with COINr's goalposts (14
// lower-is-better indicators) through the command line: every normalised and
// aggregated value as COINr's norm_goalposts.
func TestIndexBuildGoalpostsMatchCOINr(t *testing.T) {
	dir, _ := btBuildSpec(t, filepath.Join(btASEMDir, "norm_goalposts.json"))
	want := filepath.Join(btASEMDir, "results", "norm_goalposts")
	for _, step := range []string{"Normalised", "Aggregated"} {
		btCompareCSV(t, filepath.Join(dir, step+".csv"), filepath.Join(want, step+".csv"), btCompareOpts{ordered: true})
	}
}

// TestIndexBuildNotRanked checks that screened-out units are listed, after
// the ranked ones, with their data availability, and never silently dropped.
func TestIndexBuildNotRanked(t *testing.T) {
	dir, stdout := btBuildSpec(t, filepath.Join(btASEMDir, "impute_none.json"))
	res := btReadCSV(t, filepath.Join(dir, "Results.csv"))
	var got []string
	firstUnranked := -1
	for i, r := range res.rows {
		status := r[res.col("Status")]
		if status == "ranked" {
			if firstUnranked >= 0 {
				t.Errorf("ranked unit %s listed after an unranked one", r[0])
			}
			continue
		}
		if firstUnranked < 0 {
			firstUnranked = i
		}
		got = append(got, r[0]+" "+status)
	}
	want := []string{
		"BGD not ranked (data availability 0.88)",
		"BRN not ranked (data availability 0.80)",
		"KHM not ranked (data availability 0.88)",
		"LAO not ranked (data availability 0.80)",
		"MMR not ranked (data availability 0.84)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("not ranked units (-want +got):\n%s", diff)
	}
	if len(res.rows) != 51 {
		t.Errorf("Results.csv has %d units, the data 51", len(res.rows))
	}
	if !strings.Contains(stdout, "46 units ranked, 5 not ranked") {
		t.Errorf("summary does not count the unranked:\n%s", stdout)
	}
}

// btTree is the ASEM framework read straight from iMeta.csv, independently of
// the readers under test.
type btTree struct {
	parent   map[string]string
	level    map[string]int
	weight   map[string]float64
	children map[string][]string
	aggs     []string
}

func btReadTree(t *testing.T) btTree {
	t.Helper()
	meta := btReadCSV(t, filepath.Join(btASEMDir, "input/iMeta.csv"))
	tr := btTree{parent: map[string]string{}, level: map[string]int{}, weight: map[string]float64{}, children: map[string][]string{}}
	for _, r := range meta.rows {
		typ := r[meta.col("Type")]
		if typ != "Indicator" && typ != "Aggregate" {
			continue
		}
		code := r[meta.col("iCode")]
		tr.level[code] = int(btNum(t, r[meta.col("Level")]))
		tr.weight[code] = btNum(t, r[meta.col("Weight")])
		if p := r[meta.col("Parent")]; p != "NA" && p != "" {
			tr.parent[code] = p
			tr.children[p] = append(tr.children[p], code)
		}
		if typ == "Aggregate" {
			tr.aggs = append(tr.aggs, code)
		}
	}
	return tr
}

// btCheckAggregates checks every aggregate of Aggregated.csv against mean(children, weights) computed here.
func btCheckAggregates(t *testing.T, dir string, tr btTree, weights map[string]float64, mean func(level int, x, w []float64) float64) {
	t.Helper()
	agg := btReadCSV(t, filepath.Join(dir, "Aggregated.csv"))
	cols := map[string]map[string]float64{}
	for _, h := range agg.header[1:] {
		cols[h] = agg.column(t, h)
	}
	checked := 0
	for _, a := range tr.aggs {
		for _, r := range agg.rows {
			u := r[0]
			var x, w []float64
			for _, c := range tr.children[a] {
				x = append(x, cols[c][u])
				w = append(w, weights[c])
			}
			want := mean(tr.level[a], x, w)
			if got := cols[a][u]; !btNear(got, want, 1e-12) {
				t.Errorf("%s/%s = %v, computed from its children %v", a, u, got, want)
			}
			checked++
		}
	}
	if checked != len(tr.aggs)*51 {
		t.Errorf("checked %d aggregate values, want %d", checked, len(tr.aggs)*51)
	}
}

func btAMean(x, w []float64) float64 {
	var sx, sw float64
	for i := range x {
		sx += w[i] * x[i]
		sw += w[i]
	}
	return sx / sw
}

func btGMean(x, w []float64) float64 {
	var sl, sw float64
	for i := range x {
		sl += w[i] * math.Log(x[i])
		sw += w[i]
	}
	return math.Exp(sl / sw)
}

func btMedian(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// TestIndexBuildVariantsWithoutCOINr checks the variants METHOD.md describes
// without giving COINr's results, each by what can be computed independently.
func TestIndexBuildVariantsWithoutCOINr(t *testing.T) {
	tr := btReadTree(t)
	def := filepath.Join(btASEMDir, "results", "default")
	same := func(t *testing.T, dir, step string) {
		t.Helper()
		btCompareCSV(t, filepath.Join(dir, step+".csv"), filepath.Join(def, step+".csv"), btCompareOpts{ordered: true})
	}

	t.Run("impute_median", func(t *testing.T) {
		dir, _ := btBuildSpec(t, filepath.Join(btASEMDir, "impute_median.json"))
		same(t, dir, "Denominated")
		den, imp := btReadCSV(t, filepath.Join(dir, "Denominated.csv")), btReadCSV(t, filepath.Join(dir, "Imputed.csv"))
		imputed := 0
		for _, code := range den.header[1:] {
			d, im := den.column(t, code), imp.column(t, code)
			var obs []float64
			for _, v := range d {
				if !math.IsNaN(v) {
					obs = append(obs, v)
				}
			}
			med := btMedian(obs)
			for u, v := range d {
				want := v
				if math.IsNaN(v) {
					want = med
					imputed++
				}
				if !btNear(im[u], want, 1e-15) {
					t.Errorf("Imputed %s/%s = %v, want %v", u, code, im[u], want)
				}
			}
		}
		if imputed != 65 { // METHOD.md: 65 NAs after denomination
			t.Errorf("%d values imputed, want 65", imputed)
		}
	})

	t.Run("treat_none", func(t *testing.T) {
		dir, _ := btBuildSpec(t, filepath.Join(btASEMDir, "treat_none.json"))
		same(t, dir, "Screened")
		scr, err := os.ReadFile(filepath.Join(dir, "Screened.csv"))
		if err != nil {
			t.Fatal(err)
		}
		trd, err := os.ReadFile(filepath.Join(dir, "Treated.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(scr, trd) {
			t.Error("Treated.csv differs from Screened.csv with treatment off")
		}
		pts := btReadCSV(t, filepath.Join(dir, "Treat_points.csv"))
		for _, r := range pts.rows {
			for j, c := range r[1:] {
				if c != "" {
					t.Errorf("Treat_points %s/%s = %q with treatment off", r[0], pts.header[j+1], c)
				}
			}
		}
	})

	t.Run("weights_custom", func(t *testing.T) {
		dir, _ := btBuildSpec(t, filepath.Join(btASEMDir, "weights_custom.json"))
		same(t, dir, "Normalised")
		custom := map[string]float64{"Conn": 2, "P2P": 0.5, "Social": 2, "CO2": 3}
		w := map[string]float64{}
		for c, v := range tr.weight {
			w[c] = v
		}
		for c, v := range custom {
			w[c] = v
		}
		btCheckAggregates(t, dir, tr, w, func(_ int, x, w []float64) float64 { return btAMean(x, w) })
		got := btReadCSV(t, filepath.Join(dir, "Weights.csv")).column(t, "Weight")
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("Weights.csv (-want +got):\n%s", diff)
		}
		// The index by hand: Conn counts twice Sust.
		agg := btReadCSV(t, filepath.Join(dir, "Aggregated.csv"))
		conn, sust, index := agg.column(t, "Conn"), agg.column(t, "Sust"), agg.column(t, "Index")
		for u := range index {
			if want := (2*conn[u] + sust[u]) / 3; !btNear(index[u], want, 1e-12) {
				t.Errorf("Index/%s = %v, (2 Conn + Sust)/3 = %v", u, index[u], want)
			}
		}
	})

	t.Run("minmax1_100_gmean_all", func(t *testing.T) {
		dir, _ := btBuildSpec(t, filepath.Join(btASEMDir, "minmax1_100_gmean_all.json"))
		same(t, dir, "Treated")
		// Min-max to [1, 100] is COINr's [0, 100] result moved and shrunk.
		got, base := btReadCSV(t, filepath.Join(dir, "Normalised.csv")), btReadCSV(t, filepath.Join(def, "Normalised.csv"))
		for _, code := range base.header[1:] {
			g, b := got.column(t, code), base.column(t, code)
			for u, v := range b {
				if want := 1 + 99*v/100; !btNear(g[u], want, 1e-12) {
					t.Errorf("Normalised %s/%s = %v, want %v", u, code, g[u], want)
				}
			}
		}
		btCheckAggregates(t, dir, tr, tr.weight, func(_ int, x, w []float64) float64 { return btGMean(x, w) })
	})

	t.Run("agg_gmean_L34", func(t *testing.T) {
		dir, _ := btBuildSpec(t, filepath.Join(btASEMDir, "agg_gmean_L34.json"))
		same(t, dir, "Normalised")
		btCheckAggregates(t, dir, tr, tr.weight, func(level int, x, w []float64) float64 {
			if level >= 3 {
				return btGMean(x, w)
			}
			return btAMean(x, w)
		})
		// The pillars are as in COINr's default.
		agg, base := btReadCSV(t, filepath.Join(dir, "Aggregated.csv")), btReadCSV(t, filepath.Join(def, "Aggregated.csv"))
		for _, a := range tr.aggs {
			if tr.level[a] != 2 {
				continue
			}
			g, b := agg.column(t, a), base.column(t, a)
			for u := range b {
				if !btNear(g[u], b[u], btRelTol) {
					t.Errorf("%s/%s = %v, COINr default %v", a, u, g[u], b[u])
				}
			}
		}
	})
}

// TestIndexBuildUnevenTree builds the city SDG example (goals at level 3,
// one with a sub-indicator, one indicator unscored, imputation after
// scoring): Results.csv shows the tree as written, the imputed values are
// listed with their method, and the summary names each city once.
func TestIndexBuildUnevenTree(t *testing.T) {
	dir, stdout := btBuildSpec(t, "../../testdata/citysdg/city_sdg.json")
	res := btReadCSV(t, filepath.Join(dir, "Results.csv"))
	if diff := cmp.Diff([]string{"uCode", "uName", "Rank", "Index", "G1", "G6", "G11", "G11_Air", "Status"}, res.header); diff != "" {
		t.Errorf("Results.csv header (-want +got):\n%s", diff)
	}
	var order []string
	for _, r := range res.rows {
		order = append(order, r[0])
	}
	if diff := cmp.Diff([]string{"C1", "C6", "C2", "C7", "C3", "C4", "C8", "C5"}, order); diff != "" {
		t.Errorf("Results.csv order (-want +got):\n%s", diff)
	}
	// C3 has no SDG 1 score (not imputed there): NA, not 0.
	if got := res.rows[4][res.col("G1")]; got != "NA" {
		t.Errorf("C3's G1 is %q, want NA", got)
	}
	imp := btReadCSV(t, filepath.Join(dir, "Imputed_values.csv"))
	var got []string
	for _, r := range imp.rows {
		got = append(got, strings.Join(r[:5], " "))
	}
	want := []string{
		"C6 Water normalised group_mean Region",
		"C2 PM25 normalised group_mean Region",
		"C5 NO2 normalised group_mean Region",
		"C7 NO2 normalised group_mean Region",
		"C4 GreenSpace normalised group_mean Region",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Imputed_values.csv (-want +got):\n%s", diff)
	}
	if !strings.Contains(stdout, "  1  C1 Northport ") {
		t.Errorf("summary does not name C1 Northport first:\n%s", stdout)
	}
}

// TestIndexBuildSummaryNamesOnce: a unit whose name is its code is printed once.
func TestIndexBuildSummaryNamesOnce(t *testing.T) {
	tmp := t.TempDir()
	for _, f := range []string{"iMeta.csv", "city_sdg.json"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/citysdg", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile("../../testdata/citysdg/iData.csv")
	if err != nil {
		t.Fatal(err)
	}
	data := strings.Replace(string(b), `"C1","Northport"`, `"Oslo","Oslo"`, 1)
	if err := os.WriteFile(filepath.Join(tmp, "iData.csv"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stdout := btBuildSpec(t, filepath.Join(tmp, "city_sdg.json"))
	if strings.Contains(stdout, "Oslo Oslo") || !strings.Contains(stdout, "  1  Oslo ") {
		t.Errorf("summary:\n%s", stdout)
	}
}
