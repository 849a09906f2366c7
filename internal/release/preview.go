package release

import (
	"context"
	"time"
)

// A preview is a draft computed exactly as its publication would be
// (Publish on the same inputs, so the same hash), for the secretariat to
// review bands, ties, audit flags and rank changes before publishing. It
// is kept apart from releases: nothing a preview stores is published.

// Preview is the record of a draft's latest preview; its release document
// is kept beside it.
type Preview struct {
	DraftID   int64     `json:"draft_id"`
	Hash      string    `json:"hash"`
	N         int       `json:"n"` // uncertainty replications it ran
	JobID     int64     `json:"job_id"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// PreviewStore keeps one preview per draft: a new preview of a draft
// replaces the previous one. A draft without a preview is ENOTFOUND.
type PreviewStore interface {
	PutPreview(ctx context.Context, p Preview, doc []byte) error
	Preview(ctx context.Context, draftID int64) (Preview, []byte, error)
}
