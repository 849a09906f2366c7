// Package jobs is the background job queue, stored in the database so any
// replica can run any job. A worker claims a job under a lease and renews it
// while the handler runs; a job whose server died (lease expired) is claimed
// again by another worker, up to its maximum attempts.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/citylens/citylens"
)

// State of a job.
type State string

const (
	StateQueued   State = "queued"
	StateRunning  State = "running"
	StateDone     State = "done"
	StateFailed   State = "failed"
	StateCanceled State = "canceled"
)

// States lists every state, in lifecycle order.
var States = []State{StateQueued, StateRunning, StateDone, StateFailed, StateCanceled}

// Job is one unit of background work.
type Job struct {
	ID              int64           `json:"id"`
	Kind            string          `json:"kind"`
	Payload         json.RawMessage `json:"payload"`
	State           State           `json:"state"`
	Progress        float64         `json:"progress"` // 0..1
	Message         string          `json:"message"`
	Error           string          `json:"error,omitempty"` // as stored: see Err
	Attempts        int             `json:"attempts"`
	MaxAttempts     int             `json:"max_attempts"`
	LeaseOwner      string          `json:"lease_owner,omitempty"`
	LeaseExpiresAt  time.Time       `json:"lease_expires_at"`
	CancelRequested bool            `json:"cancel_requested"`
	CreatedAt       time.Time       `json:"created_at"`
	StartedAt       time.Time       `json:"started_at"`
	FinishedAt      time.Time       `json:"finished_at"`
}

// Filter selects jobs, newest first.
type Filter struct {
	Kind  string
	State State
	Limit int
}

// Store persists jobs. ClaimJob is atomic across replicas: on PostgreSQL
// with SELECT ... FOR UPDATE SKIP LOCKED, on SQLite inside the single
// writer's transaction.
type Store interface {
	EnqueueJob(ctx context.Context, j Job) (Job, error)
	// ClaimJob takes the oldest job of one of kinds that is queued or whose
	// lease expired before now, marks it running under owner until
	// leaseUntil and counts an attempt. Jobs whose lease expired after their
	// last attempt become failed. ENOTFOUND when there is nothing to do.
	ClaimJob(ctx context.Context, kinds []string, owner string, now, leaseUntil time.Time) (Job, error)
	// RenewJobLease extends the lease and records progress; it reports
	// whether cancellation was requested. ECONFLICT if owner lost the lease.
	RenewJobLease(ctx context.Context, id int64, owner string, progress float64, message string, leaseUntil time.Time) (cancel bool, err error)
	// FinishJob ends a running job owned by owner. ECONFLICT if it lost the lease.
	FinishJob(ctx context.Context, id int64, owner string, state State, message, errText string, now time.Time) error
	// RequestJobCancel cancels a queued job at once and asks a running one to stop.
	RequestJobCancel(ctx context.Context, id int64, now time.Time) error
	Job(ctx context.Context, id int64) (Job, error)
	ListJobs(ctx context.Context, f Filter) ([]Job, error)
	CountJobsByState(ctx context.Context) (map[State]int, error)
}

// Progress reports a fraction done (0..1) and a message. It returns at once:
// the queue writes the latest report to the database at most once per
// Options.ProgressInterval, so handlers may call it as often as they like.
type Progress func(fraction float64, message string)

// Handler runs a job. ctx is cancelled when the job is cancelled or the
// server shuts down; return ctx.Err() then. A returned error fails the job.
// A handler must commit its results in one transaction (or be idempotent)
// because a job whose server died runs again from the start.
type Handler func(ctx context.Context, job Job, progress Progress) error

// Queue runs registered handlers on jobs from the store.
type Queue struct {
	store Store
	owner string
	lease time.Duration
	poll  time.Duration
	// progressEvery is the least time between two progress writes of a job.
	progressEvery time.Duration
	log           *slog.Logger
	now           func() time.Time
	handlers      map[string]Handler
	mu            sync.Mutex
}

// Options tune a queue; zero values take defaults.
type Options struct {
	Owner        string        // this replica's name in leases, e.g. host:pid
	Lease        time.Duration // default 30s; renewed every Lease/3
	PollInterval time.Duration // default 1s
	// ProgressInterval is the least time between two progress writes of a
	// job (default 500ms); a job's last progress before it fails is written too.
	ProgressInterval time.Duration
	Logger           *slog.Logger
	Now              func() time.Time
}

