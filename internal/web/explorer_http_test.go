package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Expectations of the explorer's and release workflow's routes for the
// authorisation matrix: public pages and API for everyone, the workflow for
// the secretariat only (drafts are never public).
func init() {
	pub := func(path string) []probe { return []probe{{Path: path, Allow: everyone}} }
	admin := func(path string) []probe { return []probe{{Path: path, Allow: only(webtest.Admin)}} }
	for _, base := range []string{"", "/releases/{hash}"} {
		p := strings.ReplaceAll(base, "{hash}", "latest")
		featureMatrix["GET "+base+"/rankings"] = pub(p + "/rankings")
		featureMatrix["GET "+base+"/rankings.csv"] = pub(p + "/rankings.csv")
		featureMatrix["GET "+base+"/compare.csv"] = pub(p + "/compare.csv?c=a&c=b")
		featureMatrix["GET "+base+"/indicators/{code}/distribution.csv"] = pub(p + "/indicators/EC-ICT-ICT-1C/distribution.csv")
		featureMatrix["GET "+base+"/cities/{code}"] = pub(p + "/cities/" + webtest.CityX)
		featureMatrix["GET "+base+"/compare"] = pub(p + "/compare?c=a&c=b")
		featureMatrix["GET "+base+"/indicators/{code}"] = pub(p + "/indicators/EC-ICT-ICT-1C")
		featureMatrix["GET "+base+"/methodology"] = pub(p + "/methodology")
		featureMatrix["GET "+base+"/perception"] = pub(p + "/perception")
		featureMatrix["GET "+base+"/perception.csv"] = pub(p + "/perception.csv")
	}
	featureMatrix["GET /releases"] = pub("/releases")
	featureMatrix["GET /releases/{hash}"] = pub("/releases/latest")
	featureMatrix["GET /downloads"] = pub("/downloads")
	featureMatrix["GET /releases/{hash}/download/{file}"] = pub("/releases/latest/download/results.csv")
	featureMatrix["GET /admin/releases"] = admin("/admin/releases")
	featureMatrix["GET /admin/releases/drafts/{id}"] = admin("/admin/releases/drafts/999999")
	featureMatrix["POST /admin/releases/drafts/{id}/publish"] = admin("/admin/releases/drafts/999999/publish")
	featureMatrix["POST /admin/releases/drafts/{id}/correct"] = admin("/admin/releases/drafts/999999/correct")
	featureMatrix["POST /admin/releases/drafts/{id}/preview"] = admin("/admin/releases/drafts/999999/preview")
	featureMatrix["GET /api/v1/openapi.json"] = pub("/api/v1/openapi.json")
	featureMatrix["GET /api/v1/releases"] = pub("/api/v1/releases")
	featureMatrix["GET /api/v1/releases/{hash}"] = pub("/api/v1/releases/latest")
	featureMatrix["GET /api/v1/releases/{hash}/rankings"] = pub("/api/v1/releases/latest/rankings")
	featureMatrix["GET /api/v1/releases/{hash}/cities/{code}"] = pub("/api/v1/releases/latest/cities/" + webtest.CityX)
	featureMatrix["POST /api/v1/releases/{hash}/cities/{code}/whatif"] = []probe{{Path: "/api/v1/releases/latest/cities/" + webtest.CityX + "/whatif", Body: `{"values":{"x":"1"}}`, Allow: everyone}}
	featureMatrix["GET /api/v1/releases/{hash}/compare"] = pub("/api/v1/releases/latest/compare?c=a&c=b")
	featureMatrix["GET /api/v1/releases/{hash}/indicators/{code}"] = pub("/api/v1/releases/latest/indicators/EC-ICT-ICT-1C")
	featureMatrix["GET /api/v1/releases/{hash}/methodology"] = pub("/api/v1/releases/latest/methodology")
	featureMatrix["GET /api/v1/releases/{hash}/downloads"] = pub("/api/v1/releases/latest/downloads")
}

// demoEnv is a real server on a real database with the demo network seeded
// (serve --demo's data: two synthetic editions and the Eurostat example,
// all published).
func demoEnv(t *testing.T, s storetest.Store) *webtest.Env {
	t.Helper()
	env := webtest.New(t, s, func(c *web.Config) { c.Demo = true })
	env.SeedDemo()
	return env
}

