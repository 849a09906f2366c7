package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citylens/citylens"
)

// testIndex is a two-pillar index of units × inds random indicators.
func testIndex(t testing.TB, units, inds int) (*Framework, *Data) {
	t.Helper()
	nodes := []Node{{Code: "Index", Kind: Aggregate, Weight: 1},
		{Code: "P1", Kind: Aggregate, Parent: "Index", Weight: 1}, {Code: "P2", Kind: Aggregate, Parent: "Index", Weight: 1}}
	d := &Data{Columns: map[string][]float64{}}
	rng := rand.New(rand.NewPCG(1, 2))
	for u := range units {
		d.Units = append(d.Units, fmt.Sprintf("u%05d", u))
	}
	for i := range inds {
		code := fmt.Sprintf("i%03d", i)
		nodes = append(nodes, Node{Code: code, Kind: Indicator, Parent: []string{"P1", "P2"}[i%2], Weight: 1, Direction: 1})
		col := make([]float64, units)
		for u := range col {
			col[u] = rng.Float64() * 100
		}
		d.Columns[code] = col
	}
	f, err := NewFramework(nodes)
	if err != nil {
		t.Fatal(err)
	}
	return f, d
}

func testAnalysis(t testing.TB, units, inds, workers int) *Analysis {
	t.Helper()
	f, d := testIndex(t, units, inds)
	spec := UncertaintySpec{Inputs: []UncertainInput{
		{Name: "Winmax", Param: "treat.winmax", Range: []float64{1, 5}, Integer: true},
		{Name: "Weights", Param: "weights", Noise: []WeightNoise{{Level: 1, Factor: 0.25}}},
	}}
	m := DefaultMethod()
	m.Treat = Treatment{Method: TreatWinsorise, Winmax: 3}
	a, err := NewAnalysis(context.Background(), f, d, m, spec)
	if err != nil {
		t.Fatal(err)
	}
	a.Workers = workers
	return a
}

// wantPanicError checks that err is the EINTERNAL error of a recovered
// panic naming the step, with the stack kept out of its message.
func wantPanicError(t *testing.T, err error, step string) {
	t.Helper()
	if citylens.ErrorCode(err) != citylens.EINTERNAL || !strings.Contains(citylens.ErrorMessage(err), step+" panicked: injected") {
		t.Fatalf("error = %v (code %q); want EINTERNAL naming %q", err, citylens.ErrorCode(err), step)
	}
	if pe := citylens.AsError(err); pe == nil || !strings.Contains(string(pe.Stack), "panic_internal_test.go") {
		t.Errorf("the error carries no stack of the panic")
	}
	if strings.Contains(err.Error(), "goroutine") || strings.Contains(citylens.ErrorMessage(err), ".go:") {
		t.Errorf("the stack leaked into the message: %q", err.Error())
	}
}

