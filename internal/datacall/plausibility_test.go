package datacall

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/catalogue"
)

// network is 20 cities' values of one indicator around 50, one of them x.
func network(x float64) map[Key]float64 {
	all := map[Key]float64{}
	for i := 0; i < 20; i++ {
		all[Key{fmt.Sprintf("C%02d", i), "IND"}] = 45 + float64(i%10)
	}
	all[Key{"SEO", "IND"}] = x
	return all
}

func TestPlausibleFlagsValuesFarFromTheNetwork(t *testing.T) {
	seoul := map[string]bool{"SEO": true}
	for _, c := range []struct {
		name string
		x    float64
		p    catalogue.Plausibility
		flag bool
	}{
		{"within the network", 52, catalogue.Plausibility{}, false},
		{"a hundred times the median", 5000, catalogue.Plausibility{}, true},
		{"far below", -40, catalogue.Plausibility{}, true},
		{"a looser edition setting lets it pass", 80, catalogue.Plausibility{Z: 20}, false},
		{"the default catches it", 80, catalogue.Plausibility{}, true},
		{"switched off", 5000, catalogue.Plausibility{Off: true}, false},
		{"too few cities to judge", 5000, catalogue.Plausibility{MinCities: 50}, false},
	} {
		flags := Plausible(c.p, network(c.x), nil, seoul)
		got := flags[Key{"SEO", "IND"}]
		if (len(got) > 0) != c.flag {
			t.Errorf("%s: flags %v, want flagged %v", c.name, got, c.flag)
			continue
		}
		for _, f := range got {
			if f.Kind != FlagNetwork || math.Abs(f.Z) <= 3.5 || f.Median < 49 || f.Median > 50 || f.Cities != 21 ||
				!strings.Contains(f.Text, fmt.Sprintf("(median %g;", f.Median)) || f.Reason.Key != "dc.plausible.network" {
				t.Errorf("%s: flag %+v", c.name, f)
			}
		}
		// Only the cities asked about are flagged.
		for k := range flags {
			if k.City != "SEO" {
				t.Errorf("%s: flagged %v, not asked about", c.name, k)
			}
		}
	}
}

func TestPlausibleFlagsAnUnusualChange(t *testing.T) {
	all, last := network(52), map[Key]float64{}
	for k, v := range all {
		last[k] = v * 0.98 // every city grew by about 2 %
	}
	last[Key{"SEO", "IND"}] = 5.2 // Seoul's value was ten times smaller: a unit change?
	flags := Plausible(catalogue.Plausibility{}, all, last, map[string]bool{"SEO": true, "C01": true})
	got := flags[Key{"SEO", "IND"}]
	if len(got) != 1 || got[0].Kind != FlagChange || got[0].Reason.Key != "dc.plausible.change" || !strings.Contains(got[0].Text, "(5.2 to 52)") {
		t.Fatalf("Seoul's flags %+v, want one change flag", got)
	}
	if f := flags[Key{"C01", "IND"}]; len(f) != 0 {
		t.Errorf("a city that grew as the others did is flagged: %+v", f)
	}
}

func TestPlausibilityIsAnEditionSetting(t *testing.T) {
	e := &catalogue.Edition{Release: []byte(`{"plausibility": {"z": 5, "min_cities": 12}}`)}
	if p := e.PlausibilityOf(); p.Z != 5 || p.MinCities != 12 {
		t.Errorf("read %+v", p)
	}
	if p := (&catalogue.Edition{}).PlausibilityOf(); p.Z != catalogue.DefaultPlausibilityZ || p.MinCities != catalogue.DefaultPlausibilityMin {
		t.Errorf("defaults %+v", p)
	}
}
