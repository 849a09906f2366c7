package demo

import (
	"math"
	"testing"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/hdi"
	"github.com/citylens/citylens/internal/members"
)

// TestValuesDescribeAPlausibleWorld: the demo's synthetic values lie in
// each indicator's valid range, rise (or fall) with the country's human
// development, stay within published magnitudes for the cities one would
// show a mayor, and change a little from one year to the next.
func TestValuesDescribeAPlausibleWorld(t *testing.T) {
	inds, err := catalogue.SeedU4SSC()
	if err != nil {
		t.Fatal(err)
	}
	cities, err := members.DemoCities()
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]members.City{}
	for _, c := range cities {
		byCode[c.Code] = c
	}
	ind := map[string]catalogue.Indicator{}
	for _, i := range inds {
		ind[i.Code] = i
	}
	for _, i := range inds {
		if i.Direction == 0 || i.Unit == "" {
			continue
		}
		var xs, ys []float64
		for _, c := range cities {
			v := Value(i, c, 2026)
			if math.IsNaN(v) || i.Min != nil && v < *i.Min || i.Max != nil && v > *i.Max {
				t.Fatalf("%s of %s: %v outside the valid range", i.Code, c.Code, v)
			}
			if prev := Value(i, c, 2025); prev != 0 && math.Abs(v-prev)/math.Abs(prev) > catalogue.DefaultJumpThreshold {
				t.Errorf("%s of %s jumps from %v to %v in a year", i.Code, c.Code, prev, v)
			}
			if h := hdi.Index(c.Country); h > 0 {
				xs, ys = append(xs, h), append(ys, v)
			}
		}
		// Every indicator with a profile moves with development the way its
		// profile says, clearly (|r| > 0.3 over the network).
		if p, ok := profiles[i.Code]; ok && !p.binary {
			r := pearson(xs, ys)
			if want := math.Copysign(1, p.high-p.low); r*want < .3 {
				t.Errorf("%s: correlation with HDI %.2f, want clearly %+.0f", i.Code, r, want)
			}
		}
	}
	stockholm, bamako := byCode["se-stockholm"], byCode["ml-bamako"]
	for _, c := range []struct {
		code     string
		city     members.City
		lo, hi   float64
		describe string
	}{
		{"EN-E-E-2C", stockholm, 3000, 15000, "electricity use in Stockholm, kWh per person"},
		{"EN-E-E-2C", bamako, 100, 1500, "electricity use in Bamako"},
		{"SC-EH-H-1C", stockholm, 76, 88, "life expectancy in Stockholm"},
		{"SC-EH-H-1C", bamako, 52, 72, "life expectancy in Bamako"},
		{"SC-EH-H-2C", stockholm, 1, 40, "maternal mortality in Stockholm"},
		{"EC-I-ES-3C", stockholm, 95, 100, "access to electricity in Stockholm"},
	} {
		if v := Value(ind[c.code], c.city, 2026); v < c.lo || v > c.hi {
			t.Errorf("%s: %v, want %v to %v", c.describe, v, c.lo, c.hi)
		}
	}
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i] / n
		my += y[i] / n
	}
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}
