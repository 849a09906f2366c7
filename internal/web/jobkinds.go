package web

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/jobs"
)

// DiagnosticSleep is the kind of a job that takes a while, reporting
// progress, then commits one audit entry: registered only with
// Config.DiagnosticJobs, for recovery drills and the kill -9 test.
const DiagnosticSleep = "diagnostic.sleep"

// DiagnosticSleepPayload is its payload.
type DiagnosticSleepPayload struct {
	Steps  int    `json:"steps"`
	StepMS int    `json:"step_ms"`
	Label  string `json:"label"`
}

func (s *Server) registerJobs(q *jobs.Queue) {
	if s.cfg.DiagnosticJobs {
		q.Register(DiagnosticSleep, s.diagnosticSleep)
	}
	s.registerFeatureJobs(q)
}

func (s *Server) diagnosticSleep(ctx context.Context, j jobs.Job, progress jobs.Progress) error {
	var p DiagnosticSleepPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Steps <= 0 || p.StepMS <= 0 {
		return citylens.Errorf(citylens.EINVALID, "diagnostic.sleep: payload needs steps and step_ms > 0")
	}
	for i := range p.Steps {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(p.StepMS) * time.Millisecond):
		}
		progress(float64(i+1)/float64(p.Steps), fmt.Sprintf("step %d of %d", i+1, p.Steps))
	}
	// The result is committed at once, at the end: a killed run leaves nothing.
	return s.store.InTx(ctx, func(ctx context.Context) error {
		return auditlog.Record(ctx, s.store, s.now(), auditlog.System("job"), "diagnostic.done", "job", itoa(j.ID), nil,
			map[string]any{"label": p.Label, "attempt": j.Attempts})
	})
}
