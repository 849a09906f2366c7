package judging

import (
	"math"
	"sort"
)

// Score is one judge's weighted score of one application in a round.
type Score struct {
	App   int64   `json:"app"`
	Judge int64   `json:"judge"`
	Value float64 `json:"value"`
}

// Normalised is a score after per-judge normalisation.
type Normalised struct {
	Score
	Z        float64 // the judge's z-score (0 when the judge fell back)
	Rescaled float64 // z rescaled to the scale, or the raw value
	Fallback bool    // the judge has < 2 scores or no spread: raw kept
}

// ZScores normalises each judge's scores to z = (x − mean_j)/sd_j (sd with
// n−1) and rescales them to the pool's mean and sd, clamped to [lo, hi].
// A judge with fewer than two scores or no spread keeps raw values.
func ZScores(scores []Score, lo, hi float64) []Normalised {
	type acc struct{ n, sum, sq float64 }
	by := map[int64]*acc{}
	var pn, psum, psq float64
	for _, s := range scores {
		a := by[s.Judge]
		if a == nil {
			a = &acc{}
			by[s.Judge] = a
		}
		a.n++
		a.sum += s.Value
		a.sq += s.Value * s.Value
		pn++
		psum += s.Value
		psq += s.Value * s.Value
	}
	pm, psd := meanSD(pn, psum, psq)
	out := make([]Normalised, len(scores))
	for i, s := range scores {
		a := by[s.Judge]
		m, sd := meanSD(a.n, a.sum, a.sq)
		out[i].Score = s
		if a.n < 2 || !(sd > 1e-12) || !(psd > 1e-12) {
			out[i].Fallback = true
			out[i].Rescaled = s.Value
			continue
		}
		out[i].Z = (s.Value - m) / sd
		out[i].Rescaled = math.Min(hi, math.Max(lo, pm+psd*out[i].Z))
	}
	return out
}

func meanSD(n, sum, sq float64) (float64, float64) {
	if n == 0 {
		return 0, 0
	}
	m := sum / n
	if n < 2 {
		return m, 0
	}
	v := (sq - n*m*m) / (n - 1)
	if v < 0 {
		v = 0
	}
	return m, math.Sqrt(v)
}

// Effects is the additive judge-effect model fitted by least squares:
// score(a, j) = Quality[a] + Severity[j] + noise, with the severities of
// each connected part of the judge–application graph summing to zero (so
// a quality reads as the score an average judge of that part would give).
// Parts tells which part each application and judge fell in; qualities
// from different parts are not comparable, and Parts > 1 says so.
type Effects struct {
	Quality   map[int64]float64
	Severity  map[int64]float64
	AppPart   map[int64]int
	JudgePart map[int64]int
	Parts     int
}

// JudgeEffects fits the model. Per part, the qualities are eliminated (for
// fixed severities each is the mean of its residuals), leaving the judges'
// normal equations M·s = r, made definite with the sum-to-zero constraint
// and solved by Gaussian elimination with partial pivoting: the cost is
// linear in scores and cubic in the judges of a part.
func JudgeEffects(scores []Score) Effects {
	ef := Effects{Quality: map[int64]float64{}, Severity: map[int64]float64{},
		AppPart: map[int64]int{}, JudgePart: map[int64]int{}}
	// Union–find over apps and judges.
	parent := map[[2]int64]([2]int64){}
	var find func(x [2]int64) [2]int64
	find = func(x [2]int64) [2]int64 {
		p, ok := parent[x]
		if !ok {
			parent[x] = x
			return x
		}
		if p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	for _, s := range scores {
		a, j := find([2]int64{0, s.App}), find([2]int64{1, s.Judge})
		if a != j {
			parent[a] = j
		}
	}
	// Parts numbered by their smallest application id, for stable output.
	rootApps := map[[2]int64]int64{}
	for _, s := range scores {
		r := find([2]int64{0, s.App})
		if v, ok := rootApps[r]; !ok || s.App < v {
			rootApps[r] = s.App
		}
	}
	roots := make([][2]int64, 0, len(rootApps))
	for r := range rootApps {
		roots = append(roots, r)
	}
	sort.Slice(roots, func(i, j int) bool { return rootApps[roots[i]] < rootApps[roots[j]] })
	partOf := map[[2]int64]int{}
	for i, r := range roots {
		partOf[r] = i
	}
	ef.Parts = len(roots)
	groups := make([][]Score, len(roots))
	for _, s := range scores {
		p := partOf[find([2]int64{0, s.App})]
		groups[p] = append(groups[p], s)
		ef.AppPart[s.App] = p
		ef.JudgePart[s.Judge] = p
	}
	for _, g := range groups {
		fitPart(g, &ef)
	}
	return ef
}

func fitPart(scores []Score, ef *Effects) {
	ji := map[int64]int{}
	var judges []int64
	appN := map[int64]float64{}
	appSum := map[int64]float64{}
	for _, s := range scores {
		if _, ok := ji[s.Judge]; !ok {
			ji[s.Judge] = len(judges)
			judges = append(judges, s.Judge)
		}
		appN[s.App]++
		appSum[s.App] += s.Value
	}
	J := len(judges)
	M := make([][]float64, J)
	for i := range M {
		M[i] = make([]float64, J+1) // last column: right-hand side
	}
	byApp := map[int64][]int{}
	for _, s := range scores {
		j := ji[s.Judge]
		byApp[s.App] = append(byApp[s.App], j)
		M[j][j]++
		M[j][J] += s.Value - appSum[s.App]/appN[s.App]
	}
	for app, js := range byApp {
		w := 1 / appN[app]
		for _, a := range js {
			for _, b := range js {
				M[a][b] -= w
			}
		}
	}
	for a := range J {
		for b := range J {
			M[a][b]++ // + 1·1ᵀ: the severities sum to zero
		}
	}
	sev := solve(M)
	for j, id := range judges {
		ef.Severity[id] = sev[j]
	}
	for app := range byApp {
		ef.Quality[app] = 0
	}
	for _, s := range scores {
		ef.Quality[s.App] += (s.Value - sev[ji[s.Judge]]) / appN[s.App]
	}
}

// solve solves the augmented system in place (Gaussian elimination with
// partial pivoting); the matrix is positive definite by construction.
func solve(m [][]float64) []float64 {
	n := len(m)
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		if m[c][c] == 0 {
			continue
		}
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			if f == 0 {
				continue
			}
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		v := m[r][n]
		for k := r + 1; k < n; k++ {
			v -= m[r][k] * x[k]
		}
		if m[r][r] != 0 {
			x[r] = v / m[r][r]
		}
	}
	return x
}
