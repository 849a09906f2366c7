package engine_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/synthetic"
)

var na = engine.NA

// auditResult is a result holding only what the audit reads: a framework of
// one aggregate "P" over the given children, with cols as both the raw and the
// aggregated values (plus P, the mean of the children where all are present).
func auditResult(t *testing.T, children []string, cols [][]float64) *engine.Result {
	t.Helper()
	nodes := []engine.Node{{Code: "P", Kind: engine.Aggregate, Weight: 1}}
	for _, c := range children {
		nodes = append(nodes, engine.Node{Code: c, Parent: "P", Kind: engine.Indicator, Weight: 1})
	}
	f, err := engine.NewFramework(nodes)
	if err != nil {
		t.Fatal(err)
	}
	n := len(cols[0])
	units := make([]string, n)
	for i := range units {
		units[i] = string(rune('A' + i))
	}
	p := make([]float64, n)
	for i := range p {
		for _, c := range cols {
			p[i] += c[i] / float64(len(cols))
		}
	}
	raw := &engine.Matrix{Units: units, Codes: children, Cols: cols}
	agg := &engine.Matrix{Units: units, Codes: append(slices.Clone(children), "P"), Cols: append(slices.Clone(cols), p)}
	return &engine.Result{Framework: f, Raw: raw, Aggregated: agg}
}

