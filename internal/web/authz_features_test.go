package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/web/webtest"
)

// featureMatrix holds the authorisation expectations of feature modules'
// routes (catalogue, data call, ...), keyed by route pattern as in
// platformMatrix. TestAuthorisationMatrix fails for any registered route
// missing from both. Owned by the feature modules.
var featureMatrix = map[string][]probe{
	"GET /catalogue":        {{Path: "/catalogue", Allow: everyone}},
	"GET /catalogue/{code}": {{Path: "/catalogue/EC-P-EM-1C", Allow: everyone}},

	"GET /admin/catalogue/new":         {{Path: "/admin/catalogue/new", Allow: only(webtest.Admin)}},
	"POST /admin/catalogue":            {{Path: "/admin/catalogue", Allow: only(webtest.Admin)}},
	"GET /admin/catalogue/{code}/edit": {{Path: "/admin/catalogue/EC-P-EM-1C/edit", Allow: only(webtest.Admin)}},
	"POST /admin/catalogue/{code}":     {{Path: "/admin/catalogue/EC-P-EM-1C", Allow: only(webtest.Admin)}},

	"GET /admin/editions":                                       {{Path: "/admin/editions", Allow: only(webtest.Admin)}},
	"POST /admin/editions":                                      {{Path: "/admin/editions", Allow: only(webtest.Admin)}},
	"GET /admin/editions/{edition}":                             {{Path: "/admin/editions/2026", Allow: only(webtest.Admin)}},
	"POST /admin/editions/{edition}/status":                     {{Path: "/admin/editions/2026/status", Allow: only(webtest.Admin)}},
	"POST /admin/editions/{edition}/compute":                    {{Path: "/admin/editions/2026/compute", Allow: only(webtest.Admin)}},
	"GET /admin/editions/{edition}/releases/{id}":               {{Path: "/admin/editions/2026/releases/999999", Allow: only(webtest.Admin)}},
	"GET /datacall":                                             {{Path: "/datacall", Allow: only(webtest.Admin, webtest.Regional, webtest.Focal)}},
	"POST /datacall/{edition}/upload":                           {{Path: "/datacall/2026/upload", Allow: only(webtest.Admin)}},
	"GET /datacall/{edition}/review":                            {{Path: "/datacall/2026/review", Allow: only(webtest.Admin, webtest.Regional)}},
	"GET /datacall/{edition}/coverage":                          {{Path: "/datacall/2026/coverage", Allow: only(webtest.Admin, webtest.Regional)}},
	"GET /datacall/{edition}/cities/{city}":                     callProbes("", viewers),
	"GET /datacall/{edition}/cities/{city}/template.xlsx":       callProbes("/template.xlsx", viewers),
	"GET /datacall/{edition}/cities/{city}/history/{indicator}": callProbes("/history/EC-P-EM-1C", viewers),
	"POST /datacall/{edition}/cities/{city}/values":             callProbes("/values", editors),
	"POST /datacall/{edition}/cities/{city}/upload":             callProbes("/upload", editors),
	"POST /datacall/{edition}/cities/{city}/submit":             callProbes("/submit", editors),
	"POST /datacall/{edition}/cities/{city}/review":             callProbes("/review", reviewers),
	"POST /datacall/{edition}/cities/{city}/reopen":             callProbes("/reopen", [3][]string{only(webtest.Admin), only(webtest.Admin), only(webtest.Admin)}),
}

// Who may use a data-call city route, for city X (the focal point's, region
// A), city XB (region A) and city Y (region B).
var (
	viewers   = [3][]string{only(webtest.Admin, webtest.Regional, webtest.Focal), only(webtest.Admin, webtest.Regional), only(webtest.Admin)}
	editors   = [3][]string{only(webtest.Admin, webtest.Focal), only(webtest.Admin), only(webtest.Admin)}
	reviewers = [3][]string{only(webtest.Admin, webtest.Regional), only(webtest.Admin, webtest.Regional), only(webtest.Admin)}
)

func callProbes(suffix string, allow [3][]string) []probe {
	p := "/datacall/2026/cities/"
	return []probe{
		{Path: p + webtest.CityX + suffix, Allow: allow[0]},
		{Path: p + webtest.CityXB + suffix, Allow: allow[1]},
		{Path: p + webtest.CityY + suffix, Allow: allow[2]},
	}
}

// featureMatrixSetup seeds what feature probes need (an edition, a
// submission...) on the matrix test's server before the probes run.
func featureMatrixSetup(t *testing.T, env *webtest.Env) {
	ctx := context.Background()
	cs := &catalogue.Service{Store: env.Store, Audit: env.Store}
	if _, err := cs.SeedU4SSC(ctx, auditlog.System("test")); err != nil {
		t.Fatal(err)
	}
	inds, err := env.Store.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e, _, err := catalogue.NewEdition("2026", "Smart Cities Index 2026", 2025, now.AddDate(0, 0, -10), now.AddDate(0, 0, 30), inds)
	if err != nil {
		t.Fatal(err)
	}
	e.Status = catalogue.StatusOpen
	if err := cs.CreateEdition(ctx, auditlog.System("test"), e); err != nil {
		t.Fatal(err)
	}
}
