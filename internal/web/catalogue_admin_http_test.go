package web_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// indicatorForm is a complete, valid indicator form.
func indicatorForm() url.Values {
	return url.Values{
		"code": {"CL-AIR-1"}, "name": {"Fine particulate matter (PM2.5)"},
		"definition": {"Annual mean concentration of PM2.5 at the city's monitoring stations."},
		"unit":       {"µg/m³"}, "direction": {"-1"}, "min": {"0"}, "max": {"500"},
		"pillar": {"E"}, "u4ssc": {"EN: EN: AQ: 1C"}, "u4ssc_tier": {"core"}, "dimension": {"Environment"},
		"subdimension": {"Environment"}, "category": {"Air Quality"}, "iso37120": {"8.1"}, "iso37122": {""}, "iso37123": {""},
		"sdg_goals": {"3, 11"}, "sdg_targets": {"11.6; 3.9"},
		"guidance": {"The national environment agency's annual air quality report."}, "notes": {"Added by the secretariat."},
	}
}

func withField(f url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// catalogueState is the catalogue and the audit log's size.
func catalogueState(t *testing.T, env *webtest.Env) ([]catalogue.Indicator, int) {
	t.Helper()
	ctx := context.Background()
	inds, err := env.Store.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	es, err := env.Store.ListAudit(ctx, auditlog.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return inds, len(es)
}

func TestIndicatorCreateAndEdit(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		featureMatrixSetup(t, env) // the U4SSC catalogue and edition 2026 (open) drawn from it
		ctx := context.Background()
		admin := env.ClientAs(webtest.Admin)

		// The public pages offer editing to admins only.
		res, body := admin.Get("/catalogue")
		expectStatus(t, "catalogue as admin", res, body, http.StatusOK)
		expectBody(t, "catalogue as admin", body, `href="/admin/catalogue/new"`)
		res, body = admin.Get("/catalogue/EC-P-EM-1C")
		expectStatus(t, "indicator as admin", res, body, http.StatusOK)
		expectBody(t, "indicator as admin", body, `href="/admin/catalogue/EC-P-EM-1C/edit"`)
		for _, role := range []string{webtest.Anonymous, webtest.Regional} {
			c := env.ClientAs(role)
			_, list := c.Get("/catalogue")
			_, page := c.Get("/catalogue/EC-P-EM-1C")
			if strings.Contains(list, "/admin/catalogue/new") || strings.Contains(page, "/admin/catalogue/EC-P-EM-1C/edit") {
				t.Errorf("the catalogue offers editing to %s", role)
			}
		}

		// Create.
		res, body = admin.Get("/admin/catalogue/new")
		expectStatus(t, "new form", res, body, http.StatusOK)
		expectBody(t, "new form", body, `action="/admin/catalogue"`, `name="csrf" value="`+admin.CSRF+`"`, `id="sdg_targets"`)
		res, body = admin.PostForm("/admin/catalogue", indicatorForm())
		expectStatus(t, "create", res, body, http.StatusSeeOther)
		expectFlash(t, res, "/catalogue/CL-AIR-1", "Indicator CL-AIR-1 added to the catalogue.")
		got, err := env.Store.Indicator(ctx, "CL-AIR-1")
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := 0.0, 500.0
		want := catalogue.Indicator{Code: "CL-AIR-1", Name: "Fine particulate matter (PM2.5)",
			Definition: "Annual mean concentration of PM2.5 at the city's monitoring stations.", Unit: "µg/m³", Direction: -1,
			Min: &lo, Max: &hi, Guidance: "The national environment agency's annual air quality report.", Notes: "Added by the secretariat.",
			Xwalk: catalogue.Crosswalk{U4SSC: "EN: EN: AQ: 1C", U4SSCTier: "core", Dimension: "Environment", Subdimension: "Environment",
				Category: "Air Quality", ISO37120: "8.1", SDGGoals: []int{3, 11}, SDGTargets: []string{"11.6", "3.9"}, Pillar: "E"}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("created indicator:\n got %+v\nwant %+v", got, want)
		}
		es := auditOf(t, s, "indicator", "CL-AIR-1")
		if len(es) != 1 || es[0].Action != "indicator.create" || es[0].ActorEmail != "admin@test.citylens" {
			t.Errorf("audit of the creation: %+v", es)
		}
		_, body = admin.Get("/catalogue/CL-AIR-1")
		expectBody(t, "public page", body, "Fine particulate matter (PM2.5)", "µg/m³", "lower is better", "0 to 500",
			"Environmental", "8.1", "SDG 3, SDG 11", "11.6, 3.9", "annual air quality report")

		// Edit: the new indicator is in no edition, so its direction and
		// range change at once. The code is the path's.
		res, body = admin.Get("/admin/catalogue/CL-AIR-1/edit")
		expectStatus(t, "edit form", res, body, http.StatusOK)
		expectBody(t, "edit form", body, `value="Fine particulate matter (PM2.5)"`, `<option value="-1" selected>`,
			`<option value="E" selected>`, `value="3, 11"`, `value="11.6, 3.9"`, `action="/admin/catalogue/CL-AIR-1"`)
		if strings.Contains(body, `class="warning"`) {
			t.Error("the edit form of an indicator no edition uses warns about editions")
		}
		edited := withField(indicatorForm(), "code", "HIJACK", "name", "Clean air days", "unit", "% of days", "direction", "1",
			"min", "0", "max", "100", "pillar", "S", "guidance", "Count the days under the WHO guideline.", "sdg_goals", "11", "sdg_targets", "11.6")
		res, body = admin.PostForm("/admin/catalogue/CL-AIR-1", edited)
		expectStatus(t, "edit", res, body, http.StatusSeeOther)
		expectFlash(t, res, "/catalogue/CL-AIR-1", "Indicator CL-AIR-1 saved.")
		if _, err := env.Store.Indicator(ctx, "HIJACK"); err == nil {
			t.Error("the edit form created an indicator under the code it sent")
		}
		_, body = env.Client().Get("/catalogue/CL-AIR-1")
		expectBody(t, "public page after the edit", body, "<h1>Clean air days", "% of days", "higher is better", "0 to 100",
			"Social", "SDG 11", "Count the days under the WHO guideline.")
		if strings.Contains(body, "맑은 공기") {
			t.Error("the English page shows a Korean name the indicator does not have yet")
		}
		// The Korean name, unit and definition: saved by the form, shown
		// on Korean pages, English ones kept on English pages.
		res, body = admin.PostForm("/admin/catalogue/CL-AIR-1", withField(edited, "name_ko", "맑은 공기 일수", "unit_ko", "일수 비율(%)", "definition_ko", "WHO 권고 기준 이하인 날의 비율"))
		expectStatus(t, "edit in Korean", res, body, http.StatusSeeOther)
		if got, _ := env.Store.Indicator(ctx, "CL-AIR-1"); got.Ko != (catalogue.Korean{Name: "맑은 공기 일수", Unit: "일수 비율(%)", Definition: "WHO 권고 기준 이하인 날의 비율"}) {
			t.Errorf("Korean text saved: %+v", got.Ko)
		}
		_, body = admin.Get("/admin/catalogue/CL-AIR-1/edit")
		expectBody(t, "edit form in Korean", body, `id="name_ko" name="name_ko" lang="ko" value="맑은 공기 일수"`, "WHO 권고 기준 이하인 날의 비율</textarea>")
		_, body = env.Client().Get("/catalogue/CL-AIR-1?lang=ko")
		expectBody(t, "Korean public page", body, "<h1>맑은 공기 일수", "일수 비율(%)", "WHO 권고 기준 이하인 날의 비율")
		if strings.Contains(body, "Clean air days") {
			t.Error("the Korean catalogue page names the indicator in English")
		}
		_, body = env.Client().Get("/catalogue?lang=ko")
		expectBody(t, "Korean catalogue", body, "<td>맑은 공기 일수</td>")
		_, body = env.Client().Get("/catalogue/CL-AIR-1?lang=en")
		expectBody(t, "English public page", body, "<h1>Clean air days")
		es = auditOf(t, s, "indicator", "CL-AIR-1")
		// (newest first: the Korean edit, the edit, the creation)
		if len(es) != 3 || es[1].Action != "indicator.update" || !strings.Contains(string(es[1].Before), `"direction":-1`) ||
			!strings.Contains(string(es[1].After), `"direction":1`) || !strings.Contains(string(es[0].After), "맑은 공기 일수") {
			t.Errorf("audit of the edit: %+v", es)
		}
	})
}

