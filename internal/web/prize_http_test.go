package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Set moves the clock to t.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// prizeT0 is when the prize tests start: the call opened a day before,
// its deadline is 6 hours after (18:00 in Seoul) and its grace 2 hours.
var prizeT0 = time.Date(2026, 6, 30, 3, 0, 0, 0, time.UTC)

func prizeEnv(t testing.TB, s storetest.Store, opts ...func(*web.Config)) (*webtest.Env, *testClock) {
	t.Helper()
	clock := &testClock{t: prizeT0}
	env := webtest.New(t, s, func(c *web.Config) {
		c.Now = clock.Now
		for _, o := range opts {
			o(c)
		}
	})
	err := env.Services.Prize.SeedEdition(context.Background(), auditlog.System("test"), &prize.Edition{Code: "2026", Year: 2026,
		Title: "Seoul Smart City Prize 2026", TitleKO: "서울스마트시티상 2026", TimeZone: "Asia/Seoul",
		Opens: prizeT0.Add(-24 * time.Hour), Deadline: prizeT0.Add(6 * time.Hour), Grace: 2 * time.Hour,
		Ceremony: prizeT0.AddDate(0, 4, 0), Published: true})
	if err != nil {
		t.Fatal(err)
	}
	return env, clock
}

var appPath = regexp.MustCompile(`^/prize/applications/(\d+)$`)

// complete are the answers of a complete application in Seoul.
func completeAnswers(title string) url.Values {
	return url.Values{
		"f.title": {title}, "f.summary": {"Night buses that reach the hospitals and markets where shift workers go."},
		"f.original_language": {"en"}, "f.place": {"KOR", "Seoul"}, "f.problem": {"Shift workers walk home at night."},
		"f.target_groups": {"low_income", "elderly"}, "f.stage": {"pilot"}, "f.themes": {"mobility"},
		"f.results": {"12,000 rides in the first month."}, "f.beneficiaries": {"12000"}, "f.budget": {"1500000000", "KRW"},
		"f.video": {"https://video.example.org/night-bus"},
		"co_org":  {"Seoul Metro"}, "co_country": {"KOR"}, "co_email": {""},
	}
}

func uploadFile(c *webtest.Client, path, field, name string, data []byte) (*http.Response, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.CSRF)
	mw.WriteField("field", field)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return c.Send(http.MethodPost, path, mw.FormDataContentType(), &buf)
}

