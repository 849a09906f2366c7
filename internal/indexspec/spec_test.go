package indexspec_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexspec"
)

const asemDir = "../../testdata/asem"

// asemDefault is COINr's build_example_coin() method, written out in Go.
func asemDefault() engine.Method {
	m := engine.DefaultMethod()
	m.Denominate = true
	m.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: "EurAsia_group"}
	m.Screen = engine.Screening{Method: engine.ScreenByNA, Threshold: 0.9}
	m.Treat = engine.Treatment{Method: engine.TreatWinsorise, Winmax: 5, SkewThreshold: 2, KurtThreshold: 3.5, Fallback: "log"}
	return m
}

// TestLoadASEMSpecs checks that each ASEM spec says what METHOD.md's table says.
func TestLoadASEMSpecs(t *testing.T) {
	variant := func(change func(m *engine.Method)) engine.Method {
		m := asemDefault()
		change(&m)
		return m
	}
	want := map[string]engine.Method{
		"default": asemDefault(),
		"agg_gmean_top": variant(func(m *engine.Method) {
			m.AggregateLevels = map[int]engine.Aggregation{4: {Method: engine.AggGMean}}
		}),
		"agg_gmean_L34": variant(func(m *engine.Method) {
			m.AggregateLevels = map[int]engine.Aggregation{3: {Method: engine.AggGMean}, 4: {Method: engine.AggGMean}}
		}),
		"minmax1_100_gmean_all": variant(func(m *engine.Method) {
			m.Normalise = engine.Normalisation{Method: engine.NormMinMax, Low: 1, High: 100}
			m.Aggregate = engine.Aggregation{Method: engine.AggGMean}
		}),
		"norm_zscore": variant(func(m *engine.Method) {
			m.Normalise = engine.Normalisation{Method: engine.NormZScore, Mean: 0, SD: 1, High: 100}
		}),
		"treat_none":    variant(func(m *engine.Method) { m.Treat = engine.Treatment{Method: engine.TreatNone} }),
		"treat_winmax1": variant(func(m *engine.Method) { m.Treat.Winmax = 1 }),
		"impute_none":   variant(func(m *engine.Method) { m.Impute = engine.Imputation{Method: engine.ImputeNone} }),
		"impute_median": variant(func(m *engine.Method) { m.Impute = engine.Imputation{Method: engine.ImputeMedian} }),
		"norm_goalposts": variant(func(m *engine.Method) {
			// The default's high (100) stays beside it; goalposts read their
			// bounds, scale and truncation from the indicator table.
			m.Normalise = engine.Normalisation{Method: engine.NormGoalposts, High: 100}
		}),
		"weights_custom": variant(func(m *engine.Method) {
			m.Weights = map[string]float64{"Conn": 2, "P2P": 0.5, "Social": 2, "CO2": 3}
		}),
	}
	files, err := filepath.Glob(filepath.Join(asemDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d spec files, want %d", len(files), len(want))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			ix, err := indexspec.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			// A zero-valued part parsed from JSON is an empty map, not nil.
			if diff := cmp.Diff(w, ix.Method, cmp.Comparer(func(a, b map[string]engine.Treatment) bool { return len(a) == 0 && len(b) == 0 })); diff != "" {
				t.Errorf("method (-METHOD.md +spec):\n%s", diff)
			}
			if got := len(ix.Data.Units); got != 51 {
				t.Errorf("%d units, want 51", got)
			}
			if got := len(ix.Framework.Indicators()); got != 49 {
				t.Errorf("%d indicators, want 49", got)
			}
			meta := "input/iMeta.csv"
			if name == "norm_goalposts" {
				meta = "input/iMeta_goalposts.csv"
			}
			if ix.Spec.Name == "" || ix.Spec.Framework.COINrMeta != meta {
				t.Errorf("spec %+v", ix.Spec)
			}
		})
	}
}

