package survey

import (
	"encoding/json"
	"math"
)

// MinEffectiveN is the effective sample size under which a figure is
// shown as "too few responses" rather than as a number.
const MinEffectiveN = 30

// Z95 is the normal quantile of a two-sided 95 % interval.
const Z95 = 1.959963984540054

// Mean is a weighted mean with its standard error: the with-replacement
// linearised variance of R's svymean on a design with the weights taken as
// fixed, m/(m−1) · Σ(wᵢ(yᵢ − ȳ))² / (Σwᵢ)², the sum over the n who
// answered. m is the design's size, every respondent of the city, those who
// did not answer too: R's svymean(na.rm = TRUE) keeps them in the design
// with weight 0 (a domain estimate), so its degrees-of-freedom factor counts
// them.
type Mean struct {
	N    int     `json:"n"`
	NEff float64 `json:"n_eff"`
	Mean float64 `json:"mean"`
	SE   float64 `json:"se"` // NaN with fewer than two observations
}

// TooFew says the figure rests on too few responses to be shown.
func (m Mean) TooFew() bool { return !(m.NEff >= MinEffectiveN) }

// MOE is the margin of error of a 95 % interval.
func (m Mean) MOE() float64 { return Z95 * m.SE }

// Low and High are the 95 % interval.
func (m Mean) Low() float64  { return m.Mean - m.MOE() }
func (m Mean) High() float64 { return m.Mean + m.MOE() }

// WeightedMean is the mean of y under weights w, over the i where y[i] is
// not NaN (an answer left out: no answer, not available); len(y) is the
// design's size m.
func WeightedMean(y, w []float64) Mean {
	var n int
	var sw, sw2, swy float64
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		n++
		sw += w[i]
		sw2 += w[i] * w[i]
		swy += w[i] * v
	}
	m := Mean{N: n, Mean: math.NaN(), SE: math.NaN()}
	if n == 0 || sw <= 0 {
		return m
	}
	m.NEff = sw * sw / sw2
	m.Mean = swy / sw
	size := len(y)
	if n < 2 || size < 2 {
		return m
	}
	var ss float64
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		d := w[i] * (v - m.Mean)
		ss += d * d
	}
	m.SE = math.Sqrt(float64(size) / float64(size-1) * ss / (sw * sw))
	return m
}

// Pooled is a figure pooled over waves.
type Pooled struct {
	Mean  float64   `json:"mean"`
	SE    float64   `json:"se"`
	NEff  float64   `json:"n_eff"`
	Waves []string  `json:"waves"`  // the waves pooled, latest first
	Share []float64 `json:"shares"` // each wave's weight, renormalised to sum to 1
}

// Pool combines per-wave figures (latest first) with weights (3, 2, 1 by
// default), renormalised over the waves that have a figure: the mean is
// Σaₖ·mₖ and the standard error √Σaₖ²·seₖ² (independent samples); the
// effective n is 1/Σ(aₖ²/nₖ), that of a single sample with the same
// variance per respondent. Waves beyond len(weights) are left out.
func Pool(waves []string, figures []Mean, weights []float64) Pooled {
	if len(weights) == 0 {
		weights = []float64{3, 2, 1}
	}
	p := Pooled{Mean: math.NaN(), SE: math.NaN()}
	var total float64
	use := make([]int, 0, len(weights))
	for k := 0; k < len(figures) && k < len(weights); k++ {
		if figures[k].N == 0 || math.IsNaN(figures[k].Mean) || weights[k] <= 0 {
			continue
		}
		use = append(use, k)
		total += weights[k]
	}
	if total == 0 {
		return p
	}
	var mean, v, invN float64
	seOK := true
	for _, k := range use {
		a := weights[k] / total
		mean += a * figures[k].Mean
		if math.IsNaN(figures[k].SE) {
			seOK = false
		}
		v += a * a * figures[k].SE * figures[k].SE
		if figures[k].NEff > 0 {
			invN += a * a / figures[k].NEff
		}
		p.Waves = append(p.Waves, waves[k])
		p.Share = append(p.Share, a)
	}
	p.Mean = mean
	if seOK {
		p.SE = math.Sqrt(v)
	}
	if invN > 0 {
		p.NEff = 1 / invN
	}
	return p
}

// meanJSON is Mean on the wire: a figure that is not a number (no answer,
// fewer than two) is null, never 0.
type meanJSON struct {
	N    int      `json:"n"`
	NEff float64  `json:"n_eff"`
	Mean *float64 `json:"mean"`
	SE   *float64 `json:"se"`
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON writes NaN figures as null.
func (m Mean) MarshalJSON() ([]byte, error) {
	return json.Marshal(meanJSON{N: m.N, NEff: m.NEff, Mean: finite(m.Mean), SE: finite(m.SE)})
}

// UnmarshalJSON reads null figures as NaN.
func (m *Mean) UnmarshalJSON(b []byte) error {
	var j meanJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = Mean{N: j.N, NEff: j.NEff, Mean: orNaN(j.Mean), SE: orNaN(j.SE)}
	return nil
}

// MarshalJSON writes NaN figures as null.
func (p Pooled) MarshalJSON() ([]byte, error) {
	type wire struct {
		Mean  *float64  `json:"mean"`
		SE    *float64  `json:"se"`
		NEff  float64   `json:"n_eff"`
		Waves []string  `json:"waves"`
		Share []float64 `json:"shares"`
	}
	return json.Marshal(wire{finite(p.Mean), finite(p.SE), p.NEff, p.Waves, p.Share})
}