func mustAudit(t testing.TB, r *engine.Result) *engine.AuditReport {
	t.Helper()
	rep, err := engine.Audit(r)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// naEqual compares floats within 1e-12 (relative for large ones), NA equal to NA.
var naEqual = cmp.Comparer(func(a, b float64) bool {
	if engine.IsNA(a) || engine.IsNA(b) {
		return engine.IsNA(a) && engine.IsNA(b)
	}
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
})

func TestAuditColumnStats(t *testing.T) {
	spike := make([]float64, 20)
	spike[19] = 100
	tests := []struct {
		name string
		x    []float64
		want engine.ColumnStats
	}{
		{"one to five", []float64{5, 1, 4, 2, 3}, engine.ColumnStats{
			N: 5, MissingShare: 0, Min: 1, Max: 5, Mean: 3, Median: 3, SD: math.Sqrt(2.5), Skew: 0, Kurt: -1.2}},
		{"even count median and missing", []float64{4, na, 1, 2, na, 10}, engine.ColumnStats{
			// d = -0.25, -3.25, -2.25, 5.75: Σd² = 48.75, Σd³ = 144.375, Σd⁴ = 1230.328125.
			// Excel SKEW = n/((n-1)(n-2)) Σd³/s³; KURT = n(n+1)/((n-1)(n-2)(n-3)) Σd⁴/s⁴ - 3(n-1)²/((n-2)(n-3)).
			N: 4, MissingShare: 2.0 / 6, Min: 1, Max: 10, Mean: 4.25, Median: 3, SD: math.Sqrt(48.75 / 3),
			Skew: 4.0 / 6 * 144.375 / math.Pow(48.75/3, 1.5),
			Kurt: 20.0/6*1230.328125/math.Pow(48.75/3, 2) - 27.0/2}},
		{"single spike is a skew/kurtosis outlier", spike, engine.ColumnStats{
			// 19 zeros and one 100: mean 5, d = -5 (19 times) and 95, s² = 9500/19 = 500.
			N: 20, MissingShare: 0, Min: 0, Max: 100, Mean: 5, Median: 0, SD: math.Sqrt(500),
			Skew:            20.0 / (19 * 18) * (19*-125 + 95*95*95) / math.Pow(500, 1.5),
			Kurt:            20.0*21/(19*18*17)*(19*625+95*95*95*95)/(500*500) - 3*19*19/(18.0*17),
			SkewKurtOutlier: true}},
		{"three values: no kurtosis", []float64{1, 2, 6}, engine.ColumnStats{
			N: 3, Min: 1, Max: 6, Mean: 3, Median: 2, SD: math.Sqrt(7),
			// d = -2, -1, 3: Σd³ = 18; SKEW = 3/(2·1)·18/s³
			Skew: 1.5 * 18 / math.Pow(7, 1.5), Kurt: na, Note: "kurtosis needs at least 4 values"}},
		{"constant", []float64{2, 2, 2, 2}, engine.ColumnStats{
			N: 4, Min: 2, Max: 2, Mean: 2, Median: 2, SD: 0, Skew: na, Kurt: na,
			Note: "skewness and kurtosis are undefined: all values are equal"}},
		{"one value", []float64{na, 7, na}, engine.ColumnStats{
			N: 1, MissingShare: 2.0 / 3, Min: 7, Max: 7, Mean: 7, Median: 7, SD: na, Skew: na, Kurt: na,
			Note: "sd, skewness and kurtosis need at least 2, 3 and 4 values"}},
		{"no values", []float64{na, na}, engine.ColumnStats{
			MissingShare: 1, Min: na, Max: na, Mean: na, Median: na, SD: na, Skew: na, Kurt: na, Note: "no values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustAudit(t, auditResult(t, []string{"x"}, [][]float64{tt.x}))
			for _, ds := range []string{engine.AuditRaw, engine.AuditAggregated} {
				want := tt.want
				want.Dataset, want.Code, want.Kind, want.Level = ds, "x", engine.Indicator, 1
				var got *engine.ColumnStats
				for i := range rep.Stats {
					if rep.Stats[i].Dataset == ds && rep.Stats[i].Code == "x" {
						got = &rep.Stats[i]
					}
				}
				if got == nil {
					t.Fatalf("%s: no stats for x", ds)
				}
				if d := cmp.Diff(want, *got, naEqual); d != "" {
					t.Errorf("%s stats (-want +got):\n%s", ds, d)
				}
			}
			// Every column of both data sets is described: x in Raw, x and P in Aggregated.
			if len(rep.Stats) != 3 {
				t.Errorf("%d stats rows, want 3", len(rep.Stats))
			}
		})
	}
}

func TestAuditCorrelations(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want engine.Correlation // X=a, Y=b, siblings under P
	}{
		{"proportional", []float64{1, 2, 3, 4, 5}, []float64{2, 4, 6, 8, 10},
			engine.Correlation{N: 5, Pearson: 1, Spearman: 1, Flag: engine.FlagRedundant}},
		{"opposite", []float64{1, 2, 3, 4, 5}, []float64{5, 4, 3, 2, 1},
			engine.Correlation{N: 5, Pearson: -1, Spearman: -1, Flag: engine.FlagNegative}},
		// Ranks of a: 1, 2.5, 2.5, 4; both correlations are 4.5/√(4.5·5) = 3/√10.
		{"ties share their mean rank", []float64{1, 2, 2, 3}, []float64{1, 3, 2, 4},
			engine.Correlation{N: 4, Pearson: 3 / math.Sqrt(10), Spearman: 3 / math.Sqrt(10), Flag: engine.FlagRedundant}},
		// Monotone but not linear: Spearman 1; Pearson Σdxdy/√(ΣdxΣdy) = 151/√(5·6849).
		{"monotone", []float64{1, 2, 3, 4}, []float64{1, 4, 9, 100},
			engine.Correlation{N: 4, Pearson: 151 / math.Sqrt(5*6849), Spearman: 1}},
		// Σdxdy = 3, Σdx² = 17.5, Σdy² = 6: r = 3/√105 ≈ 0.293.
		{"weak", []float64{1, 2, 3, 4, 5, 6}, []float64{-1, 1, -1, 1, -1, 1},
			engine.Correlation{N: 6, Pearson: 3 / math.Sqrt(105), Spearman: 3 / math.Sqrt(105), Flag: engine.FlagWeak}},
		// Complete pairs (1,2), (2,4), (5,10) only.
		{"pairwise complete", []float64{1, 2, na, 4, 5}, []float64{2, 4, 6, na, 10},
			engine.Correlation{N: 3, Pearson: 1, Spearman: 1, Flag: engine.FlagRedundant}},
		// Complete pairs (1,3), (3,2), (4,1): Σdxdy = -3, Σdx² = 14/3, Σdy² = 2. Ranks
		// over the complete pairs only: a ranks 1, 2, 3 (not 1, 3, 4), b 3, 2, 1.
		{"spearman ranks over complete pairs", []float64{1, 2, 3, 4, na}, []float64{3, na, 2, 1, 5},
			engine.Correlation{N: 3, Pearson: -3 / math.Sqrt(14.0/3*2), Spearman: -1, Flag: engine.FlagNegative}},
		// Only b is missing: a's ranks over units 1, 3, 4, 5 are 1, 2, 3, 4; b's 2, 1, 4, 3:
		// Spearman 1 - 6·4/(4·15) = 0.6; Pearson 3.5/√(8.75·5).
		{"one column complete", []float64{1, 2, 3, 4, 5}, []float64{2, na, 1, 4, 3},
			engine.Correlation{N: 4, Pearson: 3.5 / math.Sqrt(8.75*5), Spearman: 0.6}},
		{"too few pairs", []float64{1, 2, na}, []float64{1, na, 3},
			engine.Correlation{N: 1, Pearson: na, Spearman: na, Note: "1 complete pairs: at least 3 are needed"}},
		{"constant over the complete pairs", []float64{0.1, 0.1, 0.1, 9}, []float64{1, 2, 3, na},
			engine.Correlation{N: 3, Pearson: na, Spearman: na, Note: "undefined: a column is constant over the complete pairs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustAudit(t, auditResult(t, []string{"a", "b"}, [][]float64{tt.a, tt.b}))
			var got []engine.Correlation
			for _, c := range rep.Correlations {
				if c.Relation == engine.RelationSibling {
					got = append(got, c)
				}
			}
			want := tt.want
			want.X, want.Y, want.Relation, want.Parent, want.Level = "a", "b", engine.RelationSibling, "P", 1
			if d := cmp.Diff([]engine.Correlation{want}, got, naEqual); d != "" {
				t.Errorf("sibling correlation (-want +got):\n%s", d)
			}
			// And each child with its parent.
			var parents []string
			for _, c := range rep.Correlations {
				if c.Relation == engine.RelationParent {
					parents = append(parents, c.X+"~"+c.Y)
				}
			}
			if d := cmp.Diff([]string{"a~P", "b~P"}, parents); d != "" {
				t.Errorf("parent correlations (-want +got):\n%s", d)
			}
		})
	}
}

