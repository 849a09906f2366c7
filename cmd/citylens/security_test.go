package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/postgres"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/sqlite"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

type securityStore interface {
	app.Store
	Close() error
}

// TestSecurityDemoAndProduction (cases 7, 8, 9 and 18 of the hardening
// issue) runs the real binary on SQLite and PostgreSQL:
//   - a fresh production start logs how to create the first admin;
//   - two replicas started together with --demo both come up, and the
//     demo editions are published once;
//   - an edition of the secretariat (with accepted cities) is neither
//     refused nor computed nor published by a later --demo start;
//   - a start without --demo refuses a database with live demo accounts,
//     and --strip-demo disables them (logged): their published password
//     no longer signs in.
func TestSecurityDemoAndProduction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the citylens binary")
	}
	bin := webtest.BuildBinary(t)
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			ctx := context.Background()
			var env, flags []string
			var st securityStore
			if dbName == "postgres" {
				u := storetest.PostgresURL(t)
				env, flags = []string{"CITYLENS_DATABASE_URL=" + u}, []string{"--database-url", u}
				db, err := postgres.Open(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				st = db
			} else {
				data := t.TempDir()
				env, flags = []string{"CITYLENS_DATA=" + data}, []string{"--data", data}
				db, err := sqlite.Open(ctx, filepath.Join(data, "citylens.db"))
				if err != nil {
					t.Fatal(err)
				}
				st = db
			}
			defer st.Close()

			// Case 18: a fresh production start says how to make an admin.
			p := webtest.StartServe(t, bin, env)
			if !strings.Contains(p.Log(), "citylens user add --email you@example.org --role admin") {
				t.Errorf("a start without an admin does not say how to create one:\n%s", p.Log())
			}
			p.Stop(ctx)

			// Case 9: two replicas seed the demo together.
			var wg sync.WaitGroup
			replicas := make([]*webtest.Process, 2)
			for i := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					replicas[i] = webtest.StartServe(t, bin, env, "--demo")
				}()
			}
			wg.Wait()
			for _, r := range replicas {
				if r == nil {
					t.FailNow()
				}
				r.Stop(ctx)
			}
			recs, err := st.StoredReleases(ctx, release.Filter{})
			if err != nil || len(recs) != 3 {
				t.Fatalf("after two replicas seeded: %d releases, %v; want 3 (2025, 2026, the Eurostat example)", len(recs), err)
			}

			// Case 8: the secretariat's own edition, two cities accepted.
			inds, err := st.Indicators(ctx)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			ed, _, err := catalogue.NewEdition("x2030", "The secretariat's edition", 2029, now.AddDate(0, 0, -5), now.AddDate(0, 1, 0), inds)
			if err != nil {
				t.Fatal(err)
			}
			ed.Status = catalogue.StatusOpen
			sys := auditlog.System("test")
			if err := (&catalogue.Service{Store: st, Audit: st}).CreateEdition(ctx, sys, ed); err != nil {
				t.Fatal(err)
			}
			cities, err := st.ListCities(ctx, members.CityFilter{})
			if err != nil || len(cities) < 2 {
				t.Fatalf("cities: %d, %v", len(cities), err)
			}
			dc := &datacall.Service{Store: st, Catalogue: st, Audit: st}
			admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "chief@example.org"}
			cat := catalogue.Index(inds)
			for _, c := range cities[:2] {
				ref := datacall.CityRef{Code: c.Code, Region: c.RegionCode}
				var entries []datacall.Entry
				for i, n := range ed.Indicators() {
					entries = append(entries, datacall.Entry{Row: i + 2, City: c.Code, Indicator: n.Code, Unit: cat[n.Code].Unit,
						Value: strconv.FormatFloat(demo.Value(cat[n.Code], c, 2029), 'f', -1, 64), Source: "Statistics office", DataYear: "2029"})
				}
				if _, err := dc.Import(ctx, admin, "x2030", []datacall.CityRef{ref}, entries); err != nil {
					t.Fatal(err)
				}
				for _, a := range []string{datacall.ActionSubmit, datacall.ActionAccept} {
					if _, err := dc.Transition(ctx, admin, "x2030", ref, a, "", nil); err != nil {
						t.Fatal(err)
					}
				}
			}
			p = webtest.StartServe(t, bin, env, "--demo")
			p.Stop(ctx)
			if got, err := st.StoredReleases(ctx, release.Filter{Edition: "x2030"}); err != nil || len(got) != 0 {
				t.Errorf("a --demo start published the secretariat's edition: %d releases, %v", len(got), err)
			}
			if drafts, err := st.DraftReleases(ctx, "x2030"); err != nil || len(drafts) != 0 {
				t.Errorf("a --demo start computed the secretariat's edition: %d drafts, %v", len(drafts), err)
			}

			// Case 7: without --demo, the demo accounts are refused, then stripped.
			code, _, stderr := runCmd(t, append([]string{"serve", "--addr", webtest.FreeAddr(t)}, flags...)...)
			if code == 0 || !strings.Contains(stderr, "--strip-demo") || !strings.Contains(stderr, "admin@demo.citylens") {
				t.Errorf("serve without --demo on a demo database: exit %d\n%s", code, stderr)
			}
			p = webtest.StartServe(t, bin, env, "--strip-demo")
			if !strings.Contains(p.Log(), "demo accounts disabled") {
				t.Errorf("stripping is not logged:\n%s", p.Log())
			}
			if st := signIn(t, p, "admin@demo.citylens", demo.Password); st != http.StatusUnauthorized {
				t.Errorf("the demo admin after --strip-demo: sign-in %d, want 401", st)
			}
			if !strings.Contains(p.Log(), "--role admin") {
				t.Errorf("a start whose only admin was the demo's does not say how to create one")
			}
			p.Stop(ctx)
			u, err := st.UserByEmail(ctx, "admin@demo.citylens")
			if err != nil || u.Status != accounts.StatusDisabled || u.PasswordHash != "" {
				t.Errorf("the demo admin after stripping: %+v, %v", u, err)
			}
			// Stripped, the database serves without --strip-demo.
			p = webtest.StartServe(t, bin, env)
			p.Stop(ctx)
		})
	}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn posts the sign-in form of a running server and returns the status.
func signIn(t *testing.T, p *webtest.Process, email, password string) int {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(p.URL("/login"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	res.Body.Close()
	m := csrfInput.FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in page")
	}
	res, err = c.PostForm(p.URL("/login"), url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
