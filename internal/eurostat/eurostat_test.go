package eurostat

import (
	"context"
	"testing"

	"github.com/citylens/citylens/internal/engine"
)

func TestEditionBuildsOnRealData(t *testing.T) {
	e, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Cities) < 400 {
		t.Fatalf("%d cities, want the Urban Audit's several hundred", len(e.Cities))
	}
	f, err := engine.NewFramework(e.Framework)
	if err != nil {
		t.Fatal(err)
	}
	r, err := engine.Build(context.Background(), f, e.Data, e.Method)
	if err != nil {
		t.Fatal(err)
	}
	ranked, unranked := len(r.Aggregated.Units), len(r.Unranked())
	if ranked < 100 || unranked < 50 || ranked+unranked != len(e.Cities) {
		t.Errorf("%d ranked and %d not ranked of %d cities", ranked, unranked, len(e.Cities))
	}
	// Vienna (AT001C): its values are the file's latest, with their years.
	col := e.Data.Columns["EN1002V"]
	for i, u := range e.Data.Units {
		if u == "AT001C" {
			if col[i] != 5.3 || e.Year[u]["EN1002V"] != 2004 {
				t.Errorf("AT001C sunshine %v (%d), want 5.3 (2004)", col[i], e.Year[u]["EN1002V"])
			}
			if e.Data.Names[i] != "Wien" || e.Data.Groups["country"][i] != "AT" {
				t.Errorf("AT001C is %q in %q", e.Data.Names[i], e.Data.Groups["country"][i])
			}
			if e.Cities[i].Lat < 48 || e.Cities[i].Lat > 48.5 || e.Cities[i].Lon < 16 || e.Cities[i].Lon > 16.7 {
				t.Errorf("AT001C at %v, %v: not Vienna", e.Cities[i].Lat, e.Cities[i].Lon)
			}
		}
	}
	idx, _ := r.Aggregated.Col("Index")
	for i, v := range idx {
		if engine.IsNA(v) || v < 0 || v > 100 {
			t.Errorf("%s: index %v", r.Aggregated.Units[i], v)
		}
	}
}