func TestAuditAggregates(t *testing.T) {
	r2 := 1 / math.Sqrt(2)
	r3 := 1 / math.Sqrt(3)
	tests := []struct {
		name string
		cols [][]float64
		want engine.AggregateAudit
	}{
		{"identical children", [][]float64{{1, 5, 2, 8}, {1, 5, 2, 8}, {1, 5, 2, 8}}, engine.AggregateAudit{
			Applicable: true, N: 4, Alpha: 1, Eigenvalues: []float64{3, 0, 0}, PC1Share: 1, PC1Loadings: []float64{r3, r3, r3}}},
		// var a = var b = 1, a+b = 2, 5, 5 has variance 3: alpha = 2(1 - 2/3) = 2/3.
		// r(a, b) = 0.5: eigenvalues 1.5 and 0.5.
		{"hand computed", [][]float64{{1, 2, 3}, {1, 3, 2}}, engine.AggregateAudit{
			Applicable: true, N: 3, Alpha: 2.0 / 3, Eigenvalues: []float64{1.5, 0.5}, PC1Share: 0.75, PC1Loadings: []float64{r2, r2}}},
		// Only units 1, 2 and 4 are complete: the PCA is that of the case above.
		// Alpha is COINr's, from pairwise-complete covariances: var a over its
		// four values {1, 2, 100, 3} is 7205/3, var b 1, cov(a, b) over units 1,
		// 2, 4 is 0.5: alpha = 2 (1 - (7208/3) / (7211/3)) = 6/7211.
		{"pairwise alpha, complete-case PCA", [][]float64{{1, 2, 100, 3}, {1, 3, na, 2}}, engine.AggregateAudit{
			Applicable: true, N: 3, Alpha: 6.0 / 7211, Eigenvalues: []float64{1.5, 0.5}, PC1Share: 0.75, PC1Loadings: []float64{r2, r2}}},
		// Loadings sum to zero: the first is made positive.
		{"children cancel out", [][]float64{{1, 2, 3}, {3, 2, 1}}, engine.AggregateAudit{
			Applicable: true, N: 3, Alpha: na, AlphaNote: "undefined: the sum of the children is constant",
			Eigenvalues: []float64{2, 0}, PC1Share: 1, PC1Loadings: []float64{r2, -r2}}},
		// PC1 is (1, 1, -1)/√3 up to sign; the sum of loadings is made positive.
		{"loading sign", [][]float64{{1, 2, 3, 4}, {1, 2, 3, 4}, {4, 3, 2, 1}}, engine.AggregateAudit{
			Applicable: true, N: 4, Alpha: 3.0 / 2 * (1 - 3*(5.0/3)/(5.0/3)), Eigenvalues: []float64{3, 0, 0}, PC1Share: 1,
			PC1Loadings: []float64{r3, r3, -r3}}},
		{"constant child", [][]float64{{1, 2, 3}, {4, 4, 4}}, engine.AggregateAudit{
			Applicable: true, N: 3, Alpha: 0, PC1Share: na, PCANote: "undefined: constant over the complete cases: b"}},
		{"too few complete cases", [][]float64{{1, 2, na}, {1, 3, 4}}, engine.AggregateAudit{
			Applicable: true, N: 2, Alpha: na, PC1Share: na,
			AlphaNote: "a has 2 values: at least 3 are needed", PCANote: "2 complete cases: at least 3 are needed"}},
		{"too few pairs", [][]float64{{1, 2, na, na, 5}, {1, na, 3, 4, 2}}, engine.AggregateAudit{
			Applicable: true, N: 2, Alpha: na, PC1Share: na,
			AlphaNote: "a and b have 2 units with both values: at least 3 are needed", PCANote: "2 complete cases: at least 3 are needed"}},
		{"single child", [][]float64{{1, 2, 3}}, engine.AggregateAudit{
			Alpha: na, PC1Share: na, AlphaNote: "not applicable: a single child", PCANote: "not applicable: a single child"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kids := []string{"a", "b", "c"}[:len(tt.cols)]
			rep := mustAudit(t, auditResult(t, kids, tt.cols))
			want := tt.want
			want.Code, want.Level, want.Children = "P", 2, kids
			if d := cmp.Diff([]engine.AggregateAudit{want}, rep.Aggregates, naEqual, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("aggregate audit (-want +got):\n%s", d)
			}
		})
	}
}

