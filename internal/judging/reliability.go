package judging

import (
	"math"
)

// Missing marks a score that was not given in a reliability matrix.
var Missing = math.NaN()

// IsMissing reports whether v is Missing.
func IsMissing(v float64) bool { return math.IsNaN(v) }

// ReliabilityThreshold is the level below which agreement is flagged:
// Krippendorff's lowest acceptable alpha for tentative conclusions.
const ReliabilityThreshold = 0.667

// KrippendorffInterval is Krippendorff's alpha for interval data.
// data[u][r] is rater r's value for unit u (Missing when not given);
// units with fewer than two values are not pairable and are left out.
// ok is false when there is no pairable unit or no variation at all.
func KrippendorffInterval(data [][]float64) (alpha float64, ok bool) {
	return krippendorff(data, func(a, b float64) float64 { return (a - b) * (a - b) })
}

// krippendorff computes alpha = 1 − Do/De from the coincidences of values
// within units, for any difference function delta (squared).
func krippendorff(data [][]float64, delta func(a, b float64) float64) (float64, bool) {
	var units [][]float64
	var all []float64
	for _, row := range data {
		var vs []float64
		for _, v := range row {
			if !IsMissing(v) {
				vs = append(vs, v)
			}
		}
		if len(vs) >= 2 {
			units = append(units, vs)
			all = append(all, vs...)
		}
	}
	n := float64(len(all))
	if n < 2 {
		return 0, false
	}
	// Observed disagreement: within units, each pair weighted by 1/(m_u−1).
	var do float64
	for _, vs := range units {
		m := float64(len(vs))
		var s float64
		for i := range vs {
			for j := range vs {
				if i != j {
					s += delta(vs[i], vs[j])
				}
			}
		}
		do += s / (m - 1)
	}
	do /= n
	// Expected disagreement: over all pairable values. Group equal values
	// so the cost is quadratic in distinct values, not in scores.
	counts := map[float64]float64{}
	for _, v := range all {
		counts[v]++
	}
	keys := make([]float64, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	var de float64
	for _, a := range keys {
		for _, b := range keys {
			if a != b {
				de += counts[a] * counts[b] * delta(a, b)
			}
		}
	}
	de /= n * (n - 1)
	if de == 0 {
		return 0, false
	}
	return 1 - do/de, true
}

// ICC holds the six intraclass correlations of Shrout and Fleiss (1979):
// ICC(1,1), ICC(2,1), ICC(3,1) for a single rating and ICC(1,k), ICC(2,k),
// ICC(3,k) for the mean of k ratings.
type ICC struct {
	ICC1, ICC2, ICC3    float64 // single rating
	ICC1k, ICC2k, ICC3k float64 // average of k ratings
	Targets, Raters     int
}

// Intraclass computes the six ICCs from a complete targets × raters matrix
// (every rater rates every target). ok is false when the matrix has fewer
// than two targets or raters, a missing value, or no variation.
//
// ICC(1) is the one-way model (each target rated by a different set of
// raters); ICC(2) the two-way random model, ICC(3) the two-way mixed
// model (consistency).
func Intraclass(x [][]float64) (ICC, bool) {
	n := len(x)
	if n < 2 {
		return ICC{}, false
	}
	k := len(x[0])
	if k < 2 {
		return ICC{}, false
	}
	var grand float64
	rowMean := make([]float64, n)
	colMean := make([]float64, k)
	for i, row := range x {
		if len(row) != k {
			return ICC{}, false
		}
		for j, v := range row {
			if IsMissing(v) {
				return ICC{}, false
			}
			rowMean[i] += v
			colMean[j] += v
			grand += v
		}
	}
	nk := float64(n * k)
	grand /= nk
	for i := range rowMean {
		rowMean[i] /= float64(k)
	}
	for j := range colMean {
		colMean[j] /= float64(n)
	}
	var ssr, ssc, sst float64
	for i := range n {
		ssr += (rowMean[i] - grand) * (rowMean[i] - grand)
	}
	ssr *= float64(k)
	for j := range k {
		ssc += (colMean[j] - grand) * (colMean[j] - grand)
	}
	ssc *= float64(n)
	for _, row := range x {
		for _, v := range row {
			sst += (v - grand) * (v - grand)
		}
	}
	sse := sst - ssr - ssc
	fn, fk := float64(n), float64(k)
	bms := ssr / (fn - 1)
	wms := (ssc + sse) / (fn * (fk - 1))
	jms := ssc / (fk - 1)
	ems := sse / ((fn - 1) * (fk - 1))
	if bms == 0 {
		return ICC{}, false
	}
	return ICC{
		ICC1:    (bms - wms) / (bms + (fk-1)*wms),
		ICC2:    (bms - ems) / (bms + (fk-1)*ems + fk*(jms-ems)/fn),
		ICC3:    (bms - ems) / (bms + (fk-1)*ems),
		ICC1k:   (bms - wms) / bms,
		ICC2k:   (bms - ems) / (bms + (jms-ems)/fn),
		ICC3k:   (bms - ems) / bms,
		Targets: n, Raters: k,
	}, true
}

// OneWayICC is ICC(1,1) and ICC(1,k) for targets rated by different
// raters, each by its own number of ratings (the usual case in a prize
// round): the one-way ANOVA with k₀, the adjusted mean group size.
func OneWayICC(groups [][]float64) (single, average float64, ok bool) {
	var N, sumsq float64
	var gs [][]float64
	for _, g := range groups {
		var vs []float64
		for _, v := range g {
			if !IsMissing(v) {
				vs = append(vs, v)
			}
		}
		if len(vs) > 0 {
			gs = append(gs, vs)
			N += float64(len(vs))
			sumsq += float64(len(vs) * len(vs))
		}
	}
	a := float64(len(gs))
	if a < 2 || N <= a {
		return 0, 0, false
	}
	var grand float64
	for _, g := range gs {
		for _, v := range g {
			grand += v
		}
	}
	grand /= N
	var ssb, ssw float64
	for _, g := range gs {
		var m float64
		for _, v := range g {
			m += v
		}
		m /= float64(len(g))
		ssb += float64(len(g)) * (m - grand) * (m - grand)
		for _, v := range g {
			ssw += (v - m) * (v - m)
		}
	}
	bms := ssb / (a - 1)
	wms := ssw / (N - a)
	k0 := (N - sumsq/N) / (a - 1)
	if bms == 0 || bms+(k0-1)*wms == 0 {
		return 0, 0, false
	}
	return (bms - wms) / (bms + (k0-1)*wms), (bms - wms) / bms, true
}
