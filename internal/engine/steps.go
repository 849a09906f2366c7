package engine

import (
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/citylens/citylens"
)

// raw assembles the indicator columns of the data in framework order.
func raw(f *Framework, d *Data) (*Matrix, error) {
	codes := f.Indicators()
	m := newMatrix(d.Units, codes)
	for j, c := range codes {
		col, ok := d.Columns[c]
		if !ok {
			return nil, citylens.Ef(citylens.EINVALID, "engine.data.no_column", "data: indicator %q has no column in the data", c)
		}
		copy(m.Cols[j], col)
	}
	return m, nil
}

// denominate divides each indicator that names a denominator by that column
// of the data. A missing numerator or denominator gives NA (as COINr), noted
// in warnings; a zero denominator is an error.
func denominate(f *Framework, d *Data, in *Matrix) (*Matrix, []string, error) {
	out := in.Clone()
	var warn []string
	for j, c := range out.Codes {
		n, _ := f.Node(c)
		if n.Denominator == "" {
			continue
		}
		den, ok := d.Columns[n.Denominator]
		if !ok {
			return nil, nil, citylens.Ef(citylens.EINVALID, "engine.denominate.no_column", "denominate: indicator %q: denominator %q is not a column of the data", c, n.Denominator)
		}
		col := out.Cols[j]
		for i := range col {
			switch {
			case IsNA(den[i]):
				if !IsNA(col[i]) {
					warn = append(warn, fmt.Sprintf("denominate: unit %q: denominator %q is missing, so %q is missing", out.Units[i], n.Denominator, c))
				}
				col[i] = NA
			case den[i] == 0:
				return nil, nil, citylens.Ef(citylens.EINVALID, "engine.denominate.zero", "denominate: unit %q: denominator %q of indicator %q is zero", out.Units[i], n.Denominator, c)
			default:
				col[i] /= den[i]
			}
		}
	}
	return out, warn, nil
}

// ImputedValue flags one value that imputation filled: where, how and the value given.
type ImputedValue struct {
	Unit      string  `json:"unit"`
	Indicator string  `json:"indicator"`
	Stage     string  `json:"stage"`           // raw or normalised
	Method    string  `json:"method"`          // mean, median, group_mean, group_median
	Group     string  `json:"group,omitempty"` // the group column of the group methods
	Value     float64 `json:"value"`
}

// imputeSpecs resolves the imputation of each column of in (indicator codes):
// the indicator's own entry in spec.Nodes, else its nearest ancestor's, else spec's.
func imputeSpecs(f *Framework, spec *Imputation, codes []string) []Imputation {
	out := make([]Imputation, len(codes))
	base := Imputation{Method: spec.Method, Group: spec.Group, Stage: spec.Stage}
	for j, c := range codes {
		out[j] = base
		if len(spec.Nodes) == 0 {
			continue
		}
		for i, ok := f.index[c]; ok; {
			if s, hit := spec.Nodes[f.nodes[i].Code]; hit {
				out[j] = s
				break
			}
			if f.nodes[i].Parent == "" {
				break
			}
			i = f.index[f.nodes[i].Parent]
		}
	}
	for j := range out {
		if out[j].Method == "" {
			out[j].Method = ImputeNone
		}
		if out[j].Stage == "" {
			out[j].Stage = ImputeRaw
		}
	}
	return out
}

// imputeAt reports whether any column is imputed at stage.
func imputeAt(specs []Imputation, stage string) bool {
	for _, s := range specs {
		if s.Method != ImputeNone && s.Stage == stage {
			return true
		}
	}
	return false
}

