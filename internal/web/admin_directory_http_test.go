package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// directorySnapshot is every office and partner, and the audit log's size.
type directorySnapshot struct {
	Offices  []members.Office
	Partners []members.Partner
	Audit    int
}

func snapshotDirectory(t *testing.T, s storetest.Store) directorySnapshot {
	t.Helper()
	ctx := context.Background()
	offices, err := s.ListOffices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := s.ListPartners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	es, err := s.ListAudit(ctx, auditlog.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return directorySnapshot{offices, ps, len(es)}
}

// auditOf returns the audit entries of one entity, newest first.
func auditOf(t *testing.T, s storetest.Store, entityType, id string) []auditlog.Entry {
	t.Helper()
	es, err := s.ListAudit(context.Background(), auditlog.Filter{EntityType: entityType, EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func expectBody(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: page lacks %q:\n%.3000s", what, w, body)
		}
	}
}

func expectFlash(t *testing.T, res *http.Response, path, flash string) {
	flashOf := func(res *http.Response) string { return flashText(res) }
	t.Helper()
	loc := res.Header.Get("Location")
	if got := flashOf(res); !strings.HasPrefix(loc, path+"?") || got != flash {
		t.Errorf("redirect to %q (flash %q), want %s with the flash %q", loc, got, path, flash)
	}
}

func TestAdminOffices(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		ctx := context.Background()
		admin := env.ClientAs(webtest.Admin)

		res, body := admin.Get("/admin/offices")
		expectStatus(t, "list", res, body, http.StatusOK)
		// The fixture's Asia office serves Seoul and Busan.
		expectBody(t, "list", body, "Asia Office", "<td>Asia</td>", `<td class="num">2</td>`, `href="/admin/offices/office-asia"`,
			`action="/admin/offices"`, `name="csrf" value="`+admin.CSRF+`"`)

		// Create.
		res, body = admin.PostForm("/admin/offices", url.Values{"code": {"office-africa"}, "name": {" Africa Office "},
			"region": {"AF"}, "host_city": {"Nairobi"}})
		expectStatus(t, "create", res, body, http.StatusSeeOther)
		expectFlash(t, res, "/admin/offices", "Regional office Africa Office (office-africa) created.")
		want := members.Office{Code: "office-africa", Name: "Africa Office", RegionCode: "AF", HostCity: "Nairobi"}
		if got, err := s.Office(ctx, "office-africa"); err != nil || got != want {
			t.Fatalf("created office = %+v, %v; want %+v", got, err, want)
		}
		es := auditOf(t, s, "office", "office-africa")
		if len(es) != 1 || es[0].Action != "office.create" || es[0].ActorEmail != "admin@test.citylens" || string(es[0].Before) != "null" {
			t.Errorf("audit of the creation: %+v", es)
		}

		// Edit: the code is the path's, whatever the form says.
		res, body = admin.Get("/admin/offices/office-africa")
		expectStatus(t, "edit form", res, body, http.StatusOK)
		expectBody(t, "edit form", body, `value="Africa Office"`, `value="Nairobi"`, `<option value="AF" selected>`,
			`action="/admin/offices/office-africa"`)
		res, body = admin.PostForm("/admin/offices/office-africa", url.Values{"code": {"office-hijack"}, "name": {"Africa Regional Office"},
			"region": {"AF"}, "host_city": {"Kigali"}})
		expectStatus(t, "edit", res, body, http.StatusSeeOther)
		expectFlash(t, res, "/admin/offices", "Africa Regional Office saved.")
		want = members.Office{Code: "office-africa", Name: "Africa Regional Office", RegionCode: "AF", HostCity: "Kigali"}
		if got, err := s.Office(ctx, "office-africa"); err != nil || got != want {
			t.Errorf("edited office = %+v, %v; want %+v", got, err, want)
		}
		if _, err := s.Office(ctx, "office-hijack"); err == nil {
			t.Error("the edit form created an office under the code it sent")
		}
		es = auditOf(t, s, "office", "office-africa")
		if len(es) != 2 || es[0].Action != "office.update" || !strings.Contains(string(es[0].Before), `"host_city":"Nairobi"`) ||
			!strings.Contains(string(es[0].After), `"host_city":"Kigali"`) {
			t.Errorf("audit of the edit: %+v", es)
		}
		// Saving it unchanged records nothing.
		res, body = admin.PostForm("/admin/offices/office-africa", url.Values{"name": {"Africa Regional Office"}, "region": {"AF"}, "host_city": {"Kigali"}})
		expectStatus(t, "unchanged save", res, body, http.StatusSeeOther)
		if n := len(auditOf(t, s, "office", "office-africa")); n != 2 {
			t.Errorf("an unchanged save wrote an audit entry (%d entries)", n)
		}

		before := snapshotDirectory(t, s)
		for _, tc := range []struct {
			name, path string
			form       url.Values
			status     int
			wants      []string
		}{
			{"duplicate code", "/admin/offices", url.Values{"code": {"office-asia"}, "name": {"Second Asia Office"}, "region": {"AS"}},
				http.StatusConflict, []string{"code: a regional office with code &#34;office-asia&#34; already exists (Asia Office)",
					`id="code-error"`, `value="Second Asia Office"`}},
			{"duplicate code and other problems", "/admin/offices", url.Values{"code": {"office-asia"}, "name": {""}, "region": {"AS"}},
				http.StatusBadRequest, []string{"name: is required", "already exists"}},
			{"missing name and unknown region", "/admin/offices/office-africa", url.Values{"name": {"  "}, "region": {"ZZ"}, "host_city": {"Kampala"}},
				http.StatusBadRequest, []string{"Nothing was saved", "name: is required", "region: unknown region &#34;ZZ&#34;",
					`id="name-error"`, `id="region-error"`, `aria-invalid="true"`, `value="Kampala"`}},
			{"bad code", "/admin/offices", url.Values{"code": {"Office Asia!"}, "name": {"Asia"}, "region": {"AS"}},
				http.StatusBadRequest, []string{"code: &#34;Office Asia!&#34; must be 2-63 lower-case letters", `value="Office Asia!"`}},
			{"missing region", "/admin/offices", url.Values{"code": {"office-x"}, "name": {"X Office"}},
				http.StatusBadRequest, []string{"region: is required", `value="office-x"`, `value="X Office"`}},
			{"region of an office serving cities", "/admin/offices/office-asia", url.Values{"name": {"Asia Office"}, "region": {"EU"}},
				http.StatusBadRequest, []string{"the office serves 2 cities of region AS"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := admin.PostForm(tc.path, tc.form)
				expectStatus(t, tc.name, res, body, tc.status)
				expectBody(t, tc.name, body, tc.wants...)
			})
		}
		if d := cmp.Diff(before, snapshotDirectory(t, s)); d != "" {
			t.Errorf("rejected forms changed data (-before +after):\n%s", d)
		}

		res, body = admin.Get("/admin/offices/office-nowhere")
		expectStatus(t, "unknown office", res, body, http.StatusNotFound)
		res, body = admin.PostForm("/admin/offices/office-nowhere", url.Values{"name": {"Nowhere"}, "region": {"AS"}})
		expectStatus(t, "unknown office saved", res, body, http.StatusNotFound)

		// Only the secretariat: a regional officer is refused, anonymous
		// visitors are sent to sign in, and nothing changes.
		regional := env.ClientAs(webtest.Regional)
		res, body = regional.PostForm("/admin/offices", url.Values{"code": {"office-sneaky"}, "name": {"Sneaky"}, "region": {"AS"}})
		expectStatus(t, "regional officer creates", res, body, http.StatusForbidden)
		res, body = regional.PostForm("/admin/offices/office-asia", url.Values{"name": {"Renamed"}, "region": {"AS"}})
		expectStatus(t, "regional officer edits", res, body, http.StatusForbidden)
		res, body = env.ClientAs(webtest.Focal).Get("/admin/offices")
		expectStatus(t, "focal point lists", res, body, http.StatusForbidden)
		res, body = env.Client().Get("/admin/offices")
		expectStatus(t, "anonymous lists", res, body, http.StatusSeeOther)
		if d := cmp.Diff(before, snapshotDirectory(t, s)); d != "" {
			t.Errorf("refused requests changed data (-before +after):\n%s", d)
		}

		// The form without the session's token is refused.
		res, body = admin.PostForm("/admin/offices", url.Values{"csrf": {"stale"}, "code": {"office-csrf"}, "name": {"CSRF"}, "region": {"AS"}})
		expectStatus(t, "stale token", res, body, http.StatusForbidden)
		if _, err := s.Office(ctx, "office-csrf"); err == nil {
			t.Error("a form without the CSRF token created an office")
		}
	})
}

