package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// asemUA is the uncertainty set-up of METHOD.md: winmax 1-5, two
// normalisations, noisy weights at levels 2 and 3, two aggregations.
func asemUA() engine.UncertaintySpec {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	return engine.UncertaintySpec{Inputs: []engine.UncertainInput{
		{Name: "Winmax", Param: "treat.winmax", Values: []json.RawMessage{raw("1"), raw("2"), raw("3"), raw("4"), raw("5")}},
		{Name: "Normalisation", Param: "normalise", Values: []json.RawMessage{
			raw(`{"method":"minmax","low":1,"high":100}`), raw(`{"method":"zscore","mean":10,"sd":2}`)}},
		{Name: "Weights", Param: "weights", Noise: []engine.WeightNoise{{Level: 2, Factor: 0.25}, {Level: 3, Factor: 0.25}}},
		{Name: "Aggregation", Param: "aggregate", Values: []json.RawMessage{raw(`{"method":"amean"}`), raw(`{"method":"gmean"}`)}},
	}}
}

func newASEMAnalysis(t testing.TB, spec engine.UncertaintySpec, workers int) *engine.Analysis {
	t.Helper()
	f, d := loadASEM(t)
	a, err := engine.NewAnalysis(context.Background(), f, d, asemDefault(), spec)
	if err != nil {
		t.Fatal(err)
	}
	a.Workers = workers
	return a
}

var floatEq = cmp.Options{cmpopts.EquateNaNs()}

