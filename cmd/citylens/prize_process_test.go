package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/postgres"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/sqlite"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// prizeClient is a browser-like client of a running citylens serve.
type prizeClient struct {
	t    *testing.T
	p    *webtest.Process
	c    *http.Client
	csrf string
}

var prizeCSRF = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

func newPrizeClient(t *testing.T, p *webtest.Process) *prizeClient {
	jar, _ := cookiejar.New(nil)
	return &prizeClient{t: t, p: p, c: &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *prizeClient) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := prizeCSRF.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res, string(b)
}

func (c *prizeClient) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.p.URL(path), nil)
	return c.do(req)
}

func (c *prizeClient) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	form.Set("csrf", c.csrf)
	req, _ := http.NewRequest(http.MethodPost, c.p.URL(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *prizeClient) upload(path string, data []byte) (*http.Response, string) {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", c.csrf)
	mw.WriteField("field", "evidence")
	fw, _ := mw.CreateFormFile("file", "brief.pdf")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.p.URL(path), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func wantCode(t *testing.T, what string, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: status %d, want %d\n%.1500s", what, res.StatusCode, want, body)
	}
}

// TestPrizeAgainstServe runs the prize's call against the real binary on
// SQLite and PostgreSQL: sign up and confirm by the mailed link, fill and
// autosave, attach, submit before the deadline, be refused once it has
// passed (the edition's deadline is 40 seconds after the start), the
// secretariat's desk rejection that the applicant then reads, and the XLSX
// export read back.
func TestPrizeAgainstServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the citylens binary")
	}
	bin := webtest.BuildBinary(t)
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			ctx := context.Background()
			var env []string
			var st app.Store
			if dbName == "postgres" {
				u := storetest.PostgresURL(t)
				env = []string{"CITYLENS_DATABASE_URL=" + u}
				db, err := postgres.Open(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				st = db
			} else {
				data := t.TempDir()
				env = []string{"CITYLENS_DATA=" + data}
				db, err := sqlite.Open(ctx, filepath.Join(data, "citylens.db"))
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				st = db
			}
			// The secretariat and the edition, through the services.
			sv := app.NewServices(st, web.Config{Store: st, Argon2: &webtest.FastArgon2})
			sys := auditlog.System("test")
			if _, err := sv.Accounts.AddUser(ctx, sys, accounts.User{Email: "admin@prize.test", Role: accounts.RoleAdmin}, "prize admin password"); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			deadline := start.Add(40 * time.Second)
			if err := sv.Prize.SeedEdition(ctx, sys, &prize.Edition{Code: "2026", Year: 2026, Title: "Seoul Smart City Prize 2026",
				TitleKO: "서울스마트시티상 2026", TimeZone: "Asia/Seoul", Opens: start.Add(-time.Hour), Deadline: deadline, Published: true}); err != nil {
				t.Fatal(err)
			}
			p := webtest.StartServe(t, bin, env, "--base-url", "http://prize.test")

			c := newPrizeClient(t, p)
			c.get("/prize/register")
			res, body := c.post("/prize/register", url.Values{"email": {"city@lyon.example"}, "name": {"Camille"}, "type": {"local_government"},
				"organisation": {"Ville de Lyon"}, "country": {"FRA"}, "city_name": {"Lyon"}})
			wantCode(t, "sign up", res, body, http.StatusOK)
			ms, err := st.ListOutbox(ctx, 20)
			if err != nil {
				t.Fatal(err)
			}
			var link string
			for _, m := range ms {
				if m.To == "city@lyon.example" {
					link = regexp.MustCompile(`http://prize\.test(/invitations/accept\?token=[A-Za-z0-9_-]+)`).FindStringSubmatch(m.Body)[1]
				}
			}
			if link == "" {
				t.Fatal("no confirmation mailed")
			}
			token := strings.TrimPrefix(link, "/invitations/accept?token=")
			c.get(link)
			res, body = c.post("/invitations/accept", url.Values{"token": {token}, "name": {"Camille"}, "password": {"lyon password 1"}, "password_again": {"lyon password 1"}})
			wantCode(t, "confirm", res, body, http.StatusSeeOther)
			res, body = c.post("/login", url.Values{"email": {"city@lyon.example"}, "password": {"lyon password 1"}})
			wantCode(t, "sign in", res, body, http.StatusSeeOther)
			c.get("/prize/my")
			res, body = c.post("/prize/editions/2026/applications", url.Values{"track": {prize.TrackHuman}})
			wantCode(t, "start", res, body, http.StatusSeeOther)
			app := res.Header.Get("Location")
			c.get(app)
			form := url.Values{"f.title": {"Digital help desks in libraries"}, "f.summary": {"Volunteers help older residents online."},
				"f.place": {"FRA", "Lyon"}, "f.problem": {"Older residents cannot reach online services."}, "f.target_groups": {"elderly"},
				"f.stage": {"ongoing"}, "f.themes": {"inclusion"}, "f.results": {"3,000 visits a year."}}
			res, body = c.post(app+"/autosave", form)
			wantCode(t, "autosave", res, body, http.StatusOK)
			res, body = c.upload(app+"/files", []byte("%PDF-1.4\n%%EOF\n"))
			wantCode(t, "attach", res, body, http.StatusSeeOther)
			res, body = c.post(app+"/submit", form)
			wantCode(t, "submit", res, body, http.StatusSeeOther)
			_, body = c.get(app + "/receipt")
			if !strings.Contains(body, "We received your application 2026-") {
				t.Errorf("receipt: %.800s", body)
			}

			// After the deadline (no grace): refused, nothing saved.
			time.Sleep(time.Until(deadline.Add(time.Second)))
			form.Set("f.title", "Too late")
			res, body = c.post(app, form)
			wantCode(t, "change after the deadline", res, body, http.StatusConflict)
			if want := deadline.In(mustZone(t, "Asia/Seoul")).Format("2006-01-02 15:04"); !strings.Contains(body, want) {
				t.Errorf("refusal lacks the deadline %s", want)
			}

			// The secretariat rejects it at screening; the applicant reads why.
			admin := newPrizeClient(t, p)
			admin.get("/login")
			res, body = admin.post("/login", url.Values{"email": {"admin@prize.test"}, "password": {"prize admin password"}})
			wantCode(t, "admin signs in", res, body, http.StatusSeeOther)
			admin.get(app)
			res, body = admin.post(app+"/screen", url.Values{"outcome": {"rejected"}, "reason": {"The project is outside the call's scope."}})
			wantCode(t, "desk rejection", res, body, http.StatusSeeOther)
			_, body = c.get("/prize/my")
			if !strings.Contains(body, "outside the call&#39;s scope") {
				t.Errorf("the applicant does not see the reason: %.2000s", body)
			}
			res, body = admin.get("/admin/prize/2026/export.xlsx")
			wantCode(t, "export", res, body, http.StatusOK)
			f, err := excelize.OpenReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("Applications")
			if len(rows) != 2 || !strings.Contains(strings.Join(rows[1], "|"), "|rejected|rejected|The project is outside the call's scope.|") {
				t.Errorf("export: %q", rows)
			}
			_ = fmt.Sprint()
		})
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
