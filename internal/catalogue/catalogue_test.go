package catalogue

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

func mustSeed(t testing.TB) []Indicator {
	t.Helper()
	inds, err := SeedU4SSC()
	if err != nil {
		t.Fatal(err)
	}
	return inds
}

func TestSeedU4SSC(t *testing.T) {
	inds := mustSeed(t)
	if len(inds) != 91 {
		t.Fatalf("got %d indicators, want the 91 U4SSC KPIs", len(inds))
	}
	perDim := map[string]int{}
	perPillar := map[string]int{}
	for _, ind := range inds {
		perDim[ind.Xwalk.Dimension]++
		perPillar[ind.Xwalk.Pillar]++
		if err := ind.Validate(); err != nil {
			t.Errorf("seeded indicator invalid: %v", err)
		}
		if !strings.Contains(ind.Definition, ind.Xwalk.U4SSC) || ind.Guidance == "" {
			t.Errorf("%s: definition or guidance missing", ind.Code)
		}
	}
	if diff := cmp.Diff(map[string]int{"Economy": 45, "Environment": 17, "Society and Culture": 29}, perDim); diff != "" {
		t.Errorf("rows per dimension (-want +got):\n%s", diff)
	}
	// Environment (17) + Economy's E categories; Society (29) + Economy's S categories; G: public sector and urban planning.
	if diff := cmp.Diff(map[string]int{"E": 37, "S": 49, "G": 5}, perPillar); diff != "" {
		t.Errorf("rows per pillar (-want +got):\n%s", diff)
	}

	byCode := Index(inds)
	tests := []struct {
		code      string
		u4ssc     string
		pillar    string
		direction int
		rng       string
		goals     []int
		targets   []string
	}{
		{"EC-ICT-ICT-1C", "EC: ICT: ICT: 1C", "S", 1, "0 to 100", []int{17}, nil},
		{"EC-ICT-PS-1A", "EC: ICT: PS: 1A", "G", 1, "0 to 100", []int{16}, []string{"16.6", "16.7"}},
		{"EC-P-EM-1C", "EC: P: EM: 1C", "S", -1, "0 to 100", []int{8}, nil},
		{"EC-P-EM-3A", "EC: P: EM: 3A", "S", 0, "0 to 100", []int{8}, nil},
		{"EC-I-UP-2A", "EC: I: UP: 2A", "G", 1, "0 to 1", []int{11}, []string{"11.3"}},
		{"EN-EN-AQ-2C", "EN: EN: AQ: 2C", "E", -1, "at least 0", []int{11, 13}, []string{"11.6"}},
		{"SC-EH-H-1C", "SC: EH: H: 1C", "S", 1, "0 to 130", []int{3}, nil},
		{"SC-SH-SI-2C", "SC: SH: SI: 2C", "S", -1, "0 to 1", []int{10}, []string{"10.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			ind, ok := byCode[tt.code]
			if !ok {
				t.Fatalf("%s not seeded", tt.code)
			}
			got := []any{ind.Xwalk.U4SSC, ind.Xwalk.Pillar, ind.Direction, ind.RangeText(), ind.Xwalk.SDGGoals, ind.Xwalk.SDGTargets}
			want := []any{tt.u4ssc, tt.pillar, tt.direction, tt.rng, tt.goals, tt.targets}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if g := byCode["EN-EN-AQ-1C"].Guidance; !strings.Contains(g, "PM2.5; PM10; NO2; SO2; O3") {
		t.Errorf("air pollution guidance does not list its data points: %q", g)
	}
}

func TestParseU4SSCErrors(t *testing.T) {
	header := "code,dimension,subdimension,category,name,tier,sdg_goals,sdg_targets,unit,direction,notes\n"
	tests := []struct {
		name, csv, want string
	}{
		{"missing column", "code,name\nX,Y\n", `header lacks column "dimension"`},
		{"bad direction", header + "EN: EN: AQ: 9C,Environment,Environment,Air Quality,Soot,core,11,,%,up,\n", `line 2: EN: EN: AQ: 9C: direction "up"`},
		{"unknown dimension", header + "XX: A: B: 1C,Space,Orbit,Debris,Junk,core,11,,%,+1,\n", `line 2: unknown U4SSC dimension "Space"`},
		{"unknown economy category", header + "EC: X: Y: 1C,Economy,Finance,Tax,Tax,core,8,,%,+1,\n", `line 2: no ESG pillar for Economy category "Tax"`},
		{"bad goal", header + "EN: EN: AQ: 9C,Environment,Environment,Air Quality,Soot,core,19,,%,-1,\n", `line 2: indicator "EN-EN-AQ-9C": 1 problem(s): SDG goal 19`},
		{"duplicate", header + "EN: EN: AQ: 9C,Environment,Environment,Air Quality,Soot,core,11,,%,-1,\nEN: EN: AQ: 9C,Environment,Environment,Air Quality,Soot,core,11,,%,-1,\n", `line 3: code "EN: EN: AQ: 9C" already on line 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseU4SSC(strings.NewReader(tt.csv))
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

func TestIndicatorValidate(t *testing.T) {
	good := Indicator{Code: "X-1", Name: "X", Unit: "%", Direction: 1, Min: ptr(0), Max: ptr(100), Xwalk: Crosswalk{Pillar: "E", SDGTargets: []string{"11.6"}}}
	tests := []struct {
		name   string
		modify func(*Indicator)
		want   string
	}{
		{"ok", func(*Indicator) {}, ""},
		{"code with space", func(i *Indicator) { i.Code = "X 1" }, "indicator code"},
		{"no name", func(i *Indicator) { i.Name = " " }, "name is required"},
		{"direction", func(i *Indicator) { i.Direction = 2 }, "direction must be"},
		{"range", func(i *Indicator) { i.Min = ptr(5); i.Max = ptr(5) }, "minimum 5 must be below maximum 5"},
		{"pillar", func(i *Indicator) { i.Xwalk.Pillar = "X" }, "ESG pillar"},
		{"target", func(i *Indicator) { i.Xwalk.SDGTargets = []string{"eleven"} }, `SDG target "eleven"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ind := good
			tt.modify(&ind)
			err := ind.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			i18ntest.WantKeyed(t, err)
		})
	}
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNewEdition(t *testing.T) {
	inds := mustSeed(t)
	e, skipped, err := NewEdition("2026", "Smart Cities Index 2026", 2025, day("2026-01-15"), day("2026-04-15"), inds)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"EC-P-EM-3A", "EC-I-T-4A", "EN-EN-WA-1C", "EN-EN-PSN-4A", "SC-SH-SI-1C"}, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if got := len(e.Indicators()); got != 86 {
		t.Errorf("edition has %d indicators, want 86", got)
	}
	f, err := e.EngineFramework(Index(inds))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"INDEX"}, f.Roots()); diff != "" {
		t.Errorf("roots (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"E", "S", "G"}, f.Children("INDEX")); diff != "" {
		t.Errorf("pillars (-want +got):\n%s", diff)
	}
	n, _ := f.Node("EC-P-EM-1C")
	if n.Direction != -1 || n.Unit != "%" || n.Name != "Unemployment Rate" || n.Goalposts == nil || n.Goalposts.High != 100 {
		t.Errorf("unemployment node not taken from the catalogue: %+v", n)
	}
	if !e.Required("EC-P-EM-1C") || e.Required("nope") {
		t.Error("Required is wrong")
	}
}

func TestEditionValidate(t *testing.T) {
	inds := mustSeed(t)
	cat := Index(inds)
	base := func() *Edition {
		e, _, err := NewEdition("2026", "Index 2026", 2025, day("2026-01-15"), day("2026-04-15"), inds)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	tests := []struct {
		name   string
		modify func(*Edition)
		want   string
	}{
		{"ok", func(*Edition) {}, ""},
		{"code", func(e *Edition) { e.Code = "20 26" }, `edition code "20 26"`},
		{"year", func(e *Edition) { e.ReferenceYear = 26 }, "reference year 26"},
		{"window", func(e *Edition) { e.Closes = day("2026-01-01") }, "closes (2026-01-01) before it opens (2026-01-15)"},
		{"no window", func(e *Edition) { e.Opens = time.Time{} }, "needs an opening and a closing date"},
		{"threshold", func(e *Edition) { e.JumpThreshold = 0 }, "jump threshold"},
		{"status", func(e *Edition) { e.Status = "published" }, "status must be"},
		{"self previous", func(e *Edition) { e.PreviousEdition = "2026" }, "its own previous edition"},
		{"unknown indicator", func(e *Edition) {
			e.Framework = append(e.Framework, Node{Code: "NOPE", Parent: "E", Kind: KindIndicator, Weight: 1})
		}, `indicator "NOPE" is not in the catalogue`},
		{"no direction", func(e *Edition) {
			e.Framework = append(e.Framework, Node{Code: "EC-P-EM-3A", Parent: "S", Kind: KindIndicator, Weight: 1})
		}, `indicator "EC-P-EM-3A" has no direction`},
		{"direction override", func(e *Edition) {
			e.Framework = append(e.Framework, Node{Code: "EC-P-EM-3A", Parent: "S", Kind: KindIndicator, Weight: 1, Direction: 1})
		}, ""},
		{"zero weight", func(e *Edition) { e.Framework[1].Weight = 0 }, `node "E": weight must be a positive number`},
		{"bad kind", func(e *Edition) { e.Framework[1].Kind = "pillar" }, `kind must be aggregate or indicator, got "pillar"`},
		{"bad parent", func(e *Edition) { e.Framework[2].Parent = "X" }, `parent "X" is not in the framework`},
		{"method", func(e *Edition) { e.Method.Normalise.Method = "magic" }, `unknown method "magic"`},
		{"method group", func(e *Edition) { e.Method.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: "region"} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base()
			tt.modify(e)
			err := e.Validate(cat)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, tt.want)
			}
			i18ntest.WantKeyed(t, err)
		})
	}
}