// Independent implementations for the cross-checks: plain formulas, O(n²) ranks.

func completePairs(x, y []float64) (a, b []float64) {
	for i := range x {
		if !engine.IsNA(x[i]) && !engine.IsNA(y[i]) {
			a = append(a, x[i])
			b = append(b, y[i])
		}
	}
	return a, b
}

func naiveRanks(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		less, equal := 0, 0
		for _, w := range x {
			if w < v {
				less++
			} else if w == v {
				equal++
			}
		}
		out[i] = float64(less) + float64(equal+1)/2
	}
	return out
}

func naiveAlpha(cols [][]float64) float64 {
	k := float64(len(cols))
	total := make([]float64, len(cols[0]))
	var sumVar float64
	for _, c := range cols {
		sumVar += stat.Variance(c, nil)
		for i, v := range c {
			total[i] += v
		}
	}
	return k / (k - 1) * (1 - sumVar/stat.Variance(total, nil))
}

// naivePairwiseAlpha is R's k/(k-1) (1 - sum(diag(C)) / sum(C)) with
// C = cov(X, use = "pairwise.complete.obs"), through gonum on each pair's
// complete observations.
func naivePairwiseAlpha(cols [][]float64) float64 {
	k := float64(len(cols))
	var diag, all float64
	for p := range cols {
		for q := range cols {
			a, b := completePairs(cols[p], cols[q])
			c := stat.Covariance(a, b, nil)
			all += c
			if p == q {
				diag += c
			}
		}
	}
	return k / (k - 1) * (1 - diag/all)
}

