package main

import (
	"bytes"
	"context"
	"database/sql"
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

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/postgres"
	"github.com/citylens/citylens/internal/sqlite"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

type killStore interface {
	catalogue.Store
	catalogue.EditionStore
	datacall.Store
	members.Store
	accounts.Store
	auditlog.Store
	Close() error
}

// TestDataCallImportSurvivesKill9 uploads a network workbook (500 cities ×
// 300 indicators) to the real binary, kills it with SIGKILL in the middle of
// the import, and checks that nothing of it stayed; a new server then
// imports the same file whole, and a third upload of it changes nothing.
func TestDataCallImportSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the citylens binary")
	}
	bin := webtest.BuildBinary(t)
	const nCities, nInd = 500, 300
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			ctx := context.Background()
			var env []string
			var store killStore
			var writing func() bool // whether the server is inside the import's write transaction
			if dbName == "postgres" {
				u := storetest.PostgresURL(t)
				env = []string{"CITYLENS_DATABASE_URL=" + u}
				db, err := postgres.Open(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				store = db
				writing = postgresWritingValues(t, u)
			} else {
				data := t.TempDir()
				env = []string{"CITYLENS_DATA=" + data}
				db, err := sqlite.Open(ctx, filepath.Join(data, "citylens.db"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				store = db
				writing = sqliteWriting(t, filepath.Join(data, "citylens.db"))
			}
			defer store.Close()
			workbook := seedKillNetwork(t, store, nCities, nInd)
			accts := &accounts.Service{Store: store, Audit: store, Hasher: accounts.NewHasher(webtest.FastArgon2), Now: time.Now}
			if _, err := accts.AddUser(ctx, auditlog.System("test"), accounts.User{Email: "admin@kill.test", Role: accounts.RoleAdmin}, "kill drill password"); err != nil {
				t.Fatal(err)
			}

			first := webtest.StartServe(t, bin, env)
			c := newKillClient(t, first)
			done := make(chan string, 1)
			go func() {
				res, err := c.upload("/datacall/2026/upload", workbook)
				if err != nil {
					done <- "error: " + err.Error()
					return
				}
				done <- fmt.Sprintf("status %d, %s", res.StatusCode, res.Header.Get("Location"))
			}()
			start := time.Now()
			waitWriting(t, writing, done)
			first.Kill9()
			t.Logf("killed %v after the upload began, inside the import's write transaction", time.Since(start).Round(time.Millisecond))
			if r := <-done; !strings.HasPrefix(r, "error") {
				t.Fatalf("upload to a killed server: %s", r)
			}
			vals, err := store.EditionValues(ctx, "2026")
			if err != nil {
				t.Fatal(err)
			}
			cc, _, err := store.ValueCounts(ctx, "2026", "")
			if err != nil {
				t.Fatal(err)
			}
			hist, err := auditlog.History(ctx, store, datacall.AuditValue, datacall.ValueEntityID("2026", "c-0001", "IND-001"), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(vals) != 0 || len(cc) != 0 || len(hist) != 0 {
				t.Fatalf("after kill -9 mid-import: %d values, %d city counts, %d audit entries; want none", len(vals), len(cc), len(hist))
			}

			second := webtest.StartServe(t, bin, env)
			c = newKillClient(t, second)
			for i, want := range []string{
				fmt.Sprintf("%d values changed, 0 unchanged", nCities*nInd),
				fmt.Sprintf("0 values changed, %d unchanged", nCities*nInd),
			} {
				res, err := c.upload("/datacall/2026/upload", workbook)
				if err != nil {
					t.Fatal(err)
				}
				loc, _ := url.Parse(res.Header.Get("Location"))
				q := loc.Query()
				got := web.FlashMessage(killCatalog(t), i18n.English, q.Get("flash"), q.Get("fa"))
				if res.StatusCode != http.StatusSeeOther || !strings.Contains(got, want) {
					t.Fatalf("upload %d after restart: status %d, %q; want %q", i+1, res.StatusCode, got, want)
				}
			}
			vals, _ = store.EditionValues(ctx, "2026")
			hist, _ = auditlog.History(ctx, store, datacall.AuditValue, datacall.ValueEntityID("2026", "c-0500", "IND-300"), 10)
			if len(vals) != nCities*nInd || len(hist) != 1 {
				t.Fatalf("after the import: %d values, %d audit entries for the last value; want %d and 1", len(vals), len(hist), nCities*nInd)
			}
		})
	}
}