func getJSON(t *testing.T, c *webtest.Client, path string, v any) int {
	t.Helper()
	res, body := c.API(http.MethodGet, path, "", "")
	if v != nil && res.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, body)
		}
	}
	return res.StatusCode
}

type rankingsBody struct {
	Release string               `json:"release"`
	Total   int                  `json:"total"`
	Rows    []release.RankingRow `json:"rows"`
}

func TestExplorerPages(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		var rk rankingsBody
		if st := getJSON(t, c, "/api/v1/releases/latest/rankings", &rk); st != http.StatusOK || len(rk.Rows) < 50 {
			t.Fatalf("latest rankings: status %d, %d rows", st, len(rk.Rows))
		}
		first, second := rk.Rows[0].City, rk.Rows[1].City
		for _, tt := range []struct {
			path, want string
			status     int
		}{
			{"/", `id="network-map"`, 200},
			{"/", `class="pt q`, 200},
			{"/rankings", first.Name, 200},
			{"/rankings", "Demo data: the cities are real", 200},
			{"/rankings?region=EU&sort=name", "Rankings", 200},
			{"/cities/" + first.Code, `id="whatif"`, 200},
			{"/cities/" + first.Code, "Aspirational twins", 200},
			{"/compare?c=" + first.Code + "&c=" + second.Code, second.Name, 200},
			{"/indicators/EC-ICT-ICT-1C", "Crosswalk", 200},
			{"/methodology", "Sobol", 200},
			{"/methodology", "200 replications", 200},
			{"/downloads", "datapackage.json", 200},
			{"/releases", "eurostat-urban-audit", 200},
			{"/rankings?lang=ko", "순위", 200},
			// Not found: a proper 404 page, never a 500.
			{"/cities/no-such-city", "404", 404},
			{"/indicators/NO-SUCH", "404", 404},
			{"/releases/0123456789abcdef/rankings", "404", 404},
			{"/releases/" + rk.Release + "/download/secrets.txt", "404", 404},
			// Bad input: a clear 400.
			{"/rankings?lang=en&page=0", "page must be a whole number", 400},
			{"/rankings?lang=ko&page=0", "page는 1에서", 400},
			{"/rankings?sort=height", "400", 400},
			{"/compare?c=" + first.Code, "2", 200},
		} {
			t.Run(tt.path, func(t *testing.T) {
				res, body := c.Get(tt.path)
				if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
					t.Errorf("GET %s: %d, want %d containing %q\n%.600s", tt.path, res.StatusCode, tt.status, tt.want, body)
				}
			})
		}
		// The Eurostat example carries its attribution on every page.
		var list struct {
			Releases []struct {
				Hash    string `json:"hash"`
				Edition string `json:"edition"`
			} `json:"releases"`
		}
		getJSON(t, c, "/api/v1/releases", &list)
		for _, r := range list.Releases {
			if r.Edition != demo.EurostatEdition {
				continue
			}
			for _, p := range []string{"/rankings", "/methodology", "/compare"} {
				_, body := c.Get("/releases/" + r.Hash + p)
				if !strings.Contains(body, "Eurostat, Urban Audit") {
					t.Errorf("%s of the Eurostat example lacks its attribution", p)
				}
			}
		}
	})
}

func TestExplorerRankingsFilterAndCSV(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		var all, eu rankingsBody
		getJSON(t, c, "/api/v1/releases/latest/rankings", &all)
		if st := getJSON(t, c, "/api/v1/releases/latest/rankings?region=EU&sort=name", &eu); st != 200 {
			t.Fatalf("filtered rankings: %d", st)
		}
		if eu.Total == 0 || eu.Total >= all.Total {
			t.Fatalf("EU rows %d of %d", eu.Total, all.Total)
		}
		for i, r := range eu.Rows {
			if r.City.Region != "EU" {
				t.Errorf("row %d: %s is in %s", i, r.City.Code, r.City.Region)
			}
			if i > 0 && eu.Rows[i-1].City.Name > r.City.Name {
				t.Errorf("rows not sorted by name at %d", i)
			}
		}
		// The CSV download holds the API's ranks and scores.
		res, body := c.Get("/releases/" + all.Release + "/download/results.csv")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("results.csv: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		gotRank := map[string]string{}
		for _, r := range recs[1:] {
			gotRank[r[col["city"]]] = r[col["rank"]]
		}
		for _, r := range all.Rows {
			if gotRank[r.City.Code] != itoa(int64(r.Rank)) {
				t.Errorf("%s: CSV rank %q, API rank %d", r.City.Code, gotRank[r.City.Code], r.Rank)
			}
		}
	})
}

