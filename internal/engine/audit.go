package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/citylens/citylens"
)

// The statistical audit of a built index, as COINr's analysis functions
// (get_stats, get_corr, get_corr_flags, get_cronbach, get_PCA) describe one.
// Every statistic that cannot be computed is NA with a note saying why, so an
// NA in the audit is always announced.

// Audit thresholds: COINr's defaults.
const (
	// AuditSkewThreshold and AuditKurtThreshold flag a column whose |skewness|
	// and kurtosis are both strictly above them, as COINr's get_stats flags
	// outliers (the treatment keeps its own rule, as COINr's check_SkewKurt).
	AuditSkewThreshold = 2.0
	AuditKurtThreshold = 3.5
	// AuditWeakCorrelation and AuditRedundantCorrelation bound the Pearson
	// correlations that get_corr_flags reports.
	AuditWeakCorrelation      = 0.3
	AuditRedundantCorrelation = 0.9
	// auditMinN is the fewest complete observations a correlation, alpha or
	// PCA is computed on: with two points any correlation is ±1.
	auditMinN = 3
)

// Data sets the audit describes.
const (
	AuditRaw        = "Raw"
	AuditAggregated = "Aggregated"
)

// Correlation relations.
const (
	RelationParent  = "parent"
	RelationSibling = "sibling"
)

// Correlation flags, from the Pearson correlation r.
const (
	FlagNone      = ""
	FlagWeak      = "weak"      // 0 ≤ r < 0.3
	FlagNegative  = "negative"  // r < 0: weak, and pulling the wrong way
	FlagRedundant = "redundant" // r > 0.9
)

// AuditReport is the statistical audit of a result.
type AuditReport struct {
	// Stats has one row per indicator of Raw, then one per column of
	// Aggregated (normalised indicators, then aggregates bottom-up).
	Stats []ColumnStats
	// Correlations has, for each aggregate bottom-up, each child with the
	// aggregate, then each pair of its children.
	Correlations []Correlation
	// Aggregates has Cronbach's alpha and the PCA of each aggregate's children, bottom-up.
	Aggregates []AggregateAudit
}

// ColumnStats describes one column of one data set over its non-missing values.
type ColumnStats struct {
	Dataset      string // AuditRaw or AuditAggregated
	Code         string
	Kind         Kind
	Level        int
	N            int     // non-missing values
	MissingShare float64 // missing values / units
	Min, Max     float64
	Mean, Median float64
	SD           float64 // n-1 denominator, as R's sd
	Skew         float64 // Excel SKEW, as COINr's treatment
	Kurt         float64 // Excel KURT (excess kurtosis)
	// SkewKurtOutlier is |Skew| > 2 and Kurt > 3.5, as COINr's get_stats.
	SkewKurtOutlier bool
	Note            string // why some statistics are NA; empty when all are defined
}

// Correlation is the correlation of two columns of Aggregated over the units
// where both are present.
type Correlation struct {
	X, Y     string // X is a child; Y its parent or a sibling
	Relation string // RelationParent or RelationSibling
	Parent   string // the aggregate X (and Y, for siblings) belongs to
	Level    int    // X's level
	N        int    // complete pairs used
	Pearson  float64
	Spearman float64 // Pearson of the ranks, ties sharing their mean rank
	Flag     string  // from Pearson: FlagNone, FlagWeak, FlagNegative or FlagRedundant
	Note     string  // why the correlations are NA; empty when defined
}

// AggregateAudit is the internal consistency of one aggregate's children.
type AggregateAudit struct {
	Code       string
	Level      int
	Children   []string
	Applicable bool // false for an aggregate with a single child: nothing to measure
	N          int  // units with every child present (complete cases, for the PCA)

	// Alpha is Cronbach's alpha from pairwise-complete covariances, as COINr's
	// get_cronbach (equal to the complete-case alpha when no value is missing).
	Alpha     float64
	AlphaNote string // why Alpha is NA

	// PCA of the children's correlation matrix (standardised children).
	Eigenvalues []float64 // descending; they sum to len(Children)
	PC1Share    float64   // Eigenvalues[0] / len(Children)
	// PC1Loadings are the first eigenvector's coefficients (R's prcomp
	// rotation), in Children order, signed so that they sum to a positive number.
	PC1Loadings []float64
	PCANote     string // why the PCA is NA
}

