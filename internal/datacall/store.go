package datacall

import (
	"context"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
)

// Store keeps an edition's values, submissions and draft releases.
// Implementations live in the store packages; every method joins the
// transaction carried by ctx (see InTx), so an import or a transition and
// its audit entries commit together or not at all.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	// CityValues returns one city's values in an edition, ordered by indicator.
	CityValues(ctx context.Context, edition, city string) ([]Value, error)
	// EditionValues returns every value of an edition, ordered by city and indicator.
	EditionValues(ctx context.Context, edition string) ([]Value, error)
	// PutValues inserts or replaces values by (edition, city, indicator),
	// keeping their review comments.
	PutValues(ctx context.Context, values []Value) error
	// SetReviewComments replaces the reviewer's comments on a city's values:
	// indicators absent from comments get none.
	SetReviewComments(ctx context.Context, edition, city string, comments map[string]string) error
	// AppendValueAudits appends many audit entries at once (an import's).
	AppendValueAudits(ctx context.Context, entries []auditlog.Entry) error

	// Submission returns a city's submission; a city without one is a
	// draft (State StateDraft), not ENOTFOUND.
	Submission(ctx context.Context, edition, city string) (Submission, error)
	// Submissions returns an edition's stored submissions, ordered by city.
	Submissions(ctx context.Context, edition string) ([]Submission, error)
	// PutSubmission inserts or replaces a submission.
	PutSubmission(ctx context.Context, s Submission) error
	// ValueCounts returns an edition's value counts: per city, and per
	// indicator summed over the cities of region ("" for every region).
	// The database keeps them as values, submissions and editions change.
	ValueCounts(ctx context.Context, edition, region string) ([]CityCount, []IndicatorCount, error)

	ReleaseStore
}

// CityCount is how many values a city has in an edition.
type CityCount struct {
	City     string
	Values   int
	Optional int // of which of optional indicators
}

// IndicatorCount is how many cities of a region have a value of an indicator.
type IndicatorCount struct {
	Indicator string
	Region    string
	Cities    int
	Accepted  int // of which in accepted submissions
}

// ReleaseInfo describes a stored draft release.
type ReleaseInfo struct {
	ID            int64     `json:"id"`
	Edition       string    `json:"edition"`
	Hash          string    `json:"hash"`
	DataHash      string    `json:"data_hash"`
	EngineVersion string    `json:"engine_version"`
	Cities        int       `json:"cities"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// ReleaseStore keeps draft releases.
type ReleaseStore interface {
	// CreateDraftRelease stores a draft release and returns its id.
	CreateDraftRelease(ctx context.Context, r *DraftRelease, createdBy string) (int64, error)
	// DraftReleases lists an edition's draft releases, newest first.
	DraftReleases(ctx context.Context, edition string) ([]ReleaseInfo, error)
	// DraftRelease returns one draft release or ENOTFOUND.
	DraftRelease(ctx context.Context, id int64) (*DraftRelease, ReleaseInfo, error)
}

// Current indexes values by key.
func Current(values []Value) map[Key]Value {
	m := make(map[Key]Value, len(values))
	for _, v := range values {
		m[v.Key()] = v
	}
	return m
}

// CityValuesOfStore is a Store that reads chosen values of one city, so
// that saving a few values reads only those. Without it the service reads
// the city's every value.
type CityValuesOfStore interface {
	// CityValuesOf returns a city's values of the given indicators (those
	// it has), ordered by indicator.
	CityValuesOf(ctx context.Context, edition, city string, indicators []string) ([]Value, error)
}