func TestExplorerWhatIf(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		var rk rankingsBody
		getJSON(t, c, "/api/v1/releases/latest/rankings", &rk)
		city := rk.Rows[len(rk.Rows)/2].City.Code
		var prof struct {
			Profile release.Profile `json:"profile"`
		}
		getJSON(t, c, "/api/v1/releases/latest/cities/"+city, &prof)
		var ind string
		for _, v := range prof.Profile.Values {
			if v.Value != nil && v.Unit == "%" {
				ind = v.Indicator
				break
			}
		}
		if ind == "" {
			t.Fatal("no percentage indicator with a value")
		}
		path := "/api/v1/releases/latest/cities/" + city + "/whatif"
		for _, tt := range []struct {
			name, body string
			status     int
			want       string
		}{
			{"not a number", `{"values":{"` + ind + `":"lots"}}`, 400, ind},
			{"out of range", `{"values":{"` + ind + `":"250"}}`, 400, ind},
			{"empty", `{"values":{}}`, 400, "at least one"},
			{"blank", `{"values":{"` + ind + `":" "}}`, 400, "empty"},
			{"object", `{"values":{"` + ind + `":{}}}`, 400, "not a number"},
			{"unknown field", `{"vals":{}}`, 400, "vals"},
			{"unknown indicator", `{"values":{"NOPE":"1"}}`, 404, "NOPE"},
			{"better value", `{"values":{"` + ind + `":"99"}}`, 200, `"result"`},
			{"as a number", `{"values":{"` + ind + `":1}}`, 200, `"result"`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				res, body := c.API(http.MethodPost, path, "", tt.body)
				if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
					t.Errorf("%s: %d, want %d containing %q\n%s", tt.body, res.StatusCode, tt.status, tt.want, body)
				}
			})
		}
		res, _ := c.API(http.MethodPost, "/api/v1/releases/latest/cities/no-such/whatif", "", `{"values":{"`+ind+`":"1"}}`)
		if res.StatusCode != 404 {
			t.Errorf("what-if of an unknown city: %d, want 404", res.StatusCode)
		}
	})
}