// waitWriting polls until the server has been writing the import for a
// moment (so the kill lands inside its transaction), failing the test if
// the upload ends first.
func waitWriting(t *testing.T, writing func() bool, done <-chan string) {
	t.Helper()
	const hold = 150 * time.Millisecond // longer than any other write of the server (a session, a job claim)
	deadline := time.Now().Add(2 * time.Minute)
	var since time.Time // when the write was first seen, zero while not
	for time.Now().Before(deadline) {
		select {
		case r := <-done:
			t.Fatalf("the import ended before the kill (%s): make the workbook larger", r)
		default:
		}
		switch {
		case !writing():
			since = time.Time{}
		case since.IsZero():
			since = time.Now()
		case time.Since(since) >= hold:
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server did not start writing the import within 2 minutes")
}

// sqliteWriting reports whether another connection holds the database's
// write lock: a BEGIN IMMEDIATE that would wait fails at once instead.
func sqliteWriting(t *testing.T, path string) func() bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(0)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return func() bool {
		tx, err := db.Begin()
		if err != nil {
			if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked") {
				return true
			}
			t.Fatal(err)
		}
		tx.Rollback()
		return false
	}
}

// postgresWritingValues reports whether another session has written data-call
// values in the test's schema within a transaction still open.
func postgresWritingValues(t *testing.T, dbURL string) func() bool {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func() bool {
		var held bool
		err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = current_schema() AND c.relname = 'datacall_values' AND l.mode = 'RowExclusiveLock'
				AND l.granted AND l.pid <> pg_backend_pid())`).Scan(&held)
		if err != nil {
			t.Fatal(err)
		}
		return held
	}
}

// seedKillNetwork stores the cities, catalogue and open edition 2026, and
// returns a filled-in workbook of every city's values.
func seedKillNetwork(t *testing.T, s killStore, nCities, nInd int) []byte {
	t.Helper()
	ctx := context.Background()
	lo, hi := 0.0, 100.0
	e := &catalogue.Edition{Code: "2026", Name: "Kill drill", ReferenceYear: 2025, Status: catalogue.StatusOpen, JumpThreshold: 0.5,
		Opens: time.Now().AddDate(0, -1, 0), Closes: time.Now().AddDate(0, 1, 0), Method: catalogue.DefaultMethod(),
		Framework: []catalogue.Node{{Code: "INDEX", Kind: catalogue.KindAggregate, Weight: 1}}}
	var inds []catalogue.Indicator
	for i := range nInd {
		code := fmt.Sprintf("IND-%03d", i+1)
		inds = append(inds, catalogue.Indicator{Code: code, Name: "Indicator " + code, Unit: "%", Direction: 1, Min: &lo, Max: &hi,
			Xwalk: catalogue.Crosswalk{Pillar: "E"}})
		e.Framework = append(e.Framework, catalogue.Node{Code: code, Parent: "INDEX", Kind: catalogue.KindIndicator, Weight: 1})
	}
	in := datacall.TemplateInput{Edition: e, Catalogue: catalogue.Index(inds), Current: map[datacall.Key]datacall.Value{}}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.PutIndicators(ctx, inds); err != nil {
			return err
		}
		if err := s.CreateEdition(ctx, e); err != nil {
			return err
		}
		for c := range nCities {
			code := fmt.Sprintf("c-%04d", c+1)
			if err := s.PutCity(ctx, members.City{Code: code, Name: "City " + code, Country: "KR", RegionCode: "AS", Status: members.StatusMember}); err != nil {
				return err
			}
			in.Cities = append(in.Cities, datacall.TemplateCity{Code: code, Name: "City " + code})
			for k, ind := range inds {
				in.Current[datacall.Key{City: code, Indicator: ind.Code}] = datacall.Value{Value: float64((c*7+k*13)%10000) / 100,
					Provenance: datacall.Provenance{Source: "National statistics office", DataYear: 2024}}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := datacall.WriteTemplate(&buf, in); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type killClient struct {
	t    *testing.T
	p    *webtest.Process
	c    *http.Client
	csrf string
}

var killCSRF = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// newKillClient signs the admin in.
func newKillClient(t *testing.T, p *webtest.Process) *killClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &killClient{t: t, p: p, c: &http.Client{Jar: jar, Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	token := func() string {
		res, err := c.c.Get(p.URL("/login"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := killCSRF.FindSubmatch(b)
		if m == nil {
			t.Fatalf("no CSRF token on the login page")
		}
		return string(m[1])
	}
	res, err := c.c.PostForm(p.URL("/login"), url.Values{"email": {"admin@kill.test"}, "password": {"kill drill password"},
		"next": {"/"}, "csrf": {token()}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d", res.StatusCode)
	}
	c.csrf = token()
	return c
}

func (c *killClient) upload(path string, data []byte) (*http.Response, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", c.csrf)
	fw, _ := mw.CreateFormFile("file", "network.xlsx")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.p.URL(path), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.c.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res, nil
}

// killCatalog is the message catalogue the flash of a redirect is worded
// from (a redirect carries the message's key and arguments, not its text).
func killCatalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