// Audit computes the statistical audit of r: column statistics of Raw and
// Aggregated, correlations within the framework, Cronbach's alpha and PCA.
func Audit(r *Result) (*AuditReport, error) {
	if r == nil || r.Framework == nil || r.Raw == nil || r.Aggregated == nil {
		return nil, citylens.Errorf(citylens.EINVALID, "audit: no built index to audit")
	}
	f := r.Framework
	agg := r.Aggregated
	col := make(map[string]int, len(agg.Codes))
	for j, c := range agg.Codes {
		col[c] = j
	}
	for _, c := range append(f.Indicators(), f.Aggregates()...) {
		if _, ok := col[c]; !ok {
			return nil, citylens.Errorf(citylens.EINTERNAL, "audit: column %q is missing from the aggregated data set", c)
		}
	}

	nCorr := 0
	for _, a := range f.Aggregates() {
		k := len(f.Children(a))
		nCorr += k + k*(k-1)/2
	}
	rep := &AuditReport{
		Stats:        make([]ColumnStats, 0, len(f.Indicators())+len(agg.Codes)),
		Correlations: make([]Correlation, 0, nCorr),
		Aggregates:   make([]AggregateAudit, 0, len(f.Aggregates())),
	}
	buf := make([]float64, 0, len(r.Raw.Units))
	for _, c := range f.Indicators() {
		x, ok := r.Raw.Col(c)
		if !ok {
			return nil, citylens.Errorf(citylens.EINTERNAL, "audit: indicator %q is missing from the raw data set", c)
		}
		buf = nonMissingSorted(x, buf)
		rep.Stats = append(rep.Stats, columnStats(AuditRaw, c, f, len(x), buf))
	}
	ca := &corrAuditor{cols: newAuditColumns(agg), rx: make([]float64, len(agg.Units)), ry: make([]float64, len(agg.Units))}
	for j, c := range agg.Codes {
		rep.Stats = append(rep.Stats, columnStats(AuditAggregated, c, f, len(agg.Units), ca.cols[j].sorted))
	}

	for _, a := range f.Aggregates() {
		kids := f.Children(a)
		for _, k := range kids {
			c := ca.correlate(col[k], col[a])
			c.X, c.Y, c.Relation, c.Parent, c.Level = k, a, RelationParent, a, f.Level(k)
			rep.Correlations = append(rep.Correlations, c)
		}
		for p := range kids {
			for q := p + 1; q < len(kids); q++ {
				c := ca.correlate(col[kids[p]], col[kids[q]])
				c.X, c.Y, c.Relation, c.Parent, c.Level = kids[p], kids[q], RelationSibling, a, f.Level(kids[p])
				rep.Correlations = append(rep.Correlations, c)
			}
		}
		// Consistency is that of the children that make the score: unscored
		// indicators keep their correlations above but stay out of alpha and PCA.
		scored := f.ScoredChildren(a)
		cols := make([][]float64, len(scored))
		for k, kid := range scored {
			cols[k] = agg.Cols[col[kid]]
		}
		aa := aggregateAudit(scored, cols)
		aa.Code, aa.Level, aa.Children = a, f.Level(a), scored
		rep.Aggregates = append(rep.Aggregates, aa)
	}
	return rep, nil
}

