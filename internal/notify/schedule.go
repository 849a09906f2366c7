package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/citylens/citylens/internal/jobs"
)

// Job kinds of the scheduled runs.
const (
	JobRemind = "notify.remind"
	JobDigest = "notify.digest"
)

// DigestHour is the hour (UTC) from which the day's digest is sent.
const DigestHour = 7

// RegisterJobs registers the reminder and digest jobs. Each is safe to run
// twice (the dedupe key and the digest's marking see to it), so a job that
// runs again after its server died sends nothing twice.
func (s *Service) RegisterJobs(q *jobs.Queue) {
	q.Register(JobRemind, func(ctx context.Context, job jobs.Job, progress jobs.Progress) error {
		r, err := s.Remind(ctx, s.Now())
		progress(1, fmt.Sprintf("%d due, %d new, %d mailed", r.Due, r.Created, r.Mailed))
		return err
	})
	q.Register(JobDigest, func(ctx context.Context, job jobs.Job, progress jobs.Progress) error {
		r, err := s.Digest(ctx, s.Now())
		progress(1, fmt.Sprintf("%d notices in %d digests", r.Notices, r.Mailed))
		return err
	})
}

// Tick enqueues the reminder job once per hour and the digest job once a
// day (from DigestHour), across every replica: the replica whose slot row
// goes in first enqueues the job, in the same transaction.
func (s *Service) Tick(ctx context.Context, q jobs.Store, owner string, now time.Time) error {
	now = now.UTC()
	slots := []struct{ job, slot string }{{JobRemind, now.Truncate(time.Hour).Format("2006-01-02T15")}}
	if now.Hour() >= DigestHour {
		slots = append(slots, struct{ job, slot string }{JobDigest, now.Format("2006-01-02")})
	}
	for _, sl := range slots {
		err := s.Store.InTx(ctx, func(ctx context.Context) error {
			ok, err := s.Store.ClaimRun(ctx, sl.job, sl.slot, owner, now)
			if err != nil || !ok {
				return err
			}
			_, err = jobs.Enqueue(ctx, q, now, sl.job, map[string]string{"slot": sl.slot}, 3)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Schedule ticks every interval (a minute in production), the first one
// interval after it starts, until ctx ends;
// a failed tick is logged and tried again at the next.
func (s *Service) Schedule(ctx context.Context, q jobs.Store, owner string, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	// The first tick comes one interval after start (a server that has
	// just started has nothing more urgent than its peers).
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Tick(ctx, q, owner, s.Now()); err != nil && ctx.Err() == nil && log != nil {
			log.Warn("notify: scheduling", "err", err)
		}
	}
}
