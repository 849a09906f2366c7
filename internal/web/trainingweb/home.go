package trainingweb

import (
	"context"
	"time"

	"github.com/citylens/citylens/internal/training"
)

// HomeCohort is one cohort a person is enrolled in (approved or waiting
// for approval), as the home shows it: the next session and the person's
// progress.
type HomeCohort struct {
	Cohort   *training.Cohort
	Course   string
	State    string            // the enrolment's state
	Next     *training.Session // the next session to start, nil when none
	NextTime string            // its start in its own time zone
	Progress *training.Progress
}

// HomeTraining is the home panel's data.
type HomeTraining struct{ Cohorts []HomeCohort }

// PersonTraining reads the home panel of user's cohorts at now
// (training.PersonCohorts; nil, not a typed nil, when they have none).
func PersonTraining(ctx context.Context, st training.Store, user int64, now time.Time) (any, error) {
	es, err := training.PersonCohorts(ctx, st, user, now)
	if err != nil {
		return nil, err
	}
	var out HomeTraining
	for _, e := range es {
		hc := HomeCohort{Cohort: e.Cohort, Course: e.Course.Title, State: e.Enrolment.State, Next: e.Next, Progress: e.Progress}
		if hc.Next != nil {
			loc, err := time.LoadLocation(hc.Next.TimeZone)
			if err != nil {
				loc = time.UTC
			}
			hc.NextTime = hc.Next.Start.In(loc).Format("2006-01-02 15:04 MST")
		}
		out.Cohorts = append(out.Cohorts, hc)
	}
	if len(out.Cohorts) == 0 {
		return nil, nil
	}
	return &out, nil
}