// impute fills the missing values of the columns whose imputation (specs,
// one per column) is at stage. Group means and medians are over the values
// available in the group; groups are read from d for in's units (in may hold
// the screened units only). flags, when not nil, receives every value filled.
func impute(specs []Imputation, stage string, d *Data, in *Matrix, flags *[]ImputedValue) (*Matrix, []string, error) {
	if !imputeAt(specs, stage) {
		return in, nil, nil
	}
	out := in.Clone()
	var warn []string
	// Group values as small ints per group column, so the per-column scans compare ints, not strings.
	type groupIDs struct {
		names []string // per unit of in
		gid   []int
		n     int
	}
	var rowOf map[string]int
	groupCols := map[string]*groupIDs{}
	groupsFor := func(name string) (*groupIDs, error) {
		if g, ok := groupCols[name]; ok {
			return g, nil
		}
		src, ok := d.Groups[name]
		if !ok || len(src) != len(d.Units) {
			return nil, citylens.Ef(citylens.EINVALID, "engine.impute.groups", "impute: group column %q does not cover the units", name)
		}
		names := src
		if len(in.Units) != len(d.Units) {
			if rowOf == nil {
				rowOf = make(map[string]int, len(d.Units))
				for i, u := range d.Units {
					rowOf[u] = i
				}
			}
			names = make([]string, len(in.Units))
			for i, u := range in.Units {
				names[i] = src[rowOf[u]]
			}
		}
		g := &groupIDs{names: names, gid: make([]int, len(names))}
		ids := map[string]int{}
		for i, v := range names {
			id, ok := ids[v]
			if !ok {
				id = len(ids)
				ids[v] = id
			}
			g.gid[i] = id
		}
		g.n = len(ids)
		groupCols[name] = g
		return g, nil
	}
	var cache, sums []float64
	var done []bool
	var counts []int
	var buf []float64
	for j, col := range out.Cols {
		spec := specs[j]
		if spec.Method == ImputeNone || spec.Stage != stage {
			continue
		}
		src := in.Cols[j]
		useMedian := spec.Method == ImputeMedian || spec.Method == ImputeGroupMedian
		stat := func(vals []float64) float64 {
			if useMedian {
				return median(vals)
			}
			return mean(vals)
		}
		flag := func(i int) {
			if flags != nil {
				*flags = append(*flags, ImputedValue{Unit: out.Units[i], Indicator: out.Codes[j], Stage: stage, Method: spec.Method, Group: spec.Group, Value: col[i]})
			}
		}
		if spec.Method == ImputeMean || spec.Method == ImputeMedian {
			var v float64
			filled := false
			for i := range col {
				if IsNA(col[i]) {
					if !filled {
						v, filled = stat(src), true
					}
					if IsNA(v) {
						warn = append(warn, fmt.Sprintf("impute: indicator %q has no values to impute from", out.Codes[j]))
						break
					}
					col[i] = v
					flag(i)
				}
			}
			continue
		}
		first := -1
		for i, v := range col {
			if IsNA(v) {
				first = i
				break
			}
		}
		if first < 0 {
			continue
		}
		g, err := groupsFor(spec.Group)
		if err != nil {
			return nil, nil, err
		}
		gid := g.gid
		if cap(cache) < g.n {
			cache, done = make([]float64, g.n), make([]bool, g.n)
			sums, counts = make([]float64, g.n), make([]int, g.n)
		}
		cache, done, sums, counts = cache[:g.n], done[:g.n], sums[:g.n], counts[:g.n]
		for k := range done {
			done[k] = false
		}
		if !useMedian {
			// Group means in one pass over the column (the same sums, in the
			// same order, as mean() over each group's values).
			for k := range sums {
				sums[k], counts[k] = 0, 0
			}
			for k, v := range src {
				if !IsNA(v) {
					sums[gid[k]] += v
					counts[gid[k]]++
				}
			}
			for k := range cache {
				cache[k] = NA
				if counts[k] > 0 {
					cache[k] = sums[k] / float64(counts[k])
				}
			}
		}
		for i := range col {
			if !IsNA(col[i]) {
				continue
			}
			k := gid[i]
			if !useMedian && !done[k] {
				done[k] = true
				if IsNA(cache[k]) {
					warn = append(warn, fmt.Sprintf("impute: indicator %q has no values in group %s=%q; its missing values stay missing", out.Codes[j], spec.Group, g.names[i]))
				}
			}
			if !done[k] {
				buf = buf[:0]
				for q := range src {
					if gid[q] == k {
						buf = append(buf, src[q])
					}
				}
				cache[k], done[k] = stat(buf), true
				if IsNA(cache[k]) {
					warn = append(warn, fmt.Sprintf("impute: indicator %q has no values in group %s=%q; its missing values stay missing", out.Codes[j], spec.Group, g.names[i]))
				}
			}
			col[i] = cache[k]
			if !IsNA(col[i]) {
				flag(i)
			}
		}
	}
	return out, warn, nil
}

