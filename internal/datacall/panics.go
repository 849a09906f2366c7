package datacall

import (
	"sync"
	"sync/atomic"

	"github.com/citylens/citylens"
)

// workerPanic keeps the first panic of a step's worker goroutines as an
// EINTERNAL error, so that a bug fails the upload or check instead of
// taking the server down, and tells the other workers to stop.
type workerPanic struct {
	once   sync.Once
	err    error // read after the workers are done
	failed atomic.Bool
}

// catch, deferred by a worker goroutine, records the worker's panic.
func (w *workerPanic) catch(what string) {
	if r := recover(); r != nil {
		w.failed.Store(true)
		w.once.Do(func() {
			w.err = citylens.Recovered("data call: "+what, r)
		})
	}
}

// stopped reports whether a worker panicked: the others should stop.
func (w *workerPanic) stopped() bool { return w.failed.Load() }
