package web_test

import (
	"encoding/json"
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
		// Downloads and the API in Korean: the Korean tables name the
		// indicator in Korean only, the English ones in English only; the
		// Korean city page links to the Korean table.
		var named []catalogue.Indicator
		for _, x := range seed {
			if strings.Contains(en, "/indicators/"+x.Code+`"`) {
				named = append(named, x)
			}
		}
		var top struct {
			Rows []struct {
				City struct{ Code string } `json:"city"`
			} `json:"rows"`
		}
		_, rkBody := c.Get("/api/v1/releases/latest/rankings?limit=1")
		if err := json.Unmarshal([]byte(rkBody), &top); err != nil || len(top.Rows) == 0 {
			t.Fatal("no ranked city in the demo's latest release")
		}
		ranked := top.Rows[0].City.Code
		_, city := c.Get("/cities/" + ranked + "?lang=ko")
		if !strings.Contains(city, `/download/values.ko.csv"`) {
			t.Errorf("the Korean city page does not link to the Korean values table")
		}
		res, koCSV := c.Get("/releases/latest/download/values.ko.csv")
		_, enCSV := c.Get("/releases/latest/download/values.csv")
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "values.ko.csv") {
			t.Fatalf("values.ko.csv: %d, %q", res.StatusCode, res.Header.Get("Content-Disposition"))
		}
		for _, x := range named[:10] {
			if !strings.Contains(koCSV, x.Ko.Name) || strings.Contains(koCSV, ","+x.Name+",") {
				t.Errorf("values.ko.csv does not name %s %q, or names it in English", x.Code, x.Ko.Name)
			}
			if !strings.Contains(enCSV, x.Name) || strings.Contains(enCSV, x.Ko.Name) {
				t.Errorf("values.csv does not name %s %q, or names it in Korean", x.Code, x.Name)
			}
		}
		res, body := c.Get("/api/v1/releases/latest/indicators/" + named[0].Code + "?lang=ko")
		if res.StatusCode != 200 || !strings.Contains(body, `"name": "`+named[0].Ko.Name+`"`) {
			t.Errorf("the indicator API with lang=ko: %d, no Korean name %q", res.StatusCode, named[0].Ko.Name)
		}
		res, body = c.Get("/api/v1/releases/latest/cities/" + ranked + "?lang=ko")
		if res.StatusCode != 200 || !strings.Contains(body, named[0].Ko.Name) || strings.Contains(body, `"name": "`+named[0].Name+`"`) {
			t.Errorf("the city profile API with lang=ko: %d, Korean name %q missing or English kept", res.StatusCode, named[0].Ko.Name)
		}
		res, body = c.Get("/api/v1/releases/latest/methodology?lang=fr")
		if res.StatusCode != 400 || !strings.Contains(body, "lang") || !strings.Contains(res.Header.Get("Content-Type"), "problem+json") {
			t.Errorf("lang=fr: %d %s, want a 400 problem naming lang", res.StatusCode, body)
		}
	})
}
