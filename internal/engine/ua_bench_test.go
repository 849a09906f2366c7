package engine_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/synthetic"
)

// BenchmarkUAASEM is METHOD.md's uncertainty analysis (winmax, normalisation,
// noisy weights, aggregation) with N = 10,000 replications. COINr: about 850 s.
func BenchmarkUAASEM(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(benchName(workers), func(b *testing.B) {
			a := newASEMAnalysis(b, asemUA(), workers)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := a.RunUA(context.Background(), 10000, uint64(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds()/float64(workers), "reps/s/core")
		})
	}
}

// syntheticUA is the same four uncertain inputs on a synthetic index.
func syntheticUA() engine.UncertaintySpec {
	s := asemUA()
	s.Inputs[2].Noise = []engine.WeightNoise{{Level: 2, Factor: 0.25}, {Level: 3, Factor: 0.25}}
	return s
}

func benchSyntheticUA(b *testing.B, units, inds, levels, n int) {
	f, d, err := synthetic.Index(units, inds, levels, 1)
	if err != nil {
		b.Fatal(err)
	}
	base := engine.DefaultMethod()
	base.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: "region"}
	base.Treat = engine.Treatment{Method: engine.TreatWinsorise, Winmax: 5}
	for _, workers := range []int{1, 2} {
		b.Run(benchName(workers), func(b *testing.B) {
			a, err := engine.NewAnalysis(context.Background(), f, d, base, syntheticUA())
			if err != nil {
				b.Fatal(err)
			}
			a.Workers = workers
			var ms runtime.MemStats
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := a.RunUA(context.Background(), n, uint64(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds()/float64(workers), "reps/s/core")
			b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heapMB")
		})
	}
}

// BenchmarkUASynthetic1000x100: N = 1,000 on 1,000 units × 100 indicators × 3 levels. COINr: about 590 s.
func BenchmarkUASynthetic1000x100(b *testing.B) { benchSyntheticUA(b, 1000, 100, 3, 1000) }

// BenchmarkUASynthetic10000x300: N = 1,000 on 10,000 units × 300 indicators × 4 levels.
func BenchmarkUASynthetic10000x300(b *testing.B) { benchSyntheticUA(b, 10000, 300, 4, 1000) }

func benchName(workers int) string {
	if workers == 1 {
		return "1core"
	}
	return "2cores"
}