// pdf is a small file that is a PDF by its content.
var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// TestPrizeApplicationFlow runs the call end to end on each database:
// sign up, confirm, fill, autosave, attach, ask the city's focal point to
// endorse, submit before the deadline, edit, be refused after the
// deadline and its grace (a second application submitted in the grace is
// marked late), never see another applicant's application, and the
// secretariat's screening with a desk rejection the applicant then reads,
// and the board's XLSX export read back.
func TestPrizeApplicationFlow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clock := prizeEnv(t, s)

		// Sign up: the form names a refused field and keeps what was typed.
		c := env.Client()
		res, body := c.Get("/prize/register")
		expectStatus(t, "sign-up form", res, body, http.StatusOK)
		res, body = c.PostForm("/prize/register", url.Values{"email": {"mobility@acme.example"}, "name": {"Ji-woo Park"},
			"type": {"corporation"}, "organisation": {"Acme Mobility"}, "country": {"Korea"}, "city_name": {"Seoul"}})
		expectStatus(t, "bad country", res, body, http.StatusBadRequest)
		for _, want := range []string{`&#34;KOREA&#34; is not a country code`, `value="Acme Mobility"`, `value="mobility@acme.example"`} {
			if !strings.Contains(body, want) {
				t.Errorf("refused sign-up lacks %q:\n%s", want, body)
			}
		}
		res, body = c.PostForm("/prize/register", url.Values{"email": {"mobility@acme.example"}, "name": {"Ji-woo Park"},
			"type": {"corporation"}, "organisation": {"Acme Mobility"}, "country": {"KOR"}, "city_name": {"Seoul"}})
		expectStatus(t, "sign up", res, body, http.StatusOK)
		if !strings.Contains(body, "mobility@acme.example") {
			t.Errorf("sign-up page does not say where the link went")
		}
		res, _ = c.Login("mobility@acme.example", "")
		expectStatus(t, "unconfirmed account", res, "", http.StatusBadRequest)
		path, token := outboxLink(t, env, "mobility@acme.example")
		res, body = c.PostForm(path, url.Values{"token": {token}, "name": {"Ji-woo Park"}, "password": {"acme password 1"}, "password_again": {"acme password 1"}})
		expectStatus(t, "confirm", res, body, http.StatusSeeOther)
		res, body = c.Login("mobility@acme.example", "acme password 1")
		expectStatus(t, "sign in", res, body, http.StatusSeeOther)

		// Start an application; the form shows the deadline in Seoul time.
		res, body = c.Get("/prize/my")
		expectStatus(t, "my page", res, body, http.StatusOK)
		if !strings.Contains(body, "30 June 2026, 18:00 (Asia/Seoul)") {
			t.Errorf("my page lacks the deadline in the edition's time zone")
		}
		if strings.Contains(body, "20:00") {
			t.Errorf("my page shows the grace period's end")
		}
		res, body = c.PostForm("/prize/editions/2026/applications", url.Values{"track": {prize.TrackLeadership}})
		expectStatus(t, "a corporation on the Leadership track", res, body, http.StatusForbidden)
		res, body = c.PostForm("/prize/editions/2026/applications", url.Values{"track": {prize.TrackTech}})
		expectStatus(t, "start", res, body, http.StatusSeeOther)
		m := appPath.FindStringSubmatch(res.Header.Get("Location"))
		if m == nil {
			t.Fatalf("start went to %q", res.Header.Get("Location"))
		}
		app := res.Header.Get("Location")
		res, body = c.Get(app)
		expectStatus(t, "form", res, body, http.StatusOK)

		// Autosave: kept as a draft; a refused value is named and nothing
		// is saved.
		res, body = c.PostForm(app+"/autosave", url.Values{"f.title": {"Night buses"}, "f.place": {"KOR", "Seoul"}})
		expectStatus(t, "autosave", res, body, http.StatusOK)
		if !strings.Contains(body, `"saved_at"`) {
			t.Errorf("autosave answer: %s", body)
		}
		res, body = c.PostForm(app+"/autosave", url.Values{"f.title": {"Changed"}, "f.budget": {"a lot", "KRW"}, "f.stage": {"dreaming"}})
		expectStatus(t, "refused autosave", res, body, http.StatusBadRequest)
		var refused struct {
			Problems []struct{ Field, Reason string }
		}
		if err := json.Unmarshal([]byte(body), &refused); err != nil {
			t.Fatal(err)
		}
		fields := map[string]string{}
		for _, p := range refused.Problems {
			fields[p.Field] = p.Reason
		}
		if fields["budget"] != `"a lot" is not a number` || fields["stage"] != `"dreaming" is not one of the choices` {
			t.Errorf("refused autosave's problems: %+v", refused.Problems)
		}
		_, body = c.Get(app)
		if !strings.Contains(body, `value="Night buses"`) || strings.Contains(body, `value="Changed"`) {
			t.Errorf("a refused autosave changed the draft")
		}

		// Submitting an incomplete application names each missing field
		// and keeps what was typed.
		res, body = c.PostForm(app+"/submit", url.Values{"f.title": {"Night buses for shift workers"}, "f.place": {"KOR", "Seoul"}})
		expectStatus(t, "incomplete submission", res, body, http.StatusBadRequest)
		for _, want := range []string{"Summary (English)</a>: required", "Target groups</a>: required", `value="Night buses for shift workers"`} {
			if !strings.Contains(body, want) {
				t.Errorf("incomplete submission's page lacks %q", want)
			}
		}

		// Attachments: checked by content, bounded in size.
		res, body = uploadFile(c, app+"/files", "evidence", "plan.pdf", pdf)
		expectStatus(t, "attach a PDF", res, body, http.StatusSeeOther)
		res, body = uploadFile(c, app+"/files", "evidence", "photo.png", []byte("PK\x03\x04 a zip named png"))
		expectStatus(t, "a zip named .png", res, body, http.StatusUnsupportedMediaType)
		if !strings.Contains(body, "attach PDF, PNG, JPEG or WebP files") {
			t.Errorf("wrong type's refusal lacks the reason")
		}
		big := append(append([]byte{}, pdf...), bytes.Repeat([]byte("0"), prize.MaxAttachmentBytes)...)
		res, body = uploadFile(c, app+"/files", "evidence", "big.pdf", big)
		expectStatus(t, "an 11 MB file", res, body, http.StatusRequestEntityTooLarge)
		_, body = c.Get(app)
		files := regexp.MustCompile(`href="(/prize/files/[0-9a-f]{32})"`).FindAllStringSubmatch(body, -1)
		if len(files) != 1 {
			t.Fatalf("files on the form: %v", files)
		}
		fileURL := files[0][1]
		res, body = c.Get(fileURL)
		expectStatus(t, "download", res, body, http.StatusOK)
		if body != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("downloaded %q as %s", body, res.Header.Get("Content-Type"))
		}

		// Endorsement: Seoul is a member city; its focal point decides.
		res, body = c.PostForm(app+"/submit", completeAnswers("Night buses for shift workers"))
		expectStatus(t, "complete but not endorsed yet: submission is taken", res, body, http.StatusSeeOther)
		res, body = c.PostForm(app+"/endorsement", nil)
		expectStatus(t, "request endorsement", res, body, http.StatusSeeOther)
		focal := env.ClientAs(webtest.Focal)
		res, body = focal.Get("/prize/endorsements")
		expectStatus(t, "focal's endorsements", res, body, http.StatusOK)
		eid := regexp.MustCompile(`/prize/endorsements/(\d+)`).FindStringSubmatch(body)
		if eid == nil || !strings.Contains(body, "Night buses for shift workers") {
			t.Fatalf("focal point's page lacks the request:\n%s", body)
		}
		res, body = focal.Get(app)
		expectStatus(t, "the endorsing focal point reads the application", res, body, http.StatusOK)
		res, body = focal.PostForm(app, completeAnswers("Hijacked"))
		expectStatus(t, "the focal point cannot change it", res, body, http.StatusForbidden)
		res, body = focal.PostForm("/prize/endorsements/"+eid[1], url.Values{"decision": {"endorsed"}, "comment": {"Seoul supports it."}})
		expectStatus(t, "endorse", res, body, http.StatusSeeOther)
		_, body = c.Get(app)
		if !strings.Contains(body, "Seoul: <strong>endorsed</strong>") || !strings.Contains(body, "Seoul supports it.") {
			t.Errorf("the applicant does not see the endorsement")
		}

		// The receipt: page and e-mail.
		res, body = c.Get(app + "/receipt")
		expectStatus(t, "receipt", res, body, http.StatusOK)
		if !strings.Contains(body, "We received your application 2026-000") {
			t.Errorf("receipt page: %.500s", body)
		}
		ms, _ := env.Store.ListOutbox(context.Background(), 50)
		receipts := 0
		for _, msg := range ms {
			if msg.To == "mobility@acme.example" && strings.Contains(msg.Subject, "received") {
				receipts++
			}
		}
		if receipts != 1 {
			t.Errorf("%d receipts mailed, want 1", receipts)
		}

		// Edit before the deadline: it stays submitted.
		res, body = c.PostForm(app, completeAnswers("Night buses for night-shift workers"))
		expectStatus(t, "edit after submitting", res, body, http.StatusSeeOther)
		_, body = c.Get(app)
		if !strings.Contains(body, "Night buses for night-shift workers") || !strings.Contains(body, `id="app-state">Submitted`) {
			t.Errorf("edited application: %.300s", body)
		}

		// Another applicant never sees it: page, file, API, lists.
		other := env.ClientAs(webtest.Applicant)
		for _, p := range []string{app, app + "/receipt", fileURL} {
			res, body = other.Get(p)
			expectStatus(t, "another applicant: "+p, res, body, http.StatusNotFound)
		}
		tok := env.APIToken(webtest.Applicant, "read")
		res, body = other.API("GET", "/api/v1/prize/applications/"+m[1], tok, "")
		expectStatus(t, "another applicant's API call", res, body, http.StatusNotFound)
		res, body = other.API("GET", "/api/v1/prize/applications?edition=2026", tok, "")
		if res.StatusCode != 200 || strings.Contains(body, "Night buses") {
			t.Errorf("another applicant's list: %d %s", res.StatusCode, body)
		}
		res, body = env.ClientAs(webtest.Judge).Get(app)
		expectStatus(t, "a judge (part 2 assigns)", res, body, http.StatusForbidden)

		// A second draft, submitted in the grace period: taken, late.
		res, _ = c.PostForm("/prize/editions/2026/applications", url.Values{"track": {prize.TrackHuman}})
		app2 := res.Header.Get("Location")
		res, body = c.PostForm(app2, completeAnswers("Night buses for shift workers"))
		expectStatus(t, "second draft", res, body, http.StatusSeeOther)
		res, body = uploadFile(c, app2+"/files", "evidence", "plan.pdf", pdf)
		expectStatus(t, "second attachment", res, body, http.StatusSeeOther)
		clock.Set(prizeT0.Add(7 * time.Hour)) // an hour after the deadline
		_, body = c.Get("/prize")
		if !strings.Contains(body, "closed") {
			t.Errorf("the call page does not say the call closed")
		}
		res, body = c.PostForm(app2+"/submit", completeAnswers("Night buses for shift workers"))
		expectStatus(t, "submission in the grace period", res, body, http.StatusSeeOther)
		_, body = c.Get(app2)
		if !strings.Contains(body, "(late, within the grace period)") {
			t.Errorf("a submission in the grace period is not marked late")
		}

		// After the grace: refused, with the deadline in the reader's
		// language, and nothing changed.
		clock.Set(prizeT0.Add(9 * time.Hour))
		res, body = c.PostForm(app, completeAnswers("Too late"))
		expectStatus(t, "change after the grace", res, body, http.StatusConflict)
		if !strings.Contains(body, "2026-06-30 18:00 (Asia/Seoul)") {
			t.Errorf("refusal lacks the deadline: %.2000s", body)
		}
		_, body = c.Get(app + "?lang=ko")
		if !strings.Contains(body, "공모가 2026년 6월 30일 18:00 (Asia/Seoul)에 마감되었습니다") {
			t.Errorf("Korean page lacks the closing date in Korean")
		}
		c.Get(app + "?lang=en")
		res, body = uploadFile(c, app+"/files", "evidence", "late.pdf", pdf)
		expectStatus(t, "attach after the grace", res, body, http.StatusConflict)
		_, body = c.Get(app)
		if strings.Contains(body, "Too late") {
			t.Errorf("a refused change was saved")
		}

		// The secretariat's board and screening.
		admin := env.ClientAs(webtest.Admin)
		res, body = admin.Get("/admin/prize/2026")
		expectStatus(t, "board", res, body, http.StatusOK)
		if !strings.Contains(body, "2 applications submitted") {
			t.Errorf("board total: %.3000s", body)
		}
		if !strings.Contains(body, `id="board-duplicates"`) {
			t.Errorf("the two applications of one organisation with one title are not flagged as duplicates")
		}
		res, body = admin.Get(app)
		expectStatus(t, "admin reads", res, body, http.StatusOK)
		for _, want := range []string{"Eligibility: the applicant type may apply to this track", "Deadline: submitted before the deadline",
			"Endorsement: the city endorsed the project", "Possible duplicates of this application"} {
			if !strings.Contains(body, want) {
				t.Errorf("screening panel lacks %q", want)
			}
		}
		_, body = admin.Get(app2)
		if !strings.Contains(body, "Deadline: submitted after the deadline, within the grace period") || !strings.Contains(body, "Endorsement: no endorsement was requested") {
			t.Errorf("second application's checks wrong")
		}
		res, body = admin.PostForm(app2+"/screen", url.Values{"outcome": {"rejected"}})
		expectStatus(t, "a rejection without a reason", res, body, http.StatusBadRequest)
		res, body = admin.PostForm(app2+"/screen", url.Values{"outcome": {"rejected"}, "reason": {"A duplicate of application 2026-0001, without the city's endorsement."}})
		expectStatus(t, "desk rejection", res, body, http.StatusSeeOther)
		res, body = admin.PostForm(app+"/screen", url.Values{"outcome": {"eligible"}})
		expectStatus(t, "admit", res, body, http.StatusSeeOther)
		_, body = c.Get("/prize/my")
		if !strings.Contains(body, "Rejected at screening") || !strings.Contains(body, "A duplicate of application 2026-0001, without the city&#39;s endorsement.") {
			t.Errorf("the applicant does not see the desk rejection and its reason:\n%.3000s", body)
		}
		_, body = c.Get(app2)
		if !strings.Contains(body, `id="rejection"`) {
			t.Errorf("the application page does not show the rejection")
		}
		_, body = admin.Get(app2)
		if !strings.Contains(body, `id="screening-log"`) || !strings.Contains(body, "admin@test.citylens · rejected") {
			t.Errorf("screening log missing")
		}

		// The export, read back.
		res, body = admin.Get("/admin/prize/2026/export.xlsx?track=" + prize.TrackTech)
		expectStatus(t, "export", res, body, http.StatusOK)
		f, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("Applications")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("export rows: %v", rows)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		got := rows[1]
		if got[col["title"]] != "Night buses for night-shift workers" || got[col["state"]] != "submitted" || got[col["screening"]] != "eligible" ||
			got[col["country"]] != "KOR" || got[col["region"]] != "AS" || got[col["city_code"]] != "kr-seoul" || got[col["stage"]] != "pilot" {
			t.Errorf("export row: %v", got)
		}
		res, body = admin.Get("/admin/prize/2026/export.csv")
		expectStatus(t, "CSV export", res, body, http.StatusOK)
		if n := strings.Count(body, "\n"); n != 3 {
			t.Errorf("CSV has %d lines, want 3:\n%s", n, body)
		}
	})
}

