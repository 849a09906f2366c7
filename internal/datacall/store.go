package datacall

import "context"

// Store keeps an edition's values and submissions. Implementations live in
// the store packages; each write is one transaction and records every
// changed value in the audit log, so a failed write leaves nothing behind.
type Store interface {
	// CityValues returns one city's values in an edition, by indicator code.
	CityValues(ctx context.Context, edition, city string) ([]Value, error)
	// EditionValues returns every value of an edition.
	EditionValues(ctx context.Context, edition string) ([]Value, error)
	// ApplyChanges writes changes (all or none) on behalf of by.
	ApplyChanges(ctx context.Context, edition string, changes []Change, by Actor) error
	// Submission returns a city's submission; a city that has none is a
	// draft, so this returns StateDraft rather than ENOTFOUND.
	Submission(ctx context.Context, edition, city string) (Submission, error)
	// Submissions returns an edition's submissions.
	Submissions(ctx context.Context, edition string) ([]Submission, error)
	// Transition moves a submission from state from to s.State, with the
	// reviewer's comments per indicator when returning. ECONFLICT when the
	// stored state is not from (someone else acted first).
	Transition(ctx context.Context, s Submission, from string, reviewComments map[string]string, by Actor) error
}

// Current indexes values by key.
func Current(values []Value) map[Key]Value {
	m := make(map[Key]Value, len(values))
	for _, v := range values {
		m[v.Key()] = v
	}
	return m
}
