package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web/webtest"
)

// multipartPost posts fields then, with data not nil, a file "file", as a
// page's multipart form does.
func multipartPost(c *webtest.Client, path string, fields map[string]string, name string, data []byte) (*http.Response, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if c.CSRF == "" {
		c.Get("/login")
	}
	mw.WriteField("csrf", c.CSRF)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
	}
	mw.Close()
	return c.Send(http.MethodPost, path, mw.FormDataContentType(), &buf)
}

var trainingFileLink = regexp.MustCompile(`/training/files/([0-9a-f]{32})`)

// Training's files over HTTP on SQLite and PostgreSQL: the secretariat
// adds a course material as a file and a participant submits an
// assignment as a file, both stored under the prize's rules (type by
// content, 10 MiB, random URLs); the material is downloaded by the
// course's approved participants and the secretariat only, a submission
// by its submitter and the secretariat only (404 for every other role,
// a pending participant included; a visitor is sent to sign in); bad files are
// refused naming the field and store nothing; a new answer replaces the
// old one's file; a file-only answer counts as submitted.
func TestTrainingFilesHTTP(t *testing.T) {
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
		as := &training.Assignment{CohortID: cohort.ID, Title: "City plan", Due: prizeT0.AddDate(0, 1, 0)}
		if err := svc.AddAssignment(ctx, sec, as); err != nil {
			t.Fatal(err)
		}
		// The applicant and a peer are approved participants; the focal point's request is pending.
		peer, err := env.Services.Accounts.AddUser(ctx, auditlog.System("test"), accounts.User{Email: "peer@test.citylens", Name: "Peer",
			Role: accounts.RoleApplicant}, webtest.Password)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []training.Enrolment{
			{CohortID: cohort.ID, UserID: env.Users[webtest.Applicant].ID, Source: training.SourceWinner, State: training.StateApproved},
			{CohortID: cohort.ID, UserID: peer.ID, Source: training.SourceWinner, State: training.StateApproved},
			{CohortID: cohort.ID, UserID: env.Users[webtest.Focal].ID, Source: training.SourceRequest, State: training.StatePending},
		} {
			e.CreatedAt = prizeT0
			if err := env.Store.PutEnrolment(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		peerClient := env.Client()
		if res, _ := peerClient.Login(peer.Email, webtest.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatal("peer login")
		}
		cohortPage := fmt.Sprintf("/training/cohorts/%d", cohort.ID)
		materialPath := fmt.Sprintf("/admin/training/courses/%d/materials", course.ID)
		submitPath := fmt.Sprintf("/training/assignments/%d/submit", as.ID)
		pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("guide "), 60_000)...) // over one 256 KiB chunk
		png := append(append([]byte{}, pngHead...), bytes.Repeat([]byte{3}, 5000)...)

		// Who adds a material: the secretariat only.
		for _, role := range webtest.Roles {
			if role == webtest.Admin {
				continue
			}
			res, _ := multipartPost(env.ClientAs(role), materialPath, map[string]string{"title": "Guide"}, "guide.pdf", pdf)
			if want := map[bool]int{true: http.StatusUnauthorized, false: http.StatusForbidden}[role == webtest.Anonymous]; res.StatusCode != want {
				t.Fatalf("%s adds a material: %d, want %d", role, res.StatusCode, want)
			}
		}
		ac := env.ClientAs(webtest.Admin)
		if res, body := multipartPost(ac, materialPath, map[string]string{"title": "Facilitator's guide", "cohort": fmt.Sprint(cohort.ID)},
			"guide.pdf", pdf); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), cohortPage+"?") {
			t.Fatalf("material added: %d %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
		}
		got, _ := env.Store.Course(ctx, course.ID)
		if len(got.Materials) != 2 || got.Materials[1].FileType != "application/pdf" || got.Materials[1].FileSize != int64(len(pdf)) ||
			got.Materials[1].FileName != "guide.pdf" || got.Materials[1].Title != "Facilitator's guide" || got.Materials[0].URL == "" {
			t.Fatalf("materials: %+v", got.Materials)
		}
		materialURL := "/training/files/" + got.Materials[1].FileID

		// A participant submits a file (no text): it counts as submitted.
		appClient := env.ClientAs(webtest.Applicant)
		if res, body := multipartPost(appClient, submitPath, map[string]string{"cohort": fmt.Sprint(cohort.ID)}, "plan.png", png); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file submission: %d\n%s", res.StatusCode, body)
		}
		_, page := appClient.Get(cohortPage)
		m := trainingFileLink.FindAllStringSubmatch(page, -1)
		if len(m) != 2 || "/training/files/"+m[0][1] != materialURL {
			t.Fatalf("the participant's page links %v, want the material and the submission", m)
		}
		submissionURL := "/training/files/" + m[1][1]
		if !strings.Contains(page, "plan.png") || !strings.Contains(page, "<td>1 / 1</td>") {
			t.Fatalf("the participant's page does not show the file answer counted")
		}

		// Who downloads what.
		clients := map[string]*webtest.Client{"peer": peerClient, webtest.Applicant: appClient, webtest.Admin: ac}
		for _, role := range webtest.Roles {
			if clients[role] == nil {
				clients[role] = env.ClientAs(role)
			}
		}
		for who, c := range clients {
			for _, f := range []struct {
				url     string
				data    []byte
				typ     string
				readers []string
			}{
				{materialURL, pdf, "application/pdf", []string{webtest.Admin, webtest.Applicant, "peer"}},
				{submissionURL, png, "image/png", []string{webtest.Admin, webtest.Applicant}},
			} {
				res, body := c.Get(f.url)
				allowed := false
				for _, r := range f.readers {
					allowed = allowed || r == who
				}
				switch {
				case allowed:
					if res.StatusCode != http.StatusOK || body != string(f.data) || res.Header.Get("Content-Type") != f.typ ||
						res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
						t.Fatalf("%s downloads %s: %d %q %q", who, f.url, res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
					}
				case who == webtest.Anonymous:
					if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
						t.Fatalf("a visitor downloads %s: %d, want sent to sign in", f.url, res.StatusCode)
					}
				default:
					if res.StatusCode != http.StatusNotFound || strings.Contains(body, "guide guide") {
						t.Fatalf("%s downloads %s: %d, want 404", who, f.url, res.StatusCode)
					}
				}
			}
		}
		// A pending participant sees the material's title, not its link.
		if _, page := clients[webtest.Focal].Get(cohortPage); !strings.Contains(page, "Facilitator&#39;s guide") || strings.Contains(page, materialURL) {
			t.Fatal("a pending participant's page: the material's title without its link expected")
		}

		// Who submits: the cohort's approved participants only.
		for _, role := range []string{webtest.Focal, webtest.Judge, webtest.Admin} {
			if res, _ := multipartPost(clients[role], submitPath, map[string]string{"text": "mine"}, "", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("%s submits: %d, want 403", role, res.StatusCode)
			}
		}

		// Bad files: named, nothing stored; the earlier answer stays.
		before, _ := svc.Submissions(ctx, training.Viewer{UserID: env.Users[webtest.Applicant].ID}, cohort.ID)
		for _, c := range []struct {
			name   string
			path   string
			fields map[string]string
			file   string
			data   []byte
			status int
			want   string
		}{
			{"a zip renamed", submitPath, nil, "plan.pdf", []byte("PK\x03\x04 a zip"), 415, "this file is application/zip"},
			{"too large", submitPath, nil, "big.pdf", append([]byte("%PDF-"), make([]byte, prize.MaxAttachmentBytes)...), 413, "a file may have at most 10 MiB"},
			{"empty", submitPath, nil, "empty.pdf", []byte{}, 400, "the file is empty"},
			{"no text, no file", submitPath, map[string]string{"text": " "}, "", nil, 400, "text: required"},
		} {
			res, body := multipartPost(appClient, c.path, c.fields, c.file, c.data)
			if res.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("%s: %d, want %d naming %q\n%s", c.name, res.StatusCode, c.status, c.want, body)
			}
		}
		for _, c := range []struct {
			name   string
			fields map[string]string
			data   []byte
			status int
			want   string
		}{
			{"material without a title", map[string]string{"title": ""}, pdf, 400, "title: required"},
			{"material without a file", map[string]string{"title": "Slides"}, nil, 400, "file: choose a file"},
			{"material of a wrong type", map[string]string{"title": "Slides"}, []byte("<html>slides</html>"), 415, "this file is text/html"},
		} {
			res, body := multipartPost(ac, materialPath, c.fields, "slides.pdf", c.data)
			if res.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("%s: %d, want %d naming %q\n%s", c.name, res.StatusCode, c.status, c.want, body)
			}
		}
		after, _ := svc.Submissions(ctx, training.Viewer{UserID: env.Users[webtest.Applicant].ID}, cohort.ID)
		if len(after) != 1 || after[0] != before[0] {
			t.Fatalf("refused files changed the answer: %+v → %+v", before, after)
		}
		if got, _ := env.Store.Course(ctx, course.ID); len(got.Materials) != 2 {
			t.Fatalf("refused materials were stored: %+v", got.Materials)
		}

		// A new answer replaces the old one whole: its file is gone.
		if res, _ := multipartPost(appClient, submitPath, map[string]string{"text": "Revised plan."}, "plan2.pdf", pdf[:1000]); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("new answer: %d", res.StatusCode)
		}
		if res, _ := appClient.Get(submissionURL); res.StatusCode != http.StatusNotFound {
			t.Fatalf("the replaced answer's file: %d, want 404", res.StatusCode)
		}
		if _, err := env.Store.TrainingFile(ctx, m[1][1]); err == nil {
			t.Fatal("the replaced answer's file is still stored")
		}
		now, _ := svc.Submissions(ctx, training.Viewer{UserID: env.Users[webtest.Applicant].ID}, cohort.ID)
		if len(now) != 1 || now[0].Text != "Revised plan." || now[0].FileName != "plan2.pdf" || now[0].FileSize != 1000 {
			t.Fatalf("the new answer: %+v", now)
		}
		res, body := ac.Get("/training/files/" + now[0].FileID)
		if res.StatusCode != http.StatusOK || body != string(pdf[:1000]) {
			t.Fatalf("the secretariat reads the new answer: %d", res.StatusCode)
		}
		// The Korean page words the new parts in Korean.
		if _, page := appClient.Get(cohortPage + "?lang=ko"); !strings.Contains(page, "답안을 제출했습니다") || !strings.Contains(page, "파일") {
			t.Fatal("Korean cohort page lacks the submission's Korean words")
		}
	})
}
