package engine

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// Statistics over the non-missing values of a column. Each returns NA when it
// is undefined (too few values, zero spread).

func mean(x []float64) float64 {
	var s float64
	n := 0
	for _, v := range x {
		if !IsNA(v) {
			s += v
			n++
		}
	}
	if n == 0 {
		return NA
	}
	return s / float64(n)
}

// sampleSD is the n-1 standard deviation, as R's sd.
func sampleSD(x []float64) float64 {
	m := mean(x)
	var s float64
	n := 0
	for _, v := range x {
		if !IsNA(v) {
			d := v - m
			s += d * d
			n++
		}
	}
	if n < 2 {
		return NA
	}
	return math.Sqrt(s / float64(n-1))
}

// skewKurt returns the bias-adjusted skewness (Excel SKEW) and excess
// kurtosis (Excel KURT) that COINr's treatment tests.
func skewKurt(x []float64) (g1, g2 float64) {
	m := mean(x)
	var s2, s3, s4 float64
	n := 0
	for _, v := range x {
		if !IsNA(v) {
			d := v - m
			d2 := d * d
			s2 += d2
			s3 += d2 * d
			s4 += d2 * d2
			n++
		}
	}
	g1, g2 = NA, NA
	if n < 3 || s2 == 0 {
		return
	}
	fn := float64(n)
	g1 = math.Sqrt(fn) * s3 / math.Pow(s2, 1.5) * math.Sqrt(fn*(fn-1)) / (fn - 2)
	if n < 4 {
		return
	}
	b2 := fn * s4 / (s2 * s2)
	g2 = ((fn+1)*(b2-3) + 6) * (fn - 1) / ((fn - 2) * (fn - 3))
	return
}

func minMax(x []float64) (lo, hi float64, n int) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range x {
		if !IsNA(v) {
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
			n++
		}
	}
	if n == 0 {
		return NA, NA, 0
	}
	return lo, hi, n
}

// nonMissingSorted returns the non-missing values, sorted, in buf's storage.
func nonMissingSorted(x, buf []float64) []float64 {
	buf = buf[:0]
	for _, v := range x {
		if !IsNA(v) {
			buf = append(buf, v)
		}
	}
	sort.Float64s(buf)
	return buf
}

func median(x []float64) float64 {
	s := nonMissingSorted(x, nil)
	return medianSorted(s)
}

func medianSorted(s []float64) float64 {
	n := len(s)
	if n == 0 {
		return NA
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// quantile7 is R's quantile type 7 on sorted values: h = (n-1)p + 1.
func quantile7(s []float64, p float64) float64 {
	n := len(s)
	if n == 0 {
		return NA
	}
	h := float64(n-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i >= n-1 {
		return s[n-1]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}

// rankDesc writes into out the rank of each value with 1 the highest and
// ties sharing the lowest rank (R's rank(-x, ties = "min")); NA stays NA.
// idx is scratch space of len(x).
func rankDesc(x []float64, out []float64, idx []int) {
	idx = idx[:0]
	for i, v := range x {
		if IsNA(v) {
			out[i] = NA
		} else {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(x[b], x[a]) })
	for k, i := range idx {
		if k > 0 && x[i] == x[idx[k-1]] {
			out[i] = out[idx[k-1]]
		} else {
			out[i] = float64(k + 1)
		}
	}
}

// rankAsc is R's rank(x, ties.method = "min", na.last = "keep"): 1 the lowest.
func rankAsc(x []float64, out []float64) {
	idx := make([]int, 0, len(x))
	for i, v := range x {
		if IsNA(v) {
			out[i] = NA
		} else {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	for k, i := range idx {
		if k > 0 && x[i] == x[idx[k-1]] {
			out[i] = out[idx[k-1]]
		} else {
			out[i] = float64(k + 1)
		}
	}
}

func sortFloats(x []float64) { sort.Float64s(x) }