// TestPrizeEndorsementByLink covers a city that is not a member: its
// official endorses through an e-mailed link that works once.
func TestPrizeEndorsementByLink(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		u := env.Users[webtest.Applicant]
		who := prize.Who{UserID: u.ID, Email: u.Email, Role: u.Role}
		svc := env.Services.Prize
		if err := svc.SaveProfile(ctx, who, prize.Profile{Type: prize.TypeInstitution, Organisation: "Tartu University", Country: "EST", CityName: "Tartu"}); err != nil {
			t.Fatal(err)
		}
		a, err := svc.CreateApplication(ctx, who, "2026", prize.TrackHuman)
		if err != nil {
			t.Fatal(err)
		}
		c := env.ClientAs(webtest.Applicant)
		path := fmt.Sprintf("/prize/applications/%d", a.ID)
		res, body := c.PostForm(path+"/endorsement", url.Values{"official": {"not an address"}})
		expectStatus(t, "no official", res, body, http.StatusBadRequest)
		if !strings.Contains(body, "give the e-mail of a city official") {
			t.Errorf("refusal lacks the reason")
		}
		res, body = c.PostForm(path+"/endorsement", url.Values{"official": {"mayor@tartu.example"}})
		expectStatus(t, "request", res, body, http.StatusSeeOther)
		lpath, token := outboxLink(t, env, "mayor@tartu.example")
		if lpath != "/prize/endorse" {
			t.Fatalf("link to %q", lpath)
		}
		o := env.Client()
		res, body = o.Get(lpath + "?token=" + token)
		expectStatus(t, "official's page", res, body, http.StatusOK)
		if !strings.Contains(body, "Tartu University asks Tartu to endorse") {
			t.Errorf("official's page: %.1000s", body)
		}
		res, body = o.PostForm(lpath, url.Values{"token": {token}, "decision": {"endorsed"}})
		expectStatus(t, "unsigned", res, body, http.StatusBadRequest)
		res, body = o.PostForm(lpath, url.Values{"token": {token}, "decision": {"endorsed"}, "name": {"Urmas Klaas, Mayor"}})
		expectStatus(t, "endorse", res, body, http.StatusOK)
		res, body = o.PostForm(lpath, url.Values{"token": {token}, "decision": {"declined"}, "name": {"Someone else"}})
		expectStatus(t, "the link works once", res, body, http.StatusBadRequest)
		es, err := env.Store.PrizeEndorsements(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Status != prize.EndorseGiven || es[0].DecidedBy != "Urmas Klaas, Mayor <mayor@tartu.example>" || !es[0].DecidedAt.Equal(prizeT0) {
			t.Errorf("endorsement recorded: %+v", es)
		}
	})
}

