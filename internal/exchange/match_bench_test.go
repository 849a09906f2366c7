package exchange

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// BenchmarkMatchRound1000 scores every ordered pair of 1,000 cities (each
// with 1–3 needs and 1–4 strengths over 12 themes, 1 place as learner and
// 0–2 as mentor) and finds the optimal assignment with its stability
// report: a whole round. It reports this process's CPU time per round
// next to the wall time.
func BenchmarkMatchRound1000(b *testing.B) { benchmarkMatchRound(b, 1, 2) }

// BenchmarkMatchRound1000Wide is the same round with more places: 1–5 as
// a learner and 0–6 as a mentor (about 3,000 learner places), which
// makes more shortest-path searches.
func BenchmarkMatchRound1000Wide(b *testing.B) { benchmarkMatchRound(b, 5, 6) }

func benchmarkMatchRound(b *testing.B, maxLearner, maxMentor int) {
	rng := rand.New(rand.NewPCG(1000, 16))
	themes := []string{"mobility", "ports", "energy", "water", "health", "housing", "waste", "safety", "governance", "economy", "education", "culture"}
	regions := []string{"asia", "europe", "africa", "americas", "oceania"}
	var ps []*Profile
	var parts []Participant
	for i := range 1000 {
		p := &Profile{City: fmt.Sprintf("c%04d", i), Region: regions[rng.IntN(len(regions))], PopulationClass: []string{"small", "medium", "large"}[rng.IntN(3)],
			IncomeGroup: []string{"low", "middle", "high"}[rng.IntN(3)], Stage: []string{"emerging", "advanced"}[rng.IntN(2)],
			Languages: []string{"en", []string{"ko", "fr", "es", "zh"}[rng.IntN(4)]}, UTCOffset: float64(rng.IntN(24) - 11)}
		for range 1 + rng.IntN(3) {
			p.Needs = append(p.Needs, Item{Theme: themes[rng.IntN(len(themes))], Kind: KindPillar, Weight: 0.1 + 0.9*rng.Float64()})
		}
		for range 1 + rng.IntN(4) {
			p.Strengths = append(p.Strengths, Item{Theme: themes[rng.IntN(len(themes))], Kind: KindPractice, Weight: 0.1 + 0.9*rng.Float64()})
		}
		ps = append(ps, p)
		learner := 1
		if maxLearner > 1 { // (the first benchmark's cities as they were)
			learner += rng.IntN(maxLearner)
		}
		parts = append(parts, Participant{City: p.City, Learner: learner, Mentor: rng.IntN(maxMentor + 1)})
	}
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	b.ResetTimer()
	var pairs, chosen, unstable int
	for range b.N {
		scored := ScoreAll(ps, DefaultWeights)
		cands := make([]Pair, len(scored))
		for i, s := range scored {
			cands[i] = s.Pair
		}
		a, err := Match(parts, cands, nil)
		if err != nil {
			b.Fatal(err)
		}
		pairs, chosen, unstable = len(cands), len(a.Pairs), len(a.Unstable)
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.Logf("%d candidate pairs, %d chosen, %d unstable", pairs, chosen, unstable)
}
