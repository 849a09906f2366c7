package survey

import "math"

// Calibration is what the standard error of an estimate from raked weights
// needs of the raking: the weights, each respondent's category of every
// raking variable, and the (pseudo-)inverse of the variables' cross-product
// matrix. Raking fixes the weighted totals of the margins, so an estimate's
// sampling variance comes only from what the margins do not explain: the
// linearisation of R's svymean on a raked design (svyrecvar with the
// design's raking post-strata) takes the residuals of the estimate's
// influence values after removing their category means on every raking
// variable, and Calibration computes exactly those residuals (the limit R's
// ten backfitting sweeps approach; see docs/survey.md).
//
// A Calibration keeps working buffers: it is not safe for concurrent use.
type Calibration struct {
	w       []float64 // the raked weights
	d       []float64 // the starting weights (the regression's weights); nil: 1 each
	vars    []calVar
	k       int         // columns: every category of every variable
	l       [][]float64 // Cholesky factor of Z'DZ, lower triangle
	dropped []bool      // columns left out (combinations of earlier ones)
	// cols[i·V+v] is respondent i's column for variable v: off+category,
	// or k+v when not stated.
	cols []int32
	// working buffers: Z'De then the coefficients; sums per column; fits
	b, s1, s0, fit []float64
}

type calVar struct {
	off int
	idx []int32 // respondent's category (column off+idx), −1: not stated
	// share[c] is N_c / N: a respondent who did not state the variable
	// counts as share[c] of every category c, because raking fits the
	// stated categories to N_c · (N − W_unstated) / N, whose linear form
	// is W_c + share[c]·W_unstated = N_c.
	share    []float64
	unstated bool // some respondent did not state it
}

// calibrationTolerance drops a column of the cross-product matrix whose
// Cholesky pivot falls under this share of its diagonal: it is (within
// rounding) a combination of the columns before it, e.g. the last category
// of a variable given the others and the first variable.
const calibrationTolerance = 1e-9

func newCalibration(w, d []float64, vars []calVar, k int) *Calibration {
	c := &Calibration{w: w, d: d, vars: vars, k: k, b: make([]float64, k)}
	c.cols = make([]int32, len(w)*len(vars))
	for v, cv := range vars {
		for i, j := range cv.idx {
			if j >= 0 {
				c.cols[i*len(vars)+v] = int32(cv.off) + j
			} else {
				c.cols[i*len(vars)+v] = int32(k + v)
			}
		}
	}
	// G = Z'DZ, accumulated respondent by respondent over their nonzero
	// columns.
	g := make([][]float64, k)
	for j := range g {
		g[j] = make([]float64, k)
	}
	type entry struct {
		col int
		v   float64
	}
	row := make([]entry, 0, k)
	for i := range w {
		row = row[:0]
		for _, v := range vars {
			if j := v.idx[i]; j >= 0 {
				row = append(row, entry{v.off + int(j), 1})
				continue
			}
			for cat, s := range v.share {
				if s != 0 {
					row = append(row, entry{v.off + cat, s})
				}
			}
		}
		di := 1.0
		if d != nil {
			di = d[i]
		}
		for _, a := range row {
			for _, b := range row {
				g[a.col][b.col] += di * a.v * b.v
			}
		}
	}
	// Cholesky, dropping the columns that depend on earlier ones.
	c.l = make([][]float64, k)
	for j := range c.l {
		c.l[j] = make([]float64, k)
	}
	c.dropped = make([]bool, k)
	for j := 0; j < k; j++ {
		s := g[j][j]
		for p := 0; p < j; p++ {
			s -= c.l[j][p] * c.l[j][p]
		}
		if !(s > calibrationTolerance*g[j][j]) {
			c.dropped[j] = true // its column of L stays 0
			continue
		}
		c.l[j][j] = math.Sqrt(s)
		for r := j + 1; r < k; r++ {
			v := g[r][j]
			for p := 0; p < j; p++ {
				v -= c.l[r][p] * c.l[j][p]
			}
			c.l[r][j] = v / c.l[j][j]
		}
	}
	return c
}

