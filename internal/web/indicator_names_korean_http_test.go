package web_test

import (
	"html"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/storetest"
)

// TestKoreanIndicatorNames: the demo's release carries the catalogue's
// Korean indicator and pillar names, and the Korean methodology, indicator
// pages and rankings show them, with no English indicator name left; the
// English pages keep the English names.
func TestKoreanIndicatorNames(t *testing.T) {
	seed, err := catalogue.SeedU4SSC()
	if err != nil {
		t.Fatal(err)
	}
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		_, ko := c.Get("/methodology?lang=ko")
		_, en := c.Get("/methodology?lang=en")
		ko, en = html.UnescapeString(ko), html.UnescapeString(en)
		shown := 0
		for _, ind := range seed {
			if !strings.Contains(en, "/indicators/"+ind.Code+`"`) {
				continue // not in the demo edition's framework
			}
			shown++
			if !strings.Contains(ko, ">"+ind.Ko.Name+"<") {
				t.Errorf("the Korean methodology does not name %s %q", ind.Code, ind.Ko.Name)
			}
			if strings.Contains(ko, ">"+ind.Name+"<") {
				t.Errorf("the Korean methodology names %s in English (%q)", ind.Code, ind.Name)
			}
			if !strings.Contains(en, ">"+ind.Name+"<") {
				t.Errorf("the English methodology does not name %s %q", ind.Code, ind.Name)
			}
		}
		if shown < 50 {
			t.Fatalf("only %d catalogue indicators on the methodology page", shown)
		}
		// An indicator page: its Korean name, unit and definition.
		ind := seed[0] // Household Internet Access, % of households
		_, page := c.Get("/indicators/" + ind.Code + "?lang=ko")
		page = html.UnescapeString(page)
		if !strings.Contains(page, "<h1>"+ind.Ko.Name+" ") || strings.Contains(page, ind.Name) {
			t.Errorf("the Korean indicator page of %s is not titled %q or names it %q", ind.Code, ind.Ko.Name, ind.Name)
		}
		if !strings.Contains(page, ind.Ko.Unit) || strings.Contains(page, ind.Unit) || !strings.Contains(page, ind.Ko.Definition) {
			t.Errorf("the Korean indicator page of %s lacks its Korean unit %q or definition, or shows the English unit", ind.Code, ind.Ko.Unit)
		}
		// The rankings' pillar columns.
		_, rk := c.Get("/rankings?lang=ko")
		for _, p := range []string{catalogue.PillarE, catalogue.PillarS, catalogue.PillarG} {
			if !strings.Contains(rk, `">`+catalogue.PillarNameKo(p)+`</a></th>`) || strings.Contains(rk, ">"+catalogue.PillarName(p)+"<") {
				t.Errorf("the Korean rankings do not name pillar %s %q or name it in English", p, catalogue.PillarNameKo(p))
			}
		}
	})
}