// columnStats describes a column of units values from its non-missing values, sorted ascending.
func columnStats(dataset, code string, f *Framework, units int, sorted []float64) ColumnStats {
	s := ColumnStats{Dataset: dataset, Code: code, Level: f.Level(code)}
	if n, ok := f.Node(code); ok {
		s.Kind = n.Kind
	}
	s.N = len(sorted)
	s.MissingShare = NA
	if units > 0 {
		s.MissingShare = float64(units-s.N) / float64(units)
	}
	s.Min, s.Max, s.Mean, s.Median, s.SD, s.Skew, s.Kurt = NA, NA, NA, NA, NA, NA, NA
	switch {
	case s.N == 0:
		s.Note = "no values"
		return s
	case s.N < 2:
		s.Note = "sd, skewness and kurtosis need at least 2, 3 and 4 values"
	case s.N < 3:
		s.Note = "skewness and kurtosis need at least 3 and 4 values"
	case s.N < 4:
		s.Note = "kurtosis needs at least 4 values"
	}
	s.Min, s.Max = sorted[0], sorted[s.N-1]
	s.Mean = mean(sorted)
	s.Median = medianSorted(sorted)
	s.SD = sampleSD(sorted)
	if s.N >= 2 && s.Min == s.Max {
		s.SD = 0
		s.Note = "skewness and kurtosis are undefined: all values are equal"
		return s
	}
	s.Skew, s.Kurt = skewKurt(sorted)
	s.SkewKurtOutlier = !IsNA(s.Skew) && !IsNA(s.Kurt) &&
		math.Abs(s.Skew) > AuditSkewThreshold && s.Kurt > AuditKurtThreshold
	return s
}

// auditColumn is one column of Aggregated prepared for the audit: sorted once
// for its statistics and its Spearman ranks.
type auditColumn struct {
	x      []float64
	sorted []float64 // the non-missing values, ascending
	order  []int     // their units, in the same order
	ranks  []float64 // average ranks over the non-missing values; NA elsewhere
	mean   float64   // of the non-missing values
}

// newAuditColumns prepares every column of m, in a few allocations.
func newAuditColumns(m *Matrix) []auditColumn {
	type unitValue struct {
		v float64
		i int
	}
	n := len(m.Units)
	cols := make([]auditColumn, len(m.Cols))
	floats := make([]float64, 2*n*len(m.Cols))
	ints := make([]int, n*len(m.Cols))
	uv := make([]unitValue, 0, n)
	for j, x := range m.Cols {
		uv = uv[:0]
		var sum float64
		for i, v := range x {
			if !IsNA(v) {
				uv = append(uv, unitValue{v, i})
				sum += v
			}
		}
		slices.SortFunc(uv, func(a, b unitValue) int {
			// No NaN here: plain comparisons are enough, and faster than cmp.Compare.
			switch {
			case a.v < b.v:
				return -1
			case a.v > b.v:
				return 1
			}
			return 0
		})
		c := &cols[j]
		c.x, c.mean = x, NA
		c.sorted, floats = floats[:len(uv):len(uv)], floats[n:]
		c.ranks, floats = floats[:n:n], floats[n:]
		c.order, ints = ints[:len(uv):len(uv)], ints[n:]
		for k, e := range uv {
			c.sorted[k], c.order[k] = e.v, e.i
		}
		if len(uv) > 0 {
			c.mean = sum / float64(len(uv))
		}
		for i := range c.ranks {
			c.ranks[i] = NA
		}
		rankOver(c.sorted, c.order, x, c.ranks)
	}
	return cols
}

// corrAuditor correlates columns of Aggregated.
type corrAuditor struct {
	cols   []auditColumn
	rx, ry []float64 // scratch ranks
}

