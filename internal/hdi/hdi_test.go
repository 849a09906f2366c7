package hdi

import "testing"

func TestGroups(t *testing.T) {
	for iso, want := range map[string]string{"KOR": VeryHigh, "NOR": VeryHigh, "BRA": High, "IND": Medium, "MLI": Low, "HTI": Low, "kor": VeryHigh, "PRK": "", "ZZZ": ""} {
		if got := GroupOf(iso); got != want {
			t.Errorf("%s: group %q, want %q", iso, got, want)
		}
	}
	if h := Index("CHE"); h < 0.95 || h > 0.97 {
		t.Errorf("Switzerland's HDI %v, want 0.962", h)
	}
	n := 0
	for _, c := range countries {
		if c.Group != "" {
			n++
			if c.HDI <= 0 || c.HDI >= 1 {
				t.Errorf("%s: HDI %v", c.ISO3, c.HDI)
			}
		}
	}
	if n != 191 {
		t.Errorf("%d countries with a group, want 191", n)
	}
}