func TestReleaseWorkflow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		ctx := context.Background()
		rs := s.(release.Store)
		before, err := rs.StoredReleases(ctx, release.Filter{Edition: "2026"})
		if err != nil || len(before) != 1 {
			t.Fatalf("demo 2026 releases: %d, %v", len(before), err)
		}
		// Drafts are the secretariat's only.
		for role, want := range map[string]int{webtest.Focal: 403, webtest.Regional: 403, webtest.Anonymous: 303} {
			res, _ := env.ClientAs(role).Get("/admin/releases")
			if res.StatusCode != want {
				t.Errorf("%s GET /admin/releases: %d, want %d", role, res.StatusCode, want)
			}
		}
		admin := env.ClientAs(webtest.Admin)
		res, body := admin.Get("/admin/releases")
		if res.StatusCode != 200 || !strings.Contains(body, "/admin/releases/drafts/") {
			t.Fatalf("admin releases page: %d\n%.500s", res.StatusCode, body)
		}
		// A city corrects a value of 2026; the secretariat recomputes.
		fs := s.(storetest.FeatureStore)
		vals, err := fs.EditionValues(ctx, "2026")
		if err != nil || len(vals) == 0 {
			t.Fatalf("2026 values: %d, %v", len(vals), err)
		}
		v := vals[0]
		v.Value = v.Value*1.5 + 1
		if err := fs.PutValues(ctx, []datacall.Value{v}); err != nil {
			t.Fatal(err)
		}
		res, _ = admin.PostForm("/admin/editions/2026/compute", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("compute: %d", res.StatusCode)
		}
		runJobs(t, env)
		drafts, err := fs.DraftReleases(ctx, "2026")
		if err != nil || len(drafts) < 2 {
			t.Fatalf("drafts of 2026: %d, %v", len(drafts), err)
		}
		id := itoa(drafts[0].ID)
		res, body = admin.Get("/admin/releases/drafts/" + id)
		if res.StatusCode != 200 || !strings.Contains(body, `id="correct-form"`) || !strings.Contains(body, "Previous rank") {
			t.Fatalf("review page: %d\n%.800s", res.StatusCode, body)
		}
		for _, tt := range []struct {
			path   string
			form   url.Values
			status int
		}{
			{"/admin/releases/drafts/" + id + "/publish", url.Values{"n": {"20"}}, 409},               // the edition is published: correct it
			{"/admin/releases/drafts/" + id + "/correct", url.Values{"n": {"20"}}, 400},               // a correction needs a note
			{"/admin/releases/drafts/" + id + "/correct", url.Values{"n": {"5"}, "note": {"x"}}, 400}, // too few replications
			{"/admin/releases/drafts/999999/correct", url.Values{"note": {"x"}}, 404},
		} {
			res, body := admin.PostForm(tt.path, tt.form)
			if res.StatusCode != tt.status {
				t.Errorf("POST %s %v: %d, want %d\n%.300s", tt.path, tt.form, res.StatusCode, tt.status, body)
			}
		}
		// The edition names its own development stages: the correction is published with them.
		ed, err := fs.Edition(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		ed.Release = json.RawMessage(`{"stages": [{"name": "Seedling", "from": 0}, {"name": "Sapling", "from": 50}, {"name": "Canopy", "from": 58}]}`)
		if err := fs.UpdateEdition(ctx, ed); err != nil {
			t.Fatal(err)
		}
		res, _ = admin.PostForm("/admin/releases/drafts/"+id+"/correct", url.Values{"n": {"20"}, "note": {"Tokyo's value was mistyped"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d", res.StatusCode)
		}
		runJobs(t, env)
		after, err := rs.StoredReleases(ctx, release.Filter{Edition: "2026"})
		if err != nil || len(after) != 2 {
			t.Fatalf("2026 releases after the correction: %d, %v", len(after), err)
		}
		fix := after[0]
		if fix.Corrects != before[0].Hash || fix.ChangeNote != "Tokyo's value was mistyped" || len(fix.Changes) == 0 || fix.PublishedBy != "admin@test.citylens" {
			t.Errorf("correction record: %+v", fix)
		}
		// The public explorer moves to the correction, which shows its change log.
		var rk rankingsBody
		getJSON(t, env.Client(), "/api/v1/releases/latest/rankings", &rk)
		if rk.Release != fix.Hash {
			t.Errorf("latest release %s, want the correction %s", rk.Release, fix.Hash)
		}
		stages := map[string]bool{}
		for _, row := range rk.Rows {
			stages[row.Stage] = true
		}
		for st := range stages {
			if st != "Seedling" && st != "Sapling" && st != "Canopy" {
				t.Errorf("stage %q in the correction: want the edition's own stages", st)
			}
		}
		if len(stages) < 2 {
			t.Errorf("stages in the correction: %v, want several of the edition's", stages)
		}
		_, body = env.Client().Get("/releases/" + fix.Hash)
		if !strings.Contains(body, `id="changelog"`) || !strings.Contains(body, "mistyped") {
			t.Errorf("correction page lacks its change log")
		}
		// The old release stays public and unchanged.
		if res, _ := env.Client().Get("/releases/" + before[0].Hash + "/rankings"); res.StatusCode != 200 {
			t.Errorf("the corrected release: %d", res.StatusCode)
		}
		entries, err := s.ListAudit(ctx, auditlog.Filter{Action: release.AuditPublish, EntityID: fix.Hash})
		if err != nil || len(entries) != 1 || entries[0].ActorEmail != "admin@test.citylens" {
			t.Errorf("publish audit entry: %+v, %v", entries, err)
		}
	})
}