// correlate returns the Pearson and Spearman correlations of columns a and b
// over the units where both are present, with the flag.
func (ca *corrAuditor) correlate(a, b int) Correlation {
	A, B := &ca.cols[a], &ca.cols[b]
	x, y := A.x, B.x
	c := Correlation{Pearson: NA, Spearman: NA, N: len(x)}
	// Spearman ranks over the complete pairs: a column keeps its own ranks
	// when the other is missing nowhere.
	rx, ry := A.ranks, B.ranks
	if len(B.order) < len(y) {
		rx = ca.rx
		c.N = rankOver(A.sorted, A.order, y, rx)
	}
	if len(A.order) < len(x) {
		ry = ca.ry
		c.N = rankOver(B.sorted, B.order, x, ry)
	}
	if c.N < auditMinN {
		c.Note = fmt.Sprintf("%d complete pairs: at least %d are needed", c.N, auditMinN)
		return c
	}
	fn := float64(c.N)
	m := (fn + 1) / 2 // the mean of ranks 1..n, ties averaged or not
	// One pass. Values are shifted by the column means, which are close to
	// the means over the complete pairs, so the corrections below lose nothing.
	var sx, sy, sxx, syy, sxy, rxx, ryy, rxy float64
	for i := range x {
		xi, yi := x[i], y[i]
		if IsNA(xi) || IsNA(yi) {
			continue
		}
		dx, dy := xi-A.mean, yi-B.mean
		sx += dx
		sy += dy
		sxx += dx * dx
		syy += dy * dy
		sxy += dx * dy
		ex, ey := rx[i]-m, ry[i]-m
		rxx += ex * ex
		ryy += ey * ey
		rxy += ex * ey
	}
	// A column constant over the pairs has every rank equal to m, exactly.
	if rxx == 0 || ryy == 0 {
		c.Note = "undefined: a column is constant over the complete pairs"
		return c
	}
	c.Pearson = clampCorr((sxy - sx*sy/fn) / math.Sqrt((sxx-sx*sx/fn)*(syy-sy*sy/fn)))
	c.Spearman = clampCorr(rxy / math.Sqrt(rxx*ryy))
	switch r := c.Pearson; {
	case r < 0:
		c.Flag = FlagNegative
	case r < AuditWeakCorrelation:
		c.Flag = FlagWeak
	case r > AuditRedundantCorrelation:
		c.Flag = FlagRedundant
	}
	return c
}

// clampCorr keeps a correlation in [-1, 1]: rounding can push a perfect one a hair past.
func clampCorr(r float64) float64 { return math.Max(-1, math.Min(1, r)) }

// rankOver writes into out, at the units where other is present, the average
// ranks of a column among those units, and returns how many there are; sorted
// and order are the column's non-missing values ascending and their units.
// Other positions of out are left as they were.
func rankOver(sorted []float64, order []int, other, out []float64) int {
	k := 0 // ranks given so far
	for s := 0; s < len(order); {
		// A run of equal values, of which the kept ones share a rank.
		e := s + 1
		for e < len(order) && sorted[e] == sorted[s] {
			e++
		}
		if e == s+1 { // no tie: the common case
			if u := order[s]; !IsNA(other[u]) {
				k++
				out[u] = float64(k)
			}
			s = e
			continue
		}
		kept := 0
		for t := s; t < e; t++ {
			if !IsNA(other[order[t]]) {
				kept++
			}
		}
		r := float64(2*k+kept+1) / 2
		for t := s; t < e; t++ {
			if !IsNA(other[order[t]]) {
				out[order[t]] = r
			}
		}
		k += kept
		s = e
	}
	return k
}

