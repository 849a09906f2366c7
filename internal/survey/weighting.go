package survey

import (
	"fmt"
	"math"
	"slices"

	"github.com/citylens/citylens"
)

// Population is a city's population by weighting variable and category:
// Population["sex"]["female"] = 193114. Every variable's categories sum to
// the same total.
type Population map[string]map[string]float64

// Total is the population's total (that of its first variable in sorted
// order; Check makes sure every variable agrees).
func (p Population) Total() float64 {
	vars := p.Variables()
	if len(vars) == 0 {
		return 0
	}
	var t float64
	for _, v := range p[vars[0]] {
		t += v
	}
	return t
}

// Variables are the population's variables, sorted.
func (p Population) Variables() []string {
	out := make([]string, 0, len(p))
	for v := range p {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// Check refuses margins no raking could meet: a negative or non-finite
// population, a variable without categories, variables whose categories
// sum to different totals (relative difference over 1e-9): the variables
// blamed are those off the total most variables agree on.
func (p Population) Check(city string) error {
	var problems []citylens.Problem
	sums := map[string]float64{}
	vars := p.Variables()
	for _, v := range vars {
		cats := p[v]
		if len(cats) == 0 {
			problems = append(problems, citylens.Problem{City: city, Field: v, Reason: "the variable has no categories",
				Key: "survey.problem.margin_empty", Args: []any{v}})
			continue
		}
		var sum float64
		for _, c := range sortedKeys(cats) {
			n := cats[c]
			if math.IsNaN(n) || math.IsInf(n, 0) || n < 0 {
				problems = append(problems, citylens.Problem{City: city, Field: v + "=" + c, Reason: "a population must be a number of 0 or more",
					Key: "survey.problem.margin_negative", Args: []any{v, c}})
			}
			sum += n
		}
		sums[v] = sum
	}
	same := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(b), 1) }
	best, votes := "", -1
	for _, v := range vars {
		if _, ok := sums[v]; !ok {
			continue
		}
		n := 0
		for _, w := range vars {
			if x, ok := sums[w]; ok && same(x, sums[v]) {
				n++
			}
		}
		if n > votes {
			best, votes = v, n
		}
	}
	for _, v := range vars {
		if x, ok := sums[v]; ok && !same(x, sums[best]) {
			problems = append(problems, citylens.Problem{City: city, Field: v,
				Reason: fmt.Sprintf("the categories of %s sum to %v, those of %s to %v", v, x, best, sums[best]),
				Key:    "survey.problem.margin_total", Args: []any{v, x, best, sums[best]}})
		}
	}
	if len(problems) > 0 {
		return &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.margins", Args: []any{city},
			Message: "the population margins of " + city + " are inconsistent", Problems: problems}
	}
	return nil
}

// RakeInput is one city's sample to weight.
type RakeInput struct {
	City string
	// Variables are the weighting variables in the order each sweep
	// adjusts them (R's rake adjusts in the order of its margin list).
	Variables []string
	// Categories[v][i] is respondent i's category of Variables[v]; ""
	// is "prefer not to say": that respondent's weight is left out of
	// the variable's adjustment, and the stated categories are fitted to
	// their population shares of the weight that is stated.
	Categories [][]string
	Margins    Population
	// Start are the initial weights (nil: 1 each, R's weights = ~1).
	Start []float64
}

// RakeOptions control the iterations. Zero values take R's settings used
// by the reference (maxit 1000, epsilon 1e-12).
type RakeOptions struct {
	MaxIterations int
	// Epsilon: the sweeps stop when no weighted margin cell moves by more
	// than Epsilon × the total weight between two sweeps.
	Epsilon float64
}

// Raked is the outcome of Rake.
type Raked struct {
	Weights    []float64
	Iterations int  // sweeps made
	Converged  bool // false: stopped at MaxIterations
	// Calibration gives the standard errors that account for the raking
	// (Calibration.Mean), over these weights.
	Calibration *Calibration
}

