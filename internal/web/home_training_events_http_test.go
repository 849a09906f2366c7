package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The focal point's home on SQLite and PostgreSQL: their cohort with its
// next session and their progress (1 of 3 sessions attended, 0 of 1
// assignment submitted, not complete), and the events they registered
// for (a place in one, the waiting list of a full one, nothing of a past
// one); and the reminder job mails the session of tomorrow and the place
// confirmed once each, in English.
func TestHomeTrainingEvents(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clk := prizeEnv(t, s) // the cohort's prize edition
		clk.Set(time.Date(2027, 4, 12, 9, 0, 0, 0, time.UTC))
		ctx := context.Background()
		focal := env.Users[webtest.Focal]
		t0 := clk.Now()

		course := &training.Course{Title: "Data for city leaders", MinAttendance: 60, CreatedAt: t0}
		if err := env.Store.CreateCourse(ctx, course); err != nil {
			t.Fatal(err)
		}
		co := &training.Cohort{CourseID: course.ID, Edition: "2026", Title: "Spring 2027 cohort", CreatedAt: t0}
		if err := env.Store.CreateCohort(ctx, co); err != nil {
			t.Fatal(err)
		}
		var sessions []*training.Session
		for i, start := range []time.Time{t0.Add(-7 * 24 * time.Hour), t0.Add(20 * time.Hour), t0.Add(8 * 24 * time.Hour)} {
			ses := &training.Session{CohortID: co.ID, Title: fmt.Sprintf("Session %d", i+1), Mode: training.ModeOnline, Start: start,
				End: start.Add(2 * time.Hour), TimeZone: "Asia/Seoul", Link: "https://meet.example/x"}
			if err := env.Store.CreateTrainingSession(ctx, ses); err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, ses)
		}
		if err := env.Store.PutEnrolment(ctx, &training.Enrolment{CohortID: co.ID, UserID: focal.ID, Source: training.SourceRequest,
			State: training.StateApproved, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := env.Store.SetTrainingAttendance(ctx, sessions[0].ID, focal.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := env.Store.CreateAssignment(ctx, &training.Assignment{CohortID: co.ID, Title: "A data plan", Due: t0.Add(30 * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}

		newEvent := func(title string, start time.Time, capacity int) *events.Event {
			e := &events.Event{Kind: events.KindKickoff, Title: title, Place: "Seoul City Hall", Languages: []string{"en", "ko"}, TimeZone: "Asia/Seoul",
				Start: start, End: start.Add(3 * time.Hour), Capacity: capacity, Open: true, CreatedAt: t0}
			if err := env.Store.CreateEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		kickoff := newEvent("Winners' kick-off", t0.Add(10*24*time.Hour), 50)
		full := newEvent("Study visit to Busan", t0.Add(20*24*time.Hour), 1)
		past := newEvent("Last year's assembly", t0.Add(-30*24*time.Hour), 50)
		if err := env.Store.PutRegistration(ctx, &events.Registration{EventID: full.ID, UserID: env.Users[webtest.Admin].ID, State: events.StateRegistered, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := env.Store.PutRegistration(ctx, &events.Registration{EventID: past.ID, UserID: focal.ID, State: events.StateRegistered, UpdatedAt: t0.Add(-40 * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		fc := env.ClientAs(webtest.Focal)
		fc.Get("/events")
		for _, e := range []*events.Event{kickoff, full} {
			if res, body := fc.PostForm(fmt.Sprintf("/events/%d/register", e.ID), nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("register for %s: %d\n%s", e.Title, res.StatusCode, body)
			}
		}

		for _, lang := range []string{"en", "ko"} {
			res, body := fc.Get("/home?lang=" + lang)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("/home?lang=%s: %d", lang, res.StatusCode)
			}
			for _, want := range []string{
				fmt.Sprintf(`id="home-cohort-%d" data-state="approved" data-attended="1" data-sessions="3" data-submitted="0" data-assigned="1" data-complete="false"`, co.ID),
				fmt.Sprintf(`<span data-session="%d">`, sessions[1].ID),
				sessions[1].Start.In(mustZone(t, "Asia/Seoul")).Format("2006-01-02 15:04 MST"),
				`id="home-events-count" data-registered="1" data-waiting="1"`,
				fmt.Sprintf(`<li data-event="%d" data-state="registered">`, kickoff.ID),
				fmt.Sprintf(`<li data-event="%d" data-state="waiting">`, full.ID),
			} {
				if !strings.Contains(body, want) {
					t.Fatalf("the %s home lacks %s:\n%s", lang, want, body)
				}
			}
			if strings.Contains(body, fmt.Sprintf(`data-event="%d"`, past.ID)) {
				t.Fatalf("the %s home lists a past event", lang)
			}
			// The kick-off (in 10 days) is listed before the visit (in 20).
			if strings.Index(body, fmt.Sprintf(`data-event="%d"`, kickoff.ID)) > strings.Index(body, fmt.Sprintf(`data-event="%d"`, full.ID)) {
				t.Fatalf("the %s home's events are not by start", lang)
			}
			text := map[string][]string{
				"en": {"Sessions attended: 1 of 3; assignments submitted: 0 of 1.", "Not completed yet.", "Next session: Session 2", "Places: 1; on a waiting list: 1."},
				"ko": {"출석한 세션: 3회 중 1회, 제출한 과제: 1개 중 0개.", "아직 이수하지 않았습니다.", "다음 세션: Session 2", "확정된 자리: 1개, 대기 중: 1개.", "교육", "내 행사"},
			}[lang]
			for _, w := range text {
				if !strings.Contains(body, w) {
					t.Fatalf("the %s home lacks %q:\n%s", lang, w, body)
				}
			}
			if lang == "ko" && (strings.Contains(body, "Sessions attended") || strings.Contains(body, "Your events") || strings.Contains(body, "Next session")) {
				t.Fatalf("English on the Korean home:\n%s", body)
			}
		}

		// The reminder job, run three times: session 2 starts tomorrow in
		// Seoul; the kick-off's place is confirmed (the waiting list is not).
		for i := 0; i < 3; i++ {
			if _, err := env.Services.Notify.Remind(ctx, clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		subjects := map[string]int{}
		for _, m := range outboxTo(t, env, focal.Email) {
			subjects[m.Subject]++
		}
		if subjects["Tomorrow: Session 2"] != 1 || subjects["Your place is confirmed: Winners' kick-off"] != 1 ||
			subjects["Your place is confirmed: Study visit to Busan"] != 0 || subjects["Tomorrow: Session 3"] != 0 {
			t.Fatalf("the focal point's mail: %v", subjects)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
