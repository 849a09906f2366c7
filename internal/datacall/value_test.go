package datacall

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

// ignoreWording leaves a problem's message key and arguments to
// i18ntest.WantKeyedProblems.
var ignoreWording = cmpopts.IgnoreFields(citylens.Problem{}, "Key", "Args")

// wantKeyed checks that every problem is worded by a catalogue key whose
// English text, with the problem's arguments, is the problem's reason, and
// that the Korean text is a translation (so a Korean page says it in Korean).
func wantKeyed(t *testing.T, errs []citylens.Problem) {
	t.Helper()
	i18ntest.WantKeyedProblems(t, errs)
}

func TestCheck(t *testing.T) {
	good := Entry{Row: 7, City: "SEO", Indicator: "SHARE", Value: "85.5", Unit: "% of households", Source: "Statistics Korea", DataYear: "2024"}
	tests := []struct {
		name   string
		modify func(*Entry)
		want   Value
		errs   []citylens.Problem
		blank  bool
	}{
		{
			name:   "ok",
			modify: func(*Entry) {},
			want:   Value{Edition: "2026", City: "SEO", Indicator: "SHARE", Value: 85.5, Unit: "% of households", Provenance: Provenance{Source: "Statistics Korea", DataYear: 2024}},
		},
		{
			name: "ok with every field, spreadsheet year, unit in other case",
			modify: func(e *Entry) {
				e.Unit, e.DataYear, e.MethodNote, e.Estimated, e.Comment = "% OF HOUSEHOLDS", "2023.0", " survey ", "Yes", "new survey"
			},
			want: Value{Edition: "2026", City: "SEO", Indicator: "SHARE", Value: 85.5, Unit: "% of households",
				Provenance: Provenance{Source: "Statistics Korea", DataYear: 2023, MethodNote: "survey", Estimated: true}, Comment: "new survey"},
		},
		{name: "blank row", modify: func(e *Entry) { e.Value, e.Source, e.DataYear = "", "", "" }, blank: true},
		{name: "not a number", modify: func(e *Entry) { e.Value = "85,5" }, errs: []citylens.Problem{{Row: 7, Column: "value", City: "SEO", Indicator: "SHARE", Reason: `"85,5" is not a number (use digits, a dot for decimals, no thousands separators)`}}},
		{name: "hex is not a number", modify: func(e *Entry) { e.Value = "0x1p4" }, errs: []citylens.Problem{{Row: 7, Column: "value", City: "SEO", Indicator: "SHARE", Reason: `"0x1p4" is not a number (use digits, a dot for decimals, no thousands separators)`}}},
		{name: "NaN", modify: func(e *Entry) { e.Value = "NaN" }, errs: []citylens.Problem{{Row: 7, Column: "value", City: "SEO", Indicator: "SHARE", Reason: `"NaN" is not a number (use digits, a dot for decimals, no thousands separators)`}}},
		{name: "out of range", modify: func(e *Entry) { e.Value = "101" }, errs: []citylens.Problem{{Row: 7, Column: "value", City: "SEO", Indicator: "SHARE", Reason: "101 is outside the valid range (0 to 100)"}}},
		{name: "value missing", modify: func(e *Entry) { e.Value = "" }, errs: []citylens.Problem{{Row: 7, Column: "value", City: "SEO", Indicator: "SHARE", Reason: "missing: a value is required when source, year or comment are filled in"}}},
		{name: "wrong unit", modify: func(e *Entry) { e.Unit = "fraction" }, errs: []citylens.Problem{{Row: 7, Column: "unit", City: "SEO", Indicator: "SHARE", Reason: `"fraction" does not match the indicator's unit "% of households": convert the value to "% of households"`}}},
		{name: "unit missing", modify: func(e *Entry) { e.Unit = "" }, errs: []citylens.Problem{{Row: 7, Column: "unit", City: "SEO", Indicator: "SHARE", Reason: `missing: the indicator's unit is "% of households"`}}},
		{name: "source missing", modify: func(e *Entry) { e.Source = " " }, errs: []citylens.Problem{{Row: 7, Column: "source", City: "SEO", Indicator: "SHARE", Reason: "missing: say where the value comes from"}}},
		{name: "year missing", modify: func(e *Entry) { e.DataYear = "" }, errs: []citylens.Problem{{Row: 7, Column: "data year", City: "SEO", Indicator: "SHARE", Reason: "missing: give the year the data describe"}}},
		{name: "year text", modify: func(e *Entry) { e.DataYear = "last year" }, errs: []citylens.Problem{{Row: 7, Column: "data year", City: "SEO", Indicator: "SHARE", Reason: `"last year" is not a year`}}},
		{name: "year after reference", modify: func(e *Entry) { e.DataYear = "2026" }, errs: []citylens.Problem{{Row: 7, Column: "data year", City: "SEO", Indicator: "SHARE", Reason: "2026 is after the edition's reference year 2025"}}},
		{name: "year too old", modify: func(e *Entry) { e.DataYear = "2010" }, errs: []citylens.Problem{{Row: 7, Column: "data year", City: "SEO", Indicator: "SHARE", Reason: "2010 is more than 10 years before the reference year 2025"}}},
		{name: "estimated", modify: func(e *Entry) { e.Estimated = "maybe" }, errs: []citylens.Problem{{Row: 7, Column: "estimated", City: "SEO", Indicator: "SHARE", Reason: `"maybe" is not yes or no`}}},
		{name: "other city", modify: func(e *Entry) { e.City = "BUS" }, errs: []citylens.Problem{{Row: 7, Column: "city", City: "BUS", Indicator: "SHARE", Reason: `city "BUS" is not one you may enter data for`}}},
		{name: "unknown indicator", modify: func(e *Entry) { e.Indicator = "NOPE" }, errs: []citylens.Problem{{Row: 7, Column: "indicator", City: "SEO", Indicator: "NOPE", Reason: `indicator "NOPE" is not part of edition 2026`}}},
		{name: "jump needs a comment", modify: func(e *Entry) { e.Value = "30" }, errs: []citylens.Problem{{Row: 7, Column: "comment", City: "SEO", Indicator: "SHARE", Reason: "the value changes from last edition's 80 to 30 (62.5%, more than 50%): explain the change in a comment"}}},
		{
			name:   "jump with a comment",
			modify: func(e *Entry) { e.Value, e.Comment = "30", "new definition" },
			want:   Value{Edition: "2026", City: "SEO", Indicator: "SHARE", Value: 30, Unit: "% of households", Provenance: Provenance{Source: "Statistics Korea", DataYear: 2024}, Comment: "new definition"},
		},
		{
			name:   "large change of a rate",
			modify: func(e *Entry) { e.Value = "120.5"; e.Indicator = "RATE"; e.Unit = "per 100,000 inhabitants" },
			errs:   []citylens.Problem{{Row: 7, Column: "comment", City: "SEO", Indicator: "RATE", Reason: "the value changes from last edition's 4 to 120.5 (2912.5%, more than 50%): explain the change in a comment"}},
		},
		{
			name:   "an absurd magnitude is refused in plain words, whatever the range",
			modify: func(e *Entry) { e.Value = "1e308"; e.Indicator = "RATE"; e.Unit = "per 100,000 inhabitants" },
			errs:   []citylens.Problem{{Row: 7, Column: "value", City: "SEO", Indicator: "RATE", Reason: "1e+308 is too large to be a measured value (no city's indicator exceeds a million billion, 1e15): check the number and its unit"}},
		},
		{
			name:   "a huge change is worded in times, not a percentage hundreds of digits long",
			modify: func(e *Entry) { e.Value = "4e12"; e.Indicator = "RATE"; e.Unit = "per 100,000 inhabitants" },
			errs:   []citylens.Problem{{Row: 7, Column: "comment", City: "SEO", Indicator: "RATE", Reason: "the value changes from last edition's 4 to 4e+12 (1e+12 times as much, more than 50%): explain the change in a comment"}},
		},
		{
			name: "several errors at once",
			modify: func(e *Entry) {
				e.Value, e.Source, e.DataYear = "abc", "", "20x"
			},
			errs: []citylens.Problem{
				{Row: 7, Column: "value", City: "SEO", Indicator: "SHARE", Reason: `"abc" is not a number (use digits, a dot for decimals, no thousands separators)`},
				{Row: 7, Column: "source", City: "SEO", Indicator: "SHARE", Reason: "missing: say where the value comes from"},
				{Row: 7, Column: "data year", City: "SEO", Indicator: "SHARE", Reason: `"20x" is not a year`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRules(t, "SEO")
			e := good
			tt.modify(&e)
			got, ok, errs := r.Check(e)
			if diff := cmp.Diff(tt.errs, errs, ignoreWording); diff != "" {
				t.Fatalf("errors (-want +got):\n%s", diff)
			}
			wantKeyed(t, errs)
			if tt.blank || tt.errs != nil {
				if ok {
					t.Fatal("ok for a blank or invalid entry")
				}
				return
			}
			if !ok {
				t.Fatal("not ok")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("value (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJumpFromZero(t *testing.T) {
	r := testRules(t, "BUS")
	e := Entry{City: "BUS", Indicator: "RATE", Value: "2", Unit: "per 100,000 inhabitants", Source: "Police", DataYear: "2025"}
	_, _, errs := r.Check(e)
	if len(errs) != 1 || !strings.Contains(errs[0].Reason, "(any change from zero needs one)") {
		t.Fatalf("got %v", errs)
	}
	e.Value = "0"
	if _, ok, errs := r.Check(e); !ok {
		t.Fatalf("zero to zero is not a jump: %v", errs)
	}
}

func TestPlan(t *testing.T) {
	entry := func(row int, city, ind, value string) Entry {
		unit := map[string]string{"SHARE": "% of households", "RATE": "per 100,000 inhabitants", "PLAN": "yes/no"}[ind]
		return Entry{Row: row, City: city, Indicator: ind, Value: value, Unit: unit, Source: "City statistics", DataYear: "2025"}
	}
	r := testRules(t, "SEO", "BUS")
	stored := Value{Edition: "2026", City: "SEO", Indicator: "SHARE", Value: 81, Unit: "% of households", Provenance: Provenance{Source: "City statistics", DataYear: 2025}}
	current := Current([]Value{stored})

	t.Run("new, changed and unchanged", func(t *testing.T) {
		changes, unchanged, err := Plan([]Entry{entry(2, "SEO", "SHARE", "81"), entry(3, "SEO", "RATE", "4.2"), entry(4, "BUS", "PLAN", "1")}, r, current)
		if err != nil {
			t.Fatal(err)
		}
		if unchanged != 1 || len(changes) != 2 || changes[0].Old != nil || changes[0].New.Indicator != "RATE" || changes[1].New.City != "BUS" {
			t.Fatalf("unchanged %d, changes %+v", unchanged, changes)
		}
		changes, _, err = Plan([]Entry{entry(2, "SEO", "SHARE", "82")}, r, current)
		if err != nil || len(changes) != 1 || changes[0].Old == nil || changes[0].Old.Value != 81 || changes[0].New.Value != 82 {
			t.Fatalf("changed value: %v %+v", err, changes)
		}
	})
	t.Run("any invalid row, no changes and every error", func(t *testing.T) {
		changes, unchanged, err := Plan([]Entry{
			entry(2, "SEO", "SHARE", "82"),
			entry(3, "SEO", "RATE", "-1"),
			entry(4, "BUS", "PLAN", "2"),
			entry(5, "SEO", "SHARE", "83"),
		}, r, current)
		ve := citylens.AsError(err)
		if ve == nil || ve.Code != citylens.EINVALID {
			t.Fatalf("got %v, want EINVALID with the problems", err)
		}
		i18ntest.WantKeyed(t, err)
		if changes != nil || unchanged != 0 {
			t.Errorf("changes %v, unchanged %d with errors", changes, unchanged)
		}
		want := []citylens.Problem{
			{Row: 3, Column: "value", City: "SEO", Indicator: "RATE", Reason: "-1 is outside the valid range (at least 0)"},
			{Row: 4, Column: "value", City: "BUS", Indicator: "PLAN", Reason: "2 is outside the valid range (0 to 1)"},
			{Row: 5, Column: "indicator", City: "SEO", Indicator: "SHARE", Reason: "a second value for this city and indicator (first on row 2)"},
		}
		if diff := cmp.Diff(want, ve.Problems, cmpopts.EquateEmpty(), ignoreWording); diff != "" {
			t.Errorf("errors (-want +got):\n%s", diff)
		}
		if row, ok := FirstRow(ve.Problems[2]); !ok || row != 2 {
			t.Errorf("the second value's first row: %d, %v; want 2", row, ok)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "3 problem(s); nothing was saved; row 3, column value, city SEO, indicator RATE: -1 is outside") {
			t.Errorf("message: %s", msg)
		}
	})
}
