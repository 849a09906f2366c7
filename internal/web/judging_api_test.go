package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

type apiAssignments struct {
	Assignments []struct {
		Round       int64  `json:"round"`
		Application int64  `json:"application"`
		Title       string `json:"title"`
		State       string `json:"state"`
	} `json:"assignments"`
	NextCursor *string `json:"next_cursor"`
}

func decodeAPI(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
}

// The judging API over HTTP on SQLite and PostgreSQL: a judge's
// assignments leave out the conflicted application, which answers 404
// problem+json to a read, a write and a guess alike; scores are refused
// naming the criterion; the committee reads progress, the assignment and
// the results (raw, z, judge-effect and reliability); a judge reads none
// of them; and a decision changes nothing a judge or an applicant reads
// from the API — not a count, not an order — until the announcement.
func TestJudgingAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		r, apps := judgingSetup(t, env)
		c := env.Client()
		judge := env.APIToken(webtest.Judge, "write")
		admin := env.APIToken(webtest.Admin, "write")
		applicant := env.APIToken(webtest.Applicant, "read")

		list := "/api/v1/judging/editions/2026/assignments"
		res, before := c.API("GET", list, judge, "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("assignments: %d %s", res.StatusCode, before)
		}
		var as apiAssignments
		decodeAPI(t, before, &as)
		if len(as.Assignments) == 0 || as.NextCursor != nil {
			t.Fatalf("assignments %s", before)
		}
		for i, a := range as.Assignments {
			if a.Application == apps[0].ID || strings.Contains(before, "Night buses") {
				t.Fatalf("the conflicted application is listed: %s", before)
			}
			if a.State != "todo" || a.Round != r.ID || (i > 0 && a.Application <= as.Assignments[i-1].Application) {
				t.Fatalf("assignment %d: %+v", i, a)
			}
		}
		mine := as.Assignments[0].Application
		// Pagination: one per page, then the rest, each item once.
		res, body := c.API("GET", list+"?limit=1", judge, "")
		var p1 apiAssignments
		decodeAPI(t, body, &p1)
		if len(as.Assignments) > 1 && (len(p1.Assignments) != 1 || p1.NextCursor == nil || res.Header.Get("Link") == "") {
			t.Fatalf("first page %s", body)
		}

		// The conflicted application: 404 problem+json, whatever is asked.
		conflicted := fmt.Sprintf("/api/v1/judging/rounds/%d/applications/%d/scores", r.ID, apps[0].ID)
		missing := fmt.Sprintf("/api/v1/judging/rounds/%d/applications/%d/scores", r.ID, apps[2].ID+1000)
		for _, q := range []struct{ method, path, body string }{
			{"GET", conflicted, ""}, {"PUT", conflicted, `{"scores":{"value":10},"submit":true}`}, {"PUT", conflicted, `{not json`},
			{"GET", missing, ""},
		} {
			res, body := c.API(q.method, q.path, judge, q.body)
			if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") ||
				strings.Contains(body, "Night buses") || strings.Contains(body, "Seoul") {
				t.Fatalf("%s %s: %d %s", q.method, q.path, res.StatusCode, body)
			}
		}

		// Scoring: off-scale refused naming the criterion, then submitted.
		sheet := fmt.Sprintf("/api/v1/judging/rounds/%d/applications/%d/scores", r.ID, mine)
		scores := map[string]int{}
		for _, cr := range r.Rubric.Criteria {
			scores[cr.Code] = 8
		}
		scores["budget"] = 11
		req := func(submit bool) string {
			b, _ := json.Marshal(map[string]any{"scores": scores, "submit": submit,
				"comments": map[string]judging.Comment{"value": {Text: "Clear value for residents.", Visibility: judging.VisibleApplicant}}})
			return string(b)
		}
		res, body = c.API("PUT", sheet, judge, req(true))
		var prob struct {
			Code     string `json:"code"`
			Problems []struct {
				Field string `json:"field"`
			} `json:"problems"`
		}
		decodeAPI(t, body, &prob)
		if res.StatusCode/100 != 4 || prob.Code != "invalid" || len(prob.Problems) != 1 || prob.Problems[0].Field != "budget" {
			t.Fatalf("off-scale score: %d %s", res.StatusCode, body)
		}
		scores["budget"] = 6
		res, body = c.API("PUT", sheet, judge, req(true))
		var saved struct {
			State    string         `json:"state"`
			Scores   map[string]int `json:"scores"`
			Comments map[string]judging.Comment
		}
		decodeAPI(t, body, &saved)
		if res.StatusCode != http.StatusOK || saved.State != "submitted" || saved.Scores["budget"] != 6 || saved.Comments["value"].Text != "Clear value for residents." {
			t.Fatalf("submit: %d %s", res.StatusCode, body)
		}
		if res, body := c.API("PUT", sheet, judge, req(false)); res.StatusCode != http.StatusConflict {
			t.Fatalf("submitted sheet back to a draft: %d %s", res.StatusCode, body)
		}

		// The committee's reads; a judge gets 403 on each.
		for _, path := range []string{"progress", "assignment", "results"} {
			u := fmt.Sprintf("/api/v1/judging/rounds/%d/%s", r.ID, path)
			if res, body := c.API("GET", u, judge, ""); res.StatusCode != http.StatusForbidden {
				t.Fatalf("a judge read %s: %d %s", path, res.StatusCode, body)
			}
		}
		_, body = c.API("GET", fmt.Sprintf("/api/v1/judging/rounds/%d/progress", r.ID), admin, "")
		var prog struct {
			Judges []judging.Progress `json:"judges"`
		}
		decodeAPI(t, body, &prog)
		judgeID := env.Users[webtest.Judge].ID
		found := false
		for _, p := range prog.Judges {
			if j, err := env.Store.PrizeJudge(ctx, p.Judge); err == nil && j.UserID == judgeID {
				found = p.Submitted == 1 && p.Assigned == len(as.Assignments) && p.Drafts == 0
			}
		}
		if !found {
			t.Fatalf("progress %s", body)
		}
		_, body = c.API("GET", fmt.Sprintf("/api/v1/judging/rounds/%d/assignment", r.ID), admin, "")
		var pairs struct {
			Pairs []judging.Assigned `json:"pairs"`
		}
		decodeAPI(t, body, &pairs)
		if len(pairs.Pairs) != 3 { // k = 1 for three applications
			t.Fatalf("assignment %s", body)
		}
		res, body = c.API("GET", fmt.Sprintf("/api/v1/judging/rounds/%d/results", r.ID), admin, "")
		var results struct {
			Applications []struct {
				Rank        int      `json:"rank"`
				Application int64    `json:"application"`
				Raw         *float64 `json:"raw"`
				Z           *float64 `json:"z"`
				Adjusted    *float64 `json:"adjusted"`
			} `json:"applications"`
			Judges []struct {
				Severity *float64 `json:"severity"`
			} `json:"judges"`
			Reliability []struct {
				Criterion string   `json:"criterion"`
				Alpha     *float64 `json:"alpha"`
			} `json:"reliability"`
		}
		decodeAPI(t, body, &results)
		// One sheet, 8, 8, 6, 8, 8, 8: 7.67 raw; one score per judge, so
		// z and the judge-effect model fall back to it; one rater, so no alpha.
		if res.StatusCode != http.StatusOK || len(results.Applications) != 1 || results.Applications[0].Application != mine ||
			results.Applications[0].Rank != 1 || results.Applications[0].Raw == nil ||
			math.Abs(*results.Applications[0].Raw-23.0/3) > 0.01 || results.Applications[0].Z == nil ||
			math.Abs(*results.Applications[0].Z-23.0/3) > 0.01 || results.Applications[0].Adjusted == nil ||
			math.Abs(*results.Applications[0].Adjusted-23.0/3) > 0.01 {
			t.Fatalf("results: %d %s", res.StatusCode, body)
		}
		for _, rl := range results.Reliability {
			if rl.Alpha != nil {
				t.Fatalf("alpha from one sheet: %s", body)
			}
		}

		// The embargo: a decision changes no answer a judge or an
		// applicant reads — same counts, same order, same bytes.
		_, judgeBefore := c.API("GET", list, judge, "")
		_, appsBefore := c.API("GET", "/api/v1/prize/applications?edition=2026", applicant, "")
		adminV := judging.Viewer{UserID: env.Users[webtest.Admin].ID, Email: env.Users[webtest.Admin].Email, Admin: true}
		for _, d := range []*judging.Decision{
			{Edition: "2026", App: apps[2].ID, Kind: judging.DecisionWinner, Grade: "gold"},
			{Edition: "2026", App: apps[1].ID, Kind: judging.DecisionFinalist},
		} {
			if err := env.Services.Judging.Decide(ctx, adminV, d); err != nil {
				t.Fatal(err)
			}
		}
		if _, after := c.API("GET", list, judge, ""); after != judgeBefore {
			t.Fatalf("a decision changed the judge's assignments:\n%s\n%s", judgeBefore, after)
		}
		if _, after := c.API("GET", "/api/v1/prize/applications?edition=2026", applicant, ""); after != appsBefore || strings.Contains(after, "gold") {
			t.Fatalf("a decision changed the applicant's list:\n%s\n%s", appsBefore, after)
		}
		for _, id := range []int64{apps[1].ID, apps[2].ID} {
			_, body := c.API("GET", fmt.Sprintf("/api/v1/prize/applications/%d", id), applicant, "")
			if strings.Contains(body, "gold") || strings.Contains(body, "winner") || strings.Contains(body, "finalist") {
				t.Fatalf("the applicant's application shows a decision: %s", body)
			}
		}
		// The committee's results carry no decision either.
		if _, body := c.API("GET", fmt.Sprintf("/api/v1/judging/rounds/%d/results", r.ID), admin, ""); strings.Contains(body, "gold") {
			t.Fatalf("results carry a decision: %s", body)
		}
	})
}
