package engine

import (
	"math"

	"github.com/citylens/citylens"
)

// aggPlan is the aggregation compiled for one framework and method: for each
// aggregate, bottom-up, the positions of its children in the output matrix.
type aggPlan struct {
	codes    []string // output columns: indicators, then aggregates bottom-up
	nInd     int
	children [][]int       // per aggregate: child columns in codes
	nodes    [][]int       // per aggregate: child node indices in the framework (for weights)
	spec     []Aggregation // per aggregate
	aggNode  []int         // per aggregate: its node index
	col      []int         // per framework node: its column in codes
}

func newAggPlan(f *Framework, m *Method) *aggPlan {
	p := &aggPlan{nInd: len(f.inds), col: make([]int, len(f.nodes))}
	col := p.col
	for _, i := range f.inds {
		col[i] = len(p.codes)
		p.codes = append(p.codes, f.nodes[i].Code)
	}
	for _, i := range f.aggs {
		col[i] = len(p.codes)
		p.codes = append(p.codes, f.nodes[i].Code)
	}
	base := m.Aggregate.resolved()
	for _, i := range f.aggs {
		// Unscored children (weight 0 or contextual) are left out of the plan:
		// they are carried in the output but never enter a score.
		var kids, nodes []int
		for _, c := range f.children[i] {
			if f.scored(c) {
				kids = append(kids, col[c])
				nodes = append(nodes, c)
			}
		}
		p.children = append(p.children, kids)
		p.nodes = append(p.nodes, nodes)
		spec := base
		if s, ok := m.AggregateLevels[f.level[i]]; ok {
			spec = s.resolved()
		}
		if s, ok := m.AggregateNodes[f.nodes[i].Code]; ok {
			spec = s.resolved()
		}
		p.spec = append(p.spec, spec)
		p.aggNode = append(p.aggNode, i)
	}
	return p
}

// nodeWeights returns the weight of every framework node, with overrides.
func nodeWeights(f *Framework, overrides map[string]float64) []float64 {
	w := make([]float64, len(f.nodes))
	for i, n := range f.nodes {
		w[i] = n.Weight
		if v, ok := overrides[n.Code]; ok {
			w[i] = v
		}
	}
	return w
}

// aggScratch is per-goroutine scratch space for aggregation.
type aggScratch struct {
	w, wn []float64
	slow  []int
	logs  [][]float64 // ln of the normalised indicator columns, or nil
	// alias makes the output's indicator columns share the normalised data's
	// storage instead of copying it (replications; the data is not changed).
	alias bool
	na    []float64
}

// aggregateInto fills out (codes = p.codes) from the normalised indicators.
// Columns in exclude (indicator positions) are left out as if missing. logs,
// when not nil, holds ln of every normalised value (NA where not positive),
// shared by replications that aggregate the same normalised data.
func (p *aggPlan) aggregateInto(f *Framework, norm *Matrix, logs [][]float64, w []float64, out *Matrix, s *aggScratch, exclude ...int) error {
	s.logs = logs
	for j := 0; j < p.nInd; j++ {
		if s.alias {
			out.Cols[j] = norm.Cols[j] // read only: aggregation never writes indicator columns
		} else {
			copy(out.Cols[j], norm.Cols[j])
		}
	}
	for _, j := range exclude {
		if s.alias {
			s.na = growFloats(s.na, len(norm.Units))
			for i := range s.na {
				s.na[i] = NA
			}
			out.Cols[j] = s.na
			continue
		}
		for i := range out.Cols[j] {
			out.Cols[j][i] = NA
		}
	}
	nu := len(norm.Units)
	for a, kids := range p.children {
		dst := out.Cols[p.nInd+a]
		spec := p.spec[a]
		k := len(kids)
		s.w = growFloats(s.w, k)
		s.wn = growFloats(s.wn, k)
		var sum float64
		for c, ni := range p.nodes[a] {
			s.w[c] = w[ni]
			sum += w[ni]
		}
		for c := range s.w {
			s.wn[c] = s.w[c] / sum
		}
		if spec.Method == AggCopeland {
			copeland(out, kids, s.wn, spec.Threshold, dst)
			continue
		}
		// Arithmetic and geometric means sweep whole columns (memory in
		// order); units with a missing or non-positive child take the
		// per-unit path below, with the same arithmetic.
		slow := s.slow[:0]
		switch spec.Method {
		case AggAMean:
			slow = sweepAMean(out, kids, s.wn, dst, slow)
		case AggGMean:
			slow = sweepGMean(out, kids, s.w, sum, logs, dst, slow)
		default:
			for u := 0; u < nu; u++ {
				slow = append(slow, u)
			}
		}
		s.slow = slow
		for _, u := range slow {
			v, err := p.aggregateUnit(out, kids, u, spec, s)
			if err != nil {
				return citylens.Ef(citylens.EINVALID, "engine.aggregate.unit", "aggregate %q, unit %q: %s", f.nodes[p.aggNode[a]].Code, norm.Units[u], err)
			}
			dst[u] = v
		}
	}
	return nil
}

// sweepAMean computes Σ wn·x column by column for every unit, and returns in
// slow the units with a missing child (their weights must be renormalised).
func sweepAMean(out *Matrix, kids []int, wn []float64, dst []float64, slow []int) []int {
	clear(dst)
	for c, col := range kids {
		x, w := out.Cols[col], wn[c]
		for u, v := range x {
			dst[u] += w * v // NA propagates: those units are redone below
		}
	}
	for u, v := range dst {
		if v != v {
			slow = append(slow, u)
		}
	}
	return slow
}