func TestUncertaintyReproducible(t *testing.T) {
	ctx := context.Background()
	const n, seed = 120, 42
	one, err := newASEMAnalysis(t, asemUA(), 1).RunUA(ctx, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	two, err := newASEMAnalysis(t, asemUA(), 2).RunUA(ctx, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(one.Units, two.Units, floatEq); diff != "" {
		t.Errorf("1 and 2 workers differ (-1 +2):\n%s", diff)
	}
	// Split into parts, run in any order, merged: the same result.
	a := newASEMAnalysis(t, asemUA(), 2)
	p2, err := a.RunUAPart(ctx, seed, 70, n)
	if err != nil {
		t.Fatal(err)
	}
	p1, err := a.RunUAPart(ctx, seed, 0, 70)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := a.MergeUA(p2, p1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(one.Units, merged.Units, floatEq); diff != "" {
		t.Errorf("merged parts differ from one run (-one +merged):\n%s", diff)
	}
	if diff := cmp.Diff(one.Scores, merged.Scores, floatEq); diff != "" {
		t.Errorf("merged score quantiles differ:\n%s", diff)
	}
	if _, err := a.MergeUA(p2); err == nil {
		t.Error("merging parts with a gap: no error")
	}
	// Another seed, other draws.
	other, err := newASEMAnalysis(t, asemUA(), 2).RunUA(ctx, n, seed+1)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(one.Units, other.Units, floatEq) {
		t.Error("seeds 42 and 43 gave identical results")
	}
}

func TestUncertaintyResults(t *testing.T) {
	a := newASEMAnalysis(t, asemUA(), 0)
	var calls, last int
	a.Progress = func(done, total int) { calls++; last = done }
	res, err := a.RunUA(context.Background(), 300, 7)
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != 300 {
		t.Errorf("progress: %d calls, last %d, want the last call at 300", calls, last)
	}
	if res.N != 300 || res.Failed != 0 {
		t.Fatalf("N %d failed %d (%v)", res.N, res.Failed, res.Failures)
	}
	groups := map[int]bool{}
	for _, u := range res.Units {
		if u.NominalRank < 1 || u.Ranked != 300 {
			t.Errorf("%s: nominal rank %d, ranked in %d replications", u.Unit, u.NominalRank, u.Ranked)
		}
		if !(u.Q5 <= u.MedianRank && u.MedianRank <= u.Q95) || u.Q5 < 1 || u.Q95 > 51 {
			t.Errorf("%s: rank band %v–%v around median %v", u.Unit, u.Q5, u.Q95, u.MedianRank)
		}
		groups[u.TieGroup] = true
	}
	if len(groups) < 2 || len(groups) > 50 {
		t.Errorf("%d tie groups among 51 units", len(groups))
	}
	// The top of ASEM is stable: Switzerland's band stays in the top 5.
	for _, u := range res.Units {
		if u.Unit == "CHE" && (u.NominalRank != 1 || u.Q95 > 5) {
			t.Errorf("CHE: nominal %d, band %v–%v", u.NominalRank, u.Q5, u.Q95)
		}
	}
	if got, want := len(res.Scores), 51*3; got != want { // Index, Conn, Sust
		t.Errorf("%d score quantile rows, want %d", got, want)
	}
}

func TestUncertaintyCountsFailedReplications(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	spec := engine.UncertaintySpec{Inputs: []engine.UncertainInput{
		{Name: "Normalisation", Param: "normalise", Values: []json.RawMessage{raw(`{"method":"minmax","low":1,"high":100}`), raw(`{"method":"zscore"}`)}},
		{Name: "Aggregation", Param: "aggregate", Values: []json.RawMessage{raw(`{"method":"amean"}`), raw(`{"method":"gmean"}`)}},
	}}
	res, err := newASEMAnalysis(t, spec, 2).RunUA(context.Background(), 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	// z-scores are negative for half the values: a geometric mean over them fails,
	// so about a quarter of the replications fail, each counted with its reason.
	if res.Failed < 25 || res.Failed > 75 {
		t.Fatalf("%d of 200 replications failed, want about 50", res.Failed)
	}
	total := 0
	for _, f := range res.Failures {
		total += f.Count
		if !strings.Contains(f.Reason, "geometric mean") {
			t.Errorf("failure reason %q does not say geometric mean", f.Reason)
		}
	}
	if total != res.Failed {
		t.Errorf("reasons count %d failures, result says %d", total, res.Failed)
	}
	for _, u := range res.Units {
		if u.Ranked != 200-res.Failed {
			t.Errorf("%s ranked in %d replications, want %d", u.Unit, u.Ranked, 200-res.Failed)
		}
	}
}

func TestUncertaintyBadInput(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		name string
		in   engine.UncertainInput
		want string
	}{
		{"unknown parameter", engine.UncertainInput{Name: "X", Param: "treat.winmin", Values: []json.RawMessage{raw("1")}}, `"winmin" is not a method setting`},
		{"unknown node in weights", engine.UncertainInput{Name: "W", Param: "weights.Nowhere", Values: []json.RawMessage{raw("2")}}, `"Nowhere" is not in the framework`},
		{"unknown noise node", engine.UncertainInput{Name: "W", Param: "weights", Noise: []engine.WeightNoise{{Node: "Nowhere", Factor: 0.2}}}, `"Nowhere" is not an aggregate`},
		{"empty list", engine.UncertainInput{Name: "N", Param: "normalise", Values: []json.RawMessage{}}, "empty"},
		{"bad alternative", engine.UncertainInput{Name: "N", Param: "normalise", Values: []json.RawMessage{raw(`{"method":"minmax","low":5,"high":1}`)}}, "high (1) must be above low (5)"},
		{"unknown method", engine.UncertainInput{Name: "A", Param: "aggregate", Values: []json.RawMessage{raw(`{"method":"median"}`)}}, `unknown method "median"`},
		{"reversed range", engine.UncertainInput{Name: "S", Param: "screen.threshold", Range: []float64{0.9, 0.5}}, "high above low"},
		{"exclude unknown", engine.UncertainInput{Name: "E", Param: "exclude", Indicators: []string{"LPI", "Nope"}}, `"Nope" is not an indicator`},
		{"nothing to vary", engine.UncertainInput{Name: "Z", Param: "treat.winmax"}, "needs values"},
	}
	f, d := loadASEM(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := engine.NewAnalysis(context.Background(), f, d, asemDefault(), engine.UncertaintySpec{Inputs: []engine.UncertainInput{tc.in}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if citylens.ErrorCode(err) != citylens.EINVALID {
				t.Errorf("code %q, want invalid", citylens.ErrorCode(err))
			}
			if !strings.Contains(err.Error(), `"`+tc.in.Name+`"`) {
				t.Errorf("error %q does not name the input %q", err, tc.in.Name)
			}
		})
	}
	a := newASEMAnalysis(t, asemUA(), 1)
	if _, err := a.RunUA(context.Background(), 1, 1); err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("N = 1: error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := a.RunUA(ctx, 100, 1)
	if citylens.ErrorCode(err) != citylens.ECANCELED || !errors.Is(err, err) {
		t.Errorf("cancelled run: error %v, want code canceled", err)
	}
}

func TestUncertaintyContinuousAndExclusionInputs(t *testing.T) {
	spec := engine.UncertaintySpec{Inputs: []engine.UncertainInput{
		{Name: "Winmax", Param: "treat.winmax", Range: []float64{1, 5}, Integer: true},
		{Name: "Skew", Param: "treat.skew_threshold", Range: []float64{1.5, 2.5}},
		{Name: "Drop one", Param: "exclude", Indicators: []string{"LPI", "CO2", "Pat"}},
		{Name: "Conn weight", Param: "weights.Conn", Range: []float64{0.5, 2}},
	}}
	res, err := newASEMAnalysis(t, spec, 2).RunUA(context.Background(), 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 0 {
		t.Fatalf("failures: %v", res.Failures)
	}
	moved := false
	for _, u := range res.Units {
		if u.Q95 != u.Q5 {
			moved = true
		}
	}
	if !moved {
		t.Error("no rank moved under four uncertain inputs")
	}
}

func TestSensitivityASEM(t *testing.T) {
	a := newASEMAnalysis(t, asemUA(), 0)
	res, err := a.RunSA(context.Background(), 300, 11, 100)
	if err != nil {
		t.Fatal(err)
	}
	if res.Runs != 300*6 || res.Failed != 0 {
		t.Fatalf("runs %d failed %d", res.Runs, res.Failed)
	}
	if got, want := len(res.Indices), 52*4; got != want {
		t.Fatalf("%d indices, want %d", got, want)
	}
	byInput := map[string]engine.SobolIndex{}
	for _, s := range res.Indices[:4] {
		if s.Output != engine.MeanAbsShiftOutput {
			t.Fatalf("first output %q, want the mean absolute rank shift", s.Output)
		}
		byInput[s.Input] = s
		if s.ST < -0.05 || s.ST > 1.5 || s.STLo > s.ST || s.STHi < s.ST {
			t.Errorf("%s: ST %v [%v, %v]", s.Input, s.ST, s.STLo, s.STHi)
		}
	}
	// Normalisation (min-max vs z-score) moves ranks far more than winmax does.
	if byInput["Normalisation"].ST <= byInput["Winmax"].ST {
		t.Errorf("ST normalisation %v not above ST winmax %v", byInput["Normalisation"].ST, byInput["Winmax"].ST)
	}
	again, err := newASEMAnalysis(t, asemUA(), 1).RunSA(context.Background(), 300, 11, 100)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res, again, floatEq); diff != "" {
		t.Errorf("same seed, different workers, different result:\n%s", diff)
	}
}