func runJobs(t *testing.T, env *webtest.Env) {
	t.Helper()
	for {
		ran, err := env.Server.Queue().RunOne(context.Background(), "test-worker")
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

// TestOpenAPIConformance checks the OpenAPI document against the route
// table and the real handlers.
func TestOpenAPIConformance(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		registered := map[string]web.Route{}
		for _, rt := range env.Server.Routes() {
			registered[rt.Pattern] = rt
		}
		ops := env.Server.APIOperations()
		schemas := newAPISchemas(t, env.Server)
		documented := map[string]bool{}
		for _, op := range ops {
			documented[op.Pattern()] = true
		}
		var undocumented []string
		for p, rt := range registered {
			if rt.API && !documented[p] {
				undocumented = append(undocumented, p)
			}
		}
		sort.Strings(undocumented)
		if diff := cmp.Diff([]string(nil), undocumented); diff != "" {
			t.Errorf("API routes missing from the OpenAPI document (-want +got):\n%s", diff)
		}
		var rk rankingsBody
		getJSON(t, c, "/api/v1/releases/latest/rankings", &rk)
		a, b := rk.Rows[0].City.Code, rk.Rows[1].City.Code
		examples := strings.NewReplacer("{hash}", "latest", "{entity_type}", "city", "{entity_id}", webtest.CityX, "{id}", "1", "{edition}", "2026")
		cityFor := map[string]string{"/api/v1/cities/{code}": webtest.CityX}
		query := map[string]string{"compare": "?c=" + a + "&c=" + b, "getRankings": "?region=EU&limit=5"}
		for _, op := range ops {
			t.Run(op.ID, func(t *testing.T) {
				if _, ok := registered[op.Pattern()]; !ok {
					t.Fatalf("documented %s is not a registered route", op.Pattern())
				}
				path := examples.Replace(op.Path)
				if strings.HasPrefix(op.Path, "/api/v1/prize/") {
					path = strings.ReplaceAll(path, "{edition}", "2026") // the demo's prize edition
				}
				code := a
				if cf, ok := cityFor[op.Path]; ok {
					code = cf
				}
				if strings.Contains(op.Path, "/indicators/") {
					code = "EC-ICT-ICT-1C"
				}
				path = strings.ReplaceAll(path, "{code}", code) + query[op.ID]
				body := ""
				if op.Method == http.MethodPost {
					var prof struct {
						Profile release.Profile `json:"profile"`
					}
					getJSON(t, c, "/api/v1/releases/latest/cities/"+a, &prof)
					for _, v := range prof.Profile.Values {
						if v.Value != nil {
							body = `{"values":{"` + v.Indicator + `":` + strconv.FormatFloat(*v.Value, 'g', -1, 64) + `}}`
							break
						}
					}
				} else if op.Method == http.MethodPut {
					body = `{}`
				}
				res, got := c.API(op.Method, path, "", body)
				if op.Auth {
					if res.StatusCode != http.StatusUnauthorized {
						t.Errorf("%s %s without a token: %d, want 401", op.Method, path, res.StatusCode)
					}
					return
				}
				if op.ID == "getSurveyResults" && res.StatusCode == http.StatusNotFound {
					// The demo computes no survey figures: the answer is the
					// documented 404 (the survey's tests check the figures).
					schemas.validate(t, op.ID, res.StatusCode, got)
					return
				}
				if res.StatusCode != op.Status {
					t.Fatalf("%s %s: %d, want %d\n%.500s", op.Method, path, res.StatusCode, op.Status, got)
				}
				schemas.validate(t, op.ID, res.StatusCode, got)
			})
		}
		// The served document is the one built from the table.
		var served, built any
		getJSON(t, c, "/api/v1/openapi.json", &served)
		b2, _ := json.Marshal(env.Server.OpenAPI())
		json.Unmarshal(b2, &built)
		if diff := cmp.Diff(built, served); diff != "" {
			t.Errorf("served OpenAPI document differs (-built +served):\n%.2000s", diff)
		}
		doc := served.(map[string]any)
		if doc["openapi"] != "3.1.0" {
			t.Errorf("openapi = %v", doc["openapi"])
		}
	})
}
