package survey

import (
	"context"
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
)

// benchNetwork is 200 cities × 1,000 respondents answering 45 rating
// items, with margins for sex, age and education.
func benchNetwork(cities, respondents, items int) (*Instrument, [][]Response, []Population) {
	in := DefaultInstrument()
	var kept []Item
	for _, it := range in.Items {
		if it.Kind != KindRating {
			kept = append(kept, it)
		}
	}
	for i := 0; i < items; i++ {
		a := in.Areas[i%len(in.Areas)].Code
		p := PillarStructures
		if i%2 == 1 {
			p = PillarTechnology
		}
		kept = append(kept, Item{Code: fmt.Sprintf("q%02d", i), Kind: KindRating, List: AgreeList, Area: a, Pillar: p, Reverse: i%9 == 0,
			Label: bi("x", "x")})
	}
	in.Items = kept
	rng := rand.New(rand.NewPCG(1, 2))
	sexes, ages, edus := []string{"female", "male"}, []string{"18-29", "30-44", "45-64", "65+"}, []string{"low", "mid", "high"}
	var all [][]Response
	var pops []Population
	for c := 0; c < cities; c++ {
		rs := make([]Response, respondents)
		for i := range rs {
			a := map[string]string{"sex": sexes[rng.IntN(2)], "age": ages[rng.IntN(4)], "education": edus[rng.IntN(3)], "attention": "2"}
			for j := 0; j < items; j++ {
				if rng.IntN(10) > 0 {
					a[fmt.Sprintf("q%02d", j)] = fmt.Sprint(1 + rng.IntN(5))
				}
			}
			rs[i] = Response{Answers: a, Seconds: float64(200 + rng.IntN(400)), Priorities: []string{"air", "jobs"}}
		}
		all = append(all, rs)
		pops = append(pops, Population{"sex": {"female": 5100, "male": 4900}, "age": {"18-29": 2000, "30-44": 3000, "45-64": 3000, "65+": 2000},
			"education": {"low": 3000, "mid": 4000, "high": 3000}})
	}
	return in, all, pops
}

// BenchmarkEstimateNetwork: flags, raking and every estimate for 200
// cities × 1,000 respondents × 45 items (target ≤ 1 s per run).
var benchCities = 200

func BenchmarkEstimateNetwork(b *testing.B) {
	in, all, pops := benchNetwork(benchCities, 1000, 45)
	ctx := context.Background()
	b.ResetTimer()
	inputs := make([]CityInput, len(all))
	for c := range all {
		inputs[c] = CityInput{City: fmt.Sprint(c), Responses: all[c], Population: pops[c]}
	}
	// CPU seconds per run beside the wall time: on a shared machine the
	// wall time depends on the neighbours, CPU time much less.
	cpu0 := cpuSeconds()
	for b.Loop() {
		_, errs := in.EstimateCities(ctx, "w", inputs, EstimateOptions{})
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func TestRakeIterations(t *testing.T) {
	in, all, pops := benchNetwork(1, 1000, 45)
	vars := in.WeightVariables()
	cats := make([][]string, len(vars))
	for v, name := range vars {
		for _, r := range all[0] {
			cats[v] = append(cats[v], r.Answers[name])
		}
	}
	r, err := Rake(RakeInput{City: "x", Variables: vars, Categories: cats, Margins: pops[0]}, RakeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d sweeps, converged %v", r.Iterations, r.Converged)
}