var _ = io.Discard

// TestPrizeDemo checks serve --demo's prize: the 2026 edition open, about
// 60 applications across the tracks in several states (drafts, awaiting
// endorsement, one late, two duplicates), the applicant account, and
// seeding again adds nothing.
func TestPrizeDemo(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	env.SeedDemo()
	ctx := context.Background()
	e, err := env.Store.PrizeEdition(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if ph := e.Phase(time.Now()); ph != prize.PhaseOpen {
		t.Errorf("demo edition is %s, want open", ph)
	}
	apps, err := env.Store.PrizeApplications(ctx, prize.ApplicationFilter{Edition: "2026"})
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) < 55 || len(apps) > 65 {
		t.Errorf("%d demo applications, want about 60", len(apps))
	}
	states, tracks := map[string]int{}, map[string]int{}
	late, awaiting := 0, 0
	for _, a := range apps {
		states[a.State]++
		tracks[a.Track]++
		if a.Late {
			late++
		}
		es, _ := env.Store.PrizeEndorsements(ctx, a.ID)
		for _, x := range es {
			if x.Status == prize.EndorseRequested {
				awaiting++
			}
		}
	}
	if states[prize.StateDraft] < 5 || states[prize.StateSubmitted] < 30 || states[prize.StateWithdrawn] < 1 || states[prize.StateRejected] != 1 {
		t.Errorf("states: %v", states)
	}
	if len(tracks) != 4 {
		t.Errorf("tracks: %v", tracks)
	}
	if late != 1 || awaiting < 3 {
		t.Errorf("late %d (want 1), awaiting endorsement %d (want some)", late, awaiting)
	}
	if d := prize.FindDuplicates(apps); len(d) < 1 {
		t.Errorf("no duplicates flagged")
	}
	c := env.Client()
	res, body := c.Login("applicant@demo.citylens", "citylens-demo")
	expectStatus(t, "demo applicant signs in", res, body, http.StatusSeeOther)
	_, body = c.Get("/prize/my")
	if n := strings.Count(body, `href="/prize/applications/`); n != 4 {
		t.Errorf("demo applicant sees %d applications, want 4", n)
	}
	env.SeedDemo()
	again, _ := env.Store.PrizeApplications(ctx, prize.ApplicationFilter{Edition: "2026"})
	if len(again) != len(apps) {
		t.Errorf("seeding again: %d applications, was %d", len(again), len(apps))
	}
}
