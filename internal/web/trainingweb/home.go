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

// PersonTraining reads the home panel of user's cohorts at now (nil, not a
// typed nil, when they have none). Cohorts are a few a year; each one's
// enrolments are read to find the person's.
func PersonTraining(ctx context.Context, st training.Store, user int64, now time.Time) (any, error) {
	cohorts, err := st.Cohorts(ctx)
	if err != nil {
		return nil, err
	}
	var out HomeTraining
	for _, co := range cohorts {
		es, err := st.CohortEnrolments(ctx, co.ID)
		if err != nil {
			return nil, err
		}
		var mine *training.Enrolment
		for i := range es {
			if es[i].UserID == user && es[i].State != training.StateDeclined {
				mine = &es[i]
			}
		}
		if mine == nil {
			continue
		}
		course, err := st.Course(ctx, co.CourseID)
		if err != nil {
			return nil, err
		}
		sessions, err := st.CohortSessions(ctx, co.ID)
		if err != nil {
			return nil, err
		}
		hc := HomeCohort{Cohort: co, Course: course.Title, State: mine.State}
		for i := range sessions {
			s := &sessions[i]
			if s.Start.After(now) && (hc.Next == nil || s.Start.Before(hc.Next.Start)) {
				hc.Next = s
			}
		}
		if hc.Next != nil {
			loc, err := time.LoadLocation(hc.Next.TimeZone)
			if err != nil {
				loc = time.UTC
			}
			hc.NextTime = hc.Next.Start.In(loc).Format("2006-01-02 15:04 MST")
		}
		if mine.State == training.StateApproved {
			att, err := st.CohortAttendance(ctx, co.ID)
			if err != nil {
				return nil, err
			}
			as, err := st.CohortAssignments(ctx, co.ID)
			if err != nil {
				return nil, err
			}
			subs, err := st.CohortSubmissions(ctx, co.ID)
			if err != nil {
				return nil, err
			}
			certs, err := st.CohortCertificates(ctx, co.ID)
			if err != nil {
				return nil, err
			}
			for _, p := range training.Compute(course, []training.Enrolment{*mine}, sessions, att, as, subs, certs) {
				hc.Progress = &p
			}
		}
		out.Cohorts = append(out.Cohorts, hc)
	}
	if len(out.Cohorts) == 0 {
		return nil, nil
	}
	return &out, nil
}
