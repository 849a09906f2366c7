// Package diagnostic holds the diagnostic.sleep job: a job that takes a
// while, reporting progress, then commits one audit entry. It exists for
// recovery drills and the kill -9 test, and is registered only when asked
// for (serve's diagnostic-jobs setting).
package diagnostic

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/jobs"
)

// Sleep is the kind of the job.
const Sleep = "diagnostic.sleep"

// SleepPayload is its payload.
type SleepPayload struct {
	Steps  int    `json:"steps"`
	StepMS int    `json:"step_ms"`
	Label  string `json:"label"`
}

// Store is where the job commits its audit entry.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	auditlog.Store
}

// Jobs runs the diagnostic jobs.
type Jobs struct {
	Store Store
	Now   func() time.Time
}

// RegisterJobs registers diagnostic.sleep on q.
func (d *Jobs) RegisterJobs(q *jobs.Queue) {
	q.Register(Sleep, d.sleep)
}

func (d *Jobs) sleep(ctx context.Context, j jobs.Job, progress jobs.Progress) error {
	var p SleepPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Steps <= 0 || p.StepMS <= 0 {
		return citylens.Errorf(citylens.EINVALID, "%s: payload needs steps and step_ms > 0", Sleep)
	}
	for i := range p.Steps {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(p.StepMS) * time.Millisecond):
		}
		progress(float64(i+1)/float64(p.Steps), fmt.Sprintf("step %d of %d", i+1, p.Steps))
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	// The result is committed at once, at the end: a killed run leaves nothing.
	return d.Store.InTx(ctx, func(ctx context.Context) error {
		return auditlog.Record(ctx, d.Store, now(), auditlog.System("job"), "diagnostic.done", "job", strconv.FormatInt(j.ID, 10), nil,
			map[string]any{"label": p.Label, "attempt": j.Attempts})
	})
}
