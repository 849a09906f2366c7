package release

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// goalpostsDraft is the test draft normalised by goalposts: each indicator's
// observed range widened by one unit on each side.
func goalpostsDraft(t *testing.T) Draft {
	t.Helper()
	d := testDraft(t)
	lo, hi := map[string]float64{}, map[string]float64{}
	for _, p := range d.Data {
		v := float64(p.Value)
		if l, ok := lo[p.Indicator]; !ok || v < l {
			lo[p.Indicator] = v
		}
		if h, ok := hi[p.Indicator]; !ok || v > h {
			hi[p.Indicator] = v
		}
	}
	for i, n := range d.Framework {
		if n.Kind == engine.Indicator {
			d.Framework[i].Goalposts = &engine.Goalposts{Low: lo[n.Code] - 1, High: hi[n.Code] + 1}
		}
	}
	d.Method.Normalise = engine.Normalisation{Method: engine.NormGoalposts, Scale: 100}
	return d
}

// TestGoalpostsReleaseScoresDirection: in a release normalised by goalposts,
// a lower-is-better indicator (PM2.5) scores (high - x)/(high - low).
func TestGoalpostsReleaseScoresDirection(t *testing.T) {
	r := mustPublish(t, PublishInput{Draft: goalpostsDraft(t), Config: testConfig()})
	n, _ := r.f.Node("E1")
	if n.Direction != -1 {
		t.Fatalf("E1 direction %d, want -1", n.Direction)
	}
	g := n.Goalposts
	raw := r.d.Raw.Cols[r.colRaw["E1"]]
	norm := r.d.Aggregated.Cols[r.colAgg["E1"]]
	for k, u := range r.d.Aggregated.Units {
		x := raw[r.cityIdx[u]]
		if math.IsNaN(float64(x)) {
			continue
		}
		if want := 100 * (g.High - float64(x)) / (g.High - g.Low); math.Abs(float64(norm[k])-want) > 1e-9 {
			t.Errorf("%s: PM2.5 %v scores %v, want %v", u, x, norm[k], want)
		}
	}
	if rev := r.GoalpostsReversed(); rev != nil {
		t.Errorf("a release of engine %s lists %v as reversed", r.d.EngineVersion, rev)
	}
}

// TestGoalpostsReversedNeedsCorrection: a release computed by engine 1 with
// goalposts names its lower-is-better indicators for a correction, and its
// what-if (which would mix the two engines) is refused; a min-max release of
// engine 1 is not affected.
func TestGoalpostsReversedNeedsCorrection(t *testing.T) {
	r := mustPublish(t, PublishInput{Draft: goalpostsDraft(t), Config: testConfig()})
	r.d.EngineVersion = "1"
	var want []string
	for _, n := range r.f.Nodes() {
		if n.Kind == engine.Indicator && n.Direction == -1 {
			want = append(want, n.Code)
		}
	}
	if got := r.GoalpostsReversed(); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("reversed %v, want %v", got, want)
	}
	city := r.d.Aggregated.Units[0]
	_, err := r.WhatIf(context.Background(), city, map[string]string{"E2": "10"})
	if citylens.ErrorCode(err) != citylens.ECONFLICT {
		t.Errorf("what-if on an engine-1 goalposts release: %v, want a conflict", err)
	}

	plain := testRelease(t)
	plain.d.EngineVersion = "1"
	if got := plain.GoalpostsReversed(); got != nil {
		t.Errorf("a min-max release lists %v as reversed", got)
	}
}

