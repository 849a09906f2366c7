package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestReleasePolicyFromEdition: an edition whose release configuration
// rates cities within their country under another licence gets a release
// that shows both: the cities' peer groups, the methodology's rule, the
// data package's licence; and the edition's page shows the configuration.
func TestReleasePolicyFromEdition(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		ctx := context.Background()
		fs := s.(storetest.FeatureStore)
		admin := env.ClientAs(webtest.Admin)
		ed, err := fs.Edition(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		ed.Release = json.RawMessage(`{"peer_group": "country", "licence": {"name": "CC0-1.0", "title": "Public domain", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}}`)
		if err := fs.UpdateEdition(ctx, ed); err != nil {
			t.Fatal(err)
		}
		if _, body := admin.Get("/admin/editions/2026"); !strings.Contains(body, "CC0-1.0") || !strings.Contains(body, "&#34;peer_group&#34;: &#34;country&#34;") {
			t.Errorf("edition page lacks its release policy\n%.1500s", body)
		}
		drafts, err := fs.DraftReleases(ctx, "2026")
		if err != nil || len(drafts) == 0 {
			t.Fatalf("drafts of 2026: %v, %v", drafts, err)
		}
		review := "/admin/releases/drafts/" + itoa(drafts[0].ID)
		if res, body := admin.PostForm(review+"/correct", url.Values{"n": {"20"}, "note": {"rated within countries"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d\n%.500s", res.StatusCode, body)
		}
		runJobs(t, env)
		rs := s.(release.Store)
		pub, err := rs.StoredReleases(ctx, release.Filter{Edition: "2026"})
		if err != nil || len(pub) != 2 {
			t.Fatalf("2026 releases: %d, %v", len(pub), err)
		}
		hash := pub[0].Hash

		var rk rankingsBody
		getJSON(t, env.Client(), "/api/v1/releases/"+hash+"/rankings", &rk)
		if len(rk.Rows) == 0 {
			t.Fatal("no ranked city")
		}
		for _, row := range rk.Rows {
			if row.City.PeerGroup != row.City.Country || row.City.Country == "" {
				t.Errorf("%s: peer group %q, want its country %q", row.City.Code, row.City.PeerGroup, row.City.Country)
			}
		}
		var m struct {
			Methodology release.Methodology `json:"methodology"`
		}
		getJSON(t, env.Client(), "/api/v1/releases/"+hash+"/methodology", &m)
		if m.Methodology.PeerGroup != release.PeerByCountry || m.Methodology.Summary.Licence.Name != "CC0-1.0" {
			t.Errorf("methodology: peer groups by %q, licence %+v", m.Methodology.PeerGroup, m.Methodology.Summary.Licence)
		}
		res, body := env.Client().Get("/releases/" + hash + "/download/" + release.FileDataPackage)
		if res.StatusCode != 200 || !strings.Contains(body, `"CC0-1.0"`) || strings.Contains(body, "CC-BY-4.0") {
			t.Errorf("data package: %d, want the edition's licence only\n%.600s", res.StatusCode, body)
		}
		// The release it corrects kept the demo edition's rule: peer groups
		// by the country's HDI group (IMD's rule), none where UNDP gives no
		// figure.
		var old rankingsBody
		getJSON(t, env.Client(), "/api/v1/releases/"+pub[1].Hash+"/rankings", &old)
		grouped := 0
		for _, row := range old.Rows {
			switch pg := row.City.PeerGroup; {
			case strings.HasPrefix(pg, "hdi-"):
				grouped++
			case pg != "":
				t.Errorf("%s in the first release: peer group %q, want its HDI group", row.City.Code, pg)
			}
		}
		if grouped == 0 {
			t.Error("no city of the first release is in an HDI peer group")
		}
	})
}