func TestIndicatorBadInput(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		featureMatrixSetup(t, env)
		admin := env.ClientAs(webtest.Admin)
		res, body := admin.PostForm("/admin/catalogue", indicatorForm())
		expectStatus(t, "create", res, body, http.StatusSeeOther)
		before, auditBefore := catalogueState(t, env)

		for _, tc := range []struct {
			name, path string
			form       url.Values
			status     int
			wants      []string
		}{
			{"range min above max", "/admin/catalogue/CL-AIR-1", withField(indicatorForm(), "min", "10", "max", "5"), http.StatusBadRequest,
				[]string{"Nothing was saved", "valid range: minimum 10 must be below maximum 5", `id="max-error"`, `value="10"`, `value="5"`}},
			{"direction out of range", "/admin/catalogue/CL-AIR-1", withField(indicatorForm(), "direction", "2"), http.StatusBadRequest,
				[]string{"direction must be 1 (higher is better), -1 (lower is better) or 0 (undecided), got 2", `id="direction-error"`}},
			{"direction not a number", "/admin/catalogue", withField(indicatorForm(), "code", "CL-NEW-1", "direction", "sideways"), http.StatusBadRequest,
				[]string{"direction: &#34;sideways&#34; is not a direction", `value="CL-NEW-1"`}},
			{"unknown ESG pillar", "/admin/catalogue/CL-AIR-1", withField(indicatorForm(), "pillar", "X"), http.StatusBadRequest,
				[]string{"ESG pillar must be E, S or G, got &#34;X&#34;", `id="pillar-error"`}},
			{"bounds and goals not numbers", "/admin/catalogue/CL-AIR-1", withField(indicatorForm(), "min", "zero", "sdg_goals", "3, eleven", "sdg_targets", "11"),
				http.StatusBadRequest, []string{"valid range: &#34;zero&#34; is not a number", "SDG goals: &#34;eleven&#34; is not a goal number",
					"SDG target &#34;11&#34; is not of the form goal.target", `value="zero"`, `value="3, eleven"`, `id="min-error"`, `id="sdg_goals-error"`, `id="sdg_targets-error"`}},
			{"missing name, bad ISO clause and tier", "/admin/catalogue/CL-AIR-1", withField(indicatorForm(), "name", " ", "iso37122", "chapter five", "u4ssc_tier", "gold"),
				http.StatusBadRequest, []string{"name is required", "ISO 37122 clause &#34;chapter five&#34;", "U4SSC tier must be core, advanced or empty", `id="name-error"`}},
			{"bad code", "/admin/catalogue", withField(indicatorForm(), "code", "CL AIR"), http.StatusBadRequest,
				[]string{"indicator code &#34;CL AIR&#34;", `id="code-error"`}},
			{"code taken", "/admin/catalogue", withField(indicatorForm(), "code", "EC-P-EM-1C"), http.StatusConflict,
				[]string{"indicator code &#34;EC-P-EM-1C&#34; is taken: the catalogue has it (Unemployment Rate)", `id="code-error"`,
					`value="Fine particulate matter (PM2.5)"`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := admin.PostForm(tc.path, tc.form)
				expectStatus(t, tc.name, res, body, tc.status)
				expectBody(t, tc.name, body, tc.wants...)
			})
		}
		res, body = admin.PostForm("/admin/catalogue/NO-SUCH", indicatorForm())
		expectStatus(t, "unknown indicator", res, body, http.StatusNotFound)

		// Only the secretariat edits the catalogue.
		focal := env.ClientAs(webtest.Focal)
		res, body = focal.PostForm("/admin/catalogue/CL-AIR-1", withField(indicatorForm(), "name", "Mine"))
		expectStatus(t, "focal point edits", res, body, http.StatusForbidden)
		res, body = focal.PostForm("/admin/catalogue", withField(indicatorForm(), "code", "CL-FOCAL"))
		expectStatus(t, "focal point creates", res, body, http.StatusForbidden)
		res, body = env.ClientAs(webtest.Judge).Get("/admin/catalogue/new")
		expectStatus(t, "judge opens the form", res, body, http.StatusForbidden)

		after, auditAfter := catalogueState(t, env)
		if !reflect.DeepEqual(before, after) || auditAfter != auditBefore {
			t.Errorf("rejected forms changed the catalogue or wrote audit entries (%d → %d)", auditBefore, auditAfter)
		}

		// The Korean form speaks Korean.
		res, body = admin.Get("/admin/catalogue/new?lang=ko")
		expectStatus(t, "Korean form", res, body, http.StatusOK)
		expectBody(t, "Korean form", body, "<h1>새 지표</h1>", "지표 목록에 추가")
	})
}