// TestBuildWorkerPanicFailsTheBuild: a column worker's panic fails the
// build with an error instead of crashing the process, on the parallel
// path (large data) and the single-goroutine one (small data).
func TestBuildWorkerPanicFailsTheBuild(t *testing.T) {
	tests := []struct {
		name        string
		units, inds int
	}{
		{"parallel columns", 800, 100},
		{"one goroutine", 10, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, d := testIndex(t, tc.units, tc.inds)
			var after atomic.Int32
			var panicked atomic.Bool
			hooks := buildHooks{beforeRankCol: func(j int) {
				if panicked.Load() {
					after.Add(1)
				}
				if j == 3 {
					panicked.Store(true)
					panic("injected")
				}
			}}
			r, err := build(context.Background(), f, d, DefaultMethod(), hooks)
			if r != nil {
				t.Error("a result besides the error")
			}
			wantPanicError(t, err, "rank column worker")
			if n := after.Load(); n > 10 {
				t.Errorf("%d columns ranked after the panic; the other workers should stop", n)
			}
			// The engine still works.
			if _, err := build(context.Background(), f, d, DefaultMethod(), buildHooks{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestAnalysisWorkerPanicFailsTheRun: a replication worker's panic fails
// RunUA and RunSA with an error; the first error wins and the other
// workers stop taking replications.
func TestAnalysisWorkerPanicFailsTheRun(t *testing.T) {
	tests := []struct {
		name string
		run  func(a *Analysis) error
	}{
		{"uncertainty", func(a *Analysis) error { _, err := a.RunUA(context.Background(), 4000, 1); return err }},
		{"sensitivity", func(a *Analysis) error { _, err := a.RunSA(context.Background(), 1000, 1, 10); return err }},
	}
	for _, tc := range tests {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/%d workers", tc.name, workers), func(t *testing.T) {
				a := testAnalysis(t, 30, 8, workers)
				var ran atomic.Int32
				var progress []int
				a.Progress = func(done, total int) { progress = append(progress, done) }
				a.hooks.beforeRep = func(r int) {
					if ran.Add(1) == 200 {
						panic("injected")
					}
				}
				wantPanicError(t, tc.run(a), "replication worker")
				// Each other worker finishes at most its current chunk.
				if n := ran.Load(); n > 200+int32(workers)*4000/(8*int32(workers)) {
					t.Errorf("%d replications started; the workers did not stop after the panic", n)
				}
				if len(progress) > 0 && progress[len(progress)-1] == 4000 {
					t.Errorf("a failed run reported completion: %v", progress)
				}
			})
		}
	}
}

// TestParallelForPanic: a panicking body fails parallelFor with an error
// naming the step, and no further chunk starts.
func TestParallelForPanic(t *testing.T) {
	for _, workers := range []int{1, 2, 8} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			var chunks atomic.Int32
			err := parallelFor(1000, workers, "test worker", func(lo, hi int) {
				if chunks.Add(1) == 1 {
					panic("injected")
				}
				time.Sleep(time.Millisecond)
			})
			wantPanicError(t, err, "test worker")
			// 4 chunks per worker; after the panic, only those started finish.
			if n := chunks.Load(); n > 2*int32(workers) {
				t.Errorf("%d chunks ran; after the panic only the chunks already started should", n)
			}
			if err := parallelFor(1000, workers, "test worker", func(lo, hi int) {}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestProgressIsThrottled: many workers' progress arrives from one
// goroutine, in order, at most once per interval, and ends with total/total;
// a slow callback does not change that.
func TestProgressIsThrottled(t *testing.T) {
	tests := []struct {
		name  string
		every time.Duration
		slow  time.Duration // the callback's own time
	}{
		{"fast callback", 50 * time.Millisecond, 0},
		{"slow callback", 5 * time.Millisecond, 20 * time.Millisecond},
		{"default interval", 0, 0},
	}
	const n = 3000
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := testAnalysis(t, 30, 8, 4)
			a.hooks.progressEvery = tc.every
			a.hooks.beforeRep = func(int) { time.Sleep(20 * time.Microsecond) } // a run of some length
			type update struct{ done, total int }
			var got []update
			var calling atomic.Int32
			a.Progress = func(done, total int) {
				if calling.Add(1) != 1 {
					t.Error("progress called concurrently")
				}
				got = append(got, update{done, total})
				time.Sleep(tc.slow)
				calling.Add(-1)
			}
			start := time.Now()
			if _, err := a.RunUA(context.Background(), n, 3); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			if len(got) == 0 || got[len(got)-1] != (update{n, n}) {
				t.Fatalf("updates %v: the last is not %d/%d", got, n, n)
			}
			for i, u := range got {
				if u.total != n || (i > 0 && u.done <= got[i-1].done) {
					t.Fatalf("updates out of order or with the wrong total: %v", got)
				}
			}
			every := tc.every
			if every == 0 {
				every = progressEvery
			}
			// One per interval at most, plus the final one.
			if max := int(elapsed/every) + 2; len(got) > max {
				t.Errorf("%d updates in %v; want at most %d (one per %v)", len(got), elapsed, max, every)
			}
		})
	}
}