// ScreenRow is one unit's data availability, as COINr's Screen summary.
type ScreenRow struct {
	Unit      string
	NMissing  int
	NZero     int
	DatAvail  float64 // share of indicators with a value
	NonZero   float64 // share of the present values that are not zero
	LowData   bool
	LowNonZer bool
	Included  bool
}

// scoredColumns marks the columns of in (indicator codes) that count in a
// score; nil when every one does.
func scoredColumns(f *Framework, codes []string) []bool {
	var out []bool
	for j, c := range codes {
		if !f.Scored(c) {
			if out == nil {
				out = make([]bool, len(codes))
				for k := range out {
					out[k] = true
				}
			}
			out[j] = false
		}
	}
	return out
}

// screen removes units with too little data. Availability counts the
// scored columns only (scored nil: all), so an unscored indicator never
// decides whether a unit is ranked.
func screen(spec Screening, in *Matrix, scored []bool) (*Matrix, []ScreenRow) {
	rows := make([]ScreenRow, len(in.Units))
	k := float64(len(in.Codes))
	if scored != nil {
		k = 0
		for _, ok := range scored {
			if ok {
				k++
			}
		}
	}
	nzThresh := spec.NonZeroThreshold
	if nzThresh == 0 {
		nzThresh = 0.5
	}
	keep := make([]int, 0, len(in.Units))
	for i, u := range in.Units {
		r := ScreenRow{Unit: u}
		for j, c := range in.Cols {
			if scored != nil && !scored[j] {
				continue
			}
			switch {
			case IsNA(c[i]):
				r.NMissing++
			case c[i] == 0:
				r.NZero++
			}
		}
		r.DatAvail = 1 - float64(r.NMissing)/k
		// As COINr: the non-zero share is over the values present.
		if present := k - float64(r.NMissing); present > 0 {
			r.NonZero = 1 - float64(r.NZero)/present
		}
		r.LowData = r.DatAvail < spec.Threshold
		r.LowNonZer = r.NonZero < nzThresh
		switch spec.Method {
		case ScreenByNA:
			r.Included = !r.LowData
		case ScreenByNAOrZeros:
			r.Included = !r.LowData && !r.LowNonZer
		case ScreenByNAAndZero:
			r.Included = !(r.LowData && r.LowNonZer)
		default:
			r.Included = true
		}
		if r.Included {
			keep = append(keep, i)
		}
		rows[i] = r
	}
	if len(keep) == len(in.Units) {
		return in, rows
	}
	units := make([]string, len(keep))
	for k, i := range keep {
		units[k] = in.Units[i]
	}
	out := newMatrix(units, in.Codes)
	for j, c := range in.Cols {
		for k, i := range keep {
			out.Cols[j][k] = c[i]
		}
	}
	return out, rows
}

// Ranks ranks every column: 1 is the highest value, ties share the lowest rank, NA stays NA.
// Its only error is an EINTERNAL one, should a column worker panic.
func Ranks(m *Matrix) (*Matrix, error) { return ranks(m, nil) }

