package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Feasibility studies become library cases over HTTP, on SQLite and
// PostgreSQL: the announcement opens each winner's study and its case
// (one a study, also when opened again); a study whose applicant gave no
// consent is a public case of what its public page shows, found by a
// visitor in English and Korean; a study whose applicant shared the
// project with members only is a members-only case, linked to the
// project's case, hidden from the visitor; evidence not public and the
// working notes (risks) never reach the library, and public evidence
// added later does.
func TestExchangeStudyCasesHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clock := prizeEnv(t, s)
		ctx := context.Background()
		applicant := env.Users[webtest.Applicant]
		var apps []*prize.Application
		for _, sp := range []struct{ city, name, stage, title, consent string }{
			{webtest.CityX, "Seoul", prize.StagePilot, "Night buses for shift workers", exchange.Members},
			{webtest.CityXB, "Busan", prize.StageScaled, "Smart port air quality", ""},
		} {
			ans := prize.Answers{"summary": {"Summary of " + sp.title + "."}, prize.FieldStage: {sp.stage}, "themes": {"mobility"}}
			if sp.consent != "" {
				ans[exchange.ConsentKey] = []string{sp.consent}
			}
			a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: applicant.ID, Email: applicant.Email,
				ApplicantType: prize.TypeLocalGov, Organisation: "City of " + sp.name, CityCode: sp.city, CityName: sp.name, Country: "KOR",
				Title: sp.title, Stage: sp.stage, Answers: ans, State: prize.StateSubmitted, CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
			if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := env.Store.AddPrizeDecision(ctx, &judging.Decision{Edition: "2026", App: a.ID, Kind: judging.DecisionWinner, Grade: "gold",
				DecidedBy: "admin@test.citylens", DecidedAt: prizeT0}); err != nil {
				t.Fatal(err)
			}
			apps = append(apps, a)
		}
		e, _ := env.Store.PrizeEdition(ctx, "2026")
		clock.Set(e.Ceremony)
		admin := env.ClientAs(webtest.Admin)
		if res, body := admin.PostForm("/admin/judging/2026/announce", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("announce: %d\n%s", res.StatusCode, body)
		}
		studies, err := env.Store.FollowupStudies(ctx, "2026")
		if err != nil || len(studies) != 2 {
			t.Fatalf("studies: %d %v", len(studies), err)
		}
		seoul, busan := studies[0], studies[1]
		caseOf := func(study int64) *exchange.Case {
			t.Helper()
			c, err := env.Store.ExchangeCaseByStudy(ctx, study)
			if err != nil {
				t.Fatalf("the case of study %d: %v", study, err)
			}
			return c
		}
		sc, bc := caseOf(seoul.ID), caseOf(busan.ID)
		project, err := env.Store.ExchangeCaseByApplication(ctx, apps[0].ID)
		if err != nil {
			t.Fatalf("the winning project's case: %v", err)
		}
		if sc.Source != "study" || sc.Visibility != exchange.Members || sc.CityCode != webtest.CityX ||
			len(sc.Links) != 1 || sc.Links[0] != (exchange.Link{Kind: exchange.AdaptedFrom, CaseID: project.ID}) ||
			!strings.Contains(sc.Summary, "Summary of Night buses") || sc.Stage != prize.StagePilot {
			t.Errorf("Seoul's study case (members, adapted from the project %d): %+v", project.ID, sc)
		}
		if _, err := env.Store.ExchangeCaseByApplication(ctx, apps[1].ID); err == nil {
			t.Error("Busan's project became a case without consent")
		}
		if bc.Visibility != exchange.Public || len(bc.Links) != 0 || strings.Contains(bc.Summary, "Summary of") ||
			len(bc.Tags[exchange.FieldThemes]) != 0 || bc.CityCode != webtest.CityXB || bc.Stage != prize.StageScaled {
			t.Errorf("Busan's study case (public, only its public page): %+v", bc)
		}

		visitor := env.Client()
		member := env.ClientAs(webtest.Focal)
		search := func(c *webtest.Client, q string) string {
			t.Helper()
			res, body := c.Get("/exchange?" + q)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("search %s: %d", q, res.StatusCode)
			}
			return html.UnescapeString(body)
		}
		caseLink := func(c *exchange.Case) string { return fmt.Sprintf(`href="/exchange/cases/%d"`, c.ID) }
		body := search(visitor, "q=smart+port&lang=en")
		if !strings.Contains(body, caseLink(bc)) || !strings.Contains(body, "1 practice") {
			t.Errorf("the visitor does not find Busan's study:\n%s", body)
		}
		body = search(visitor, "q="+url.QueryEscape("재원")+"&lang=ko") // its plan's first milestone, in Korean
		if !strings.Contains(body, caseLink(bc)) || !strings.Contains(body, "사례 1건") {
			t.Errorf("the visitor's Korean search does not find Busan's study:\n%s", body)
		}
		body = search(visitor, "q=night+buses&lang=en")
		if strings.Contains(body, "Night buses") || !strings.Contains(body, "0 practices") {
			t.Errorf("the visitor finds the members-only study:\n%s", body)
		}
		if res, _ := visitor.Get(fmt.Sprintf("/exchange/cases/%d", sc.ID)); res.StatusCode != http.StatusNotFound {
			t.Errorf("the visitor opens the members-only study's case: %d", res.StatusCode)
		}
		body = search(visitor, "f=source:study&lang=en")
		if !strings.Contains(body, "1 practice") || !strings.Contains(body, caseLink(bc)) {
			t.Errorf("the visitor's studies (source facet) count the members-only study:\n%s", body)
		}
		body = search(member, "f=source:study&lang=en")
		if !strings.Contains(body, "2 practices") || !strings.Contains(body, caseLink(sc)) || strings.Contains(body, caseLink(project)) {
			t.Errorf("a member's studies (source facet):\n%s", body)
		}
		body = search(member, "q=night+buses&lang=en")
		if !strings.Contains(body, caseLink(sc)) || !strings.Contains(body, caseLink(project)) || !strings.Contains(body, "2 practices") {
			t.Errorf("a member does not find Seoul's study and project:\n%s", body)
		}

		// Busan's study, edited by the secretariat: a private link and
		// risks stay out of the library; a public indicator goes in.
		bPath := fmt.Sprintf("/followup/studies/%d", busan.ID)
		evPath := fmt.Sprintf("%s/milestones/%d/evidence", bPath, busan.Milestones[0].ID)
		if res, body := evidenceForm(admin, evPath, url.Values{"kind": {"link"}, "label": {"Confidential tender sheet"},
			"url": {"https://example.org/tender"}}, "", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("private link: %d\n%s", res.StatusCode, body)
		}
		if res, body := admin.PostForm(bPath, url.Values{"currency": {"KRW"}, "budget": {"1000"}, "status": {"on_track"},
			"risks": {"Vendor insolvency"}, "final_report": {"Harbour sensors cut emissions."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("study update: %d\n%s", res.StatusCode, body)
		}
		if res, body := evidenceForm(admin, evPath, url.Values{"kind": {"indicator"}, "label": {"Ship emissions"}, "unit": {"tonnes"},
			"before": {"900"}, "after": {"610"}, "public": {"1"}}, "", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("public indicator: %d\n%s", res.StatusCode, body)
		}
		for _, q := range []string{"confidential", "tender", "insolvency"} {
			if body := search(admin, "q="+q+"&lang=en"); !strings.Contains(body, "0 practices") {
				t.Errorf("the secretariat's search for %q finds the study's private content:\n%s", q, body)
			}
		}
		for _, q := range []string{"emissions", "harbour+sensors"} {
			if body := search(visitor, "q="+q+"&lang=en"); !strings.Contains(body, caseLink(bc)) || !strings.Contains(body, "1 practice") {
				t.Errorf("the visitor's search for %q does not find the study's public content:\n%s", q, body)
			}
		}
		bc = caseOf(busan.ID)
		if bc.Results != "Ship emissions: 900 → 610 tonnes" || strings.Contains(bc.Evidence, "tender") {
			t.Errorf("Busan's case: results %q, evidence %q", bc.Results, bc.Evidence)
		}

		// Opening again keeps one case a study.
		if res, _ := admin.PostForm("/admin/followup/2026/open", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("open again: %d", res.StatusCode)
		}
		r, err := env.Store.SearchExchangeCases(ctx, nil, exchange.Query{Members: true, Limit: 10, Filters: map[string][]string{"source": {"study"}}})
		if err != nil || r.Total != 2 {
			t.Errorf("study cases after opening again: %d %v, want 2", r.Total, err)
		}
		if again := caseOf(busan.ID); again.ID != bc.ID || again.Results != bc.Results {
			t.Errorf("opening again replaced Busan's case: %+v", again)
		}
	})
}
