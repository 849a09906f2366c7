package publication_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/survey"
)

// scaledSurvey is the survey with one city's standard errors multiplied:
// the same values, a less precise survey there.
type scaledSurvey struct {
	*survey.Service
	city  string
	scale float64
}

func (s scaledSurvey) IndexValues(ctx context.Context, edition string) ([]survey.IndexValue, error) {
	vals, err := s.Service.IndexValues(ctx, edition)
	for k := range vals {
		if vals[k].City == s.city {
			vals[k].SE *= s.scale
		}
	}
	return vals, err
}

// TestPublishPeopleCentric: an edition with a residents' survey is
// published with a people-centric pillar whose values are the survey's
// pooled scores (with their provenance), a city with too few responses
// has none (missing, not a number), and a larger sampling error widens the
// city's bands.
func TestPublishPeopleCentric(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		ctx := context.Background()
		e := newEnv(t, s, "")
		ss, ok := s.(survey.Store)
		if !ok {
			t.Fatalf("store %T has no survey", s)
		}
		sv := &survey.Service{Store: ss, Audit: e.store, Now: func() time.Time { return e.now }}
		var dc []survey.DemoCity
		for _, c := range fixtureCities {
			dc = append(dc, survey.DemoCity{Code: c.Code, Population: c.Population})
		}
		if err := sv.SeedDemo(ctx, auditlog.System("test"), []string{"2026"}, dc); err != nil {
			t.Fatal(err)
		}
		vals, err := sv.IndexValues(ctx, "2026")
		if err != nil || len(vals) == 0 {
			t.Fatalf("survey values: %d, %v", len(vals), err)
		}
		id := e.compute()
		publish := func(scale float64) *release.Release {
			t.Helper()
			e.svc.Survey = scaledSurvey{sv, "kr-busan", scale}
			rec, err := e.svc.PublishDraft(ctx, e.admin, publication.Publication{DraftID: id, Correct: scale != 1, ChangeNote: "survey error",
				Uncertainty: &release.Uncertainty{N: 300, Seed: 7, SkipSA: true}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := e.svc.Load(ctx, rec.Hash)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := publish(1)

		// The pillar and the values, with their provenance.
		want := map[string]survey.IndexValue{}
		for _, v := range vals {
			want[v.City+"/"+v.Indicator] = v
		}
		got := 0
		for _, p := range r.Draft().Data {
			if !strings.HasPrefix(p.Indicator, "PC-") {
				continue
			}
			got++
			v, ok := want[p.City+"/"+p.Indicator]
			if !ok || p.Value != v.Value || p.Source != v.Source || !strings.Contains(p.Source, "margin of error ±") || p.DataYear != 2026 {
				t.Errorf("%s %s: %v %q, survey %+v", p.City, p.Indicator, p.Value, p.Source, v)
			}
			if p.City == "kr-seoul" {
				t.Errorf("kr-seoul has too few responses but %s = %v", p.Indicator, p.Value)
			}
		}
		if got != len(vals) || got != 5*10 {
			t.Errorf("%d people-centric values published, survey %d, want 50 (5 cities × 10)", got, len(vals))
		}
		pcOf := func(r *release.Release, city string) release.PillarProfile {
			p, err := r.Profile(city)
			if err != nil {
				t.Fatal(err)
			}
			for _, pp := range p.Pillars {
				if pp.Code == publication.PeopleCentric {
					return pp
				}
			}
			t.Fatalf("%s: no people-centric pillar in %+v", city, p.Pillars)
			return release.PillarProfile{}
		}
		busan := pcOf(r, "kr-busan")
		// Min-max over the five cities with a survey: the pillar's score is
		// the mean of the ten normalised survey scores.
		lo, hi := map[string]float64{}, map[string]float64{}
		for _, v := range vals {
			if _, ok := lo[v.Indicator]; !ok || v.Value < lo[v.Indicator] {
				lo[v.Indicator] = v.Value
			}
			if _, ok := hi[v.Indicator]; !ok || v.Value > hi[v.Indicator] {
				hi[v.Indicator] = v.Value
			}
		}
		var sum float64
		n := 0
		for _, v := range vals {
			if v.City == "kr-busan" {
				sum += (v.Value - lo[v.Indicator]) / (hi[v.Indicator] - lo[v.Indicator]) * 100
				n++
			}
		}
		if busan.Score == nil || n != 10 || math.Abs(*busan.Score-sum/float64(n)) > 1e-9 {
			t.Errorf("kr-busan people-centric score %v, from the survey %v", busan.Score, sum/float64(n))
		}
		if sp := pcOf(r, "kr-seoul"); sp.Score != nil && !math.IsNaN(*sp.Score) {
			t.Errorf("kr-seoul (too few responses) has a people-centric score %v", *sp.Score)
		}
		if !slicesContain(r.Methodology().Uncertainty.Inputs, "Survey sampling") {
			t.Errorf("uncertainty inputs %v lack the survey's sampling", r.Methodology().Uncertainty.Inputs)
		}

		// Four times the sampling error in Busan: wider bands there.
		wide := pcOf(publish(4), "kr-busan")
		width := func(b release.Band) float64 { return *b.Q95 - *b.Q5 }
		if !(width(wide.Band) > width(busan.Band)+1) {
			t.Errorf("kr-busan people-centric band %v with 4× the error, %v with the survey's", width(wide.Band), width(busan.Band))
		}
	})
}

func slicesContain(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