// ranks is Ranks; beforeCol, set by tests only, is called before each column.
func ranks(m *Matrix, beforeCol func(j int)) (*Matrix, error) {
	out := newMatrix(m.Units, m.Codes)
	// Columns are independent: large matrices are ranked on every core.
	workers := 1
	if len(m.Units)*len(m.Cols) >= 1<<16 {
		workers = min(runtime.GOMAXPROCS(0), len(m.Cols))
	}
	var g group
	rank := func(w int) func() error {
		return func() error {
			var s radixScratch
			for j := w; j < len(m.Cols) && !g.Stopped(); j += workers {
				if beforeCol != nil {
					beforeCol(j)
				}
				rankDescRadix(m.Cols[j], out.Cols[j], &s)
			}
			return nil
		}
	}
	if workers == 1 {
		g.Do("rank column worker", rank(0))
	} else {
		for w := range workers {
			g.Go("rank column worker", rank(w))
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// radixScratch is the reusable space of rankDescRadix.
type radixScratch struct {
	keys, keys2 []uint64
	ids, ids2   []int32
	pairs       []rankPair
}

type rankPair struct {
	key uint64
	id  int32
}

// radixMin is the column length from which radix ranking pays.
const radixMin = 256

// rankDescRadix is rankDesc (1 = highest, ties share the lowest rank, NA
// stays NA) by an LSD radix sort of order-preserving integer keys, which
// avoids the comparison sort's branch mispredictions: several times faster
// on the columns of a build, with identical ranks.
func rankDescRadix(x, out []float64, s *radixScratch) {
	n := 0
	s.keys, s.ids = s.keys[:0], s.ids[:0]
	for i, v := range x {
		if IsNA(v) {
			out[i] = NA
			continue
		}
		if v == 0 {
			v = 0 // -0 and +0 are equal values: one key
		}
		b := math.Float64bits(v)
		if b>>63 == 1 {
			b = ^b
		} else {
			b |= 1 << 63
		}
		// b ascends with v; ^b descends.
		s.keys = append(s.keys, ^b)
		s.ids = append(s.ids, int32(i))
		n++
	}
	if n < radixMin {
		// Small columns: a comparison sort beats the radix passes' fixed cost.
		// Sorting the keys with their positions needs no comparison closure
		// reaching back into x.
		p := s.pairs[:0]
		for k, key := range s.keys {
			p = append(p, rankPair{key, s.ids[k]})
		}
		s.pairs = p
		if len(p) <= 64 {
			// Insertion sort: no comparison calls, fastest on networks of a few dozen units.
			for i := 1; i < len(p); i++ {
				q := p[i]
				j := i
				for ; j > 0 && p[j-1].key > q.key; j-- {
					p[j] = p[j-1]
				}
				p[j] = q
			}
		} else {
			slices.SortFunc(p, func(a, b rankPair) int {
				switch {
				case a.key < b.key:
					return -1
				case a.key > b.key:
					return 1
				}
				return 0
			})
		}
		for k, q := range p {
			if k > 0 && q.key == p[k-1].key {
				out[q.id] = out[p[k-1].id]
			} else {
				out[q.id] = float64(k + 1)
			}
		}
		return
	}
	if cap(s.keys2) < n {
		s.keys2, s.ids2 = make([]uint64, n), make([]int32, n)
	}
	s.keys2, s.ids2 = s.keys2[:n], s.ids2[:n] // every slot is written by the first pass
	var counts [8][256]int
	for _, k := range s.keys { // unrolled: a loop over d costs as much as the counting
		counts[0][byte(k)]++
		counts[1][byte(k>>8)]++
		counts[2][byte(k>>16)]++
		counts[3][byte(k>>24)]++
		counts[4][byte(k>>32)]++
		counts[5][byte(k>>40)]++
		counts[6][byte(k>>48)]++
		counts[7][byte(k>>56)]++
	}
	src, dst := s.keys, s.keys2
	srcID, dstID := s.ids, s.ids2
	for d := 0; d < 8; d++ {
		c := &counts[d]
		if c[byte(src[0]>>(8*d))] == n {
			continue // every key has this digit: the pass would change nothing
		}
		pos := 0
		for b := range c {
			c[b], pos = pos, pos+c[b]
		}
		shift := uint(8 * d)
		for k, key := range src {
			p := c[byte(key>>shift)]
			dst[p], dstID[p] = key, srcID[k]
			c[byte(key>>shift)] = p + 1
		}
		src, dst = dst, src
		srcID, dstID = dstID, srcID
	}
	for k, key := range src {
		if k > 0 && key == src[k-1] {
			out[srcID[k]] = out[srcID[k-1]]
		} else {
			out[srcID[k]] = float64(k + 1)
		}
	}
}
