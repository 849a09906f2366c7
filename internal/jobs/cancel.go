package jobs

import (
	"context"
	"strconv"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
)

// CancelStore is what cancelling a job needs: the jobs, the audit log and
// one transaction over both.
type CancelStore interface {
	Store
	auditlog.Store
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Cancel cancels a queued job at once and asks a running one to stop, and
// records who asked, both or neither.
func Cancel(ctx context.Context, st CancelStore, now time.Time, who auditlog.Actor, id int64) error {
	return st.InTx(ctx, func(ctx context.Context) error {
		if err := st.RequestJobCancel(ctx, id, now.UTC()); err != nil {
			return err
		}
		return auditlog.Record(ctx, st, now, who, "job.cancel", "job", strconv.FormatInt(id, 10), nil, nil)
	})
}
