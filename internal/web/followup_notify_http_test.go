package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Issue 15's flow over HTTP on SQLite and PostgreSQL: the winners are
// announced; their studies open with the modality from the stage; the host
// city's focal point updates a milestone with evidence; time moves past
// the next milestone's due date; two servers run the reminder job on the
// same database at once, three times, and each person is mailed the
// overdue reminder exactly once (and nothing for the milestone done); the
// ceremony report shows the one milestone done and the other late.
func TestFollowupOverdueReminderFlow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clock := prizeEnv(t, s)
		ctx := context.Background()
		applicant := env.Users[webtest.Applicant]
		a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: applicant.ID, Email: applicant.Email,
			ApplicantType: prize.TypeLocalGov, Organisation: "City of Seoul", CityCode: webtest.CityX, CityName: "Seoul", Country: "KOR",
			Title: "Night buses for shift workers", Stage: prize.StageScaled, Answers: prize.Answers{"summary": {"A summary."}, prize.FieldStage: {prize.StageScaled}},
			State: prize.StateSubmitted, CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
		if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := env.Store.AddPrizeDecision(ctx, &judging.Decision{Edition: "2026", App: a.ID, Kind: judging.DecisionWinner, Grade: "gold",
			DecidedBy: "admin@test.citylens", DecidedAt: prizeT0}); err != nil {
			t.Fatal(err)
		}
		e, _ := env.Store.PrizeEdition(ctx, "2026")
		clock.Set(e.Ceremony)
		ac := env.ClientAs(webtest.Admin)
		if res, body := ac.PostForm("/admin/judging/2026/announce", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("announce: %d\n%s", res.StatusCode, body)
		}
		studies, err := env.Store.FollowupStudies(ctx, "2026")
		if err != nil || len(studies) != 1 {
			t.Fatalf("studies after the announcement: %d %v", len(studies), err)
		}
		st := studies[0]
		// A scaled project: triangular cooperation.
		if st.AppID != a.ID || st.Modality != followup.ModalityTriangular || len(st.Milestones) < 2 {
			t.Fatalf("the study opened: %+v", st)
		}
		m1, m2 := st.Milestones[0], st.Milestones[1]

		// The focal point reports the first milestone done with evidence.
		fc := env.ClientAs(webtest.Focal)
		studyPath := fmt.Sprintf("/followup/studies/%d", st.ID)
		if res, body := evidenceForm(fc, fmt.Sprintf("%s/milestones/%d/evidence", studyPath, m1.ID), url.Values{"kind": {"indicator"},
			"label": {"Partner cities signed"}, "unit": {"cities"}, "before": {"0"}, "after": {"2"}, "public": {"1"}}, "", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("evidence: %d\n%s", res.StatusCode, body)
		}
		if res, body := fc.PostForm(fmt.Sprintf("%s/milestones/%d", studyPath, m1.ID), url.Values{"due": {m1.Due}, "status": {"done"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("milestone done: %d\n%s", res.StatusCode, body)
		}

		second, err := app.New(web.Config{Store: env.Store, Now: clock.Now, BaseURL: "http://citylens.test", Queue: jobs.NewQueue(env.Store, jobs.Options{Owner: "second"})})
		if err != nil {
			t.Fatal(err)
		}
		svcs := []*notify.Service{env.Services.Notify, second.Services.Notify}
		remindTwice := func(rounds int) {
			t.Helper()
			for round := 0; round < rounds; round++ {
				var wg sync.WaitGroup
				errs := make([]error, len(svcs))
				for i, sv := range svcs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, errs[i] = sv.Remind(ctx, clock.Now())
					}()
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		focal := env.Users[webtest.Focal].Email
		count := func(to, subject string) int {
			n := 0
			for _, m := range outboxTo(t, env, to) {
				if m.Subject == subject {
					n++
				}
			}
			return n
		}
		overdue := m2.Title + " is overdue"
		due, err := time.Parse(followup.DateLayout, m2.Due)
		if err != nil {
			t.Fatal(err)
		}
		// The day before the due date: the 3-day reminder, nothing overdue.
		clock.Set(due.Add(-24*time.Hour + 9*time.Hour))
		remindTwice(2)
		if n := count(focal, m2.Title+" is due in 3 days"); n != 1 {
			t.Fatalf("the focal point got %d 3-day reminders, want 1", n)
		}
		if n := count(focal, overdue); n != 0 {
			t.Fatalf("overdue before the due date: %d", n)
		}
		// Two days past the due date, both servers, three rounds.
		clock.Set(due.Add(2*24*time.Hour + 9*time.Hour))
		remindTwice(3)
		if n := count(focal, overdue); n != 1 {
			t.Fatalf("the focal point got %d overdue reminders, want 1", n)
		}
		if n := count(focal, m1.Title+" is overdue"); n != 0 {
			t.Fatalf("the milestone done was reminded as overdue %d times", n)
		}
		all, err := env.Store.ListOutbox(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, m := range all {
			seen[m.To+"\x00"+m.Subject]++
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("%q sent %d times", k, n)
			}
		}
		// The mail links to the milestone and says the due date.
		for _, m := range outboxTo(t, env, focal) {
			if m.Subject == overdue && (!strings.Contains(m.Body, fmt.Sprintf("http://citylens.test%s#m%d", studyPath, m2.ID)) || !strings.Contains(m.Body, "was due on "+m2.Due)) {
				t.Fatalf("the overdue mail:\n%s", m.Body)
			}
		}
		// The inbox has it once too (a new session: the clock has moved
		// past the first one's life).
		if _, body := env.ClientAs(webtest.Focal).Get("/inbox?lang=en"); strings.Count(body, overdue) != 1 {
			t.Fatalf("the inbox shows the overdue reminder %d times:\n%s", strings.Count(body, overdue), body)
		}

		// The ceremony report: the study late, its first milestone done and
		// its second late.
		anon := env.ClientAs(webtest.Anonymous)
		res, body := anon.Get("/followup/report/2026?lang=en")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("report: %d", res.StatusCode)
		}
		for _, want := range []string{`data-count="all">1<`, `data-count="late">1<`, `data-count="done">0<`, `data-count="on_track">0<`, `data-count="at_risk">0<`} {
			if !strings.Contains(body, want) {
				t.Fatalf("report lacks %s:\n%s", want, body)
			}
		}
		section := body[strings.Index(body, fmt.Sprintf(`id="study-%d"`, st.ID)):]
		section = section[:strings.Index(section, "</section>")]
		if strings.Count(section, `data-status="done"`) != 1 || strings.Count(section, `data-status="late"`) != 2 ||
			!strings.Contains(section, fmt.Sprintf("1 of %d milestones done", len(st.Milestones))) {
			t.Fatalf("the study in the report:\n%s", section)
		}

		// The focal point's home: the study with its milestones done of
		// all and late, and the milestones not done linked, in English and
		// Korean.
		hc := env.ClientAs(webtest.Focal)
		for _, lang := range []string{"en", "ko"} {
			res, body := hc.Get("/home?lang=" + lang)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("/home?lang=%s: %d", lang, res.StatusCode)
			}
			for _, want := range []string{
				`id="home-studies-late" data-late="1"`,
				fmt.Sprintf(`id="home-study-%d" data-status="late" data-done="1" data-total="%d" data-late="1"`, st.ID, len(st.Milestones)),
				fmt.Sprintf(`<li data-milestone="%d" data-status="late"><a href="%s#m%d">`, m2.ID, studyPath, m2.ID),
			} {
				if !strings.Contains(body, want) {
					t.Fatalf("the %s home lacks %s:\n%s", lang, want, body)
				}
			}
			if strings.Contains(body, fmt.Sprintf(`data-milestone="%d"`, m1.ID)) {
				t.Fatalf("the %s home lists the milestone done", lang)
			}
			text := map[string][]string{
				"en": {"Feasibility studies", fmt.Sprintf("1 of %d milestones done", len(st.Milestones)), "Milestones late: 1", m2.Title},
				"ko": {"타당성 조사", fmt.Sprintf("마일스톤 %d개 중 1개 완료", len(st.Milestones)), "지연된 마일스톤: 1개"},
			}[lang]
			for _, w := range text {
				if !strings.Contains(body, w) {
					t.Fatalf("the %s home lacks %q", lang, w)
				}
			}
			if lang == "ko" && (strings.Contains(body, "Feasibility studies") || strings.Contains(body, "milestones done") || m2.TitleKO != "" && strings.Contains(body, ">"+m2.Title+"<")) {
				t.Fatalf("English on the Korean home:\n%s", body)
			}
		}
	})
}
