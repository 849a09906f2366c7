package engine

import (
	"math"
)

// SkewKurtCheck is the outlier test of one column: it passes when
// |skew| < skew threshold or kurtosis < kurtosis threshold.
type SkewKurtCheck struct {
	Pass bool
	Skew float64
	Kurt float64
}

// TreatDetail says what treatment did to one indicator, as COINr's Treat
// details: the check before, after winsorising and after the log fallback.
type TreatDetail struct {
	Indicator  string
	Method     string // none, winsorise
	Before     SkewKurtCheck
	Winsorised bool          // the column failed and winsorisation was tried
	NWin       int           // points clipped
	After      SkewKurtCheck // after winsorising (when Winsorised)
	Logged     bool          // the log fallback replaced the column
	AfterLog   SkewKurtCheck // after the log fallback (when Logged)
	WinHi      []int         // unit positions clipped at the top (final step)
	WinLo      []int         // unit positions clipped at the bottom (final step)
}

func check(x []float64, t Treatment) SkewKurtCheck {
	g1, g2 := skewKurt(x)
	// Too few values or no spread to test: nothing to treat.
	pass := IsNA(g1) || IsNA(g2) || math.Abs(g1) < t.SkewThreshold || g2 < t.KurtThreshold
	return SkewKurtCheck{Pass: pass, Skew: g1, Kurt: g2}
}

// treatColumn treats x in place (buf is scratch of len(x)) following COINr's
// winsorise / log_CT procedure exactly.
func treatColumn(code string, x []float64, t Treatment, buf []float64) TreatDetail {
	d := TreatDetail{Indicator: code, Method: t.Method}
	if t.Method != TreatWinsorise {
		return d
	}
	d.Before = check(x, t)
	if d.Before.Pass {
		return d
	}
	d.Winsorised = true
	w := buf[:len(x)]
	copy(w, x)
	var imax, imin []int
	nwin := 0
	cur := d.Before
	for !cur.Pass && nwin < t.Winmax {
		if cur.Skew >= 0 {
			imax = imax[:0]
			hi := math.Inf(-1)
			for _, v := range w {
				if !IsNA(v) && v > hi {
					hi = v
				}
			}
			next := math.Inf(-1)
			for i, v := range w {
				if IsNA(v) {
					continue
				}
				if v == hi {
					imax = append(imax, i)
				} else if v > next {
					next = v
				}
			}
			if math.IsInf(next, -1) { // every value equal: nothing left to clip to
				break
			}
			for _, i := range imax {
				w[i] = next
			}
		} else {
			imin = imin[:0]
			lo := math.Inf(1)
			for _, v := range w {
				if !IsNA(v) && v < lo {
					lo = v
				}
			}
			next := math.Inf(1)
			for i, v := range w {
				if IsNA(v) {
					continue
				}
				if v == lo {
					imin = append(imin, i)
				} else if v < next {
					next = v
				}
			}
			if math.IsInf(next, 1) {
				break
			}
			for _, i := range imin {
				w[i] = next
			}
		}
		nwin = len(imax) + len(imin)
		cur = check(w, t)
	}
	d.NWin = nwin
	d.After = cur
	// COINr reports the clipped points even when the log fallback then replaces the column.
	d.WinHi = append([]int(nil), imax...)
	d.WinLo = append([]int(nil), imin...)
	if cur.Pass || t.Fallback == "none" {
		copy(x, w)
		return d
	}
	// Discard the winsorisation; log_CT on the original column.
	lo, hi, _ := minMax(x)
	for i, v := range x {
		if !IsNA(v) {
			x[i] = math.Log(v - lo + 0.01*(hi-lo))
		}
	}
	d.Logged = true
	d.AfterLog = check(x, t)
	return d
}

// treat applies treatment to every indicator column.
func treat(spec Treatment, in *Matrix) (*Matrix, []TreatDetail, error) {
	details := make([]TreatDetail, len(in.Codes))
	base := spec.resolved()
	anyOn := base.Method != TreatNone
	for _, o := range spec.Indicators {
		if o.Method == TreatWinsorise {
			anyOn = true
		}
	}
	if !anyOn {
		for j, c := range in.Codes {
			details[j] = TreatDetail{Indicator: c, Method: TreatNone}
		}
		return in, details, nil
	}
	out := in.Clone()
	err := parallelFor(len(out.Codes), columnWorkers(in), "treat column worker", func(lo, hi int) {
		buf := make([]float64, len(in.Units))
		for j := lo; j < hi; j++ {
			c := out.Codes[j]
			t := base
			if o, ok := spec.Indicators[c]; ok {
				t = o.resolved()
			}
			details[j] = treatColumn(c, out.Cols[j], t, buf)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return out, details, nil
}

// columnWorkers is how many goroutines a column-wise step uses: one for
// small data sets, where starting goroutines costs more than it saves.
func columnWorkers(m *Matrix) int {
	if len(m.Units)*len(m.Codes) < 1<<16 { // as Ranks
		return 1
	}
	return 0 // all cores
}
