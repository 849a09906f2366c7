package engine

import (
	"context"
	"math/rand/v2"
	"sort"

	"github.com/citylens/citylens"
)

// SobolIndex is the first-order (S1) and total-effect (ST) Sobol index of one
// uncertain input for one output, with bootstrap 95 % confidence intervals.
type SobolIndex struct {
	Output     string // a unit code (its target score) or MeanAbsShiftOutput
	Input      string
	S1, ST     float64
	S1Lo, S1Hi float64
	STLo, STHi float64
	N          int // base samples usable for this output and input
}

// MeanAbsShiftOutput names the output "mean absolute rank shift" in SobolIndex.
const MeanAbsShiftOutput = "mean_abs_rank_shift"

// SAResult is a variance-based sensitivity analysis.
type SAResult struct {
	N        int // base sample size
	Runs     int // N·(d+2) replications
	Failed   int
	Failures []FailureCount
	Inputs   []string
	Indices  []SobolIndex // MeanAbsShiftOutput first, then units in data order; inputs in declared order
}

// saPoints returns the Saltelli design for base sample j: A_j, B_j, then
// A_j with column i taken from B_j for each input i.
func saPoints(seed uint64, j, d int) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, uint64(j)+1))
	a := make([]float64, d)
	b := make([]float64, d)
	for k := range a {
		a[k] = rng.Float64()
	}
	for k := range b {
		b[k] = rng.Float64()
	}
	pts := [][]float64{a, b}
	for i := 0; i < d; i++ {
		ab := append([]float64(nil), a...)
		ab[i] = b[i]
		pts = append(pts, ab)
	}
	return pts
}

// SAReplications returns the replications of base samples [from, to) of a
// sensitivity analysis: d+2 per base sample.
func (a *Analysis) SAReplications(seed uint64, from, to int) ([]Replication, error) {
	d := a.Dim()
	ws := weightSeed(seed)
	reps := make([]Replication, (to-from)*(d+2))
	errs := make([]error, to-from)
	err := parallelFor(to-from, a.Workers, "sensitivity sampling worker", func(lo, hi int) {
		for j := lo; j < hi; j++ {
			for k, u := range saPoints(seed, from+j, d) {
				if reps[j*(d+2)+k], errs[j] = a.replication(u, ws); errs[j] != nil {
					return
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return reps, nil
}

// weightSeed fixes the weight-noise stream of an analysis, so that one value
// of the weights input always means the same weight set.
func weightSeed(seed uint64) [2]uint64 {
	rng := rand.New(rand.NewPCG(seed, 0x77656967687473))
	return [2]uint64{rng.Uint64(), rng.Uint64()}
}

// RunSA runs a sensitivity analysis with n base samples (n·(d+2) replications)
// and bootstrap resamples for the confidence intervals.
func (a *Analysis) RunSA(ctx context.Context, n int, seed uint64, bootstrap int) (*SAResult, error) {
	if n < 2 {
		return nil, citylens.Errorf(citylens.EINVALID, "sensitivity: N must be at least 2, got %d", n)
	}
	if bootstrap < 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "sensitivity: bootstrap must be 0 or more, got %d", bootstrap)
	}
	reps, err := a.SAReplications(seed, 0, n)
	if err != nil {
		return nil, err
	}
	out, err := runReplications(ctx, a.f, a.d, reps, 0, a.nodes[:1], a.replayOptions())
	if err != nil {
		return nil, err
	}
	ua, err := summarise(a.nominal, a.target, a.nodes[:1], []*ReplicaOutput{out}, a.Workers)
	if err != nil {
		return nil, err
	}
	d := a.Dim()
	res := &SAResult{N: n, Runs: len(reps), Failed: ua.Failed, Failures: ua.Failures, Inputs: a.Inputs()}
	// Outputs: mean absolute rank shift, then each unit's target score.
	outputs := []string{MeanAbsShiftOutput}
	values := [][]float64{ua.MeanAbsShift}
	for u, code := range out.Units {
		col := make([]float64, len(reps))
		for r := range reps {
			col[r] = out.Scores[r][u]
		}
		outputs = append(outputs, code)
		values = append(values, col)
	}
	// Each output has its own bootstrap stream: the result does not depend on workers.
	res.Indices = make([]SobolIndex, len(values)*d)
	err = parallelFor(len(values), a.Workers, "sensitivity index worker", func(lo, hi int) {
		for o := lo; o < hi; o++ {
			idx := sobol(values[o], n, d, bootstrap, rand.New(rand.NewPCG(seed^0x626f6f74, uint64(o))))
			for i := range idx {
				idx[i].Output = outputs[o]
				idx[i].Input = res.Inputs[i]
				res.Indices[o*d+i] = idx[i]
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sobol estimates first-order (Saltelli 2010) and total-effect (Jansen 1999)
// indices from y laid out as N blocks of (A, B, AB_1..AB_d).
func sobol(y []float64, n, d, bootstrap int, rng *rand.Rand) []SobolIndex {
	stride := d + 2
	out := make([]SobolIndex, d)
	// Variance of the output over all A and B runs.
	var all []float64
	for j := 0; j < n; j++ {
		for _, v := range []float64{y[j*stride], y[j*stride+1]} {
			if !IsNA(v) {
				all = append(all, v)
			}
		}
	}
	variance := NA
	if len(all) > 1 {
		m := sum(all) / float64(len(all))
		var s float64
		for _, v := range all {
			s += (v - m) * (v - m)
		}
		variance = s / float64(len(all)-1)
	}
	for i := 0; i < d; i++ {
		var valid []int
		for j := 0; j < n; j++ {
			fa, fb, fab := y[j*stride], y[j*stride+1], y[j*stride+2+i]
			if !IsNA(fa) && !IsNA(fb) && !IsNA(fab) {
				valid = append(valid, j)
			}
		}
		est := func(js []int) (s1, st float64) {
			var a1, a2 float64
			for _, j := range js {
				fa, fb, fab := y[j*stride], y[j*stride+1], y[j*stride+2+i]
				a1 += fb * (fab - fa)
				a2 += (fa - fab) * (fa - fab)
			}
			k := float64(len(js))
			return a1 / k / variance, a2 / (2 * k) / variance
		}
		si := SobolIndex{N: len(valid), S1: NA, ST: NA, S1Lo: NA, S1Hi: NA, STLo: NA, STHi: NA}
		if len(valid) >= 2 && !IsNA(variance) && variance > 0 {
			si.S1, si.ST = est(valid)
			if bootstrap > 0 {
				s1s := make([]float64, bootstrap)
				sts := make([]float64, bootstrap)
				sample := make([]int, len(valid))
				for b := 0; b < bootstrap; b++ {
					for k := range sample {
						sample[k] = valid[rng.IntN(len(valid))]
					}
					s1s[b], sts[b] = est(sample)
				}
				sort.Float64s(s1s)
				sort.Float64s(sts)
				si.S1Lo, si.S1Hi = quantile7(s1s, 0.025), quantile7(s1s, 0.975)
				si.STLo, si.STHi = quantile7(sts, 0.025), quantile7(sts, 0.975)
			}
		}
		out[i] = si
	}
	return out
}
