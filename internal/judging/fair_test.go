package judging

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestZScoresByHand(t *testing.T) {
	// Judge 1 gives 2, 4, 6 (mean 4, sd 2); judge 2 gives one score and
	// falls back to raw. Pool: 2, 4, 6, 5 → mean 4.25, sd √(8.75/3).
	in := []Score{{1, 1, 2}, {2, 1, 4}, {3, 1, 6}, {1, 2, 5}}
	out := ZScores(in, 1, 10)
	psd := math.Sqrt(8.75 / 3)
	want := []float64{4.25 - psd, 4.25, 4.25 + psd, 5}
	for i, n := range out {
		if !near(n.Rescaled, want[i], 1e-9) {
			t.Errorf("score %d rescaled %.6f, want %.6f", i, n.Rescaled, want[i])
		}
	}
	if out[0].Z != -1 || out[2].Z != 1 || !out[3].Fallback || out[0].Fallback {
		t.Fatalf("z/fallback wrong: %+v", out)
	}
	// No spread falls back; rescaled values are clamped to the scale.
	out = ZScores([]Score{{1, 1, 7}, {2, 1, 7}, {1, 2, 1}, {2, 2, 10}, {3, 2, 10}}, 1, 10)
	if !out[0].Fallback || out[0].Rescaled != 7 {
		t.Fatalf("flat judge: %+v", out[0])
	}
	for _, n := range out {
		if n.Rescaled < 1 || n.Rescaled > 10 {
			t.Fatalf("outside the scale: %+v", n)
		}
	}
}

func TestJudgeEffectsByHand(t *testing.T) {
	// Exactly additive: judge 1 is 2 points more lenient than judge 2.
	in := []Score{{1, 1, 8}, {2, 1, 6}, {1, 2, 6}, {2, 2, 4}, {3, 2, 5}}
	ef := JudgeEffects(in)
	for app, q := range map[int64]float64{1: 7, 2: 5, 3: 6} {
		if !near(ef.Quality[app], q, 1e-9) {
			t.Errorf("quality %d = %.6f, want %v", app, ef.Quality[app], q)
		}
	}
	if !near(ef.Severity[1], 1, 1e-9) || !near(ef.Severity[2], -1, 1e-9) || ef.Parts != 1 {
		t.Fatalf("severities %v parts %d", ef.Severity, ef.Parts)
	}
	// A crossed 2×2 with noise: the least-squares fit is the row and
	// column means: A 7, B 5.5, judges ±0.75.
	ef = JudgeEffects([]Score{{1, 1, 8}, {2, 1, 6}, {1, 2, 6}, {2, 2, 5}})
	if !near(ef.Quality[1], 7, 1e-9) || !near(ef.Quality[2], 5.5, 1e-9) || !near(ef.Severity[1], 0.75, 1e-9) {
		t.Fatalf("2×2 fit %v %v", ef.Quality, ef.Severity)
	}
	// A judge and application apart from the rest is a second part.
	ef = JudgeEffects(append(in, Score{9, 7, 3}))
	if ef.Parts != 2 || ef.AppPart[9] != 1 || ef.AppPart[1] != 0 || ef.JudgePart[7] != 1 {
		t.Fatalf("parts %d %v %v", ef.Parts, ef.AppPart, ef.JudgePart)
	}
	if !near(ef.Quality[9], 3, 1e-9) || !near(ef.Severity[7], 0, 1e-9) {
		t.Fatalf("lone part %v %v", ef.Quality[9], ef.Severity[7])
	}
}

// The fitted model has zero-sum residuals per application and per judge
// (the normal equations) on random incomplete designs.
func TestJudgeEffectsNormalEquations(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var in []Score
	for app := range int64(40) {
		for _, j := range r.Perm(8)[:3] {
			in = append(in, Score{app, int64(j), float64(1 + r.IntN(10))})
		}
	}
	ef := JudgeEffects(in)
	resA, resJ := map[int64]float64{}, map[int64]float64{}
	var sev float64
	for _, s := range in {
		e := s.Value - ef.Quality[s.App] - ef.Severity[s.Judge]
		resA[s.App] += e
		resJ[s.Judge] += e
	}
	for _, v := range ef.Severity {
		sev += v
	}
	for k, v := range resA {
		if math.Abs(v) > 1e-8 {
			t.Fatalf("app %d residual sum %v", k, v)
		}
	}
	for k, v := range resJ {
		if math.Abs(v) > 1e-8 {
			t.Fatalf("judge %d residual sum %v", k, v)
		}
	}
	if math.Abs(sev) > 1e-8 {
		t.Fatalf("severities sum to %v", sev)
	}
}

func TestRankTieBreakSequence(t *testing.T) {
	nan := math.NaN()
	cs := []Candidate{
		{App: 1, Adjusted: 7, Median: 7, Value: 6},
		{App: 2, Adjusted: 8, Median: 6},
		{App: 3, Adjusted: 7, Median: 7, Value: 8},
		{App: 4, Adjusted: 7, Median: 7.5},
		{App: 5, Adjusted: 6, Median: 6, Value: 6, Votes: 2},
		{App: 6, Adjusted: 6, Median: 6, Value: 6, Votes: 2},
		{App: 7, Adjusted: nan},
	}
	got, ties := Rank(cs, "2026")
	var order []int64
	for _, c := range got {
		order = append(order, c.App)
	}
	// 2 (8) · 4 (median 7.5) · 3 (value 8) · 1 · {5,6 seeded} · 7 (missing).
	if order[0] != 2 || order[1] != 4 || order[2] != 3 || order[3] != 1 || order[6] != 7 {
		t.Fatalf("order %v", order)
	}
	rules := map[[2]int64]string{}
	for _, tie := range ties {
		rules[[2]int64{tie.Above, tie.Below}] = tie.Rule
	}
	if rules[[2]int64{4, 3}] != RuleMedian || rules[[2]int64{3, 1}] != RuleValue ||
		rules[[2]int64{order[4], order[5]}] != RuleSeeded {
		t.Fatalf("tie log %v", ties)
	}
	// The seeded order is stable for a seed, and input order does not matter.
	rev := append([]Candidate(nil), cs...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	again, _ := Rank(rev, "2026")
	for i := range got {
		if again[i].App != got[i].App {
			t.Fatalf("order depends on input order: %v vs %v", got, again)
		}
	}
}