func TestAdminPartners(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		ctx := context.Background()
		admin := env.ClientAs(webtest.Admin)

		res, body := admin.Get("/admin/partners")
		expectStatus(t, "list", res, body, http.StatusOK)
		expectBody(t, "list", body, "Urban Data Institute", "Research institute", `href="https://example.org/udi"`,
			`<option value="nonprofit">Non-profit organisation</option>`)

		res, body = admin.PostForm("/admin/partners", url.Values{"code": {"partner-grid"}, "name": {"Smart Grid Institute"},
			"kind": {"university"}, "country": {"kor"}, "website": {"https://example.org/sgi"}})
		expectStatus(t, "create", res, body, http.StatusSeeOther)
		expectFlash(t, res, "/admin/partners", "Partner organisation Smart Grid Institute (partner-grid) added.")
		want := members.Partner{Code: "partner-grid", Name: "Smart Grid Institute", Kind: "university", Country: "KOR", Website: "https://example.org/sgi"}
		if got, err := s.Partner(ctx, "partner-grid"); err != nil || got != want {
			t.Fatalf("created partner = %+v, %v; want %+v", got, err, want)
		}

		res, body = admin.Get("/admin/partners/partner-grid")
		expectStatus(t, "edit form", res, body, http.StatusOK)
		expectBody(t, "edit form", body, `value="Smart Grid Institute"`, `<option value="university" selected>`)
		res, body = admin.PostForm("/admin/partners/partner-grid", url.Values{"name": {"Smart Grid Institute"}, "kind": {"research"},
			"country": {"KOR"}, "website": {""}})
		expectStatus(t, "edit", res, body, http.StatusSeeOther)
		want.Kind, want.Website = "research", ""
		if got, err := s.Partner(ctx, "partner-grid"); err != nil || got != want {
			t.Errorf("edited partner = %+v, %v; want %+v", got, err, want)
		}
		es := auditOf(t, s, "partner", "partner-grid")
		if len(es) != 2 || es[0].Action != "partner.update" || es[1].Action != "partner.create" {
			t.Fatalf("partner audit: %+v", es)
		}
		var prev members.Partner
		if err := json.Unmarshal(es[0].Before, &prev); err != nil || prev.Kind != "university" || prev.Website != "https://example.org/sgi" {
			t.Errorf("the update's audit entry lacks the previous partner: %s", es[0].Before)
		}

		before := snapshotDirectory(t, s)
		for _, tc := range []struct {
			name, path string
			form       url.Values
			status     int
			wants      []string
		}{
			{"duplicate code", "/admin/partners", url.Values{"code": {webtest.PartnerOrg}, "name": {"Another"}, "kind": {"company"}},
				http.StatusConflict, []string{"a partner organisation with code &#34;partner-udi&#34; already exists (Urban Data Institute)"}},
			{"every field wrong", "/admin/partners/partner-grid", url.Values{"name": {""}, "kind": {"mafia"}, "country": {"Korea"}, "website": {"javascript:alert(1)"}},
				http.StatusBadRequest, []string{"name: is required", "kind: &#34;mafia&#34; is not one of company", "country: &#34;KOREA&#34; is not an ISO 3166-1",
					"website: &#34;javascript:alert(1)&#34; is not a web address", `id="kind-error"`, `id="website-error"`,
					`<option value="mafia" selected>`, `value="Korea"`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := admin.PostForm(tc.path, tc.form)
				expectStatus(t, tc.name, res, body, tc.status)
				expectBody(t, tc.name, body, tc.wants...)
			})
		}
		res, body = env.ClientAs(webtest.Partner).PostForm("/admin/partners/partner-grid", url.Values{"name": {"Mine now"}, "kind": {"company"}})
		expectStatus(t, "partner account edits", res, body, http.StatusForbidden)
		if d := cmp.Diff(before, snapshotDirectory(t, s)); d != "" {
			t.Errorf("rejected forms changed data (-before +after):\n%s", d)
		}

		// Korean pages speak Korean, domain problems aside.
		res, body = admin.Get("/admin/partners?lang=ko")
		expectStatus(t, "Korean list", res, body, http.StatusOK)
		expectBody(t, "Korean list", body, "<h1>협력 기관</h1>", "연구 기관", "새 협력 기관")
	})
}

// The admin finds the directory screens in the navigation; others do not.
func TestDirectoryNavigation(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	for role, want := range map[string]bool{webtest.Admin: true, webtest.Regional: false, webtest.Anonymous: false} {
		res, body := env.ClientAs(role).Get("/members")
		expectStatus(t, role, res, body, http.StatusOK)
		for _, link := range []string{`href="/admin/offices"`, `href="/admin/partners"`} {
			if strings.Contains(body, link) != want {
				t.Errorf("navigation of %s: has %s = %v, want %v", role, link, !want, want)
			}
		}
	}
}
