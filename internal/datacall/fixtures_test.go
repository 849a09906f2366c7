package datacall

import (
	"testing"
	"time"

	"github.com/citylens/citylens/internal/catalogue"
)

func fp(v float64) *float64 { return &v }

// testCatalogue is a small catalogue: a share, a rate and an optional yes/no.
func testCatalogue() map[string]catalogue.Indicator {
	return catalogue.Index([]catalogue.Indicator{
		{Code: "SHARE", Name: "Household Internet Access", Unit: "% of households", Direction: 1, Min: fp(0), Max: fp(100), Xwalk: catalogue.Crosswalk{Pillar: "S"}},
		{Code: "RATE", Name: "Traffic Fatalities", Unit: "per 100,000 inhabitants", Direction: -1, Min: fp(0), Xwalk: catalogue.Crosswalk{Pillar: "S"}},
		{Code: "PLAN", Name: "Resilience Plans", Unit: "yes/no", Direction: 1, Min: fp(0), Max: fp(1), Xwalk: catalogue.Crosswalk{Pillar: "G"}},
	})
}

func testEdition(t testing.TB) *catalogue.Edition {
	t.Helper()
	e := &catalogue.Edition{
		Code: "2026", Name: "Smart Cities Index 2026", ReferenceYear: 2025, PreviousEdition: "2025",
		Opens:  time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
		Closes: time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC),
		Status: catalogue.StatusOpen, JumpThreshold: 0.5, Method: catalogue.DefaultMethod(),
		Framework: []catalogue.Node{
			{Code: "INDEX", Kind: catalogue.KindAggregate, Weight: 1},
			{Code: "S", Parent: "INDEX", Kind: catalogue.KindAggregate, Weight: 1},
			{Code: "G", Parent: "INDEX", Kind: catalogue.KindAggregate, Weight: 1},
			{Code: "SHARE", Parent: "S", Kind: catalogue.KindIndicator, Weight: 1},
			{Code: "RATE", Parent: "S", Kind: catalogue.KindIndicator, Weight: 1},
			{Code: "PLAN", Parent: "G", Kind: catalogue.KindIndicator, Weight: 1, Optional: true},
		},
	}
	if err := e.Validate(testCatalogue()); err != nil {
		t.Fatal(err)
	}
	return e
}

func testRules(t testing.TB, cities ...string) *Rules {
	t.Helper()
	r := &Rules{Edition: testEdition(t), Catalogue: testCatalogue(), Cities: map[string]bool{}, Last: map[Key]float64{
		{"SEO", "SHARE"}: 80,
		{"SEO", "RATE"}:  4,
		{"BUS", "RATE"}:  0,
	}}
	for _, c := range cities {
		r.Cities[c] = true
	}
	return r
}