func naiveMedian(x []float64) float64 {
	s := slices.Clone(x)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestAuditCrossCheck compares the audit of random data with ties and missing
// values against gonum/stat and the independent formulas above.
func TestAuditCrossCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const n, k = 60, 5
	cols := make([][]float64, k)
	common := make([]float64, n)
	for i := range common {
		common[i] = rng.NormFloat64()
	}
	for j := range cols {
		cols[j] = make([]float64, n)
		for i := range cols[j] {
			v := common[i] + rng.NormFloat64()*float64(j+1)/2
			if j%2 == 1 {
				v = math.Round(v * 2) // ties
			}
			if j == 4 {
				v = math.Exp(v) // skewed
			}
			if rng.Float64() < 0.1 && j != 2 { // c is complete
				v = na
			}
			cols[j][i] = v
		}
	}
	kids := []string{"a", "b", "c", "d", "e"}
	r := auditResult(t, kids, cols)
	rep := mustAudit(t, r)

	for _, s := range rep.Stats {
		t.Run("stats/"+s.Dataset+"/"+s.Code, func(t *testing.T) {
			x, _ := r.Aggregated.Col(s.Code)
			var v []float64
			for _, e := range x {
				if !engine.IsNA(e) {
					v = append(v, e)
				}
			}
			checks := []struct {
				what      string
				got, want float64
			}{
				{"n", float64(s.N), float64(len(v))},
				{"missing share", s.MissingShare, float64(n-len(v)) / n},
				{"min", s.Min, slices.Min(v)},
				{"max", s.Max, slices.Max(v)},
				{"mean", s.Mean, stat.Mean(v, nil)},
				{"median", s.Median, naiveMedian(v)},
				{"sd", s.SD, stat.StdDev(v, nil)},
				{"skew", s.Skew, stat.Skew(v, nil)},
				{"kurtosis", s.Kurt, stat.ExKurtosis(v, nil)},
			}
			for _, c := range checks {
				if !near(c.got, c.want, 1e-10) {
					t.Errorf("%s = %v, gonum/independent %v", c.what, c.got, c.want)
				}
			}
			outlier := math.Abs(s.Skew) > 2 && s.Kurt > 3.5 // strict, as COINr's get_stats
			if s.SkewKurtOutlier != outlier {
				t.Errorf("outlier flag %v with skew %v, kurtosis %v", s.SkewKurtOutlier, s.Skew, s.Kurt)
			}
		})
	}
	if !rep.Stats[len(rep.Stats)-2].SkewKurtOutlier { // Aggregated e, the exponential one
		t.Errorf("the log-normal column e is not flagged: %+v", rep.Stats[len(rep.Stats)-2])
	}

	if len(rep.Correlations) != k+k*(k-1)/2 {
		t.Fatalf("%d correlations, want %d", len(rep.Correlations), k+k*(k-1)/2)
	}
	for _, c := range rep.Correlations {
		t.Run("corr/"+c.X+"~"+c.Y, func(t *testing.T) {
			x, _ := r.Aggregated.Col(c.X)
			y, _ := r.Aggregated.Col(c.Y)
			a, b := completePairs(x, y)
			if c.N != len(a) {
				t.Errorf("n = %d, want %d", c.N, len(a))
			}
			if p := stat.Correlation(a, b, nil); !near(c.Pearson, p, 1e-12) {
				t.Errorf("pearson = %v, gonum %v", c.Pearson, p)
			}
			if s := stat.Correlation(naiveRanks(a), naiveRanks(b), nil); !near(c.Spearman, s, 1e-12) {
				t.Errorf("spearman = %v, gonum on naive ranks %v", c.Spearman, s)
			}
		})
	}

	a := rep.Aggregates[0]
	var complete [][]float64
	for _, c := range cols {
		complete = append(complete, nil)
		for i := range c {
			ok := true
			for _, d := range cols {
				ok = ok && !engine.IsNA(d[i])
			}
			if ok {
				complete[len(complete)-1] = append(complete[len(complete)-1], c[i])
			}
		}
	}
	m := len(complete[0])
	if a.N != m {
		t.Errorf("aggregate n = %d, want %d complete cases", a.N, m)
	}
	if want := naivePairwiseAlpha(cols); !near(a.Alpha, want, 1e-12) {
		t.Errorf("alpha = %v, independent pairwise %v", a.Alpha, want)
	}
	if complete := naiveAlpha(complete); near(a.Alpha, complete, 1e-6) {
		t.Errorf("alpha = %v is the complete-case alpha: the data's missing values should make them differ", a.Alpha)
	}
	// gonum's PCA of the standardised complete cases (an SVD: independent of EigenSym).
	z := mat.NewDense(m, k, nil)
	for j, c := range complete {
		mu, sd := stat.MeanStdDev(c, nil)
		for i, v := range c {
			z.Set(i, j, (v-mu)/sd)
		}
	}
	var pc stat.PC
	if !pc.PrincipalComponents(z, nil) {
		t.Fatal("gonum PCA failed")
	}
	vars := pc.VarsTo(nil)
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	for p := range k {
		if !near(a.Eigenvalues[p], vars[p], 1e-10) {
			t.Errorf("eigenvalue %d = %v, gonum PCA %v", p+1, a.Eigenvalues[p], vars[p])
		}
	}
	if !near(a.PC1Share, vars[0]/k, 1e-10) {
		t.Errorf("PC1 share = %v, gonum %v", a.PC1Share, vars[0]/k)
	}
	sign := 1.0
	if mat.Sum(vecs.ColView(0)) < 0 {
		sign = -1
	}
	for p := range k {
		if !near(a.PC1Loadings[p], sign*vecs.At(p, 0), 1e-9) {
			t.Errorf("loading %s = %v, gonum %v", kids[p], a.PC1Loadings[p], sign*vecs.At(p, 0))
		}
	}
}