func TestEditionStatus(t *testing.T) {
	inds := mustSeed(t)
	cat := Index(inds)
	e, _, err := NewEdition("2026", "Index 2026", 2025, day("2026-01-15"), day("2026-04-15"), inds)
	if err != nil {
		t.Fatal(err)
	}
	if e.CallOpen(day("2026-02-01")) {
		t.Error("a draft edition's call is open")
	}
	steps := []struct {
		to   string
		want string
	}{
		{StatusClosed, "cannot move to closed"},
		{StatusOpen, ""},
		{StatusDraft, "cannot move to draft"},
		{StatusClosed, ""},
		{StatusOpen, ""},
	}
	for _, s := range steps {
		err := e.SetStatus(s.to, cat)
		if s.want == "" && err != nil || s.want != "" && (err == nil || !strings.Contains(err.Error(), s.want)) {
			t.Fatalf("to %s: got %v, want %q", s.to, err, s.want)
		}
		if err != nil {
			i18ntest.WantKeyed(t, err)
		}
	}
	for _, tt := range []struct {
		at   string
		want bool
	}{{"2026-01-14", false}, {"2026-01-15", true}, {"2026-04-14", true}, {"2026-04-15", false}} {
		if got := e.CallOpen(day(tt.at)); got != tt.want {
			t.Errorf("CallOpen(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
	// Opening validates: an invalid edition stays as it was.
	e2, _, _ := NewEdition("2027", "Index 2027", 2026, day("2027-01-15"), day("2027-04-15"), inds)
	e2.JumpThreshold = -1
	if err := e2.SetStatus(StatusOpen, cat); err == nil || e2.Status != StatusDraft {
		t.Fatalf("opening an invalid edition: err %v, status %s", err, e2.Status)
	}
}

func TestParseMethod(t *testing.T) {
	m, err := ParseMethod([]byte(`{"normalise":{"method":"zscore"},"aggregate":{"method":"gmean"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Normalise.Method != "zscore" || m.Aggregate.Method != "gmean" {
		t.Errorf("got %+v", m)
	}
	if _, err := ParseMethod([]byte(`{"normalize":{}}`)); err == nil || !strings.Contains(err.Error(), "normalize") {
		t.Errorf("unknown field accepted: %v", err)
	} else {
		i18ntest.WantKeyed(t, err)
	}
}

// Problems names the form field at fault, and finds every problem at once.
func TestIndicatorProblemsNameFields(t *testing.T) {
	ind := Indicator{Code: "X 1", Name: "", Direction: 3, Min: ptr(10), Max: ptr(1),
		Xwalk: Crosswalk{Pillar: "Q", U4SSCTier: "gold", ISO37120: "five", SDGGoals: []int{18}, SDGTargets: []string{"11."}}}
	var fields []string
	for _, p := range ind.Problems() {
		fields = append(fields, p.Field)
	}
	want := []string{"code", "name", "direction", "max", "pillar", "u4ssc_tier", "iso37120", "sdg_goals", "sdg_targets"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	err := ind.Validate()
	if e := citylens.AsError(err); e == nil || e.Code != citylens.EINVALID || len(e.Problems) != len(want) {
		t.Errorf("Validate = %v, want EINVALID with %d problems", err, len(want))
	}
	i18ntest.WantKeyed(t, err)
}

func TestScoringChanges(t *testing.T) {
	base := Indicator{Code: "X", Name: "X", Unit: "%", Direction: 1, Min: ptr(0), Max: ptr(100)}
	for _, tc := range []struct {
		name   string
		modify func(*Indicator)
		want   []string
	}{
		{"nothing", func(*Indicator) {}, nil},
		{"name and guidance only", func(i *Indicator) { i.Name, i.Guidance = "Y", "G" }, nil},
		{"same bounds, other pointers", func(i *Indicator) { i.Min, i.Max = ptr(0), ptr(100) }, nil},
		{"direction", func(i *Indicator) { i.Direction = -1 }, []string{"direction"}},
		{"unit and an opened bound", func(i *Indicator) { i.Unit, i.Max = "‰", nil }, []string{"unit", "max"}},
		{"both bounds", func(i *Indicator) { i.Min, i.Max = ptr(1), ptr(99) }, []string{"min", "max"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after := base
			tc.modify(&after)
			if diff := cmp.Diff(tc.want, ScoringChanges(base, after)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