// solve overwrites c.b (Z'De) with coefficients β of Z'DZ β = Z'De, 0 for
// the dropped columns.
func (c *Calibration) solve() {
	b, l := c.b, c.l
	for j := 0; j < c.k; j++ { // L z = b
		if c.dropped[j] {
			b[j] = 0
			continue
		}
		v := b[j]
		for p := 0; p < j; p++ {
			if !c.dropped[p] {
				v -= l[j][p] * b[p]
			}
		}
		b[j] = v / l[j][j]
	}
	for j := c.k - 1; j >= 0; j-- { // L'β = z
		if c.dropped[j] {
			continue
		}
		v := b[j]
		for r := j + 1; r < c.k; r++ {
			if !c.dropped[r] {
				v -= l[r][j] * b[r]
			}
		}
		b[j] = v / l[j][j]
	}
}

// Mean is y's weighted mean under the raked weights with the calibrated
// standard error. Over the n respondents who answered (y not NaN), with
// ȳ = Σwᵢyᵢ/Σwᵢ, the influence value of respondent i (of all m) is
// eᵢ = (yᵢ − ȳ)/Σw (0 for those who did not answer); rᵢ is its residual
// from the regression (weighted by the starting weights) on the raking
// variables' category indicators, and
//
//	SE² = m/(m−1) · Σᵢ (xᵢ − x̄)², xᵢ = wᵢ·rᵢ.
//
// N, NEff and Mean are those of WeightedMean.
func (c *Calibration) Mean(y []float64) Mean {
	w, d, nv, k := c.w, c.d, len(c.vars), c.k
	m := Mean{Mean: math.NaN(), SE: math.NaN()}
	// One pass: the weighted sums, and per column (and per variable's
	// not-stated slot, k+v) Σdᵢyᵢ and Σdᵢ over those who answered, from
	// which Z'De follows once ȳ is known.
	c.s1, c.s0 = grow(c.s1, k+nv), grow(c.s0, k+nv)
	s1, s0 := c.s1, c.s0
	clear(s1)
	clear(s0)
	var sw, sw2, swy float64
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		m.N++
		sw += w[i]
		sw2 += w[i] * w[i]
		swy += w[i] * v
		di := 1.0
		if d != nil {
			di = d[i]
		}
		for _, j := range c.cols[i*nv : (i+1)*nv] {
			s1[j] += di * v
			s0[j] += di
		}
	}
	if m.N == 0 || sw <= 0 {
		return m
	}
	m.NEff = sw * sw / sw2
	m.Mean = swy / sw
	size := len(y)
	if m.N < 2 || size < 2 {
		return m
	}
	b := c.b
	for j := range k {
		b[j] = (s1[j] - m.Mean*s0[j]) / sw
	}
	for v, cv := range c.vars {
		if u := (s1[k+v] - m.Mean*s0[k+v]) / sw; cv.unstated && u != 0 {
			for cat, s := range cv.share {
				b[cv.off+cat] += s * u
			}
		}
	}
	c.solve()
	// The fit of every column, and of not stating each variable.
	c.fit = grow(c.fit, k+nv)
	fit := c.fit
	copy(fit, b)
	for v, cv := range c.vars {
		fit[k+v] = 0
		for cat, s := range cv.share {
			fit[k+v] += s * b[cv.off+cat]
		}
	}
	// Second pass: xᵢ = wᵢ·rᵢ, and Σx, Σx².
	var sx, sxx float64
	for i, v := range y {
		e := 0.0
		if !math.IsNaN(v) {
			e = (v - m.Mean) / sw
		}
		for _, j := range c.cols[i*nv : (i+1)*nv] {
			e -= fit[j]
		}
		x := w[i] * e
		sx += x
		sxx += x * x
	}
	ss := sxx - sx*sx/float64(size)
	m.SE = math.Sqrt(float64(size) / float64(size-1) * math.Max(ss, 0))
	return m
}