// NewQueue returns a queue over store.
func NewQueue(store Store, o Options) *Queue {
	if o.Lease <= 0 {
		o.Lease = 30 * time.Second
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = 500 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Owner == "" {
		o.Owner = "worker"
	}
	return &Queue{store: store, owner: o.Owner, lease: o.Lease, poll: o.PollInterval, progressEvery: o.ProgressInterval,
		log: o.Logger, now: o.Now, handlers: map[string]Handler{}}
}

// Register sets the handler of a kind; registering a kind twice panics
// (a wiring bug).
func (q *Queue) Register(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, dup := q.handlers[kind]; dup {
		panic("jobs: kind registered twice: " + kind)
	}
	q.handlers[kind] = h
}

// Kinds lists the registered kinds, sorted.
func (q *Queue) Kinds() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	ks := make([]string, 0, len(q.handlers))
	for k := range q.handlers {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Enqueue stores a new job of a registered kind.
func (q *Queue) Enqueue(ctx context.Context, kind string, payload any, maxAttempts int) (Job, error) {
	return Enqueue(ctx, q.store, q.now(), kind, payload, maxAttempts)
}

// Enqueue stores a new job; usable without a Queue (e.g. from a command).
func Enqueue(ctx context.Context, s Store, now time.Time, kind string, payload any, maxAttempts int) (Job, error) {
	if kind == "" {
		return Job{}, citylens.Errorf(citylens.EINVALID, "job: kind is required")
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return Job{}, citylens.Errorf(citylens.EINVALID, "job %s: payload: %v", kind, err)
	}
	if maxAttempts <= 0 {
		maxAttempts = 3
	}
	return s.EnqueueJob(ctx, Job{Kind: kind, Payload: p, State: StateQueued, MaxAttempts: maxAttempts, CreatedAt: now.UTC()})
}

// Run starts workers goroutines that claim and run jobs until ctx is done,
// then waits for running handlers to return.
func (q *Queue) Run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work(ctx, fmt.Sprintf("%s/%d", q.owner, i))
		}()
	}
	wg.Wait()
}

func (q *Queue) work(ctx context.Context, owner string) {
	for ctx.Err() == nil {
		ran, err := q.RunOne(ctx, owner)
		if err != nil && ctx.Err() == nil {
			q.log.Error("job queue", "owner", owner, "err", err)
		}
		if ran {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(q.poll):
		}
	}
}

// RunOne claims and runs at most one job; it reports whether it ran one.
func (q *Queue) RunOne(ctx context.Context, owner string) (bool, error) {
	kinds := q.Kinds()
	if len(kinds) == 0 {
		return false, nil
	}
	now := q.now()
	job, err := q.store.ClaimJob(ctx, kinds, owner, now.UTC(), now.Add(q.lease).UTC())
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	q.mu.Lock()
	h := q.handlers[job.Kind]
	q.mu.Unlock()
	q.log.Info("job started", "job", job.ID, "kind", job.Kind, "attempt", job.Attempts, "owner", owner)

	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	k := q.keep(jobCtx, job.ID, owner, cancel)
	herr := q.runHandler(jobCtx, h, job, k.report)
	// A failed job keeps the progress it reached; a done one gets 1 anyway.
	k.close(herr != nil)

	state, errText, msg := StateDone, "", "done"
	switch {
	case herr == nil:
	case errors.Is(context.Cause(jobCtx), errCancelRequested):
		state, errText, msg = StateCanceled, "cancelled on request", "cancelled"
	case ctx.Err() != nil:
		// Shutting down: leave the lease to expire so another replica (or
		// this one after restart) runs the job again.
		q.log.Warn("job interrupted by shutdown", "job", job.ID, "kind", job.Kind)
		return true, nil
	case errors.Is(context.Cause(jobCtx), errLeaseLost):
		q.log.Warn("job lost its lease", "job", job.ID)
		return true, nil
	default:
		state, errText, msg = StateFailed, errorText(herr), "failed"
		// A panic recovered deeper down (an engine worker) keeps its stack
		// apart from the message: the log gets it, the job's error does not.
		if e := citylens.AsError(herr); e != nil && len(e.Stack) > 0 {
			q.log.Error("job failed on a panic", "job", job.ID, "kind", job.Kind, "err", herr, "stack", string(e.Stack))
		}
	}
	// Finish with a fresh context: the job's may be cancelled.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer fcancel()
	if err := q.store.FinishJob(fctx, job.ID, owner, state, msg, errText, q.now().UTC()); err != nil {
		return true, err
	}
	q.log.Info("job finished", "job", job.ID, "kind", job.Kind, "state", state, "error", errText)
	return true, nil
}

