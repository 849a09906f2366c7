package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
)

// TestExplorerNotRanked: a member city the release has no data for, or
// that the method screened out, has a page saying why (not a 404), and the
// rankings page lists it under the table; an unknown code stays a 404.
func TestExplorerNotRanked(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		ctx := context.Background()
		newcomer := members.City{Code: "zz-newtown", Name: "Newtown", Country: "ZZ", RegionCode: "EU", Status: members.StatusMember,
			Population: 400_000, Latitude: 50, Longitude: 10}
		if err := s.PutCity(ctx, newcomer); err != nil {
			t.Fatal(err)
		}
		c := env.Client()
		var rk struct {
			Release  string                 `json:"release"`
			Unranked []release.UnrankedCity `json:"unranked"`
		}
		if st := getJSON(t, c, "/api/v1/releases/latest/rankings", &rk); st != 200 {
			t.Fatalf("rankings API: %d", st)
		}
		res, body := c.Get("/rankings")
		if res.StatusCode != 200 || !strings.Contains(body, `id="unranked-table"`) {
			t.Fatalf("rankings page: %d, no list of cities not ranked", res.StatusCode)
		}
		if !strings.Contains(body, `data-city="zz-newtown"`) || !strings.Contains(body, "no accepted data for this edition") {
			t.Errorf("the rankings page does not list the member city without data")
		}
		for _, u := range rk.Unranked {
			if !strings.Contains(body, `data-city="`+u.City.Code+`"`) {
				t.Errorf("the rankings page drops the not-ranked city %s", u.City.Code)
			}
		}
		// Under a filter, only the not-ranked cities it matches.
		if _, body := c.Get("/rankings?region=EU"); !strings.Contains(body, `data-city="zz-newtown"`) {
			t.Errorf("the EU rankings do not list the EU member city without data")
		}
		if _, body := c.Get("/rankings?region=AS"); strings.Contains(body, `data-city="zz-newtown"`) {
			t.Errorf("the AS rankings list an EU city without data")
		}
		res, body = c.Get("/cities/zz-newtown")
		if res.StatusCode != 200 || !strings.Contains(body, `id="not-ranked"`) || !strings.Contains(body, "no accepted data for this edition") ||
			!strings.Contains(body, `id="never-ranked"`) || strings.Contains(body, `id="whatif"`) {
			t.Errorf("member city without data: %d\n%.1500s", res.StatusCode, body)
		}
		if _, body := c.Get("/cities/zz-newtown?lang=ko"); !strings.Contains(body, "승인된 데이터가 없음") {
			t.Errorf("the Korean page of a city without data lacks the reason")
		}
		for _, u := range rk.Unranked {
			res, body := c.Get("/cities/" + u.City.Code)
			if res.StatusCode != 200 || !strings.Contains(body, `id="why-unranked"`) {
				t.Errorf("not-ranked city %s: %d", u.City.Code, res.StatusCode)
			}
		}
		// Unknown codes stay 404; so does a member in an example edition.
		if res, _ := c.Get("/cities/zz-nowhere"); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown city: %d, want 404", res.StatusCode)
		}
		if st := getJSON(t, c, "/api/v1/releases/latest/cities/zz-newtown", nil); st != http.StatusNotFound {
			t.Errorf("API profile of a city not in the release: %d, want 404", st)
		}
		t.Logf("%d cities not ranked in the latest release", len(rk.Unranked))
	})
}

// TestExplorerNotRankedLinksToLatestRanking: a member city ranked in 2025
// but left out of a correction of 2026 links to its 2025 ranking.
func TestExplorerNotRankedLinksToLatestRanking(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		ctx := context.Background()
		rs := s.(release.Store)
		wf := &release.Workflow{Store: rs, Audit: s}
		load := func(edition string) *release.Release {
			t.Helper()
			rec, err := wf.Latest(ctx, edition)
			if err != nil {
				t.Fatal(err)
			}
			r, err := wf.Load(ctx, rec.Hash)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r25, r26 := load("2025"), load("2026")
		rows, err := r25.Rankings(release.RankingQuery{Limit: 1})
		if err != nil || len(rows) == 0 {
			t.Fatalf("2025 ranking: %v", err)
		}
		gone := rows[0].City
		dr := r26.Draft()
		var cities []release.City
		for _, c := range dr.Cities {
			if c.Code != gone.Code {
				cities = append(cities, c)
			}
		}
		var data []release.DataPoint
		for _, p := range dr.Data {
			if p.City != gone.Code {
				data = append(data, p)
			}
		}
		dr.Cities, dr.Data = cities, data
		cfg := r26.Config()
		cfg.Uncertainty.N, cfg.Uncertainty.SkipSA = 20, true
		fix, err := release.Publish(ctx, release.PublishInput{Draft: dr, Config: cfg, Previous: r25, Corrects: r26, PublishedAt: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wf.Save(ctx, auditlog.System("test"), release.PublishRequest{Release: fix, Title: "2026 without " + gone.Code, ChangeNote: "withdrawn"}); err != nil {
			t.Fatal(err)
		}
		res, body := env.Client().Get("/cities/" + gone.Code)
		want := `id="ranked-in" href="/releases/` + r25.Hash() + `/cities/` + gone.Code + `"`
		if res.StatusCode != 200 || !strings.Contains(body, `id="not-ranked"`) || !strings.Contains(body, want) {
			t.Errorf("GET /cities/%s after its withdrawal: %d, want a page linking to its 2025 ranking (%s)\n%.1500s", gone.Code, res.StatusCode, want, body)
		}
	})
}
