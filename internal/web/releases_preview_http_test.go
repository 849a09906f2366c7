package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestReleasePreview: the secretariat previews a draft (bands, ties, audit
// flags, rank changes) through the preview-release job; nothing is
// published by it, and publishing the same draft gives the previewed hash.
func TestReleasePreview(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		ctx := context.Background()
		rs := s.(release.Store)
		fs := s.(storetest.FeatureStore)
		before, err := rs.StoredReleases(ctx, release.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		vals, err := fs.EditionValues(ctx, "2026")
		if err != nil || len(vals) == 0 {
			t.Fatalf("2026 values: %d, %v", len(vals), err)
		}
		v := vals[0]
		v.Value = v.Value*1.5 + 1
		if err := fs.PutValues(ctx, []datacall.Value{v}); err != nil {
			t.Fatal(err)
		}
		admin := env.ClientAs(webtest.Admin)
		if res, _ := admin.PostForm("/admin/editions/2026/compute", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("compute: %d", res.StatusCode)
		}
		runJobs(t, env)
		drafts, err := fs.DraftReleases(ctx, "2026")
		if err != nil || len(drafts) < 2 {
			t.Fatalf("drafts of 2026: %d, %v", len(drafts), err)
		}
		id := itoa(drafts[0].ID)
		review := "/admin/releases/drafts/" + id
		res, body := admin.Get(review)
		if res.StatusCode != 200 || !strings.Contains(body, `id="preview-form"`) || strings.Contains(body, `id="preview-hash"`) {
			t.Fatalf("review page before a preview: %d\n%.800s", res.StatusCode, body)
		}
		for _, tt := range []struct {
			path   string
			form   url.Values
			status int
		}{
			{review + "/preview", url.Values{"n": {"5"}}, 400},
			{review + "/preview", url.Values{"n": {"many"}}, 400},
			{"/admin/releases/drafts/999999/preview", nil, 404},
			{"/admin/releases/drafts/x/preview", nil, 400},
		} {
			if res, body := admin.PostForm(tt.path, tt.form); res.StatusCode != tt.status {
				t.Errorf("POST %s %v: %d, want %d\n%.300s", tt.path, tt.form, res.StatusCode, tt.status, body)
			}
		}
		for role, want := range map[string]int{webtest.Focal: 403, webtest.Regional: 403} {
			if res, _ := env.ClientAs(role).PostForm(review+"/preview", url.Values{"n": {"20"}}); res.StatusCode != want {
				t.Errorf("%s POST preview: %d, want %d", role, res.StatusCode, want)
			}
		}
		res, _ = admin.PostForm(review+"/preview", url.Values{"n": {"20"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("preview: %d", res.StatusCode)
		}
		runJobs(t, env)
		res, body = admin.Get(review)
		if res.StatusCode != 200 {
			t.Fatalf("review page: %d", res.StatusCode)
		}
		for _, want := range []string{`id="preview-hash"`, `id="preview-current"`, `id="preview-ranks"`, `id="preview-audit"`, `id="preview-jobs"`, "20 replications"} {
			if !strings.Contains(body, want) {
				t.Errorf("review page lacks %q", want)
			}
		}
		pv, _, err := s.(release.PreviewStore).Preview(ctx, drafts[0].ID)
		if err != nil || pv.N != 20 || !strings.Contains(body, pv.Hash) {
			t.Fatalf("stored preview %+v, %v", pv, err)
		}
		// Nothing is published by a preview, and it is not public.
		after, err := rs.StoredReleases(ctx, release.Filter{})
		if err != nil || len(after) != len(before) {
			t.Fatalf("releases after a preview: %d, want %d (%v)", len(after), len(before), err)
		}
		for _, p := range []string{"/releases/" + pv.Hash, "/releases/" + pv.Hash + "/rankings", "/api/v1/releases/" + pv.Hash} {
			if res, _ := env.Client().Get(p); res.StatusCode != 404 {
				t.Errorf("GET %s of a preview: %d, want 404", p, res.StatusCode)
			}
		}
		// Publishing the previewed draft gives the previewed release.
		if res, _ := admin.PostForm(review+"/correct", url.Values{"n": {"20"}, "note": {"a value was mistyped"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct: %d", res.StatusCode)
		}
		runJobs(t, env)
		pub, err := rs.StoredReleases(ctx, release.Filter{Edition: "2026"})
		if err != nil || len(pub) != 2 || pub[0].Hash != pv.Hash {
			t.Fatalf("published %+v (%v), want the previewed hash %s", pub, err, pv.Hash)
		}
		// The preview showed the published bands, ties, changes and audit flags.
		var rk rankingsBody
		getJSON(t, env.Client(), "/api/v1/releases/"+pv.Hash+"/rankings", &rk)
		for _, r := range rk.Rows {
			row := `data-city="` + r.City.Code + `"><td class="num">` + itoa(int64(r.Rank))
			if !strings.Contains(body, row) {
				t.Errorf("preview lacks %s at rank %d", r.City.Code, r.Rank)
			}
		}
		var m struct {
			Audit []release.AuditFlag `json:"audit"`
		}
		getJSON(t, env.Client(), "/api/v1/releases/"+pv.Hash+"/methodology", &m)
		for _, f := range m.Audit {
			if !strings.Contains(body, html.EscapeString(f.Text)) {
				t.Errorf("preview lacks the audit flag %q", f.Text)
			}
		}
	})
}
