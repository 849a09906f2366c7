package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/storetest"
)

// syncBuffer is a log destination the queue's workers may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitState polls the store until job id leaves the queued and running states.
func waitState(t *testing.T, s jobs.Store, id int64) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := s.Job(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != jobs.StateQueued && j.State != jobs.StateRunning {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s", id, j.State)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stackError is an error carrying a recovered panic's stack, as the
// engine's are.
func stackError() error {
	return &citylens.Error{Code: citylens.EINTERNAL, Message: "engine: replication worker panicked: boom",
		Stack: []byte("goroutine 7 [running]:\nengine.worker()")}
}

// TestHandlerPanicFailsTheJob: a handler that panics (or returns a
// recovered panic) fails its job with a clear error, the stack goes to the
// log only, and the running queue goes on to the next job.
func TestHandlerPanicFailsTheJob(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		var logs syncBuffer
		q := jobs.NewQueue(s, jobs.Options{PollInterval: 10 * time.Millisecond, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
		q.Register("panic", func(_ context.Context, j jobs.Job, _ jobs.Progress) error {
			_ = j.Payload[len(j.Payload)] // a real bug's panic: index out of range
			return nil
		})
		q.Register("engine-panic", func(context.Context, jobs.Job, jobs.Progress) error { return stackError() })
		q.Register("ok", func(_ context.Context, _ jobs.Job, p jobs.Progress) error { p(0.5, "half"); return nil })
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			q.Run(ctx, 1)
		}()
		defer func() {
			cancel()
			<-stopped
		}()
		tests := []struct {
			kind      string
			state     jobs.State
			errSubstr string
		}{
			{"panic", jobs.StateFailed, "job panic: the handler panicked: runtime error: index out of range"},
			{"ok", jobs.StateDone, ""},
			{"engine-panic", jobs.StateFailed, "replication worker panicked: boom"},
			{"ok", jobs.StateDone, ""},
		}
		for _, tc := range tests {
			t.Run(tc.kind, func(t *testing.T) {
				j, err := q.Enqueue(context.Background(), tc.kind, nil, 1)
				if err != nil {
					t.Fatal(err)
				}
				got := waitState(t, s, j.ID)
				if got.State != tc.state || !strings.Contains(got.Error, tc.errSubstr) {
					t.Errorf("job = %s %q; want %s with %q", got.State, got.Error, tc.state, tc.errSubstr)
				}
				if strings.Contains(got.Error, "goroutine") {
					t.Errorf("the stack is in the job's error: %q", got.Error)
				}
			})
		}
		if l := logs.String(); !strings.Contains(l, `"msg":"job failed on a panic"`) || !strings.Contains(l, "jobs_test.go") ||
			!strings.Contains(l, `"msg":"job failed on a panic"`) || !strings.Contains(l, "engine.worker()") {
			t.Errorf("the log lacks the panics' stacks:\n%s", l)
		}
	})
}

// countingStore records the progress writes (lease renewals) of a store,
// each taking delay.
type countingStore struct {
	jobs.Store
	delay  time.Duration
	mu     sync.Mutex
	writes []float64
}

func (c *countingStore) RenewJobLease(ctx context.Context, id int64, owner string, progress float64, message string, leaseUntil time.Time) (bool, error) {
	time.Sleep(c.delay)
	c.mu.Lock()
	c.writes = append(c.writes, progress)
	c.mu.Unlock()
	return c.Store.RenewJobLease(ctx, id, owner, progress, message, leaseUntil)
}

// TestProgressWritesAreThrottled: a handler reporting progress thousands of
// times gets at most one database write per interval, in order, and never
// waits for one; a failing job keeps the last progress it reported.
func TestProgressWritesAreThrottled(t *testing.T) {
	const every = 40 * time.Millisecond
	tests := []struct {
		name   string
		delay  time.Duration // of each database write
		fail   bool
		state  jobs.State
		stored float64 // the job's progress at the end
	}{
		{"done", 0, false, jobs.StateDone, 1},
		{"slow database", 30 * time.Millisecond, false, jobs.StateDone, 1},
		{"failed keeps its last progress", 0, true, jobs.StateFailed, 0.75},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.OpenSQLite(t)
			cs := &countingStore{Store: db, delay: tc.delay}
			q := jobs.NewQueue(cs, jobs.Options{ProgressInterval: every, Logger: slog.New(slog.DiscardHandler)})
			const n = 3000
			var elapsed, slowest time.Duration
			q.Register("k", func(ctx context.Context, j jobs.Job, p jobs.Progress) error {
				start := time.Now()
				for i := 1; i <= n; i++ {
					t0 := time.Now()
					p(float64(i)/n, "step")
					slowest = max(slowest, time.Since(t0))
					if i%10 == 0 {
						time.Sleep(time.Millisecond)
					}
				}
				if tc.fail {
					p(0.75, "went back")
					elapsed = time.Since(start)
					return errors.New("broken")
				}
				elapsed = time.Since(start)
				return nil
			})
			j, err := q.Enqueue(context.Background(), "k", nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			if ran, err := q.RunOne(context.Background(), "w"); !ran || err != nil {
				t.Fatalf("RunOne = %v, %v", ran, err)
			}
			got, err := db.Job(context.Background(), j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tc.state || got.Progress != tc.stored {
				t.Errorf("job %s at progress %v; want %s at %v", got.State, got.Progress, tc.state, tc.stored)
			}
			cs.mu.Lock()
			writes := append([]float64(nil), cs.writes...)
			cs.mu.Unlock()
			// One write per interval, one more for the first report and one for a failure's last.
			if max := int(elapsed/every) + 3; len(writes) > max || len(writes) < 2 {
				t.Errorf("%d progress writes in %v; want 2 to %d (one per %v)", len(writes), elapsed, max, every)
			}
			for i := 1; i < len(writes); i++ {
				if writes[i] < writes[i-1] && !(tc.fail && i == len(writes)-1) {
					t.Errorf("progress written out of order: %v", writes)
					break
				}
			}
			if tc.delay > 0 && slowest >= tc.delay {
				t.Errorf("a progress report took %v: the handler waited for the database", slowest)
			}
		})
	}
}
