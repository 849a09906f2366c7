package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citylens/citylens"
)

// group runs a step's work on goroutines and keeps its first failure: an
// error, or a panic turned into an EINTERNAL error, so that a bug in one
// worker fails the build or analysis instead of taking the server down.
// After the first failure Stopped reports true and the others give up.
type group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	failed atomic.Bool
}

// Go runs fn on a new goroutine; what names the step in a panic's message.
func (g *group) Go(what string, fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		g.Do(what, fn)
	}()
}

// Do runs fn on this goroutine, catching its panic as Go does.
func (g *group) Do(what string, fn func() error) {
	defer func() {
		if r := recover(); r != nil {
			g.failed.Store(true) // stop the others before the stack is taken
			g.fail(newPanicError(what, r))
		}
	}()
	if err := fn(); err != nil {
		g.fail(err)
	}
}

func (g *group) fail(err error) {
	g.once.Do(func() {
		g.err = err
		g.failed.Store(true)
	})
}

// Stopped reports whether a worker failed: the others should stop.
func (g *group) Stopped() bool { return g.failed.Load() }

// Wait waits for the goroutines started by Go and returns the first failure.
func (g *group) Wait() error {
	g.wg.Wait()
	return g.err
}

// newPanicError is the error of a recovered panic: EINTERNAL, its message
// naming the step, the stack of the goroutine that panicked kept apart
// (Stack), for logs, so it never reaches a user-facing message.
func newPanicError(what string, r any) *citylens.Error {
	return citylens.Recovered("engine: "+what, r)
}

// parallelFor runs body over [0, n) in contiguous chunks on workers
// goroutines (0: all cores). Bodies write only their own indices, so results
// do not depend on the split. A panicking body fails the call with an
// EINTERNAL error naming what, and no further chunk starts.
func parallelFor(n, workers int, what string, body func(lo, hi int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var g group
	if workers <= 1 {
		g.Do(what, func() error {
			body(0, n)
			return nil
		})
		return g.err
	}
	// A few chunks per worker: a worker slowed by other load takes fewer.
	step := max(1, n/(4*workers))
	var next atomic.Int64
	for range workers {
		g.Go(what, func() error {
			for !g.Stopped() {
				lo := int(next.Add(int64(step))) - step
				if lo >= n {
					return nil
				}
				body(lo, min(lo+step, n))
			}
			return nil
		})
	}
	return g.Wait()
}

// progressEvery is how often a run of replications reports its progress.
const progressEvery = 250 * time.Millisecond

// progressReporter delivers a run's progress from its own goroutine, at most
// once per interval and only when the count moved: workers just count, so a
// slow callback (a database write) never holds them up.
type progressReporter struct {
	progress func(done, total int)
	total    int
	stop     chan struct{}
	exited   chan struct{}
	last     int // the last count delivered; read after exited is closed
}

// startProgress starts a reporter of done out of total; nil when progress is nil.
// A panic of the callback fails g.
func startProgress(g *group, progress func(done, total int), done *atomic.Int64, total int, every time.Duration) *progressReporter {
	if progress == nil {
		return nil
	}
	if every <= 0 {
		every = progressEvery
	}
	p := &progressReporter{progress: progress, total: total, stop: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(p.exited)
		g.Do("progress report", func() error {
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return nil
				case <-t.C:
					if n := int(done.Load()); n != p.last {
						p.last = n
						progress(n, total)
					}
				}
			}
		})
	}()
	return p
}

// finish stops the reporter and, when the run completed, delivers
// total/total on the caller's goroutine: the last update always says done.
func (p *progressReporter) finish(completed bool) {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.exited
	if completed && p.last != p.total {
		p.progress(p.total, p.total)
	}
}