// Rake weights a city's respondents to its population margins by
// iterative proportional fitting: each sweep post-stratifies to each
// variable in turn (every respondent of category c gets its weight times
// population(c) / weighted total(c)), until a sweep moves no margin cell by
// more than Epsilon × the total. A category with population but no
// respondent, a respondent's category unknown to the margins, or a
// category of respondents with no population cannot be fitted: the error
// names the city, variable and category.
func Rake(in RakeInput, opt RakeOptions) (Raked, error) {
	if opt.MaxIterations <= 0 {
		opt.MaxIterations = 1000
	}
	if opt.Epsilon <= 0 {
		opt.Epsilon = 1e-12
	}
	if err := in.Margins.Check(in.City); err != nil {
		return Raked{}, err
	}
	if len(in.Categories) != len(in.Variables) {
		return Raked{}, citylens.Errorf(citylens.EINVALID, "rake %s: %d variables, %d category columns", in.City, len(in.Variables), len(in.Categories))
	}
	n := -1
	for _, c := range in.Categories {
		if n >= 0 && len(c) != n {
			return Raked{}, citylens.Errorf(citylens.EINVALID, "rake %s: category columns of different lengths", in.City)
		}
		n = len(c)
	}
	if n <= 0 {
		return Raked{}, citylens.E(citylens.EINVALID, "survey.error.no_respondents", in.City)
	}
	w := make([]float64, n)
	if in.Start != nil {
		if len(in.Start) != n {
			return Raked{}, citylens.Errorf(citylens.EINVALID, "rake %s: %d start weights for %d respondents", in.City, len(in.Start), n)
		}
		copy(w, in.Start)
	} else {
		for i := range w {
			w[i] = 1
		}
	}

	// Index each variable's categories once: idx[v][i] is respondent i's
	// category number, -1 when not stated.
	type margin struct {
		names  []string
		target []float64
		idx    []int
	}
	var problems []citylens.Problem
	margins := make([]margin, len(in.Variables))
	for v, name := range in.Variables {
		pop, ok := in.Margins[name]
		if !ok {
			problems = append(problems, citylens.Problem{City: in.City, Field: name, Reason: "no population margin for this variable",
				Key: "survey.problem.margin_missing", Args: []any{name}})
			continue
		}
		m := margin{idx: make([]int, n)}
		for c := range pop {
			m.names = append(m.names, c)
		}
		slices.Sort(m.names)
		m.target = make([]float64, len(m.names))
		for k, c := range m.names {
			m.target[k] = pop[c]
		}
		count := make([]int, len(m.names))
		for i, c := range in.Categories[v] {
			if c == "" {
				m.idx[i] = -1
				continue
			}
			k, found := slices.BinarySearch(m.names, c)
			if !found {
				problems = append(problems, citylens.Problem{City: in.City, Field: name + "=" + c,
					Reason: "respondents of category " + c + " of " + name + ", which the population margins do not have",
					Key:    "survey.problem.category_unknown", Args: []any{name, c}})
				m.idx[i] = -1
				continue
			}
			m.idx[i] = k
			count[k]++
		}
		for k, c := range m.names {
			switch {
			case m.target[k] > 0 && count[k] == 0:
				problems = append(problems, citylens.Problem{City: in.City, Field: name + "=" + c,
					Reason: "category " + c + " of " + name + " has population but no respondent",
					Key:    "survey.problem.category_empty", Args: []any{name, c}})
			case m.target[k] == 0 && count[k] > 0:
				problems = append(problems, citylens.Problem{City: in.City, Field: name + "=" + c,
					Reason: "category " + c + " of " + name + " has respondents but no population",
					Key:    "survey.problem.category_nopop", Args: []any{name, c}})
			}
		}
		margins[v] = m
	}
	if len(problems) > 0 {
		problems = dedupeProblems(problems)
		return Raked{}, &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.rake", Args: []any{in.City},
			Message: "the respondents of " + in.City + " cannot be weighted to its population", Problems: problems}
	}

	total := in.Margins.Total()
	sums := make([][]float64, len(margins))
	prev := make([][]float64, len(margins))
	for v := range margins {
		sums[v] = make([]float64, len(margins[v].names))
		prev[v] = make([]float64, len(margins[v].names))
	}
	tabulate := func(v int) (unstated float64) {
		s := sums[v]
		clear(s)
		for i, k := range margins[v].idx {
			if k < 0 {
				unstated += w[i]
				continue
			}
			s[k] += w[i]
		}
		return unstated
	}
	factor := make([]float64, 0, 8)
	out := Raked{}
	for it := 1; it <= opt.MaxIterations; it++ {
		for v := range margins {
			m := &margins[v]
			unstated := tabulate(v)
			share := 1.0
			if unstated > 0 {
				// The stated categories take the population less what the
				// not-stated respondents already weigh, in proportion.
				share = math.Max(total-unstated, 0) / total
			}
			factor = factor[:0]
			for k := range m.names {
				f := 1.0
				if sums[v][k] > 0 {
					f = m.target[k] * share / sums[v][k]
				}
				factor = append(factor, f)
			}
			for i, k := range m.idx {
				if k >= 0 {
					w[i] *= factor[k]
				}
			}
		}
		var delta, wsum float64
		for _, x := range w {
			wsum += x
		}
		for v := range margins {
			tabulate(v)
			for k, s := range sums[v] {
				delta = math.Max(delta, math.Abs(s-prev[v][k]))
				prev[v][k] = s
			}
		}
		out.Iterations = it
		if it > 1 && delta < opt.Epsilon*wsum {
			out.Converged = true
			break
		}
	}
	out.Weights = w
	vars := make([]calVar, len(margins))
	cols := 0
	for v, m := range margins {
		cv := calVar{off: cols, idx: make([]int32, n), share: make([]float64, len(m.names))}
		for i, k := range m.idx {
			cv.idx[i] = int32(k)
			if k < 0 {
				cv.unstated = true
			}
		}
		if total > 0 {
			for k, t := range m.target {
				cv.share[k] = t / total
			}
		}
		cols += len(m.names)
		vars[v] = cv
	}
	out.Calibration = newCalibration(w, in.Start, vars, cols)
	return out, nil
}

