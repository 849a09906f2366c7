package exchange

import (
	"strings"
	"testing"
)

// Validate names every field at fault and normalises the rest.
func TestPartnershipValidate(t *testing.T) {
	p := &Partnership{CityA: strings.Repeat("x", 101), CityB: " kr-busan ", Title: strings.Repeat("t", 201), StartDate: "2025-01-01",
		EndDate: "2024-12-31", Themes: []string{" ports ", "ports", ""}, Status: "paused", Visibility: "all"}
	fields := map[string]bool{}
	for _, pr := range p.Validate() {
		fields[pr.Field] = true
	}
	for _, f := range []string{"city_a", "title", "end_date", "status", "visibility"} {
		if !fields[f] {
			t.Errorf("%s not named: %v", f, fields)
		}
	}
	if fields["city_b"] || fields["themes"] || p.CityB != "kr-busan" || len(p.Themes) != 1 || p.Themes[0] != "ports" {
		t.Errorf("normalised wrongly: %+v %v", p, fields)
	}
	ok := &Partnership{CityA: "a", Partner: "udi", Title: "x", StartDate: "2025-01-01"}
	if ps := ok.Validate(); len(ps) != 0 || ok.Status != StatusProposed || ok.Visibility != Public {
		t.Errorf("a good partnership: %v %+v", ps, ok)
	}
}

// The status moves: every pair of statuses, allowed exactly by the rules.
func TestPartnershipMoves(t *testing.T) {
	allowed := map[string]bool{"proposed>active": true, "proposed>lapsed": true, "active>completed": true, "active>lapsed": true, "lapsed>active": true}
	for _, from := range PartnershipStatuses {
		for _, to := range PartnershipStatuses {
			got := contains(NextStatuses(from), to)
			if got != allowed[from+">"+to] {
				t.Errorf("%s → %s allowed = %v", from, to, got)
			}
		}
	}
}