// sweepGMean computes exp(Σ w·ln x / Σ w) column by column, using the shared
// logarithms of indicator columns when given; units with a missing or
// non-positive child go to slow.
func sweepGMean(out *Matrix, kids []int, w []float64, sumW float64, logs [][]float64, dst []float64, slow []int) []int {
	clear(dst)
	for c, col := range kids {
		x, wc := out.Cols[col], w[c]
		if col < len(logs) {
			lx := logs[col]
			for u, v := range x {
				if v > 0 {
					dst[u] += wc * lx[u]
				} else {
					dst[u] = NA
				}
			}
			continue
		}
		for u, v := range x {
			if v > 0 {
				dst[u] += wc * math.Log(v)
			} else {
				dst[u] = NA
			}
		}
	}
	for u, v := range dst {
		if v != v {
			slow = append(slow, u)
		} else {
			dst[u] = math.Exp(v / sumW)
		}
	}
	return slow
}

func (p *aggPlan) aggregateUnit(out *Matrix, kids []int, u int, spec Aggregation, s *aggScratch) (float64, error) {
	present := 0
	for _, c := range kids {
		if !IsNA(out.Cols[c][u]) {
			present++
		}
	}
	if present == 0 || float64(present)/float64(len(kids)) < spec.Threshold {
		return NA, nil
	}
	switch spec.Method {
	case AggAMean:
		if present == len(kids) {
			var y float64
			for c, col := range kids {
				y += s.wn[c] * out.Cols[col][u]
			}
			return y, nil
		}
		var sw float64
		for c, col := range kids {
			if !IsNA(out.Cols[col][u]) {
				sw += s.w[c]
			}
		}
		var y float64
		for c, col := range kids {
			if x := out.Cols[col][u]; !IsNA(x) {
				y += s.w[c] / sw * x
			}
		}
		return y, nil
	case AggGMean:
		return gmean(out, kids, u, s.w, s.logs)
	case AggHMean:
		var sw, sx float64
		for c, col := range kids {
			x := out.Cols[col][u]
			if IsNA(x) {
				continue
			}
			if x == 0 {
				return NA, citylens.Ef(citylens.EINVALID, "engine.aggregate.hmean_zero", "harmonic mean over a zero value of %s", out.Codes[col])
			}
			sw += s.w[c]
			sx += s.w[c] / x
		}
		return sw / sx, nil
	case AggGenMean:
		if spec.P == 0 {
			return gmean(out, kids, u, s.w, s.logs)
		}
		var sw, sx float64
		for c, col := range kids {
			x := out.Cols[col][u]
			if IsNA(x) {
				continue
			}
			if x < 0 || (x == 0 && spec.P < 0) {
				return NA, citylens.Ef(citylens.EINVALID, "engine.aggregate.genmean", "generalised mean with p < 0 or over a negative value of %s", out.Codes[col])
			}
			sw += s.w[c]
			sx += s.w[c] * math.Pow(x, spec.P)
		}
		return math.Pow(sx/sw, 1/spec.P), nil
	}
	return NA, citylens.Ef(citylens.EINVALID, "engine.aggregate.unknown", "unknown aggregation %s", spec.Method)
}

func gmean(out *Matrix, kids []int, u int, w []float64, logs [][]float64) (float64, error) {
	var sw, sl float64
	for c, col := range kids {
		x := out.Cols[col][u]
		if IsNA(x) {
			continue
		}
		if x <= 0 {
			return NA, citylens.Ef(citylens.EINVALID, "engine.aggregate.gmean", "geometric mean over a value <= 0 (%s = %s): normalise to a positive range such as min-max 1-100, or use another aggregation", out.Codes[col], formatFloat(x))
		}
		sw += w[c]
		if col < len(logs) {
			sl += w[c] * logs[col][u]
		} else {
			sl += w[c] * math.Log(x)
		}
	}
	return math.Exp(sl / sw), nil
}

// logColumns returns ln of every value of m (NA where missing or not positive).
func logColumns(m *Matrix) ([][]float64, error) {
	out := newMatrix(m.Units, m.Codes)
	err := parallelFor(len(m.Cols), columnWorkers(m), "log column worker", func(lo, hi int) {
		for j := lo; j < hi; j++ {
			for i, v := range m.Cols[j] {
				if v > 0 {
					out.Cols[j][i] = math.Log(v)
				} else {
					out.Cols[j][i] = NA
				}
			}
		}
	})
	return out.Cols, err
}

// copeland is COINr's a_copeland: each unit's row sum of the outranking
// matrix, where unit i outranks j on a child by its (normalised) weight and
// ties count half; comparisons with a missing value count nothing.
func copeland(out *Matrix, kids []int, wn []float64, thresh float64, dst []float64) {
	nu := len(dst)
	for i := 0; i < nu; i++ {
		present := 0
		for _, c := range kids {
			if !IsNA(out.Cols[c][i]) {
				present++
			}
		}
		if present == 0 || float64(present)/float64(len(kids)) < thresh {
			dst[i] = NA
			continue
		}
		var score float64
		for j := 0; j < nu; j++ {
			if j == i {
				continue
			}
			for c, col := range kids {
				xi, xj := out.Cols[col][i], out.Cols[col][j]
				switch {
				case xi > xj:
					score += wn[c]
				case xi == xj:
					score += wn[c] / 2
				}
			}
		}
		dst[i] = score
	}
}
