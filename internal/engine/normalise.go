package engine

import (
	"math"

	"github.com/citylens/citylens"
)

// normaliseColumn writes the normalised x (direction applied first) into out.
// It fails on a column it cannot scale (no spread, too few values).
func normaliseColumn(n *Node, spec Normalisation, x, out []float64) error {
	dir := float64(n.Direction)
	for i, v := range x {
		out[i] = v * dir
	}
	// format is the English text of key after "normalise: indicator %q: ".
	bad := func(key, format string, args ...any) error {
		return citylens.Ef(citylens.EINVALID, key, "normalise: indicator %q: "+format, append([]any{n.Code}, args...)...)
	}
	switch spec.Method {
	case NormNone:
		return nil
	case NormMinMax:
		lo, hi, cnt := minMax(out)
		if cnt == 0 {
			return bad("engine.normalise.no_values", "no values")
		}
		if lo == hi {
			return bad("engine.normalise.constant", "all %d values are equal (%v): min-max cannot scale a constant column", cnt, lo*dir)
		}
		for i, v := range out {
			out[i] = (v-lo)/(hi-lo)*(spec.High-spec.Low) + spec.Low
		}
	case NormScaled:
		for i, v := range out {
			out[i] = (v - spec.Low) / (spec.High - spec.Low) * 100
		}
	case NormZScore:
		m := rMean(out)
		sd := sampleSD(out)
		if IsNA(sd) || sd == 0 {
			return bad("engine.normalise.sd", "standard deviation is zero or undefined: z-scores need at least two different values")
		}
		for i, v := range out {
			out[i] = (v-m)/sd*spec.SD + spec.Mean
		}
	case NormRank, NormBorda, NormPRank:
		r := make([]float64, len(out))
		rankAsc(out, r)
		_, _, cnt := minMax(out)
		switch spec.Method {
		case NormRank:
			copy(out, r)
		case NormBorda:
			for i, v := range r {
				out[i] = v - 1
			}
		case NormPRank:
			if cnt < 2 {
				return bad("engine.normalise.prank", "percentile ranks need at least two values")
			}
			for i, v := range r {
				out[i] = (v - 1) / float64(cnt-1)
			}
		}
	case NormGoalposts:
		g := n.Goalposts
		if g == nil {
			return bad("engine.normalise.no_goalposts", "no goalposts")
		}
		// As COINr: the goalposts are numeric bounds (Low < High) whatever the
		// direction; with the direction applied, -High is the lower bound of a
		// lower-is-better indicator, so its score is (High - x)/(High - Low).
		lo, hi := g.Low, g.High
		if dir < 0 {
			lo, hi = -g.High, -g.Low
		}
		scale, trunc := spec.Scale, !spec.NoTruncate
		if g.Scale != 0 {
			scale = g.Scale
		}
		if g.Truncate != nil {
			trunc = *g.Truncate
		}
		for i, v := range out {
			if IsNA(v) {
				continue
			}
			y := (v - lo) / (hi - lo)
			if trunc {
				y = math.Min(math.Max(y, 0), 1)
			}
			out[i] = y * scale
		}
	case NormDist2Targ:
		if n.Target == nil {
			return bad("engine.normalise.no_target", "no target")
		}
		t := *n.Target * dir
		lo, _, cnt := minMax(out)
		if cnt == 0 {
			return bad("engine.normalise.no_values", "no values")
		}
		if t == lo {
			return bad("engine.normalise.target_lowest", "the target equals the lowest value: distance to target is undefined")
		}
		for i, v := range out {
			if IsNA(v) {
				continue
			}
			y := 1 - (t-v)/(t-lo)
			if spec.CapMax && y > 1 {
				y = 1
			}
			out[i] = y * spec.Scale
		}
	case NormDist2Max:
		lo, hi, cnt := minMax(out)
		if cnt == 0 {
			return bad("engine.normalise.no_values", "no values")
		}
		if lo == hi {
			return bad("engine.normalise.dist2max", "all values are equal: distance to maximum is undefined")
		}
		for i, v := range out {
			out[i] = (1 - (hi-v)/(hi-lo)) * spec.Scale
		}
	case NormFracMax:
		_, hi, cnt := minMax(out)
		if cnt == 0 {
			return bad("engine.normalise.no_values", "no values")
		}
		if hi == 0 {
			return bad("engine.normalise.max_zero", "the maximum is zero: fraction of maximum is undefined")
		}
		for i, v := range out {
			out[i] = v / hi * spec.Scale
		}
	default:
		return bad("engine.normalise.unknown", "unknown normalisation %q", spec.Method)
	}
	return nil
}

// rMean is R's mean(): the plain mean refined by the mean of the residuals,
// which keeps z-scores within an ulp or two of COINr's.
func rMean(x []float64) float64 {
	m := mean(x)
	if IsNA(m) {
		return m
	}
	var t float64
	n := 0
	for _, v := range x {
		if !IsNA(v) {
			t += v - m
			n++
		}
	}
	return m + t/float64(n)
}

func normalise(f *Framework, m *Method, in *Matrix) (*Matrix, error) {
	out := newMatrix(in.Units, in.Codes)
	base := m.Normalise.resolved()
	errs := make([]error, len(in.Codes))
	err := parallelFor(len(in.Codes), columnWorkers(in), "normalise column worker", func(lo, hi int) {
		for j := lo; j < hi; j++ {
			spec := base
			if o, ok := m.NormaliseIndicators[in.Codes[j]]; ok {
				spec = o.resolved()
			}
			i := f.index[in.Codes[j]]
			errs[j] = normaliseColumn(&f.nodes[i], spec, in.Cols[j], out.Cols[j])
		}
	})
	if err != nil {
		return nil, err
	}
	for _, err := range errs { // the first column's error, as a serial loop would give
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