func dedupeProblems(ps []citylens.Problem) []citylens.Problem {
	seen := map[string]bool{}
	out := ps[:0]
	for _, p := range ps {
		k := p.City + "\x00" + p.Field + "\x00" + p.Reason
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// Trim caps weights at limit × their mean, spreading what is cut over the
// weights under the cap in proportion to them, again until none is over
// (the total stays the same). limit ≤ 1 or no weights: w unchanged.
func Trim(w []float64, limit float64) []float64 {
	out := slices.Clone(w)
	if limit <= 1 || len(out) == 0 {
		return out
	}
	var total float64
	for _, x := range out {
		total += x
	}
	capAt := limit * total / float64(len(out))
	capped := make([]bool, len(out))
	for range len(out) + 1 {
		var excess, free float64
		for i, x := range out {
			if x > capAt*(1+1e-12) {
				excess += x - capAt
				out[i] = capAt
				capped[i] = true
			}
		}
		if excess == 0 {
			break
		}
		for i, x := range out {
			if !capped[i] {
				free += x
			}
		}
		if free == 0 {
			break
		}
		f := 1 + excess/free
		for i := range out {
			if !capped[i] {
				out[i] *= f
			}
		}
	}
	return out
}

// Design is Kish's summary of a set of weights.
type Design struct {
	N         int     `json:"n"`
	WeightSum float64 `json:"weight_sum"`
	DEff      float64 `json:"deff"`  // n·Σw²/(Σw)²
	NEff      float64 `json:"n_eff"` // (Σw)²/Σw²
}

// Kish is the design effect and effective sample size of weights w.
func Kish(w []float64) Design {
	var s, s2 float64
	for _, x := range w {
		s += x
		s2 += x * x
	}
	d := Design{N: len(w), WeightSum: s}
	if s2 > 0 {
		d.DEff = float64(len(w)) * s2 / (s * s)
		d.NEff = s * s / s2
	}
	return d
}