// aggregateAudit computes Cronbach's alpha and the PCA of the children (codes,
// cols) over the units where every child is present.
func aggregateAudit(codes []string, cols [][]float64) AggregateAudit {
	k := len(cols)
	a := AggregateAudit{Alpha: NA, PC1Share: NA}
	if k < 2 {
		a.AlphaNote = "not applicable: a single child"
		a.PCANote = a.AlphaNote
		return a
	}
	a.Applicable = true
	a.Alpha, a.AlphaNote = pairwiseAlpha(codes, cols)
	var rows []int
	for i := range cols[0] {
		complete := true
		for _, c := range cols {
			if IsNA(c[i]) {
				complete = false
				break
			}
		}
		if complete {
			rows = append(rows, i)
		}
	}
	a.N = len(rows)
	if a.N < auditMinN {
		a.PCANote = fmt.Sprintf("%d complete cases: at least %d are needed", a.N, auditMinN)
		return a
	}
	fn := float64(a.N)
	// Centre each child over the complete cases.
	z := make([][]float64, k)
	variance := make([]float64, k)
	var constant []string
	for j, c := range cols {
		var s float64
		for _, i := range rows {
			s += c[i]
		}
		m := s / fn
		z[j] = make([]float64, a.N)
		var ss float64
		for t, i := range rows {
			d := c[i] - m
			z[j][t] = d
			ss += d * d
		}
		variance[j] = ss / (fn - 1)
		if constantOver(c, rows) {
			constant = append(constant, codes[j])
		}
	}
	if len(constant) > 0 {
		a.PCANote = "undefined: constant over the complete cases: " + strings.Join(constant, ", ")
		return a
	}
	// PCA on the correlation matrix.
	corr := mat.NewSymDense(k, nil)
	for p := range k {
		corr.SetSym(p, p, 1)
		for q := p + 1; q < k; q++ {
			var s float64
			for t := range a.N {
				s += z[p][t] * z[q][t]
			}
			r := s / (fn - 1) / math.Sqrt(variance[p]*variance[q])
			corr.SetSym(p, q, math.Max(-1, math.Min(1, r)))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(corr, true) {
		a.PCANote = "undefined: the eigen decomposition did not converge"
		return a
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	a.Eigenvalues = make([]float64, k)
	for p := range k {
		// A correlation matrix is positive semi-definite: clip rounding below zero.
		a.Eigenvalues[p] = math.Max(0, vals[k-1-p])
	}
	a.PC1Share = a.Eigenvalues[0] / float64(k)
	a.PC1Loadings = make([]float64, k)
	var sum float64
	first := 0.0
	for p := range k {
		v := vecs.At(p, k-1)
		a.PC1Loadings[p] = v
		sum += v
		if first == 0 && math.Abs(v) > 1e-12 {
			first = v
		}
	}
	// An eigenvector's sign is arbitrary: fix it so that the loadings sum to a
	// positive number (the first non-zero loading positive on a tie).
	if sum < -1e-12 || (math.Abs(sum) <= 1e-12 && first < 0) {
		for p := range a.PC1Loadings {
			a.PC1Loadings[p] = -a.PC1Loadings[p]
		}
	}
	return a
}

// pairwiseAlpha is Cronbach's alpha as COINr's get_cronbach computes it:
// k/(k-1) (1 - Σ var_j / Σ_jl cov_jl) over the covariance matrix of
// pairwise-complete observations (R's cov(use = "pairwise.complete.obs"):
// each variance over the child's own values, each covariance over the units
// where both children have a value, with the means of those units). Where
// data are complete it equals the textbook formula over complete cases. A
// pair with fewer than auditMinN units in common leaves alpha NA, with a note.
func pairwiseAlpha(codes []string, cols [][]float64) (float64, string) {
	k := len(cols)
	var sumVar, sumCov float64
	for p := range k {
		for q := p; q < k; q++ {
			var n int
			var sx, sy float64
			for i := range cols[p] {
				x, y := cols[p][i], cols[q][i]
				if !IsNA(x) && !IsNA(y) {
					n++
					sx += x
					sy += y
				}
			}
			if n < auditMinN {
				if p == q {
					return NA, fmt.Sprintf("%s has %d values: at least %d are needed", codes[p], n, auditMinN)
				}
				return NA, fmt.Sprintf("%s and %s have %d units with both values: at least %d are needed", codes[p], codes[q], n, auditMinN)
			}
			mx, my := sx/float64(n), sy/float64(n)
			var c float64
			for i := range cols[p] {
				x, y := cols[p][i], cols[q][i]
				if !IsNA(x) && !IsNA(y) {
					c += (x - mx) * (y - my)
				}
			}
			c /= float64(n - 1)
			if p == q {
				sumVar += c
			} else {
				sumCov += 2 * c
			}
		}
	}
	tot := sumVar + sumCov
	// Children that cancel out (x and -x) leave a sum that is constant up to rounding.
	if tot <= 1e-12*sumVar {
		return NA, "undefined: the sum of the children is constant"
	}
	return float64(k) / float64(k-1) * (1 - sumVar/tot), ""
}

// constantOver reports whether x takes one value over rows.
func constantOver(x []float64, rows []int) bool {
	for _, i := range rows {
		if x[i] != x[rows[0]] {
			return false
		}
	}
	return true
}