var (
	errCancelRequested = errors.New("job cancellation requested")
	errLeaseLost       = errors.New("job lease lost")
)

func (q *Queue) renew(ctx context.Context, id int64, owner string, f float64, m string, cancel context.CancelCauseFunc) {
	if ctx.Err() != nil {
		return
	}
	stop, err := q.store.RenewJobLease(ctx, id, owner, min(max(f, 0), 1), m, q.now().Add(q.lease).UTC())
	switch {
	case citylens.ErrorCode(err) == citylens.ECONFLICT:
		cancel(errLeaseLost)
	case err != nil:
		if ctx.Err() == nil {
			q.log.Error("job lease renewal", "job", id, "err", err)
		}
	case stop:
		cancel(errCancelRequested)
	}
}

// runHandler runs h, turning its panic into an error (a failed job) whose
// stack RunOne logs, so that a handler's bug cannot stop the worker.
func (q *Queue) runHandler(ctx context.Context, h Handler, j Job, p Progress) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = citylens.Recovered("job "+j.Kind+": the handler", r)
		}
	}()
	return h(ctx, j, p)
}

// keeper renews a running job's lease and writes its progress, from one
// goroutine: the lease every Lease/3, progress at most once per
// ProgressInterval. A handler reporting progress often thus neither waits
// for the database nor floods it with writes.
type keeper struct {
	q      *Queue
	ctx    context.Context
	id     int64
	owner  string
	cancel context.CancelCauseFunc

	mu       sync.Mutex
	fraction float64
	message  string
	dirty    bool // progress reported but not written

	kick   chan struct{} // progress reported (capacity 1: never blocks the handler)
	stop   chan bool     // true: write pending progress before exiting
	exited chan struct{}
}

func (q *Queue) keep(ctx context.Context, id int64, owner string, cancel context.CancelCauseFunc) *keeper {
	k := &keeper{q: q, ctx: ctx, id: id, owner: owner, cancel: cancel,
		kick: make(chan struct{}, 1), stop: make(chan bool, 1), exited: make(chan struct{})}
	go k.run()
	return k
}

// report is the handler's Progress: it records the latest value only.
func (k *keeper) report(f float64, m string) {
	k.mu.Lock()
	k.fraction, k.message, k.dirty = min(max(f, 0), 1), m, true
	k.mu.Unlock()
	select {
	case k.kick <- struct{}{}:
	default: // a write is already due; it will take the latest value
	}
}

// close stops the keeper, first writing pending progress when flush is set.
func (k *keeper) close(flush bool) {
	k.stop <- flush
	<-k.exited
}

func (k *keeper) run() {
	defer close(k.exited)
	lease := time.NewTicker(k.q.lease / 3)
	defer lease.Stop()
	var last time.Time       // of the last write
	var due <-chan time.Time // set while progress waits for its slot
	write := func() {
		k.mu.Lock()
		f, m := k.fraction, k.message
		k.dirty = false
		k.mu.Unlock()
		k.q.renew(k.ctx, k.id, k.owner, f, m, k.cancel)
		last = time.Now()
	}
	for {
		select {
		case flush := <-k.stop:
			k.mu.Lock()
			dirty := k.dirty
			k.mu.Unlock()
			if flush && dirty {
				write()
			}
			return
		case <-lease.C:
			write()
		case <-k.kick:
			if due != nil {
				continue
			}
			if wait := k.q.progressEvery - time.Since(last); wait > 0 {
				due = time.After(wait)
				continue
			}
			write()
		case <-due:
			due = nil
			k.mu.Lock()
			dirty := k.dirty
			k.mu.Unlock()
			if dirty { // else the lease renewal wrote it meanwhile
				write()
			}
		}
	}
}
