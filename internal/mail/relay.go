package mail

import (
	"context"
	"encoding/json"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/jobs"
)

// JobDeliver is the job kind that sends one outbox message through the
// SMTP relay.
const JobDeliver = "mail.deliver"

// RelayStore is what Relay needs: the outbox and the job queue.
type RelayStore interface {
	OutboxStore
	jobs.Store
}

// Relay is the Sender when an SMTP relay is configured. A message always
// goes through the outbox: Send writes it there in the caller's
// transaction with a job that delivers it, so a relay that is down or slow
// delays the mail but never fails (or slows, or changes) the request that
// sent it: a password reset answers the same whether mail is up or not.
type Relay struct {
	Store RelayStore
	SMTP  Sender // SMTP{Config: ...}
	Now   func() time.Time
	// Retries and RetryWait: how often and how far apart a delivery is
	// tried before its job fails (the message stays in the outbox).
	Retries   int
	RetryWait time.Duration
}

func (r Relay) Send(ctx context.Context, m Message) error {
	m.CreatedAt = r.Now().UTC()
	m, err := r.Store.PutOutboxMessage(ctx, m)
	if err != nil {
		return err
	}
	_, err = jobs.Enqueue(ctx, r.Store, r.Now(), JobDeliver, deliverPayload{ID: m.ID}, 1)
	return err
}

type deliverPayload struct {
	ID int64 `json:"id"`
}

// RegisterJobs registers the delivery job.
func (r Relay) RegisterJobs(q *jobs.Queue) {
	q.Register(JobDeliver, func(ctx context.Context, job jobs.Job, progress jobs.Progress) error {
		var p deliverPayload
		if err := json.Unmarshal(job.Payload, &p); err != nil {
			return citylens.Errorf(citylens.EINVALID, "mail.deliver: payload: %v", err)
		}
		m, err := r.Store.OutboxMessage(ctx, p.ID)
		if err != nil {
			return err
		}
		tries, wait := max(r.Retries, 1), r.RetryWait
		if wait <= 0 {
			wait = 20 * time.Second
		}
		for i := 1; ; i++ {
			if err = r.SMTP.Send(ctx, m); err == nil || i >= tries {
				return err
			}
			progress(float64(i)/float64(tries), "relay refused, trying again")
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return citylens.Errorf(citylens.ECANCELED, "mail.deliver: %v", ctx.Err())
			}
		}
	})
}
