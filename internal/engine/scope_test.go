package engine_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

func scopeFramework(t *testing.T) *engine.Framework {
	t.Helper()
	f, err := engine.NewFramework([]engine.Node{
		{Code: "a", Kind: engine.Indicator, Parent: "P", Weight: 1},
		{Code: "b", Kind: engine.Indicator, Parent: "P", Weight: 1},
		{Code: "ctx", Kind: engine.Indicator, Parent: "P", Weight: 1, Contextual: true},
		{Code: "c", Kind: engine.Indicator, Parent: "Q", Weight: 1},
		{Code: "d", Kind: engine.Indicator, Parent: "Index", Weight: 1}, // straight under the index
		{Code: "P", Kind: engine.Aggregate, Parent: "Index", Weight: 1},
		{Code: "Q", Kind: engine.Aggregate, Parent: "Index", Weight: 1},
		{Code: "Index", Kind: engine.Aggregate, Weight: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func scopeData() *engine.Data {
	na := engine.NA
	return &engine.Data{
		Units:  []string{"U1", "U2", "U3", "U4", "U5"},
		Groups: map[string][]string{"region": {"N", "N", "S", "S", "S"}},
		Columns: map[string][]float64{
			"a":   {1, na, 3, 4, 5},
			"b":   {2, 4, na, 8, 10},
			"ctx": {100, 0, na, 50, 7},
			"c":   {na, 1, 2, 3, 4},
			"d":   {5, 4, 3, 2, na},
		},
	}
}

// TestImputeScopes: an indicator's own entry wins over its branch's, which
// wins over the index-wide imputation; none switches imputation off.
func TestImputeScopes(t *testing.T) {
	f, d := scopeFramework(t), scopeData()
	m := engine.DefaultMethod()
	m.Impute = engine.Imputation{Method: engine.ImputeMean, Nodes: map[string]engine.Imputation{
		"P": {Method: engine.ImputeGroupMean, Group: "region"},
		"b": {Method: engine.ImputeNone},
		"Q": {Method: engine.ImputeMedian, Stage: engine.ImputeNormalised},
	}}
	r, err := engine.Build(context.Background(), f, d, m)
	if err != nil {
		t.Fatal(err)
	}
	col := func(mx *engine.Matrix, c string) []float64 { v, _ := mx.Col(c); return v }
	// a (branch P): the mean of its region N's available values: U1's 1.
	if got := col(r.Imputed, "a")[1]; got != 1 {
		t.Errorf("a/U2 = %v, want the region N mean 1", got)
	}
	// b: switched off.
	if got := col(r.Imputed, "b")[2]; !engine.IsNA(got) {
		t.Errorf("b/U3 = %v, want missing", got)
	}
	// ctx (branch P, contextual): imputed like its branch, S mean of 50 and 7.
	if got := col(r.Imputed, "ctx")[2]; got != 28.5 {
		t.Errorf("ctx/U3 = %v, want 28.5", got)
	}
	// d (index-wide): the mean of 5, 4, 3, 2.
	if got := col(r.Imputed, "d")[4]; got != 3.5 {
		t.Errorf("d/U5 = %v, want 3.5", got)
	}
	// c (branch Q, after normalisation): missing in Imputed, the median of
	// the others' scores (min-max 0-100 of 1..4: 0, 33.3, 66.7, 100) in Normalised.
	if got := col(r.Imputed, "c")[0]; !engine.IsNA(got) {
		t.Errorf("c/U1 imputed on raw values: %v", got)
	}
	if got, want := col(r.Normalised, "c")[0], 50.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("c/U1 score = %v, want the median score %v", got, want)
	}
	want := map[string]string{"U2/a": "raw group_mean region", "U3/ctx": "raw group_mean region", "U5/d": "raw mean ", "U1/c": "normalised median "}
	if len(r.Imputations) != len(want) {
		t.Errorf("flags %+v, want %v", r.Imputations, want)
	}
	for _, v := range r.Imputations {
		if got := v.Stage + " " + v.Method + " " + v.Group; want[v.Unit+"/"+v.Indicator] != got {
			t.Errorf("flag %s/%s: %q, want %q", v.Unit, v.Indicator, got, want[v.Unit+"/"+v.Indicator])
		}
	}
	// The contextual indicator never enters P: P = mean(a, b) over those present.
	p, a, b := col(r.Aggregated, "P"), col(r.Normalised, "a"), col(r.Normalised, "b")
	for i := range p {
		var s float64
		n := 0
		for _, v := range []float64{a[i], b[i]} {
			if !engine.IsNA(v) {
				s += v
				n++
			}
		}
		if math.Abs(p[i]-s/float64(n)) > 1e-12 {
			t.Errorf("P/%s = %v, want %v (ctx left out)", r.Aggregated.Units[i], p[i], s/float64(n))
		}
	}
	// Index: P, Q and d, the indicator under the index.
	if got := f.Level("Index"); got != 3 {
		t.Errorf("index level %d, want 3", got)
	}
	// The audit keeps ctx's statistics and correlations but leaves it out of alpha.
	rep, err := engine.Audit(r)
	if err != nil {
		t.Fatal(err)
	}
	stats, corr := false, false
	for _, s := range rep.Stats {
		stats = stats || s.Code == "ctx"
	}
	for _, c := range rep.Correlations {
		corr = corr || c.X == "ctx"
	}
	if !stats || !corr {
		t.Errorf("ctx in the audit's stats %v, correlations %v", stats, corr)
	}
	for _, a := range rep.Aggregates {
		if a.Code == "P" && strings.Join(a.Children, ",") != "a,b" {
			t.Errorf("P's alpha over %v, want a, b", a.Children)
		}
	}
}

func TestImputeScopeErrors(t *testing.T) {
	f, d := scopeFramework(t), scopeData()
	tests := []struct {
		name string
		imp  engine.Imputation
		want string
	}{
		{"unknown node", engine.Imputation{Nodes: map[string]engine.Imputation{"Z": {Method: "mean"}}}, `impute: "Z" is not in the framework`},
		{"nested", engine.Imputation{Nodes: map[string]engine.Imputation{"P": {Method: "mean", Nodes: map[string]engine.Imputation{"a": {}}}}}, `impute P: an entry of nodes cannot have nodes of its own`},
		{"bad stage", engine.Imputation{Method: "mean", Stage: "after"}, `impute: unknown stage "after" (raw, normalised)`},
		{"scoped group missing", engine.Imputation{Nodes: map[string]engine.Imputation{"a": {Method: "group_mean"}}}, `impute a: group_mean needs a group column`},
		{"scoped unknown group", engine.Imputation{Nodes: map[string]engine.Imputation{"Q": {Method: "group_median", Group: "country"}}}, `impute Q: group column "country" is not in the data`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := engine.DefaultMethod()
			m.Impute = tt.imp
			_, err := engine.Build(context.Background(), f, d, m)
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(citylens.ErrorMessage(err), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			i18ntest.WantKeyed(t, err)
		})
	}
}

// TestReplayImputesAfterNormalising: a replication of the nominal method
// (uncertainty analysis) imputes scores after normalisation as the build does.
func TestReplayImputesAfterNormalising(t *testing.T) {
	f, d := scopeFramework(t), scopeData()
	m := engine.DefaultMethod()
	m.Impute = engine.Imputation{Method: engine.ImputeMean, Stage: engine.ImputeNormalised,
		Nodes: map[string]engine.Imputation{"b": {Method: engine.ImputeNone}}}
	r, err := engine.Build(context.Background(), f, d, m)
	if err != nil {
		t.Fatal(err)
	}
	ua, err := engine.Replay(context.Background(), f, d, m, []engine.Replication{{Method: m}, {Method: m}}, []string{"Index"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := r.Aggregated.Col("Index")
	for u := range d.Units {
		got := ua.Output.Score(0, 0, u)
		if math.Abs(got-want[u]) > 1e-5*math.Max(1, math.Abs(want[u])) { // scores kept in float32
			t.Errorf("%s: replication %v, build %v", d.Units[u], got, want[u])
		}
	}
}

// TestScreenCountsScoredIndicators: a unit missing only an unscored
// indicator keeps its full data availability.
func TestScreenCountsScoredIndicators(t *testing.T) {
	f, d := scopeFramework(t), scopeData()
	m := engine.DefaultMethod()
	m.Screen = engine.Screening{Method: engine.ScreenByNA, Threshold: 0.7}
	r, err := engine.Build(context.Background(), f, d, m)
	if err != nil {
		t.Fatal(err)
	}
	// U3 misses b (scored) and ctx (contextual): 3 of 4 scored indicators,
	// above the threshold (counting ctx it would be 3 of 5, below).
	for _, s := range r.Screen {
		if s.Unit == "U3" && (s.NMissing != 1 || s.DatAvail != 0.75 || !s.Included) {
			t.Errorf("U3 screen %+v, want 1 missing of 4 scored, availability 0.75, ranked", s)
		}
	}
	if len(r.Unranked()) != 0 {
		t.Errorf("unranked %+v, want none", r.Unranked())
	}
}
