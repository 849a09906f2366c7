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

// TestBuildErrorsNameTheCode checks that each input the engine cannot use
// stops the build with an invalid-input error naming the code (and unit) at
// fault, never a panic or a NaN in the results, worded by a catalogue key
// (so a page shows it in its reader's language).
func TestBuildErrorsNameTheCode(t *testing.T) {
	nodes := func() []engine.Node {
		return []engine.Node{
			{Code: "a", Kind: engine.Indicator, Parent: "P", Weight: 1, Direction: 1, Denominator: "pop"},
			{Code: "b", Kind: engine.Indicator, Parent: "P", Weight: 1, Direction: -1},
			{Code: "c", Kind: engine.Indicator, Parent: "Q", Weight: 1, Direction: 1},
			{Code: "P", Kind: engine.Aggregate, Parent: "Index", Weight: 1},
			{Code: "Q", Kind: engine.Aggregate, Parent: "Index", Weight: 1},
			{Code: "Index", Kind: engine.Aggregate, Weight: 1},
		}
	}
	data := func() *engine.Data {
		return &engine.Data{
			Units:  []string{"X", "Y", "Z"},
			Groups: map[string][]string{"region": {"N", "N", "S"}},
			Columns: map[string][]float64{
				"a": {1, 2, 3}, "b": {3, 1, 2}, "c": {5, 7, 6}, "pop": {10, 20, 30},
			},
		}
	}
	tests := []struct {
		name   string
		nodes  func([]engine.Node) []engine.Node
		data   func(*engine.Data)
		method func(*engine.Method)
		want   []string
	}{
		{name: "empty framework", nodes: func([]engine.Node) []engine.Node { return nil },
			want: []string{"framework: no nodes"}},
		{name: "code twice", nodes: func(n []engine.Node) []engine.Node { return append(n, n[1]) },
			want: []string{`code "b" appears twice`}},
		{name: "unknown parent", nodes: func(n []engine.Node) []engine.Node { n[2].Parent = "R"; return n },
			want: []string{`node "c": parent "R" is not in the framework`}},
		{name: "cycle", nodes: func(n []engine.Node) []engine.Node { n[5].Parent = "P"; return n },
			want: []string{`node "P" is part of a cycle of parents (P -> Index -> P)`}},
		{name: "self parent", nodes: func(n []engine.Node) []engine.Node { n[4].Parent = "Q"; return n },
			want: []string{`node "Q" is part of a cycle of parents (Q -> Q)`}},
		{name: "negative weight", nodes: func(n []engine.Node) []engine.Node { n[0].Weight = -1; return n },
			want: []string{`indicator "a": weight must be a positive number, or 0 for an unscored indicator`}},
		{name: "zero aggregate weight", nodes: func(n []engine.Node) []engine.Node { n[3].Weight = 0; return n },
			want: []string{`node "P": weight must be a positive number`}},
		{name: "every child unscored", nodes: func(n []engine.Node) []engine.Node { n[2].Weight = 0; return n },
			want: []string{`aggregate "Q" has no scored children`}},
		{name: "every child contextual", nodes: func(n []engine.Node) []engine.Node { n[2].Contextual = true; return n },
			want: []string{`aggregate "Q" has no scored children`}},
		{name: "contextual aggregate", nodes: func(n []engine.Node) []engine.Node { n[3].Contextual = true; return n },
			want: []string{`node "P": only indicators can be contextual`}},
		{name: "declared level below a child", nodes: func(n []engine.Node) []engine.Node { n[3].Level = 3; n[5].Level = 3; return n },
			want: []string{`node "Index" is declared at level 3, but its child "P" is at level 3`}},
		{name: "indicator above level 1", nodes: func(n []engine.Node) []engine.Node { n[0].Level = 2; return n },
			want: []string{`node "a": level 2: indicators are at level 1`}},
		{name: "indicator without data", data: func(d *engine.Data) { delete(d.Columns, "c") },
			want: []string{`indicator "c" has no column in the data`}},
		{name: "unit twice", data: func(d *engine.Data) { d.Units[2] = "X" },
			want: []string{`unit code "X" appears twice`}},
		{name: "zero denominator", data: func(d *engine.Data) { d.Columns["pop"][1] = 0 },
			method: func(m *engine.Method) { m.Denominate = true },
			want:   []string{`unit "Y"`, `denominator "pop" of indicator "a" is zero`}},
		{name: "missing denominator column", data: func(d *engine.Data) { delete(d.Columns, "pop") },
			method: func(m *engine.Method) { m.Denominate = true },
			want:   []string{`indicator "a": denominator "pop" is not a column of the data`}},
		{name: "constant column under min-max", data: func(d *engine.Data) { d.Columns["c"] = []float64{4, 4, 4} },
			want: []string{`indicator "c"`, "all 3 values are equal (4)"}},
		{name: "geometric mean over zero", method: func(m *engine.Method) { m.Aggregate.Method = engine.AggGMean },
			want: []string{`aggregate "P", unit "X"`, "geometric mean over a value <= 0"}},
		{name: "geometric mean over a negative z-score", method: func(m *engine.Method) {
			m.Normalise = engine.Normalisation{Method: engine.NormZScore}
			m.AggregateLevels = map[int]engine.Aggregation{3: {Method: engine.AggGMean}}
		}, want: []string{`aggregate "Index"`, "geometric mean over a value <= 0"}},
		{name: "unknown method", method: func(m *engine.Method) { m.Impute.Method = "average" },
			want: []string{`impute: unknown method "average"`}},
		{name: "unknown group", method: func(m *engine.Method) { m.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: "income"} },
			want: []string{`group column "income" is not in the data`}},
		{name: "indicator without values", data: func(d *engine.Data) { d.Columns["c"] = []float64{engine.NA, engine.NA, engine.NA} },
			want: []string{`normalise: indicator "c": no values`}},
		{name: "weight of no node", method: func(m *engine.Method) { m.Weights = map[string]float64{"zz": 1} },
			want: []string{`weights: "zz" is not in the framework`}},
		{name: "negative weight", method: func(m *engine.Method) { m.Weights = map[string]float64{"a": -1} },
			want: []string{`weights: "a" must be a positive number, got -1`}},
		{name: "min-max upside down", method: func(m *engine.Method) {
			m.Normalise = engine.Normalisation{Method: engine.NormMinMax, Low: 50, High: 10}
		},
			want: []string{"method: normalise: high (10) must be above low (50)"}},
		{name: "unknown aggregation", method: func(m *engine.Method) { m.Aggregate.Method = "median" },
			want: []string{`method: aggregate: unknown method "median"`}},
		{name: "harmonic mean over zero", method: func(m *engine.Method) { m.Aggregate.Method = engine.AggHMean },
			want: []string{`aggregate "P", unit "X"`, "harmonic mean over a zero value of"}},
		{name: "goalposts equal", nodes: func(n []engine.Node) []engine.Node { n[1].Goalposts = &engine.Goalposts{Low: 1, High: 1}; return n },
			want: []string{`framework: indicator "b": goalposts low (1) must be below high (1)`}},
		{name: "goalposts reversed", nodes: func(n []engine.Node) []engine.Node { n[1].Goalposts = &engine.Goalposts{Low: 10, High: 0}; return n },
			want: []string{`framework: indicator "b": goalposts low (10) must be below high (0): they are numeric bounds, and the direction says which end is good`}},
		{name: "goalposts not finite", nodes: func(n []engine.Node) []engine.Node {
			n[1].Goalposts = &engine.Goalposts{Low: 0, High: math.Inf(1)}
			return n
		}, want: []string{`framework: indicator "b": goalposts must be finite numbers`}},
		{name: "everyone screened out", data: func(d *engine.Data) { d.Columns["b"] = []float64{engine.NA, engine.NA, engine.NA} },
			method: func(m *engine.Method) { m.Screen = engine.Screening{Method: engine.ScreenByNA, Threshold: 0.9} },
			want:   []string{"every unit is below the data-availability threshold 0.9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := nodes()
			if tt.nodes != nil {
				n = tt.nodes(n)
			}
			d := data()
			if tt.data != nil {
				tt.data(d)
			}
			m := engine.DefaultMethod()
			if tt.method != nil {
				tt.method(&m)
			}
			f, err := engine.NewFramework(n)
			if err == nil {
				_, err = engine.Build(context.Background(), f, d, m)
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if citylens.ErrorCode(err) != citylens.EINVALID {
				t.Errorf("code %q, want %q", citylens.ErrorCode(err), citylens.EINVALID)
			}
			for _, w := range tt.want {
				if !strings.Contains(citylens.ErrorMessage(err), w) {
					t.Errorf("error %q does not say %q", citylens.ErrorMessage(err), w)
				}
			}
			i18ntest.WantKeyed(t, err)
		})
	}
}
