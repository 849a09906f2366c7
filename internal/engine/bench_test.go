package engine_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/synthetic"
)

// Build benchmarks: the whole pipeline (denominate, impute, screen, treat,
// normalise, aggregate, ranks), as `citylens index build` runs it minus the
// files. COINr 1.1.14 takes about 70 ms for ASEM and 0.54 s for 1,000 x 100
// (testdata/asem/coinr_timings.csv). Each benchmark also reports the peak
// live heap of one build above what was live before it (peak-heap-MB).

func BenchmarkBuildASEM(b *testing.B) {
	f, d := loadASEM(b)
	benchBuild(b, f, d, asemDefault())
}

// syntheticMethod is the ASEM default's pipeline on the synthetic index's groups.
func syntheticMethod() engine.Method {
	m := engine.DefaultMethod()
	m.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: "region"}
	m.Screen = engine.Screening{Method: engine.ScreenByNA, Threshold: 0.9}
	m.Treat = engine.Treatment{Method: engine.TreatWinsorise, Winmax: 5}
	return m
}

func BenchmarkBuildSynthetic1000x100(b *testing.B) {
	f, d, err := synthetic.Index(1000, 100, 3, 1)
	if err != nil {
		b.Fatal(err)
	}
	benchBuild(b, f, d, syntheticMethod())
}

func BenchmarkBuildSynthetic10000x300(b *testing.B) {
	f, d, err := synthetic.Index(10000, 300, 4, 1)
	if err != nil {
		b.Fatal(err)
	}
	benchBuild(b, f, d, syntheticMethod())
}

func benchBuild(b *testing.B, f *engine.Framework, d *engine.Data, m engine.Method) {
	ctx := context.Background()
	var r *engine.Result
	peak := peakHeap(func() {
		var err error
		if r, err = engine.Build(ctx, f, d, m); err != nil {
			b.Fatal(err)
		}
	})
	if len(r.Ranks.Units) == 0 {
		b.Fatal("no units ranked")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := engine.Build(ctx, f, d, m); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// peakHeap runs fn and returns the highest live heap seen while it ran,
// above the live heap before it, sampled every 200 µs with runtime/metrics
// (which, unlike ReadMemStats, does not stop the world).
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	maxSeen := base
	// (coinr_test.go's close shadows the builtin here, so a context stops the sampler.)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				maxSeen = max(maxSeen, read())
			}
		}
	}()
	fn()
	stop()
	wg.Wait()
	maxSeen = max(maxSeen, read())
	return maxSeen - base
}
