package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
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
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// evidenceForm posts a milestone's evidence as the page's form does:
// multipart, the fields first, then the file (none for data nil).
func evidenceForm(c *webtest.Client, path string, fields url.Values, name string, data []byte) (*http.Response, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if c.CSRF == "" {
		c.Get("/followup")
	}
	mw.WriteField("csrf", c.CSRF)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
	}
	mw.Close()
	return c.Send(http.MethodPost, path, mw.FormDataContentType(), &buf)
}

var pngHead = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

// The winners' follow-up over HTTP on SQLite and PostgreSQL: the
// announcement opens one study per winner with the modality from its
// development stage (once, however often it is asked again); the host
// city's focal point updates a milestone with a file and a measured
// indicator; bad input is refused naming the field and changes nothing;
// another city's focal point and a visitor can neither edit nor see the
// evidence that is not public, even by its URL; statuses are derived from
// the due dates; and the ceremony report counts them, in HTML and PDF.
func TestFollowupHTTPFlow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clock := prizeEnv(t, s)
		ctx := context.Background()
		applicant := env.Users[webtest.Applicant]
		type spec struct{ city, name, country, stage, title, kind string }
		var apps []*prize.Application
		for _, sp := range []spec{
			{webtest.CityX, "Seoul", "KOR", prize.StagePilot, "Night buses for shift workers", judging.DecisionWinner},
			{webtest.CityXB, "Busan", "KOR", prize.StageScaled, "Smart port air quality", judging.DecisionWinner},
			{webtest.CityY, "Lyon", "FRA", prize.StageConcept, "Shaded school yards", judging.DecisionFinalist},
		} {
			a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: applicant.ID, Email: applicant.Email,
				ApplicantType: prize.TypeLocalGov, Organisation: "City of " + sp.name, CityCode: sp.city, CityName: sp.name, Country: sp.country,
				Title: sp.title, Stage: sp.stage, Answers: prize.Answers{"summary": {"A summary."}, prize.FieldStage: {sp.stage}},
				State: prize.StateSubmitted, CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
			if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := env.Store.AddPrizeDecision(ctx, &judging.Decision{Edition: "2026", App: a.ID, Kind: sp.kind, Grade: "gold",
				DecidedBy: "admin@test.citylens", DecidedAt: prizeT0}); err != nil {
				t.Fatal(err)
			}
			apps = append(apps, a)
		}
		// Before the announcement: no study.
		if _, body := env.ClientAs(webtest.Anonymous).Get("/followup"); strings.Contains(body, "Night buses") {
			t.Fatal("a study before the announcement")
		}
		e, _ := env.Store.PrizeEdition(ctx, "2026")
		clock.Set(e.Ceremony)
		ac := env.ClientAs(webtest.Admin)
		if res, body := ac.PostForm("/admin/judging/2026/announce", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("announce: %d\n%s", res.StatusCode, body)
		}
		studies, err := env.Store.FollowupStudies(ctx, "2026")
		if err != nil || len(studies) != 2 {
			t.Fatalf("studies after the announcement: %d %v", len(studies), err)
		}
		seoul, busan := studies[0], studies[1]
		if seoul.AppID != apps[0].ID || seoul.Modality != followup.ModalityDemo || busan.Modality != followup.ModalityTriangular {
			t.Fatalf("modalities: %+v / %+v", seoul, busan)
		}
		if len(seoul.Milestones) != 4 || seoul.Milestones[0].Due != "2026-12-14" || seoul.HostCity != webtest.CityX {
			t.Fatalf("Seoul's plan: %+v", seoul.Milestones)
		}
		// Opening again (the secretariat's button, a second replica) opens nothing.
		res, _ := ac.PostForm("/admin/followup/2026/open", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("open again: %d", res.StatusCode)
		}
		if _, body := ac.Get(res.Header.Get("Location")); !strings.Contains(body, "0 studies opened.") {
			t.Fatalf("opening again says:\n%s", body)
		}
		if again, _ := env.Store.FollowupStudies(ctx, "2026"); len(again) != 2 {
			t.Fatalf("opening twice made %d studies", len(again))
		}
		studyPath := fmt.Sprintf("/followup/studies/%d", seoul.ID)
		res, body := env.ClientAs(webtest.Anonymous).Get(studyPath)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Collaborative demonstration with the host city") || !strings.Contains(body, "Pilot") {
			t.Fatalf("public study page: %d\n%s", res.StatusCode, body)
		}
		if _, body := env.ClientAs(webtest.Anonymous).Get(fmt.Sprintf("/followup/studies/%d?lang=ko", busan.ID)); !strings.Contains(body, "삼각 협력") ||
			!strings.Contains(body, "제3 도시 및 재원 확정") || strings.Contains(body, "Triangular") || strings.Contains(body, "Milestones") {
			t.Fatalf("Korean study page:\n%s", body)
		}

		// The host city's focal point: a file (not public) and a measured
		// indicator (public) on the first milestone, which is done.
		fc := env.ClientAs(webtest.Focal)
		m1 := seoul.Milestones[0]
		evPath := fmt.Sprintf("%s/milestones/%d/evidence", studyPath, m1.ID)
		png := append(append([]byte{}, pngHead...), bytes.Repeat([]byte{7}, 300<<10)...)
		if res, body := evidenceForm(fc, evPath, url.Values{"kind": {"file"}, "label": {"Signed work plan"}}, "plan.png", png); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("file evidence: %d\n%s", res.StatusCode, body)
		}
		if res, body := evidenceForm(fc, evPath, url.Values{"kind": {"indicator"}, "label": {"Night riders per week"}, "indicator": {"EC-P-EM-1C"},
			"unit": {"riders"}, "before": {"1,200"}, "after": {"3400.5"}, "public": {"1"}}, "", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("indicator evidence: %d\n%s", res.StatusCode, body)
		}
		mPath := fmt.Sprintf("%s/milestones/%d", studyPath, m1.ID)
		if res, body := fc.PostForm(mPath, url.Values{"due": {m1.Due}, "status": {"done"}, "deliverables": {"Work plan signed."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("milestone done: %d\n%s", res.StatusCode, body)
		}
		got, _ := env.Store.FollowupStudy(ctx, seoul.ID)
		ev := got.Milestones[0].Evidence
		if len(ev) != 2 || ev[0].FileType != "image/png" || ev[0].FileSize != int64(len(png)) || ev[0].Public || ev[1].Before != 1200 || ev[1].After != 3400.5 || !ev[1].Public {
			t.Fatalf("evidence stored: %+v", ev)
		}
		if got.Milestones[0].Reported != followup.StatusDone || got.Milestones[0].DoneAt.IsZero() {
			t.Fatalf("milestone not done: %+v", got.Milestones[0])
		}
		filePath := "/followup/files/" + ev[0].FileID
		if res, body := fc.Get(filePath); res.StatusCode != http.StatusOK || body != string(png) || res.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("the focal point's download: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
		}

		// Bad input: refused naming the field, nothing changed.
		before, _ := env.Store.FollowupStudy(ctx, seoul.ID)
		for _, c := range []struct {
			name   string
			send   func() (*http.Response, string)
			status int
			want   string
		}{
			{"due not a date", func() (*http.Response, string) {
				return fc.PostForm(mPath, url.Values{"due": {"31/02/2027"}, "status": {"on_track"}})
			}, 422, "Due date: &#34;31/02/2027&#34; is not a date (YYYY-MM-DD)"},
			{"late reported", func() (*http.Response, string) {
				return fc.PostForm(mPath, url.Values{"due": {m1.Due}, "status": {"late"}})
			}, 422, "Status: &#34;late&#34; is not a status to report"},
			{"negative budget", func() (*http.Response, string) {
				return fc.PostForm(studyPath, url.Values{"currency": {"KRW"}, "budget": {"-5"}, "status": {"on_track"}})
			}, 422, "Budget: -5 is not a budget"},
			{"absurd budget", func() (*http.Response, string) {
				return fc.PostForm(studyPath, url.Values{"currency": {"KRW"}, "budget": {"1e13"}, "status": {"on_track"}})
			}, 422, "Budget: 10000000000000 is not a budget"},
			{"budget not a number", func() (*http.Response, string) {
				return fc.PostForm(studyPath, url.Values{"currency": {"KRW"}, "budget": {"lots"}, "status": {"on_track"}})
			}, 422, "Budget: &#34;lots&#34; is not a number"},
			{"currency", func() (*http.Response, string) {
				return fc.PostForm(studyPath, url.Values{"currency": {"won"}, "budget": {"5"}, "status": {"on_track"}})
			}, 422, "Currency: &#34;won&#34; is not a currency code"},
			{"file of a wrong type", func() (*http.Response, string) {
				return evidenceForm(fc, evPath, url.Values{"kind": {"file"}}, "plan.png", []byte("PK\x03\x04 a zip renamed"))
			}, 415, "File: this file is application/zip"},
			{"file too big", func() (*http.Response, string) {
				return evidenceForm(fc, evPath, url.Values{"kind": {"file"}}, "big.png", append(append([]byte{}, pngHead...), make([]byte, prize.MaxAttachmentBytes)...))
			}, 413, "File: too large"},
			{"indicator not a number", func() (*http.Response, string) {
				return evidenceForm(fc, evPath, url.Values{"kind": {"indicator"}, "label": {"x"}, "before": {"1"}, "after": {"many"}}, "", nil)
			}, 422, "After: &#34;many&#34; is not a number"},
		} {
			res, body := c.send()
			if res.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("%s: %d, want %d naming %q\n%s", c.name, res.StatusCode, c.status, c.want, body)
			}
		}
		after, _ := env.Store.FollowupStudy(ctx, seoul.ID)
		if after.Budget != before.Budget || after.Currency != before.Currency || after.Milestones[0].Due != before.Milestones[0].Due ||
			len(after.Milestones[0].Evidence) != 2 || after.Milestones[0].Reported != followup.StatusDone {
			t.Fatalf("refused input changed the study: %+v", after)
		}
		if n, _ := env.Store.FollowupStudyBytes(ctx, seoul.ID); n != int64(len(png)) {
			t.Fatalf("refused files left %d bytes", n)
		}
		// The Korean page words the problem in Korean.
		if res, body := fc.PostForm(mPath+"?lang=ko", url.Values{"due": {"soon"}, "status": {"on_track"}}); res.StatusCode != 422 ||
			!strings.Contains(body, "기한: &#34;soon&#34;은(는) 날짜(YYYY-MM-DD)가 아닙니다") {
			t.Fatalf("Korean refusal: %d\n%s", res.StatusCode, body)
		}
		fc.Get("/followup?lang=en")

		// Outsiders: Busan's focal point and a visitor.
		sys := auditlog.System("test")
		busanFocal, err := env.Services.Accounts.AddUser(ctx, sys, accounts.User{Email: "focal-busan@test.citylens", Role: accounts.RoleFocal, CityCode: webtest.CityXB}, webtest.Password)
		if err != nil {
			t.Fatal(err)
		}
		bc := env.Client()
		if res, _ := bc.Login(busanFocal.Email, webtest.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", res.StatusCode)
		}
		anon := env.ClientAs(webtest.Anonymous)
		for _, c := range []*webtest.Client{bc, anon} {
			if res, body := c.Get(filePath); res.StatusCode != http.StatusNotFound || strings.Contains(body, "PNG") {
				t.Fatalf("an outsider read the private file: %d", res.StatusCode)
			}
			_, body := c.Get(studyPath)
			if strings.Contains(body, "Signed work plan") || strings.Contains(body, ev[0].FileID) || !strings.Contains(body, "before 1200, after 3400.5 riders") ||
				strings.Contains(body, "followup-edit") {
				t.Fatalf("an outsider's study page:\n%s", body)
			}
			if res, _ := c.PostForm(mPath, url.Values{"due": {"2030-01-01"}, "status": {"on_track"}}); res.StatusCode == http.StatusSeeOther && c == bc {
				t.Fatal("Busan's focal point edited Seoul's milestone")
			}
			evidenceForm(c, evPath, url.Values{"kind": {"link"}, "label": {"spam"}, "url": {"https://spam.example"}, "public": {"1"}}, "", nil)
			c.PostForm(studyPath, url.Values{"currency": {"USD"}, "budget": {"1"}, "status": {"at_risk"}})
			c.PostForm("/admin/followup/studies/"+fmt.Sprint(seoul.ID)+"/modality", url.Values{"modality": {"pilot_programme"}, "modality_reason": {"x"}})
		}
		if res, _ := bc.PostForm(mPath, url.Values{"due": {"2030-01-01"}, "status": {"on_track"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("Busan's focal point on Seoul's milestone: %d", res.StatusCode)
		}
		outsiders, _ := env.Store.FollowupStudy(ctx, seoul.ID)
		if outsiders.Budget != after.Budget || outsiders.Currency != after.Currency || outsiders.Reported != after.Reported || outsiders.Modality != followup.ModalityDemo ||
			outsiders.Milestones[0].Due != after.Milestones[0].Due || len(outsiders.Milestones[0].Evidence) != 2 {
			t.Fatalf("outsiders changed the study: %+v", outsiders)
		}
		// Busan's own study: its focal point marks the first milestone done
		// and reports the study at risk.
		bPath := fmt.Sprintf("/followup/studies/%d", busan.ID)
		if res, body := bc.PostForm(fmt.Sprintf("%s/milestones/%d", bPath, busan.Milestones[0].ID), url.Values{"due": {busan.Milestones[0].Due}, "status": {"done"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("Busan's milestone: %d\n%s", res.StatusCode, body)
		}
		if res, body := bc.PostForm(bPath, url.Values{"currency": {"USD"}, "budget": {"250000"}, "status": {"at_risk"}, "risks": {"The funder's board meets late."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("Busan's study: %d\n%s", res.StatusCode, body)
		}
		// The secretariat changes a modality with a reason (audited).
		if res, body := ac.PostForm(fmt.Sprintf("/admin/followup/studies/%d/modality", busan.ID), url.Values{"modality": {"triangular_cooperation"}, "modality_reason": {""}}); res.StatusCode != 422 ||
			!strings.Contains(body, "Reason for the modality: give the reason") {
			t.Fatalf("modality without a reason: %d\n%s", res.StatusCode, body)
		}
		if res, body := ac.PostForm(fmt.Sprintf("/admin/followup/studies/%d/modality", busan.ID), url.Values{"modality": {"collaborative_demonstration"},
			"modality_reason": {"Busan hosts the demonstration before any transfer."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("modality: %d\n%s", res.StatusCode, body)
		}
		entries, err := env.Store.ListAudit(ctx, auditlog.Filter{Action: "followup.study.modality", EntityID: fmt.Sprint(busan.ID)})
		if err != nil || len(entries) != 1 || entries[0].ActorEmail != env.Users[webtest.Admin].Email ||
			!strings.Contains(string(entries[0].Before), `"modality":"triangular_cooperation"`) ||
			!strings.Contains(string(entries[0].After), `"modality_reason":"Busan hosts the demonstration before any transfer."`) {
			t.Fatalf("the modality change's audit entry: %+v %v", entries, err)
		}
		if _, body := anon.Get(bPath + "?lang=en"); !strings.Contains(body, "Collaborative demonstration with the host city") || strings.Contains(body, "Busan hosts the demonstration") {
			t.Fatalf("the changed modality on the public page (without its reason):\n%s", body)
		}

		// 2027-03-01: Seoul's second milestone (due 2027-02-27) is late.
		clock.Set(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
		_, body = anon.Get(studyPath)
		if !regexp.MustCompile(`id="followup-status" class="status-late">Late<`).MatchString(body) || !strings.Contains(body, "1 of 4 milestones done") {
			t.Fatalf("derived status:\n%s", body)
		}

		// The ceremony report: numbers and statuses.
		res, body = anon.Get("/followup/report/2026")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("report: %d", res.StatusCode)
		}
		for _, want := range []string{`data-count="all">2<`, `data-count="late">1<`, `data-count="at_risk">1<`, `data-count="done">0<`, `data-count="on_track">0<`} {
			if !strings.Contains(body, want) {
				t.Fatalf("report lacks %s:\n%s", want, body)
			}
		}
		section := body[strings.Index(body, fmt.Sprintf(`id="study-%d"`, seoul.ID)):]
		section = section[:strings.Index(section, "</section>")]
		if strings.Count(section, `data-status="done"`) != 1 || strings.Count(section, `data-status="late"`) != 2 || strings.Count(section, `data-status="on_track"`) != 2 ||
			!strings.Contains(section, "before 1200, after 3400.5 riders") || strings.Contains(section, "Signed work plan") {
			t.Fatalf("Seoul in the report:\n%s", section)
		}
		if _, body := anon.Get("/followup/report/2026?lang=ko"); !strings.Contains(body, "지연") || !strings.Contains(body, "마일스톤 4개 중 1개 완료") || strings.Contains(body, ">Late<") {
			t.Fatalf("Korean report:\n%s", body)
		}
		res, pdf := anon.Get("/followup/report/2026/pdf?lang=en")
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		_, pdfKO := anon.Get("/followup/report/2026/pdf?lang=ko")
		pdftotext := needTool(t, "pdftotext", "poppler-utils")
		dir := t.TempDir()
		for _, c := range []struct {
			pdf  string
			want []string
		}{
			{pdf, []string{"Feasibility studies of the 2026 winners", "Night buses for shift workers", "Late", "1/4", "At risk",
				"Night riders per week: 1200 → 3400.5 riders"}},
			{pdfKO, []string{"2026 수상 프로젝트 타당성 조사", "지연", "위험", "1/4"}},
		} {
			f := filepath.Join(dir, "r.pdf")
			if err := os.WriteFile(f, []byte(c.pdf), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(pdftotext, f, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text := strings.Join(strings.Fields(string(out)), " ")
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Fatalf("the PDF lacks %q:\n%s", w, text)
				}
			}
		}
	})
}

// The demo: the 2025 winners' studies under way — the gold winner's done
// with public evidence and a go, the silver's at risk, the bronze's on
// track — and the 2025 ceremony report counting them.
func TestFollowupDemo(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	env.SeedDemo()
	ctx := context.Background()
	studies, err := env.Store.FollowupStudies(ctx, "2025")
	if err != nil || len(studies) != 3 {
		t.Fatalf("2025 studies: %d %v", len(studies), err)
	}
	now := env.Services.Followup.Time()
	status := map[string]string{}
	for _, st := range studies {
		status[st.Grade] = followup.StudyStatus(st, now)
	}
	if status["gold"] != followup.StatusDone || status["silver"] != followup.StatusAtRisk || status["bronze"] != followup.StatusOnTrack {
		t.Fatalf("demo statuses: %v", status)
	}
	anon := env.ClientAs(webtest.Anonymous)
	res, body := anon.Get("/followup/report/2025?lang=en")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-count="done">1<`) || !strings.Contains(body, `data-count="at_risk">1<`) ||
		!strings.Contains(body, `data-count="on_track">1<`) || !strings.Contains(body, "before 1200, after 3400 residents") {
		t.Fatalf("2025 report: %d\n%s", res.StatusCode, body)
	}
	for _, st := range studies {
		if st.Grade != "gold" {
			continue
		}
		_, body := anon.Get(fmt.Sprintf("/followup/studies/%d", st.ID))
		var file string
		for _, m := range st.Milestones {
			for _, e := range m.Evidence {
				if e.FileID != "" {
					file = e.FileID
				}
			}
		}
		if file == "" || !strings.Contains(body, "/followup/files/"+file) || !strings.Contains(body, "4 of 4 milestones done") || !strings.Contains(body, "Go") {
			t.Fatalf("the gold winner's study page:\n%s", body)
		}
		if res, pdf := anon.Get("/followup/files/" + file); res.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
			t.Fatalf("public evidence file: %d", res.StatusCode)
		}
	}
	rs, err := followup.Reminders(ctx, env.Store, now)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range rs {
		kinds[r.Kind]++
	}
	if kinds[followup.KindDue14] != 1 || kinds[followup.KindOverdue] != 0 {
		t.Fatalf("demo reminders: %v", kinds)
	}
}