// Changing the direction or range of an indicator that an edition uses
// changes that edition's next scores: the edit page lists the editions,
// and such a change is saved only once confirmed.
func TestIndicatorInUseNeedsConfirmation(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		featureMatrixSetup(t, env)
		ctx := context.Background()
		admin := env.ClientAs(webtest.Admin)
		const code = "EC-P-EM-1C" // unemployment rate, lower is better, in edition 2026

		res, body := admin.Get("/admin/catalogue/" + code + "/edit")
		expectStatus(t, "edit form", res, body, http.StatusOK)
		expectBody(t, "edit form", body, `class="warning"`, "Editions using this indicator: 1.", `href="/admin/editions/2026"`,
			"Smart Cities Index 2026", "the catalogue&#39;s", "published releases keep")
		if strings.Contains(body, `name="confirm"`) {
			t.Error("the edit form asks for a confirmation before any change")
		}

		ind, err := env.Store.Indicator(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		_, auditBefore := catalogueState(t, env)
		form := url.Values{"name": {ind.Name}, "definition": {ind.Definition}, "unit": {ind.Unit}, "direction": {"1"},
			"min": {"0"}, "max": {"50"}, "pillar": {ind.Xwalk.Pillar}, "u4ssc": {ind.Xwalk.U4SSC}, "u4ssc_tier": {ind.Xwalk.U4SSCTier},
			"dimension": {ind.Xwalk.Dimension}, "subdimension": {ind.Xwalk.Subdimension}, "category": {ind.Xwalk.Category},
			"sdg_goals": {"8"}, "sdg_targets": {strings.Join(ind.Xwalk.SDGTargets, ",")}, "guidance": {ind.Guidance}, "notes": {ind.Notes}}
		res, body = admin.PostForm("/admin/catalogue/"+code, form)
		expectStatus(t, "unconfirmed change", res, body, http.StatusConflict)
		expectBody(t, "unconfirmed change", body, "Nothing was saved yet", "direction, maximum valid value", `name="confirm" value="yes"`,
			`href="/admin/editions/2026"`, `<option value="1" selected>`, `value="50"`)
		if got, _ := env.Store.Indicator(ctx, code); !reflect.DeepEqual(got, ind) {
			t.Fatalf("an unconfirmed change was saved: %+v", got)
		}
		if _, n := catalogueState(t, env); n != auditBefore {
			t.Errorf("an unconfirmed change wrote %d audit entries", n-auditBefore)
		}

		form.Set("confirm", "yes")
		res, body = admin.PostForm("/admin/catalogue/"+code, form)
		expectStatus(t, "confirmed change", res, body, http.StatusSeeOther)
		got, err := env.Store.Indicator(ctx, code)
		if err != nil || got.Direction != 1 || got.Max == nil || *got.Max != 50 || !reflect.DeepEqual(got.Xwalk.SDGGoals, []int{8}) {
			t.Errorf("confirmed change not saved: %+v, %v", got, err)
		}
		_, body = env.Client().Get("/catalogue/" + code)
		expectBody(t, "public page", body, "higher is better", "0 to 50")

		// A change that does not touch scoring needs no confirmation.
		form.Del("confirm")
		form.Set("guidance", "The national statistics office's labour force survey.")
		res, body = admin.PostForm("/admin/catalogue/"+code, form)
		expectStatus(t, "guidance change", res, body, http.StatusSeeOther)
		if es := auditOf(t, s, "indicator", code); len(es) != 2 || es[0].Action != "indicator.update" {
			t.Errorf("audit of the edits: %+v", es)
		}
	})
}
