package demo

import (
	"context"
	"time"

	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/training"
)

// seedPeople seeds, once, the winners' follow-up that concerns people: a
// training cohort of the 2025 winners' teams with its sessions (past),
// attendance, an assignment, certificates for those who completed and
// feedback; the 2025 ceremony (linked to its edition) and the 2026
// General Assembly, open for registration. It needs the announced 2025
// edition (seedJudging). Then the demo focal points' inbox notices
// (seedNotices).
func seedPeople(ctx context.Context, s Services) error {
	if s.Training != nil {
		if err := seedTraining(ctx, s); err != nil {
			return err
		}
	}
	if s.Events != nil {
		if err := seedEvents(ctx, s); err != nil {
			return err
		}
	}
	return seedNotices(ctx, s)
}

func seedTraining(ctx context.Context, s Services) error {
	cs, err := s.Training.Store.Cohorts(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Demo {
			return nil
		}
	}
	if _, err := s.Store.PrizeEdition(ctx, "2025"); err != nil {
		return nil // no 2025 edition: no cohort
	}
	admin := training.Viewer{Admin: true}
	course := &training.Course{Title: "Human-centred smart city development (demo)",
		Description:   "A demo course of the capacity-building programme: six weeks on designing smart city services with and for residents.",
		Modules:       []string{"Listening to residents", "Data for decisions", "Procurement and partnerships", "Scaling a pilot"},
		Materials:     []training.Material{{Title: "Reader (demo)", URL: "https://example.org/citylens-demo/reader.pdf"}},
		MinAttendance: 75}
	if err := s.Training.CreateCourse(ctx, admin, course); err != nil {
		return err
	}
	cohort := &training.Cohort{CourseID: course.ID, Edition: "2025", Title: "2025 winners' cohort (demo)", Demo: true}
	if err := s.Training.CreateCohort(ctx, admin, cohort); err != nil {
		return err
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return err
	}
	var sessions []int64
	for i, d := range []time.Time{
		time.Date(2025, 11, 4, 10, 0, 0, 0, seoul), time.Date(2025, 11, 11, 10, 0, 0, 0, seoul),
		time.Date(2025, 11, 18, 10, 0, 0, 0, seoul), time.Date(2025, 11, 25, 10, 0, 0, 0, seoul),
	} {
		ss := &training.Session{CohortID: cohort.ID, Title: course.Modules[i], Mode: training.ModeOnline,
			Link: "https://meet.example.org/citylens-demo", Start: d.UTC(), End: d.Add(2 * time.Hour).UTC(), TimeZone: "Asia/Seoul"}
		if i == 2 {
			ss.Mode, ss.Link, ss.Place = training.ModeOnSite, "", "Seoul Digital Foundation, Mapo-gu (demo)"
			ss.End = d.Add(6 * time.Hour).UTC()
		}
		if err := s.Training.AddSession(ctx, admin, ss); err != nil {
			return err
		}
		sessions = append(sessions, ss.ID)
	}
	as := &training.Assignment{CohortID: cohort.ID, Title: "A people-centred plan for your project (demo)",
		Due: time.Date(2025, 12, 5, 0, 0, 0, 0, time.UTC)}
	if err := s.Training.AddAssignment(ctx, admin, as); err != nil {
		return err
	}
	if _, err := s.Training.EnrolWinners(ctx, admin, cohort.ID); err != nil {
		return err
	}
	// A member city's official joins on request, approved by the
	// secretariat: the demo's focal point of Seoul.
	if u, err := s.Store.UserByEmail(ctx, demoFocalEmail); err == nil {
		req, err := s.Training.Request(ctx, training.Viewer{UserID: u.ID, Official: true}, cohort.ID)
		if err != nil {
			return err
		}
		if _, err := s.Training.Decide(ctx, admin, req.ID, true); err != nil {
			return err
		}
	}
	es, err := s.Training.Store.CohortEnrolments(ctx, cohort.ID)
	if err != nil {
		return err
	}
	// Everyone attends the first two sessions; the last participant
	// misses the last two (50 %: not complete); every other submits.
	for si, sid := range sessions {
		var present []int64
		for ei, e := range es {
			if ei == len(es)-1 && si >= 2 {
				continue
			}
			present = append(present, e.UserID)
		}
		if err := s.Training.MarkAttendance(ctx, admin, sid, present); err != nil {
			return err
		}
	}
	for ei, e := range es {
		v := training.Viewer{UserID: e.UserID}
		if ei < len(es)-1 {
			if err := s.Training.Submit(ctx, v, as.ID, "Our plan: three resident panels before the pilot's second phase (demo).", "", nil); err != nil {
				return err
			}
		}
		if err := s.Training.SubmitFeedback(ctx, v, &training.Feedback{CohortID: cohort.ID, Rating: 4 + ei%2, Relevance: 3 + ei%3,
			Comment: "Demo feedback."}); err != nil {
			return err
		}
	}
	n, err := s.Training.IssueCertificates(ctx, admin, cohort.ID)
	if err != nil {
		return err
	}
	s.Log.Info("demo training seeded", "participants", len(es), "certificates", n)
	return nil
}

func seedEvents(ctx context.Context, s Services) error {
	es, err := s.Events.List(ctx, 200, 0)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Demo {
			return nil
		}
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return err
	}
	admin := events.Viewer{Admin: true}
	var edition string
	if _, err := s.Store.PrizeEdition(ctx, "2025"); err == nil {
		edition = "2025"
	}
	ceremony := time.Date(2025, 10, 1, 10, 0, 0, 0, seoul)
	ga := time.Date(2026, 10, 14, 9, 30, 0, 0, seoul)
	if now := s.Now(); !ga.After(now) { // the demo's Assembly is always ahead
		ga = time.Date(now.In(seoul).Year()+1, 10, 14, 9, 30, 0, 0, seoul)
	}
	for _, e := range []*events.Event{
		{Kind: events.KindCeremony, Title: "Seoul Smart City Prize 2025 ceremony (demo)", Agenda: "Welcome\nAwards\nWinners' presentations",
			Place: "Seoul City Hall (demo)", Languages: []string{"en", "ko"}, TimeZone: "Asia/Seoul", Start: ceremony.UTC(),
			End: ceremony.Add(3 * time.Hour).UTC(), Capacity: 300, Edition: edition, Demo: true},
		{Kind: events.KindAssembly, Title: "General Assembly of member cities 2026 (demo)",
			Agenda: "Day 1: opening, the Smart Cities Index 2026, the regions' reports\nDay 2: the prize's follow-up, elections, the next year's plan",
			Place:  "Seoul, Dongdaemun Design Plaza (demo)", Link: "https://meet.example.org/citylens-demo-ga",
			Languages: []string{"en", "ko", "es", "fr"}, TimeZone: "Asia/Seoul", Start: ga.UTC(), End: ga.Add(32 * time.Hour).UTC(),
			Capacity: 150, Open: true, Demo: true},
	} {
		if err := s.Events.Create(ctx, admin, system, e); err != nil {
			return err
		}
	}
	s.Log.Info("demo events seeded")
	return nil
}