// TestReleaseImputationFlags: a release whose method fills scores after
// scoring flags each filled value with its stage and method in the profile
// and the values download, and a release imputing raw values with its
// value in the indicator's unit.
func TestReleaseImputationFlags(t *testing.T) {
	for _, stage := range []string{engine.ImputeRaw, engine.ImputeNormalised} {
		t.Run(stage, func(t *testing.T) {
			d := testDraft(t)
			d.Method.Impute = engine.Imputation{Method: engine.ImputeMean, Stage: stage}
			r := mustPublish(t, PublishInput{Draft: d, Config: testConfig()})
			flagged := 0
			for i, c := range r.d.Cities {
				for _, v := range r.values(i) {
					if v.Value != nil {
						if v.Imputed {
							t.Errorf("%s/%s has a value and is flagged imputed", c.Code, v.Indicator)
						}
						continue
					}
					ranked := r.d.Results[i].Ranked
					if !v.Imputed || v.ImputedMethod != engine.ImputeMean || v.ImputedStage != stage {
						if stage == engine.ImputeNormalised && !ranked {
							continue // not scored: nothing filled after scoring
						}
						t.Errorf("%s/%s missing: imputed %v method %q stage %q", c.Code, v.Indicator, v.Imputed, v.ImputedMethod, v.ImputedStage)
						continue
					}
					flagged++
					if (v.ImputedValue != nil) != (stage == engine.ImputeRaw) {
						t.Errorf("%s/%s: imputed value %v at stage %s", c.Code, v.Indicator, v.ImputedValue, stage)
					}
					if ranked && v.Score == nil {
						t.Errorf("%s/%s: imputed but no score", c.Code, v.Indicator)
					}
				}
			}
			if flagged == 0 {
				t.Fatal("no imputed value in the test draft")
			}
			if len(r.d.Imputations) != flagged && stage == engine.ImputeNormalised {
				t.Errorf("%d flags stored, %d shown", len(r.d.Imputations), flagged)
			}
		})
	}
}

// TestReleaseUnevenUnscored: a release whose framework hangs an indicator
// straight under the index (beside the pillars) and carries an unscored
// indicator: the tree is shown as written with its depths, the unscored
// indicator is in the profile with a score but weighs nothing, and the
// pillar it sits in scores as if it were not there.
func TestReleaseUnevenUnscored(t *testing.T) {
	d := testDraft(t)
	for i, n := range d.Framework {
		switch n.Code {
		case "E2":
			d.Framework[i].Weight = 0
		case "G2":
			d.Framework[i].Parent = "INDEX"
		}
	}
	r := mustPublish(t, PublishInput{Draft: d, Config: testConfig()})
	if !slices.Equal(r.d.Pillars, []string{"E", "S", "G", "G2"}) {
		t.Errorf("pillars %v, want E, S, G and G2 (under the index as written)", r.d.Pillars)
	}
	depth := map[string]int{}
	scored := map[string]bool{}
	eff := map[string]float64{}
	for _, n := range r.Methodology().Tree {
		depth[n.Code], scored[n.Code], eff[n.Code] = n.Depth, n.Scored, n.EffectiveWeight
	}
	for code, want := range map[string]int{"INDEX": 0, "E": 1, "G2": 1, "E1": 2, "E2": 2, "G1": 2} {
		if depth[code] != want {
			t.Errorf("depth of %s = %d, want %d", code, depth[code], want)
		}
	}
	if scored["E2"] || !scored["E1"] || eff["E2"] != 0 {
		t.Errorf("E2 scored %v, effective weight %v; E1 scored %v", scored["E2"], eff["E2"], scored["E1"])
	}
	// E's score is E1's alone.
	e, e1, e2 := r.d.Aggregated.Cols[r.colAgg["E"]], r.d.Aggregated.Cols[r.colAgg["E1"]], r.d.Aggregated.Cols[r.colAgg["E2"]]
	shown := 0
	for k, u := range r.d.Aggregated.Units {
		if !math.IsNaN(float64(e1[k])) && math.Abs(float64(e[k]-e1[k])) > 1e-12 {
			t.Errorf("%s: E = %v, E1 = %v: the unscored E2 (%v) moved it", u, e[k], e1[k], e2[k])
		}
		if !math.IsNaN(float64(e2[k])) {
			shown++
		}
	}
	if shown == 0 {
		t.Fatal("E2 has no score to show")
	}
	i := r.cityIdx[r.d.Aggregated.Units[0]]
	found := false
	for _, v := range r.values(i) {
		if v.Indicator == "E2" {
			found = v.Score != nil
		}
	}
	if !found {
		t.Error("the unscored E2 is missing from the profile's values, or has no score")
	}
}