func TestAuditRejectsNoResult(t *testing.T) {
	for _, r := range []*engine.Result{nil, {}} {
		if _, err := engine.Audit(r); err == nil {
			t.Errorf("Audit(%v): no error", r)
		}
	}
}

func buildASEM(t testing.TB) *engine.Result {
	t.Helper()
	f, d := loadASEM(t)
	r, err := engine.Build(context.Background(), f, d, asemDefault())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAuditASEM(t *testing.T) {
	r := buildASEM(t)
	rep := mustAudit(t, r)
	f := r.Framework

	t.Run("stats", func(t *testing.T) {
		nInd, nAgg := len(f.Indicators()), len(f.Aggregates())
		if want := nInd + nInd + nAgg; len(rep.Stats) != want {
			t.Fatalf("%d stats rows, want %d", len(rep.Stats), want)
		}
		for _, s := range rep.Stats {
			if s.Dataset == engine.AuditRaw {
				x, _ := r.Raw.Col(s.Code)
				want := 0
				for _, v := range x {
					if !engine.IsNA(v) {
						want++
					}
				}
				if s.N != want {
					t.Errorf("Raw %s: n = %d, want %d", s.Code, s.N, want)
				}
				continue
			}
			// ASEM's default imputes every gap and screens no unit out.
			if s.N != 51 || s.MissingShare != 0 {
				t.Errorf("Aggregated %s: n = %d, missing share %v; want 51 and 0", s.Code, s.N, s.MissingShare)
			}
			if s.Note != "" || engine.IsNA(s.Kurt) {
				t.Errorf("Aggregated %s: unexpected NA: %q", s.Code, s.Note)
			}
			// Min-max 0-100: every indicator spans the whole range.
			if s.Kind == engine.Indicator && (s.Min != 0 || s.Max != 100) {
				t.Errorf("Aggregated %s: range %v..%v, want 0..100", s.Code, s.Min, s.Max)
			}
		}
	})

	t.Run("indicator-pillar flags", func(t *testing.T) {
		got := map[string]string{}
		var want []string
		for _, c := range rep.Correlations {
			if c.Relation != engine.RelationParent || c.Level != 1 {
				continue
			}
			x, _ := r.Aggregated.Col(c.X)
			y, _ := r.Aggregated.Col(c.Y)
			a, b := completePairs(x, y)
			p := stat.Correlation(a, b, nil)
			if !near(c.Pearson, p, 1e-12) {
				t.Errorf("%s~%s: pearson %v, gonum %v", c.X, c.Y, c.Pearson, p)
			}
			if s := stat.Correlation(naiveRanks(a), naiveRanks(b), nil); !near(c.Spearman, s, 1e-12) {
				t.Errorf("%s~%s: spearman %v, independent %v", c.X, c.Y, c.Spearman, s)
			}
			if c.Flag != "" {
				got[c.X] = c.Flag
			}
			switch {
			case p < 0:
				want = append(want, c.X+" negative")
			case p < 0.3:
				want = append(want, c.X+" weak")
			case p > 0.9:
				want = append(want, c.X+" redundant")
			}
		}
		var flagged []string
		for x, fl := range got {
			flagged = append(flagged, x+" "+fl)
		}
		sort.Strings(flagged)
		sort.Strings(want)
		if d := cmp.Diff(want, flagged); d != "" {
			t.Errorf("flagged indicator-pillar correlations (-independent +audit):\n%s", d)
		}
		// The list itself, so that a change in the pipeline shows here.
		if d := cmp.Diff(asemFlagged, flagged); d != "" {
			t.Errorf("flagged indicator-pillar correlations changed (-before +now):\n%s", d)
		}
	})

	t.Run("pinned values", func(t *testing.T) {
		// A few numbers to six decimals, so that a change in the pipeline shows here.
		corr := map[string]engine.Correlation{}
		for _, c := range rep.Correlations {
			corr[c.X+"~"+c.Y] = c
		}
		agg := map[string]engine.AggregateAudit{}
		for _, a := range rep.Aggregates {
			agg[a.Code] = a
		}
		tests := []struct {
			name      string
			got, want float64
		}{
			{"pearson TBTs~Instit", corr["TBTs~Instit"].Pearson, -0.615485},
			{"spearman TBTs~Instit", corr["TBTs~Instit"].Spearman, -0.478171},
			{"spearman IGOs~Political", corr["IGOs~Political"].Spearman, 0.962370},
			{"alpha Instit", agg["Instit"].Alpha, 0.284789},
			{"alpha SusEcFin (negative: children pull apart)", agg["SusEcFin"].Alpha, -0.376829},
			{"PC1 share Index", agg["Index"].PC1Share, 0.800729},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if math.Abs(tt.got-tt.want) > 5e-7 {
					t.Errorf("%v, want %v", tt.got, tt.want)
				}
			})
		}
	})

	t.Run("aggregates", func(t *testing.T) {
		if len(rep.Aggregates) != len(f.Aggregates()) {
			t.Fatalf("%d aggregates audited, want %d", len(rep.Aggregates), len(f.Aggregates()))
		}
		for _, a := range rep.Aggregates {
			var cols [][]float64
			for _, c := range a.Children {
				x, _ := r.Aggregated.Col(c)
				cols = append(cols, x)
			}
			if len(cols) < 2 {
				if a.Applicable {
					t.Errorf("%s: single child, yet applicable", a.Code)
				}
				continue
			}
			if want := naiveAlpha(cols); !near(a.Alpha, want, 1e-12) {
				t.Errorf("%s: alpha %v, independent %v", a.Code, a.Alpha, want)
			}
			// λ1 v = C v for the independent correlation matrix, and the eigenvalues sum to k.
			k := len(cols)
			var sum float64
			for _, l := range a.Eigenvalues {
				sum += l
			}
			if !near(sum, float64(k), 1e-12) || !near(a.PC1Share, a.Eigenvalues[0]/float64(k), 1e-15) {
				t.Errorf("%s: eigenvalues %v sum to %v, want %d", a.Code, a.Eigenvalues, sum, k)
			}
			for p := range k {
				var cv float64
				for q := range k {
					cv += stat.Correlation(cols[p], cols[q], nil) * a.PC1Loadings[q]
				}
				if !near(cv, a.Eigenvalues[0]*a.PC1Loadings[p], 1e-10) {
					t.Errorf("%s: (C v)[%d] = %v, λ1 v = %v", a.Code, p, cv, a.Eigenvalues[0]*a.PC1Loadings[p])
				}
			}
		}
	})
}

// asemFlagged are ASEM default's flagged indicator-pillar correlations, as
// computed (and checked against gonum) when the audit was written.
var asemFlagged = []string{
	"Forest weak", "IGOs redundant", "NEET weak", "RDExp weak", "Ship weak", "TBTs negative",
}

func BenchmarkAuditASEM(b *testing.B) {
	r := buildASEM(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.Audit(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAudit1000x100 audits a synthetic index of 1,000 units, 100
// indicators and 3 levels.
func BenchmarkAudit1000x100(b *testing.B) {
	f, d, err := synthetic.Index(1000, 100, 3, 1)
	if err != nil {
		b.Fatal(err)
	}
	r, err := engine.Build(context.Background(), f, d, engine.DefaultMethod())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.Audit(r); err != nil {
			b.Fatal(err)
		}
	}
}
