package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web/webtest"
)

var cohortPathRE = regexp.MustCompile(`^/training/cohorts/(\d+)`)

// The training programme over HTTP on SQLite and PostgreSQL: a cohort of
// the 2026 edition enrols the announced winners' teams (not a finalist's)
// and, on request approved by the secretariat, a focal point; attendance
// is taken per session; completion is computed from the course's rule
// (75 % of the sessions and every assignment); the one participant who
// completed gets a certificate whose number and hash the public page
// verifies, showing only the holder's name, the course and the date (a
// wrong hash is refused); the feedback's aggregate is the secretariat's;
// bad input is refused naming its field and changes nothing; tomorrow's
// sessions give one reminder per participant.
func TestTrainingCohortHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		sys := auditlog.System("test")

		// Two winning teams and a finalist, announced.
		var team []accounts.User
		var apps []*prize.Application
		for i, name := range []string{"Min-ji Kim", "Lars Holm", "Ana Restrepo"} {
			u, err := env.Services.Accounts.AddUser(ctx, sys, accounts.User{Email: fmt.Sprintf("team%d@test.citylens", i), Name: name,
				Role: accounts.RoleApplicant}, webtest.Password)
			if err != nil {
				t.Fatal(err)
			}
			team = append(team, u)
			a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email, ApplicantType: prize.TypeLocalGov,
				Organisation: "Org " + name, CityName: "City", Country: "KOR", Title: "Project of " + name,
				Answers: prize.Answers{"summary": {"A summary."}}, State: prize.StateSubmitted, CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
			if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
			apps = append(apps, a)
		}
		for i, a := range apps {
			kind, grade := judging.DecisionWinner, "gold"
			if i == 2 {
				kind, grade = judging.DecisionFinalist, ""
			}
			if err := env.Store.AddPrizeDecision(ctx, &judging.Decision{Edition: "2026", App: a.ID, Kind: kind, Grade: grade,
				Track: prize.TrackTech, DecidedBy: "admin", DecidedAt: prizeT0}); err != nil {
				t.Fatal(err)
			}
		}
		if err := env.Store.AnnouncePrize(ctx, "2026", prizeT0, "admin"); err != nil {
			t.Fatal(err)
		}

		admin := env.ClientAs(webtest.Admin)
		// A bad course is refused naming its fields; nothing is created.
		res, body := admin.PostForm("/admin/training/courses", url.Values{"title": {""}, "min_attendance": {"120"},
			"materials": {"Guide | ftp://example.org/guide.pdf"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "title: required") ||
			!strings.Contains(body, "min_attendance: between 1 and 100") || !strings.Contains(body, "materials: not a web address") {
			t.Fatalf("bad course: %d, want 400 naming title, min_attendance and materials:\n%s", res.StatusCode, body)
		}
		if cs, _ := env.Store.Courses(ctx); len(cs) != 0 {
			t.Fatalf("a refused course was stored: %v", cs)
		}
		res, body = admin.PostForm("/admin/training/courses", url.Values{"title": {"Human-centred city development"},
			"description": {"Six weeks on people-centred smart cities."}, "modules": {"Listening to residents\nData for decisions"},
			"materials": {"Reader | https://example.org/reader.pdf"}, "min_attendance": {"75"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("course: %d %s", res.StatusCode, body)
		}
		cs, _ := env.Store.Courses(ctx)
		res, body = admin.PostForm("/admin/training/cohorts", url.Values{"course": {fmt.Sprint(cs[0].ID)}, "edition": {"2026"}, "title": {"2026 winners' cohort"}})
		m := cohortPathRE.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("cohort: %d %s", res.StatusCode, body)
		}
		cohort := "/training/cohorts/" + m[1]
		var cohortID int64
		fmt.Sscan(m[1], &cohortID)

		// Sessions: a bad one refused naming its fields.
		res, body = admin.PostForm("/admin/training/cohorts/"+m[1]+"/sessions", url.Values{"title": {"Week 1"}, "mode": {"online"},
			"time_zone": {"Asia/Seoul"}, "start": {"2026-07-01T10:00"}, "end": {"2026-07-01T09:00"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "link: required") || !strings.Contains(body, "end: before the start") {
			t.Fatalf("bad session: %d %s", res.StatusCode, body)
		}
		for _, ss := range []url.Values{
			{"title": {"Week 1: listening"}, "mode": {"online"}, "link": {"https://meet.example.org/w1"}, "time_zone": {"Asia/Seoul"},
				"start": {"2026-07-01T10:00"}, "end": {"2026-07-01T12:00"}},
			{"title": {"Week 2: study visit"}, "mode": {"onsite"}, "place": {"Seoul Digital Foundation"}, "time_zone": {"Asia/Seoul"},
				"start": {"2026-07-08T10:00"}, "end": {"2026-07-08T16:00"}},
		} {
			if res, body := admin.PostForm("/admin/training/cohorts/"+m[1]+"/sessions", ss); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("session: %d %s", res.StatusCode, body)
			}
		}
		if res, body := admin.PostForm("/admin/training/cohorts/"+m[1]+"/assignments", url.Values{"title": {"A plan for your city"}, "due": {"2026-07-20T00:00"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("assignment: %d %s", res.StatusCode, body)
		}
		view, err := env.Services.Training.Get(ctx, training.Viewer{Admin: true}, cohortID)
		if err != nil || len(view.Sessions) != 2 || len(view.Assignments) != 1 {
			t.Fatalf("cohort %v: %d sessions, %v", err, len(view.Sessions), view)
		}

		// The winners' teams, not the finalist's.
		res, _ = admin.PostForm("/admin/training/cohorts/"+m[1]+"/enrol-winners", nil)
		if _, body = admin.Get(res.Header.Get("Location")); !strings.Contains(body, "2 winners&#39; team members enrolled.") {
			t.Errorf("enrol winners flash:\n%s", body)
		}
		// A focal point asks; the secretariat approves.
		focal := env.ClientAs(webtest.Focal)
		if res, body := focal.PostForm(cohort+"/request", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("request: %d %s", res.StatusCode, body)
		}
		view, _ = env.Services.Training.Get(ctx, training.Viewer{Admin: true}, cohortID)
		if len(view.Pending) != 1 || len(view.Progress) != 2 {
			t.Fatalf("%d pending, %d participants; want 1 and 2", len(view.Pending), len(view.Progress))
		}
		if res, body := admin.PostForm(fmt.Sprintf("/admin/training/enrolments/%d", view.Pending[0].ID), url.Values{"decision": {"approve"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", res.StatusCode, body)
		}
		focalID := env.Users[webtest.Focal].ID

		// Attendance: a stranger is refused, naming the field, and nothing changes.
		s1, s2 := view.Sessions[0].ID, view.Sessions[1].ID
		res, body = admin.PostForm(fmt.Sprintf("/admin/training/sessions/%d/attendance", s1), url.Values{"present": {fmt.Sprint(team[0].ID), fmt.Sprint(team[2].ID)}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, fmt.Sprintf("present: person %d is not a participant", team[2].ID)) {
			t.Fatalf("stranger's attendance: %d %s", res.StatusCode, body)
		}
		if att, _ := env.Store.CohortAttendance(ctx, cohortID); len(att) != 0 {
			t.Fatalf("refused attendance was stored: %v", att)
		}
		attend := func(session int64, users ...int64) {
			v := url.Values{"cohort": {m[1]}}
			for _, u := range users {
				v.Add("present", fmt.Sprint(u))
			}
			if res, body := admin.PostForm(fmt.Sprintf("/admin/training/sessions/%d/attendance", session), v); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("attendance: %d %s", res.StatusCode, body)
			}
		}
		attend(s1, team[0].ID, team[1].ID, focalID)
		attend(s2, team[0].ID, team[1].ID)
		attend(s2, team[0].ID) // corrected: team 1 was not there

		// Submissions: the two winners submit; the focal point does not.
		clients := map[int64]*webtest.Client{}
		for i, u := range team[:2] {
			c := env.ClientFrom(fmt.Sprintf("127.0.2.%d", i+1))
			if res, body := c.Login(u.Email, webtest.Password); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d %s", res.StatusCode, body)
			}
			c.Get("/training")
			clients[u.ID] = c
			if res, body := c.PostForm(fmt.Sprintf("/training/assignments/%d/submit", view.Assignments[0].ID), url.Values{"text": {"Our plan."}, "cohort": {m[1]}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("submit: %d %s", res.StatusCode, body)
			}
		}
		// Team 0: 2/2 sessions, 1/1 assignments: complete. Team 1: 1/2
		// (50 % < 75 %). Focal: 1/2 and nothing submitted.
		_, body = admin.Get(cohort)
		for _, want := range []string{"<td>Min-ji Kim</td><td>2 / 2 (100 %)</td><td>1 / 1</td><td>yes</td>",
			"<td>Lars Holm</td><td>1 / 2 (50 %)</td><td>1 / 1</td><td>not yet</td>",
			"<td>1 / 2 (50 %)</td><td>0 / 1</td><td>not yet</td>"} {
			if !strings.Contains(body, want) {
				t.Errorf("progress lacks %q:\n%s", want, body)
			}
		}
		// A participant sees only their own progress.
		_, body = clients[team[1].ID].Get(cohort)
		if !strings.Contains(body, "Lars Holm") || strings.Contains(body, "Min-ji Kim") {
			t.Errorf("a participant sees others' progress:\n%s", body)
		}

		// Certificates: one, to the one who completed; issuing again adds none.
		res, _ = admin.PostForm("/admin/training/cohorts/"+m[1]+"/certificates", nil)
		if _, body = admin.Get(res.Header.Get("Location")); !strings.Contains(body, "1 certificates issued.") {
			t.Errorf("issue flash:\n%s", body)
		}
		res, _ = admin.PostForm("/admin/training/cohorts/"+m[1]+"/certificates", nil)
		if _, body = admin.Get(res.Header.Get("Location")); !strings.Contains(body, "0 certificates issued.") {
			t.Errorf("second issue flash:\n%s", body)
		}
		certs, _ := env.Store.CohortCertificates(ctx, cohortID)
		if len(certs) != 1 || certs[0].UserID != team[0].ID || certs[0].Holder != "Min-ji Kim" {
			t.Fatalf("certificates %+v, want one for Min-ji Kim", certs)
		}
		cert := certs[0]

		// The public page verifies number + hash and shows only name, course, date.
		anon := env.Client()
		res, body = anon.Get("/training/verify?" + url.Values{"number": {cert.Number}, "hash": {cert.Hash}}.Encode())
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `<dd id="cert-holder">Min-ji Kim</dd>`) ||
			!strings.Contains(body, `<dd id="cert-course">Human-centred city development</dd>`) || !strings.Contains(body, `<dd id="cert-date">2026-06-30</dd>`) {
			t.Fatalf("verification: %d\n%s", res.StatusCode, body)
		}
		section := body[strings.Index(body, `id="training-verified"`):]
		section = section[:strings.Index(section, "</section>")]
		if strings.Count(section, "<dd") != 3 {
			t.Errorf("the verification shows more than name, course and date:\n%s", section)
		}
		for _, secret := range []string{team[0].Email, "2026 winners", "Org Min-ji", "Project of"} {
			if strings.Contains(body, secret) {
				t.Errorf("the verification page shows %q", secret)
			}
		}
		wrong := []byte(cert.Hash)
		wrong[0] ^= 1
		res, body = anon.Get("/training/verify?" + url.Values{"number": {cert.Number}, "hash": {string(wrong)}}.Encode())
		if res.StatusCode != http.StatusNotFound || strings.Contains(body, "Min-ji Kim") || !strings.Contains(body, "No certificate has this number and hash.") {
			t.Errorf("wrong hash: %d\n%s", res.StatusCode, body)
		}

		// The PDF: the holder's, not another participant's.
		res, body = clients[team[0].ID].Get("/training/certificates/" + cert.Number)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
			t.Fatalf("certificate PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if p, err := exec.LookPath("pdftotext"); err == nil {
			f := filepath.Join(t.TempDir(), "c.pdf")
			os.WriteFile(f, []byte(body), 0o600)
			out, _ := exec.Command(p, f, "-").Output()
			for _, want := range []string{"Certificate of completion", "Min-ji Kim", "Human-centred city development", cert.Number, cert.Hash} {
				if !strings.Contains(string(out), want) {
					t.Errorf("the certificate's text lacks %q:\n%s", want, out)
				}
			}
		}
		if res, _ = clients[team[1].ID].Get("/training/certificates/" + cert.Number); res.StatusCode != http.StatusNotFound {
			t.Errorf("another participant's certificate: %d, want 404", res.StatusCode)
		}

		// Feedback: bad input named; the aggregate is the secretariat's.
		res, body = clients[team[0].ID].PostForm(cohort+"/feedback", url.Values{"rating": {"9"}, "relevance": {"4"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "rating: between 1 and 5") {
			t.Errorf("bad feedback: %d %s", res.StatusCode, body)
		}
		clients[team[0].ID].PostForm(cohort+"/feedback", url.Values{"rating": {"5"}, "relevance": {"4"}, "comment": {"Very useful."}})
		clients[team[1].ID].PostForm(cohort+"/feedback", url.Values{"rating": {"2"}, "relevance": {"3"}})
		if res, _ = env.ClientAs(webtest.Judge).PostForm(cohort+"/feedback", url.Values{"rating": {"1"}, "relevance": {"1"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a non-participant's feedback: %d, want 403", res.StatusCode)
		}
		_, body = admin.Get(cohort)
		if !strings.Contains(body, "2 answers; overall rating 3.5 of 5; relevance to the city 3.5 of 5.") || !strings.Contains(body, "Very useful.") {
			t.Errorf("feedback aggregate:\n%s", body)
		}
		if _, body = clients[team[0].ID].Get(cohort); strings.Contains(body, "overall rating") {
			t.Errorf("a participant sees the feedback's aggregate")
		}

		// Reminders: the day before week 2 (in Seoul), one per participant.
		rs, err := training.Reminders(ctx, env.Store, time.Date(2026, 7, 7, 1, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 3 || rs[0].SessionID != s2 || rs[0].Kind != "training.session_tomorrow" ||
			rs[0].DedupeKey != fmt.Sprintf("training.session_tomorrow:%d:%d", s2, rs[0].UserID) {
			t.Errorf("reminders %+v, want 3 for session %d", rs, s2)
		}
		if rs, _ := training.Reminders(ctx, env.Store, time.Date(2026, 7, 7, 16, 0, 0, 0, time.UTC)); len(rs) != 0 {
			t.Errorf("on the session's own day in Seoul: %d reminders, want 0", len(rs))
		}
	})
}