// TestParseDefaults checks that parts left out keep engine.DefaultMethod()'s
// values and that the uncertainty section passes through untouched.
func TestParseDefaults(t *testing.T) {
	const sources = `"framework": {"coinr_meta": "m.csv"}, "data": {"coinr_data": "d.csv"}`
	tests := []struct {
		name string
		doc  string
		want func(m *engine.Method)
	}{
		{"no method", `{` + sources + `}`, func(m *engine.Method) {}},
		{"empty method", `{` + sources + `, "method": {}}`, func(m *engine.Method) {}},
		{"minmax low only keeps high 100", `{` + sources + `, "method": {"normalise": {"low": 1}}}`,
			func(m *engine.Method) { m.Normalise.Low = 1 }},
		{"per-level and per-node aggregation", `{` + sources + `, "method": {"aggregate_levels": {"3": {"method": "genmean", "p": 2}}, "aggregate_nodes": {"Sust": {"method": "hmean"}}}}`,
			func(m *engine.Method) {
				m.AggregateLevels = map[int]engine.Aggregation{3: {Method: engine.AggGenMean, P: 2}}
				m.AggregateNodes = map[string]engine.Aggregation{"Sust": {Method: engine.AggHMean}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := indexspec.Parse("dir/my_index.json", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			want := engine.DefaultMethod()
			tt.want(&want)
			if diff := cmp.Diff(want, s.Method); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if s.Name != "my_index" {
				t.Errorf("name %q, want the file's base name", s.Name)
			}
		})
	}
	t.Run("uncertainty passes through", func(t *testing.T) {
		const ua = `{"n": 100,  "winmax": [1, 2, 3], "anything": {"nested": true}}`
		s, err := indexspec.Parse("s.json", []byte(`{`+sources+`, "uncertainty": `+ua+`}`))
		if err != nil {
			t.Fatal(err)
		}
		if string(s.Uncertainty) != ua {
			t.Errorf("uncertainty %s, want %s", s.Uncertainty, ua)
		}
	})
}

func TestParseErrors(t *testing.T) {
	const sources = `"framework": {"coinr_meta": "m.csv"}, "data": {"coinr_data": "d.csv"}`
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "  \n", "s.json: empty file"},
		{"not an object", `[1, 2]`, "s.json: line 1, column 1: a spec is a JSON object"},
		{"unknown top field", "{" + sources + `,` + "\n" + `  "methods": {}}`, `s.json: line 2, column 3: unknown field "methods"`},
		{"unknown nested field", "{" + sources + `, "method": {"treat": {"winmax": 5, "win_max": 1}}}`, `unknown field "method.treat.win_max" (known fields: fallback, indicators, kurt_threshold, method, skew_threshold, winmax)`},
		{"field in the wrong case", "{" + sources + `, "Method": {}}`, `unknown field "Method" (did you mean "method"?)`},
		{"unknown field under a map", "{" + sources + `, "method": {"aggregate_levels": {"2": {"method": "amean", "power": 2}}}}`, `unknown field "method.aggregate_levels.2.power"`},
		{"level key not a number", "{" + sources + `, "method": {"aggregate_levels": {"top": {"method": "gmean"}}}}`, `method.aggregate_levels: key "top" must be a whole number`},
		{"duplicate field", "{" + sources + `, "name": "a", "name": "b"}`, `field "name" appears twice`},
		{"syntax error", "{\n" + sources + ",\n}", "s.json: line 3, column 1: invalid character '}' looking for beginning of object key string"},
		{"truncated", "{" + sources, "s.json: line 1, column 71: unexpected end of file"},
		{"trailing data", "{" + sources + "} {}", "s.json: line 1, column 73: unexpected data after the spec's closing brace"},
		{"wrong type", "{" + sources + `, "method": {"denominate": "yes"}}`, `method.denominate: a string cannot be read as true or false`},
		{"fraction for an integer", "{" + sources + `, "method": {"treat": {"winmax": 2.5}}}`, `method.treat.winmax: a number 2.5 cannot be read as a whole number`},
		{"no framework", `{"data": {"coinr_data": "d.csv"}}`, "s.json: framework: missing"},
		{"no data", `{"framework": {"coinr_meta": "m.csv"}}`, "s.json: data: missing"},
		{"two data sources", `{"framework": {"coinr_meta": "m.csv"}, "data": {"coinr_data": "d.csv", "long": "v.csv"}}`, "data: give coinr_data or long, not both"},
		{"year with coinr_data", `{"framework": {"coinr_meta": "m.csv"}, "data": {"coinr_data": "d.csv", "year": 2020}}`, "data: units and year go with the long layout"},
		{"negative year", `{"framework": {"coinr_meta": "m.csv"}, "data": {"long": "v.csv", "year": -1}}`, "data.year: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := indexspec.Parse("s.json", []byte(tt.doc))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if citylens.ErrorCode(err) != citylens.EINVALID {
				t.Errorf("code %q", citylens.ErrorCode(err))
			}
			if msg := citylens.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("error %q\ndoes not say %q", msg, tt.want)
			}
		})
	}
}

