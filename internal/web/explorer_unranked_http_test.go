package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

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
