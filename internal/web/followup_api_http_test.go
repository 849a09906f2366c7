package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web/webtest"
)

// apiDecode reads a JSON answer into v, failing on a status other than want.
func apiDecode(t *testing.T, res *http.Response, body string, want int, v any) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: %d, want %d\n%.600s", res.Request.URL, res.StatusCode, want, body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("%s: %v\n%.300s", res.Request.URL, err, body)
		}
	}
}

// The follow-up's JSON API over HTTP on SQLite and PostgreSQL: the
// studies as the caller sees them (the evidence not public only for the
// study's editors), the caller's inbox a page at a time with the unread
// count and marking read (only the caller's own notices, a write token),
// and the caller's training with attendance and completion computed.
func TestFollowupAPIHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		c := env.Client()
		focal, judge := env.APIToken(webtest.Focal, "write"), env.APIToken(webtest.Judge, "write")

		// Studies: two, one with a public indicator and a private link.
		st := correctionStudy(t, env)
		other := correctionStudy(t, env)
		m := st.Milestones[0]
		for _, e := range []followup.Evidence{
			{StudyID: st.ID, MilestoneID: m.ID, Kind: followup.EvidenceIndicator, Label: "Riders", Unit: "riders", Before: 1200, After: 3400.5, Public: true},
			{StudyID: st.ID, MilestoneID: m.ID, Kind: followup.EvidenceLink, Label: "Draft plan", URL: "https://example.org/draft"},
		} {
			if err := env.Store.AddFollowupEvidence(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		type studyItem struct {
			ID       int64  `json:"id"`
			Status   string `json:"status"`
			Done     int    `json:"milestones_done"`
			Total    int    `json:"milestones_total"`
			Editable bool   `json:"editable"`
		}
		var list struct {
			Studies []studyItem `json:"studies"`
			Next    *string     `json:"next_cursor"`
		}
		res, body := c.API("GET", "/api/v1/followup/studies?limit=1", "", "")
		apiDecode(t, res, body, 200, &list)
		if len(list.Studies) != 1 || list.Studies[0].ID != st.ID || list.Studies[0].Editable || list.Studies[0].Total != 4 ||
			list.Studies[0].Status != followup.StatusOnTrack || list.Next == nil || !strings.Contains(res.Header.Get("Link"), `rel="next"`) {
			t.Fatalf("first page of studies: %+v", list)
		}
		res, body = c.API("GET", "/api/v1/followup/studies?limit=1&cursor="+*list.Next, focal, "")
		apiDecode(t, res, body, 200, &list)
		if len(list.Studies) != 1 || list.Studies[0].ID != other.ID || !list.Studies[0].Editable || list.Next != nil {
			t.Fatalf("second page of studies for the host's focal point: %+v", list)
		}
		if res, _ := c.API("GET", "/api/v1/followup/studies?limit=201", "", ""); res.StatusCode != 400 {
			t.Fatalf("a page of 201: %d, want 400", res.StatusCode)
		}
		var one struct {
			Study      studyItem `json:"study"`
			Milestones []struct {
				ID       int64  `json:"id"`
				Due      string `json:"due"`
				Status   string `json:"status"`
				Evidence []struct {
					Kind   string   `json:"kind"`
					URL    string   `json:"url"`
					Before *float64 `json:"before"`
					After  *float64 `json:"after"`
				} `json:"evidence"`
			} `json:"milestones"`
		}
		path := fmt.Sprintf("/api/v1/followup/studies/%d", st.ID)
		for _, who := range []struct {
			token    string
			editable bool
			evidence int
		}{{"", false, 1}, {judge, false, 1}, {focal, true, 2}} {
			res, body := c.API("GET", path, who.token, "")
			apiDecode(t, res, body, 200, &one)
			ev := one.Milestones[0].Evidence
			if one.Study.Editable != who.editable || len(one.Milestones) != 4 || one.Milestones[0].Due != m.Due || len(ev) != who.evidence ||
				ev[0].Kind != "indicator" || *ev[0].Before != 1200 || *ev[0].After != 3400.5 || strings.Contains(body, "example.org/draft") != who.editable {
				t.Fatalf("study as %q: %s", who.token, body)
			}
		}
		if res, _ := c.API("GET", "/api/v1/followup/studies/999999", "", ""); res.StatusCode != 404 {
			t.Fatalf("a study that does not exist: %d", res.StatusCode)
		}

		// The inbox: three notices of the focal point, one of the judge.
		fu, ju := env.Users[webtest.Focal].ID, env.Users[webtest.Judge].ID
		page := fmt.Sprintf("/followup/studies/%d", st.ID)
		var ns []notify.Notice
		for i := 0; i < 3; i++ {
			ns = append(ns, notify.Notice{UserID: fu, Kind: "milestone.overdue", Key: fmt.Sprintf("api-test:%d", i), Msg: "followup.notify.milestone.overdue",
				Args: []string{"Night buses", fmt.Sprintf("Milestone %d", i), "2026-05-01", fmt.Sprintf("단계 %d", i)}, URL: page})
		}
		ns = append(ns, notify.Notice{UserID: ju, Kind: "milestone.overdue", Key: "api-test:judge", Msg: "followup.notify.milestone.overdue",
			Args: []string{"X", "Y", "2026-05-01", ""}, URL: page})
		if err := env.Services.Notify.Notify(ctx, ns...); err != nil {
			t.Fatal(err)
		}
		type inbox struct {
			Notices []struct {
				ID      int64      `json:"id"`
				Kind    string     `json:"kind"`
				Subject string     `json:"subject"`
				ReadAt  *time.Time `json:"read_at"`
			} `json:"notices"`
			Unread int     `json:"unread"`
			Next   *string `json:"next_cursor"`
		}
		var in inbox
		res, body = c.API("GET", "/api/v1/me/inbox?limit=2", focal, "")
		apiDecode(t, res, body, 200, &in)
		if len(in.Notices) != 2 || in.Unread != 3 || in.Next == nil || in.Notices[0].Subject != "Milestone 2 is overdue" || in.Notices[0].ReadAt != nil {
			t.Fatalf("inbox page 1: %s", body)
		}
		newest := in.Notices[0].ID
		// A notice arriving meanwhile does not shift the next page.
		if err := env.Services.Notify.Notify(ctx, notify.Notice{UserID: fu, Kind: "milestone.overdue", Key: "api-test:late", Msg: "followup.notify.milestone.overdue",
			Args: []string{"Night buses", "Late one", "2026-05-01", ""}, URL: page}); err != nil {
			t.Fatal(err)
		}
		res, body = c.API("GET", "/api/v1/me/inbox?limit=2&lang=ko&cursor="+*in.Next, focal, "")
		apiDecode(t, res, body, 200, &in)
		if len(in.Notices) != 1 || in.Next != nil || in.Unread != 4 || !strings.Contains(in.Notices[0].Subject, "Milestone 0") && !strings.Contains(in.Notices[0].Subject, "단계 0") {
			t.Fatalf("inbox page 2: %s", body)
		}
		if strings.Contains(in.Notices[0].Subject, "is overdue") {
			t.Fatalf("?lang=ko answered in English: %s", in.Notices[0].Subject)
		}
		var marked struct{ Marked, Unread int }
		judgeNotice := int64(0)
		res, body = c.API("GET", "/api/v1/me/inbox", judge, "")
		var jin inbox
		apiDecode(t, res, body, 200, &jin)
		if len(jin.Notices) != 1 || jin.Unread != 1 {
			t.Fatalf("the judge's inbox: %s", body)
		}
		judgeNotice = jin.Notices[0].ID
		res, body = c.API("POST", "/api/v1/me/inbox/read", focal, fmt.Sprintf(`{"ids":[%d,%d]}`, newest, judgeNotice))
		apiDecode(t, res, body, 200, &marked)
		if marked.Marked != 1 || marked.Unread != 3 {
			t.Fatalf("marking the focal point's and the judge's notice: %+v", marked)
		}
		if res, body := c.API("GET", "/api/v1/me/inbox", judge, ""); !strings.Contains(body, `"unread": 1`) {
			t.Fatalf("the judge's notice was marked by another: %d %s", res.StatusCode, body)
		}
		for _, bad := range []struct {
			token, body string
			status      int
		}{
			{focal, `{}`, 400},
			{focal, `{"ids":[0]}`, 400},
			{focal, `{"ids":"all"}`, 400},
			{focal, `{"ids":[` + strings.Repeat("1,", 500) + `1]}`, 400},
			{env.APIToken(webtest.Focal, "read"), `{"all":true}`, 403},
			{"", `{"all":true}`, 401},
		} {
			if res, body := c.API("POST", "/api/v1/me/inbox/read", bad.token, bad.body); res.StatusCode != bad.status {
				t.Fatalf("mark read %.40s: %d, want %d\n%s", bad.body, res.StatusCode, bad.status, body)
			}
		}
		res, body = c.API("POST", "/api/v1/me/inbox/read", focal, `{"all":true}`)
		apiDecode(t, res, body, 200, &marked)
		if marked.Marked != 3 || marked.Unread != 0 {
			t.Fatalf("marking all: %+v", marked)
		}

		// Training: the applicant attended one session of two and submitted
		// the one assignment; the focal point's request is pending.
		svc, sec := env.Services.Training, training.Viewer{Admin: true}
		course := &training.Course{Title: "Human-centred city development", MinAttendance: 50}
		if err := svc.CreateCourse(ctx, sec, course); err != nil {
			t.Fatal(err)
		}
		cohort := &training.Cohort{CourseID: course.ID, Edition: "2026", Title: "Cohort 2026"}
		if err := svc.CreateCohort(ctx, sec, cohort); err != nil {
			t.Fatal(err)
		}
		var sessions []*training.Session
		for i := 0; i < 2; i++ {
			ss := &training.Session{CohortID: cohort.ID, Title: fmt.Sprintf("Session %d", i+1), Mode: training.ModeOnline, Link: "https://example.org/room",
				Start: prizeT0.AddDate(0, 0, 7*i), End: prizeT0.AddDate(0, 0, 7*i).Add(2 * time.Hour), TimeZone: "Asia/Seoul"}
			if err := svc.AddSession(ctx, sec, ss); err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, ss)
		}
		as := &training.Assignment{CohortID: cohort.ID, Title: "City plan", Due: prizeT0.AddDate(0, 1, 0)}
		if err := svc.AddAssignment(ctx, sec, as); err != nil {
			t.Fatal(err)
		}
		au := env.Users[webtest.Applicant].ID
		for _, e := range []training.Enrolment{
			{CohortID: cohort.ID, UserID: au, Source: training.SourceWinner, State: training.StateApproved, CreatedAt: prizeT0},
			{CohortID: cohort.ID, UserID: fu, Source: training.SourceRequest, State: training.StatePending, CreatedAt: prizeT0},
		} {
			if err := env.Store.PutEnrolment(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.MarkAttendance(ctx, sec, sessions[0].ID, []int64{au}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Submit(ctx, training.Viewer{UserID: au}, as.ID, "Our plan.", "", nil); err != nil {
			t.Fatal(err)
		}
		type cohortItem struct {
			Cohort    int64  `json:"cohort"`
			Enrolment string `json:"enrolment"`
			Sessions  []struct {
				ID       int64 `json:"id"`
				Attended *bool `json:"attended"`
			} `json:"sessions"`
			Attended    *int    `json:"attended"`
			Percent     *int    `json:"attended_percent"`
			Assignments *int    `json:"assignments"`
			Submitted   *int    `json:"submitted"`
			Complete    *bool   `json:"complete"`
			Certificate *string `json:"certificate"`
			Next        *int64  `json:"next_session"`
		}
		var tr struct {
			Cohorts []cohortItem `json:"cohorts"`
		}
		res, body = c.API("GET", "/api/v1/me/training", env.APIToken(webtest.Applicant, "read"), "")
		apiDecode(t, res, body, 200, &tr)
		if len(tr.Cohorts) != 1 {
			t.Fatalf("the applicant's training: %s", body)
		}
		got := tr.Cohorts[0]
		if got.Cohort != cohort.ID || got.Enrolment != "approved" || *got.Attended != 1 || *got.Percent != 50 || *got.Assignments != 1 ||
			*got.Submitted != 1 || !*got.Complete || got.Certificate != nil || len(got.Sessions) != 2 || !*got.Sessions[0].Attended ||
			*got.Sessions[1].Attended || got.Next == nil || *got.Next != sessions[1].ID {
			t.Fatalf("the applicant's standing: %s", body)
		}
		res, body = c.API("GET", "/api/v1/me/training", focal, "")
		apiDecode(t, res, body, 200, &tr)
		if len(tr.Cohorts) != 1 || tr.Cohorts[0].Enrolment != "pending" || tr.Cohorts[0].Attended != nil || tr.Cohorts[0].Complete != nil ||
			tr.Cohorts[0].Sessions[0].Attended != nil {
			t.Fatalf("the pending focal point's training: %s", body)
		}
		res, body = c.API("GET", "/api/v1/me/training", judge, "")
		apiDecode(t, res, body, 200, &tr)
		if len(tr.Cohorts) != 0 {
			t.Fatalf("the judge's training: %s", body)
		}
	})
}