const smallMeta = `Level,iCode,iName,Direction,Weight,Denominator,Parent,Type
1,a,A,1,1,NA,Index,Indicator
1,b,B,-1,2,NA,Index,Indicator
2,Index,Index,NA,1,NA,NA,Aggregate
NA,region,Region,NA,NA,NA,NA,Group
`

// TestLoadLong builds an index from the long layout, paths relative to the spec.
func TestLoadLong(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"meta/iMeta.csv": smallMeta,
		"data/units.csv": "uCode,uName,region\nX,Ex,North\nY,Why,North\nZ,Zed,South\n",
		"data/values.csv": "unit,indicator,year,value\n" +
			"X,a,2023,1\nX,a,2024,2\nY,a,2024,4\nZ,a,2024,6\n" +
			"X,b,2024,10\nY,b,2024,NA\nY,b,2023,30\nZ,b,2024,20\n",
		"sub/spec.json": `{"name": "small", "framework": {"coinr_meta": "../meta/iMeta.csv"},
			"data": {"long": "../data/values.csv", "units": "../data/units.csv"},
			"method": {"impute": {"method": "group_mean", "group": "region"}}}`,
	}
	for p, s := range files {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := indexspec.Load(filepath.Join(dir, "sub/spec.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ix.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// a: 2, 4, 6 -> 0, 50, 100; b (lower is better): 10, 30 (2023, latest with a value), 20 -> 100, 0, 50.
	// Index = (a + 2b)/3.
	idx, _ := r.Aggregated.Col("Index")
	want := []float64{(0 + 2*100) / 3.0, (50 + 0) / 3.0, (100 + 2*50) / 3.0}
	if diff := cmp.Diff(want, idx, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("Index (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Ex", "Why", "Zed"}, ix.Data.Names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

// TestLoadErrorsNameTheSpec checks errors found after parsing: files and
// method choices checked against the framework name the spec.
func TestLoadErrorsNameTheSpec(t *testing.T) {
	tests := []struct {
		name, method, want string
		code               string
	}{
		{"unknown normalisation", `{"normalise": {"method": "minmax2"}}`, `spec.json: method: normalise: unknown method "minmax2"`, citylens.EINVALID},
		{"weight of an unknown code", `{"weights": {"Soc": 2}}`, `spec.json: method: weights: "Soc" is not in the framework`, citylens.EINVALID},
		{"negative weight", `{"weights": {"a": -1}}`, `spec.json: method: weights: "a" must be a positive number`, citylens.EINVALID},
		{"treatment override of an aggregate", `{"treat": {"indicators": {"Index": {"method": "none"}}}}`, `spec.json: method: treat: "Index" is not an indicator`, citylens.EINVALID},
		{"goalposts without goalposts", `{"normalise": {"method": "goalposts"}}`, `spec.json: method: normalise a: indicator has no goalposts`, citylens.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			spec := `{"framework": {"coinr_meta": "iMeta.csv"}, "data": {"coinr_data": "iData.csv"}, "method": ` + tt.method + `}`
			for p, s := range map[string]string{"iMeta.csv": smallMeta, "iData.csv": "uCode,region,a,b\nX,N,1,2\nY,S,2,1\n", "spec.json": spec} {
				if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := indexspec.Load(filepath.Join(dir, "spec.json"))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if citylens.ErrorCode(err) != tt.code {
				t.Errorf("code %q, want %q", citylens.ErrorCode(err), tt.code)
			}
			if msg := citylens.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("error %q\ndoes not say %q", msg, tt.want)
			}
		})
	}
	t.Run("missing spec file", func(t *testing.T) {
		_, err := indexspec.Load(filepath.Join(t.TempDir(), "nope.json"))
		if citylens.ErrorCode(err) != citylens.ENOTFOUND || !strings.Contains(citylens.ErrorMessage(err), "nope.json") {
			t.Errorf("error %v (%s), want not_found naming nope.json", err, citylens.ErrorCode(err))
		}
	})
}
