package publication_test

import (
	"context"
	"math"
	"testing"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
)

// TestGoalpostsLowerIsBetterRelease: an edition normalising by goalposts
// (the catalogue's valid range, 0 to 50 fatalities per 100,000) publishes a
// release in which a city with fewer fatalities ranks higher, each scoring
// 100 (50 - x) / 50, as COINr's goalposts for a lower-is-better indicator.
func TestGoalpostsLowerIsBetterRelease(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		e := newEnv(t, s, `{}`)
		ctx := context.Background()
		ed, err := e.store.Edition(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		// The index over the fatalities alone, so its ranking is theirs.
		ed.Framework = []catalogue.Node{
			{Code: "INDEX", Name: "Index", Kind: catalogue.KindAggregate, Weight: 1},
			{Code: catalogue.PillarE, Parent: "INDEX", Kind: catalogue.KindAggregate, Weight: 1},
			{Code: "A2", Parent: catalogue.PillarE, Kind: catalogue.KindIndicator, Weight: 1},
		}
		ed.Method.Normalise = engine.Normalisation{Method: engine.NormGoalposts, Scale: 100}
		if err := ed.Validate(mustCatalogue(t, e)); err != nil {
			t.Fatal(err)
		}
		if err := e.store.UpdateEdition(ctx, ed); err != nil {
			t.Fatal(err)
		}
		rel, err := e.svc.Load(ctx, e.publish(e.compute(), false, 20).Hash)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := rel.Rankings(release.RankingQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(fixtureCities) {
			t.Fatalf("%d cities ranked, want %d", len(rows), len(fixtureCities))
		}
		// The fixture's fatalities: 1 + (i*7 + 3) % 10 for city i.
		value := map[string]float64{}
		for i, c := range fixtureCities {
			value[c.Code] = float64(1 + (i*7+3)%10)
		}
		for _, r := range rows {
			if want := 100 * (50 - value[r.City.Code]) / 50; math.Abs(r.Score-want) > 1e-9 {
				t.Errorf("%s: %v fatalities score %v, want %v", r.City.Code, value[r.City.Code], r.Score, want)
			}
		}
		for _, a := range rows {
			for _, b := range rows {
				if value[a.City.Code] < value[b.City.Code] && !(a.Rank < b.Rank) {
					t.Errorf("%s (%v fatalities) ranks %d, behind %s (%v) at %d", a.City.Code, value[a.City.Code], a.Rank, b.City.Code, value[b.City.Code], b.Rank)
				}
			}
		}
	})
}
