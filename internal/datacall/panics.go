package datacall

import (
	"runtime/debug"
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
			w.err = &panicError{err: citylens.Errorf(citylens.EINTERNAL, "data call: %s panicked: %v", what, r), stack: debug.Stack()}
		})
	}
}

// stopped reports whether a worker panicked: the others should stop.
func (w *workerPanic) stopped() bool { return w.failed.Load() }

// panicError is a recovered panic: an EINTERNAL *citylens.Error (via Unwrap)
// naming the step, with the stack kept apart for logs (Stack) so it never
// reaches a user-facing message.
type panicError struct {
	err   *citylens.Error
	stack []byte
}

func (e *panicError) Error() string { return e.err.Message }
func (e *panicError) Unwrap() error { return e.err }

// Stack is the stack of the goroutine that panicked.
func (e *panicError) Stack() []byte { return e.stack }
