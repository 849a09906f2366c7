package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Changing a course's materials over HTTP on SQLite and PostgreSQL: only
// the secretariat renames, replaces or removes a material (every other
// role refused on real rows, a course's participant and a pending one
// included, a visitor answered 401, nothing changed); the cohort page
// offers the forms to the secretariat alone, in English and Korean; a
// blank title, a refused file and a stale page are refused naming the
// field and save nothing; a new file takes the old one's place (position
// and title kept) and the old download URL answers 404 to every signed-in
// role, as it does after a removal; each change is in the audit log.
func TestTrainingMaterialChangesHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		svc := env.Services.Training
		sec := training.Viewer{Admin: true}
		course := &training.Course{Title: "Human-centred city development", MinAttendance: 50,
			Materials: []training.Material{{Title: "Reading list", URL: "https://example.org/reading"}}}
		if err := svc.CreateCourse(ctx, sec, course); err != nil {
			t.Fatal(err)
		}
		cohort := &training.Cohort{CourseID: course.ID, Edition: "2026", Title: "Cohort 2026"}
		if err := svc.CreateCohort(ctx, sec, cohort); err != nil {
			t.Fatal(err)
		}
		for _, e := range []training.Enrolment{
			{CohortID: cohort.ID, UserID: env.Users[webtest.Applicant].ID, Source: training.SourceWinner, State: training.StateApproved},
			{CohortID: cohort.ID, UserID: env.Users[webtest.Focal].ID, Source: training.SourceRequest, State: training.StatePending},
		} {
			e.CreatedAt = prizeT0
			if err := env.Store.PutEnrolment(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		cohortPage := fmt.Sprintf("/training/cohorts/%d", cohort.ID)
		base := fmt.Sprintf("/admin/training/courses/%d/materials", course.ID)
		guide := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("guide "), 60_000)...) // over one 256 KiB chunk
		guide2 := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("second edition "), 100)...)
		png := append(append([]byte{}, pngHead...), bytes.Repeat([]byte{7}, 3000)...)
		ac := env.ClientAs(webtest.Admin)
		for _, m := range []struct {
			title, name string
			data        []byte
		}{{"Facilitator's guide", "guide.pdf", guide}, {"Slides", "slides.png", png}} {
			if res, body := multipartPost(ac, base, map[string]string{"title": m.title}, m.name, m.data); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("add %s: %d\n%s", m.title, res.StatusCode, body)
			}
		}
		materials := func() []training.Material {
			t.Helper()
			c, err := env.Store.Course(ctx, course.ID)
			if err != nil {
				t.Fatal(err)
			}
			return c.Materials
		}
		start := materials()
		if len(start) != 3 || start[1].FileID == "" || start[2].FileID == "" {
			t.Fatalf("materials %+v", start)
		}
		guideURL, slidesURL := "/training/files/"+start[1].FileID, "/training/files/"+start[2].FileID
		unchanged := func(what string) {
			t.Helper()
			got := materials()
			if len(got) != 3 || got[0] != start[0] || got[1] != start[1] || got[2] != start[2] {
				t.Fatalf("%s changed the materials: %+v", what, got)
			}
		}
		clients := map[string]*webtest.Client{webtest.Admin: ac}
		for _, role := range webtest.Roles {
			if clients[role] == nil {
				clients[role] = env.ClientAs(role)
			}
		}

		// The forms: the secretariat's page only, in English and Korean.
		_, page := ac.Get(cohortPage)
		for _, want := range []string{`action="` + base + `/2"`, `action="` + base + `/3/remove"`, `name="current" value="` + start[1].FileID + `"`,
			`name="current" value="https://example.org/reading"`, "Change the course&#39;s materials", "Remove “Slides”"} {
			if !strings.Contains(page, want) {
				t.Fatalf("the secretariat's cohort page lacks %q", want)
			}
		}
		if _, page := ac.Get(cohortPage + "?lang=ko"); !strings.Contains(page, "과정 자료 변경") || !strings.Contains(page, "“Slides” 삭제") ||
			!strings.Contains(page, "파일로 교체") {
			t.Fatal("the Korean cohort page lacks the materials' forms in Korean")
		}
		ac.Get(cohortPage + "?lang=en")
		for _, role := range []string{webtest.Applicant, webtest.Focal} {
			if _, page := clients[role].Get(cohortPage); strings.Contains(page, base+"/") || strings.Contains(page, "Change the course") {
				t.Fatalf("%s sees the forms that change the materials", role)
			}
		}

		// Who changes a material: the secretariat only.
		for _, role := range webtest.Roles {
			if role == webtest.Admin {
				continue
			}
			want := http.StatusForbidden
			if role == webtest.Anonymous {
				want = http.StatusUnauthorized
			}
			c := clients[role]
			if res, _ := multipartPost(c, base+"/2", map[string]string{"title": "Mine", "current": start[1].FileID}, "mine.pdf", guide2); res.StatusCode != want {
				t.Fatalf("%s replaces a material: %d, want %d", role, res.StatusCode, want)
			}
			if res, _ := c.PostForm(base+"/3/remove", url.Values{"current": {start[2].FileID}}); res.StatusCode != want {
				t.Fatalf("%s removes a material: %d, want %d", role, res.StatusCode, want)
			}
		}
		unchanged("refused people")

		// Refusals name the field and save nothing.
		for _, c := range []struct {
			name   string
			path   string
			fields map[string]string
			file   string
			data   []byte
			status int
			want   string
		}{
			{"blank title", base + "/2", map[string]string{"title": " ", "current": start[1].FileID}, "", nil, 400, "title: required"},
			{"a new title with a file of a wrong type", base + "/2", map[string]string{"title": "Renamed", "current": start[1].FileID},
				"guide.pdf", []byte("<html>not a pdf</html>"), 415, "this file is text/html"},
			{"an empty file", base + "/2", map[string]string{"current": start[1].FileID}, "guide.pdf", []byte{}, 400, "the file is empty"},
			{"nothing to change", base + "/2", map[string]string{"current": start[1].FileID}, "", nil, 400, "file: change the title or choose a file"},
			{"a stale page", base + "/2", map[string]string{"title": "Renamed", "current": start[2].FileID}, "", nil, 409,
				"current: no longer at this position"},
			{"no such position", base + "/9", map[string]string{"title": "Renamed"}, "", nil, 404, "Material 9 not found"},
			{"not a position", base + "/x", map[string]string{"title": "Renamed"}, "", nil, 404, "Material x not found"},
		} {
			res, body := multipartPost(ac, c.path, c.fields, c.file, c.data)
			if res.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("%s: %d, want %d naming %q\n%s", c.name, res.StatusCode, c.status, c.want, body)
			}
		}
		if res, body := ac.PostForm(base+"/2/remove", url.Values{"current": {start[2].FileID}}); res.StatusCode != http.StatusConflict ||
			!strings.Contains(body, "current: no longer at this position") {
			t.Fatalf("a stale removal: %d\n%s", res.StatusCode, body)
		}
		if res, body := multipartPost(ac, base+"/2?lang=ko", map[string]string{"title": " ", "current": start[1].FileID}, "", nil); res.StatusCode != 400 ||
			!strings.Contains(body, "자료를 저장하지 않았습니다") {
			t.Fatalf("the Korean refusal: %d\n%s", res.StatusCode, body)
		}
		ac.Get(cohortPage + "?lang=en")
		unchanged("refused changes")
		if res, body := clients[webtest.Applicant].Get(guideURL); res.StatusCode != http.StatusOK || body != string(guide) {
			t.Fatalf("the guide after refused changes: %d", res.StatusCode)
		}

		// Rename (the title only), then replace (the file only): the position and the new title stay.
		if res, body := multipartPost(ac, base+"/2", map[string]string{"title": "Guide for facilitators", "current": start[1].FileID,
			"cohort": fmt.Sprint(cohort.ID)}, "", nil); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), cohortPage+"?") {
			t.Fatalf("rename: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
		}
		if res, body := multipartPost(ac, base+"/2", map[string]string{"current": start[1].FileID}, "guide-2.pdf", guide2); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("replace: %d\n%s", res.StatusCode, body)
		}
		got := materials()
		if len(got) != 3 || got[0] != start[0] || got[2] != start[2] || got[1].Title != "Guide for facilitators" || got[1].FileID == start[1].FileID ||
			got[1].FileName != "guide-2.pdf" || got[1].FileSize != int64(len(guide2)) || got[1].FileType != "application/pdf" {
			t.Fatalf("after rename and replace: %+v", got)
		}
		newGuideURL := "/training/files/" + got[1].FileID
		for _, role := range []string{webtest.Admin, webtest.Applicant} {
			if res, body := clients[role].Get(newGuideURL); res.StatusCode != http.StatusOK || body != string(guide2) {
				t.Fatalf("%s downloads the new guide: %d", role, res.StatusCode)
			}
		}
		if _, page := clients[webtest.Applicant].Get(cohortPage); !strings.Contains(page, newGuideURL) || strings.Contains(page, guideURL) ||
			!strings.Contains(page, "Guide for facilitators") {
			t.Fatal("the participant's page does not link the new guide alone")
		}

		// Remove the slides.
		if res, body := ac.PostForm(base+"/3/remove", url.Values{"current": {start[2].FileID}, "cohort": {fmt.Sprint(cohort.ID)}}); res.StatusCode != http.StatusSeeOther ||
			!strings.HasPrefix(res.Header.Get("Location"), cohortPage+"?") {
			t.Fatalf("remove: %d\n%s", res.StatusCode, body)
		}
		if now := materials(); len(now) != 2 || now[0] != got[0] || now[1] != got[1] {
			t.Fatalf("after the removal: %+v", now)
		}
		// The old URLs answer 404 to every signed-in role (a visitor is sent to sign in, as for any file).
		for role, c := range clients {
			for _, u := range []string{guideURL, slidesURL} {
				res, body := c.Get(u)
				switch {
				case role == webtest.Anonymous:
					if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
						t.Fatalf("a visitor downloads %s: %d", u, res.StatusCode)
					}
				case res.StatusCode != http.StatusNotFound || strings.Contains(body, "guide guide"):
					t.Fatalf("%s downloads the old %s: %d, want 404", role, u, res.StatusCode)
				}
			}
		}

		// The audit log: who, from where, before and after.
		audits, err := env.Store.ListAudit(ctx, auditlog.Filter{EntityType: "training_course", EntityID: fmt.Sprint(course.ID)})
		if err != nil || len(audits) != 3 {
			t.Fatalf("audit entries: %d %v", len(audits), err)
		}
		var before training.MaterialChange
		if err := json.Unmarshal(audits[0].Before, &before); err != nil || audits[0].Action != "training.material.remove" ||
			string(audits[0].After) != "null" || before.Position != 3 || before.Material != start[2] ||
			audits[0].ActorEmail != env.Users[webtest.Admin].Email || audits[0].RemoteAddr == "" {
			t.Fatalf("the removal's audit entry: %+v %v", audits[0], err)
		}
		var after training.MaterialChange
		if err := json.Unmarshal(audits[1].After, &after); err != nil || audits[1].Action != "training.material.update" || after.Material != got[1] {
			t.Fatalf("the replacement's audit entry: %+v %v", audits[1], err)
		}
	})
}
