package training

import (
	"context"
	"time"
)

// Enrolled is one cohort a person is enrolled in (approved or waiting for
// approval): its course, the person's enrolment, the cohort's sessions,
// the next one to start and, once approved, the person's progress
// (attendance, submissions, completion, certificate).
type Enrolled struct {
	Cohort    *Cohort
	Course    *Course
	Enrolment Enrolment
	Sessions  []Session
	Next      *Session  // the next session to start after now, nil when none
	Progress  *Progress // nil while the enrolment is pending
}

// PersonCohorts are the cohorts user is enrolled in (a declined request
// is not), by cohort, as at now. Cohorts are a few a year; each one's
// enrolments are read to find the person's. The home's training panel and
// the API read it.
func PersonCohorts(ctx context.Context, st Store, user int64, now time.Time) ([]Enrolled, error) {
	cohorts, err := st.Cohorts(ctx)
	if err != nil {
		return nil, err
	}
	var out []Enrolled
	for _, co := range cohorts {
		es, err := st.CohortEnrolments(ctx, co.ID)
		if err != nil {
			return nil, err
		}
		var mine *Enrolment
		for i := range es {
			if es[i].UserID == user && es[i].State != StateDeclined {
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
		e := Enrolled{Cohort: co, Course: course, Enrolment: *mine, Sessions: sessions}
		for i := range sessions {
			s := &sessions[i]
			if s.Start.After(now) && (e.Next == nil || s.Start.Before(e.Next.Start)) {
				e.Next = s
			}
		}
		if mine.State == StateApproved {
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
			for _, p := range Compute(course, []Enrolment{*mine}, sessions, att, as, subs, certs) {
				e.Progress = &p
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Mine are v's cohorts (PersonCohorts at the service's clock).
func (s *Service) Mine(ctx context.Context, v Viewer) ([]Enrolled, error) {
	return PersonCohorts(ctx, s.Store, v.UserID, s.now())
}

// Attended are the IDs of the sessions of cohortID user attended.
func (s *Service) Attended(ctx context.Context, cohortID, user int64) (map[int64]bool, error) {
	att, err := s.Store.CohortAttendance(ctx, cohortID)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, a := range att {
		if a.UserID == user {
			out[a.SessionID] = true
		}
	}
	return out, nil
}
