package datacall

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

func value(city, ind string, v float64) Value {
	return Value{Edition: "2026", City: city, Indicator: ind, Value: v, Provenance: Provenance{Source: "stats", DataYear: 2025}}
}

func TestCoverage(t *testing.T) {
	e := testEdition(t)
	values := []Value{
		value("SEO", "SHARE", 90), value("SEO", "RATE", 3), value("SEO", "PLAN", 1),
		value("BUS", "SHARE", 70),
		value("XXX", "SHARE", 1), // not in the call
		value("BUS", "OTHER", 1), // not in the edition
	}
	subs := []Submission{{Edition: "2026", City: "SEO", State: StateAccepted}, {Edition: "2026", City: "BUS", State: StateReturned}}
	progress, avail := Coverage(e, []string{"SEO", "BUS", "TOK"}, values, subs)
	wantProgress := []CityProgress{
		{City: "BUS", State: StateReturned, Entered: 1, Required: 2, Share: 0.5},
		{City: "SEO", State: StateAccepted, Entered: 2, Required: 2, Optional: 1, Share: 1},
		{City: "TOK", State: StateDraft, Required: 2},
	}
	if diff := cmp.Diff(wantProgress, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	wantAvail := []IndicatorAvailability{
		{Indicator: "SHARE", Cities: 2, Accepted: 1, Of: 3, Share: 2.0 / 3},
		{Indicator: "RATE", Cities: 1, Accepted: 1, Of: 3, Share: 1.0 / 3},
		{Indicator: "PLAN", Cities: 1, Accepted: 1, Of: 3, Share: 1.0 / 3},
	}
	if diff := cmp.Diff(wantAvail, avail); diff != "" {
		t.Errorf("availability (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"RATE"}, Missing(e, values[3:4])); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if err := CheckComplete(e, values[3:4]); err == nil || !strings.Contains(err.Error(), "1 required indicator is still without a value: RATE") {
		t.Errorf("CheckComplete: %v", err)
	} else {
		i18ntest.WantKeyed(t, err)
	}
	if err := CheckComplete(e, values[:2]); err != nil {
		t.Errorf("CheckComplete of a complete city: %v", err)
	}
}

func computeInput(t *testing.T) ComputeInput {
	cities := []City{
		{Code: "SEO", Name: "Seoul", Region: "asia", Country: "KR"},
		{Code: "BUS", Name: "Busan", Region: "asia", Country: "KR"},
		{Code: "ROT", Name: "Rotterdam", Region: "europe", Country: "NL"},
		{Code: "LIS", Name: "Lisbon", Region: "europe", Country: "PT"},
		{Code: "TOK", Name: "Tokyo", Region: "asia", Country: "JP"},
	}
	values := []Value{
		value("SEO", "SHARE", 90), value("SEO", "RATE", 3), value("SEO", "PLAN", 1),
		value("BUS", "SHARE", 70), value("BUS", "RATE", 5), value("BUS", "PLAN", 0),
		value("ROT", "SHARE", 95), value("ROT", "RATE", 2), value("ROT", "PLAN", 1),
		value("LIS", "SHARE", 60), // one of three: below the two-thirds threshold, not ranked
		value("TOK", "SHARE", 99), value("TOK", "RATE", 1), value("TOK", "PLAN", 1),
	}
	subs := []Submission{
		{Edition: "2026", City: "SEO", State: StateAccepted},
		{Edition: "2026", City: "BUS", State: StateAccepted},
		{Edition: "2026", City: "ROT", State: StateAccepted},
		{Edition: "2026", City: "LIS", State: StateAccepted},
		{Edition: "2026", City: "TOK", State: StateSubmitted}, // not accepted: left out
	}
	return ComputeInput{Edition: testEdition(t), Catalogue: testCatalogue(), Cities: cities, Values: values, Submissions: subs}
}

func TestCompute(t *testing.T) {
	in := computeInput(t)
	var stages []string
	r, err := Compute(context.Background(), in, func(p Progress) { stages = append(stages, p.Stage) })
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"collecting accepted values", "building the index", "ranking", "hashing", "done"}, stages); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	var order []string
	for _, c := range r.Results {
		order = append(order, c.City)
	}
	// Rotterdam: best on SHARE and RATE, a plan; Seoul next; Busan last.
	if diff := cmp.Diff([]string{"ROT", "SEO", "BUS"}, order); diff != "" {
		t.Errorf("ranking (-want +got):\n%s", diff)
	}
	if r.Results[0].Ranks["INDEX"] != 1 || r.Results[0].Scores["INDEX"] != 100 || r.Results[2].Scores["G"] != 0 {
		t.Errorf("results %+v", r.Results)
	}
	if diff := cmp.Diff([]Unranked{{City: "LIS", Availability: 1.0 / 3}}, r.Unranked, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("unranked (-want +got):\n%s", diff)
	}
	if len(r.Data) != 10 || r.Data[0].City != "BUS" || r.EngineVersion == "" || len(r.DataHash) != 64 || len(r.Hash) != 64 {
		t.Errorf("release %d data points, engine %q, hashes %q %q", len(r.Data), r.EngineVersion, r.DataHash, r.Hash)
	}
	// Same input, same hashes, whatever the order of the values.
	in2 := computeInput(t)
	for i, j := 0, len(in2.Values)-1; i < j; i, j = i+1, j-1 {
		in2.Values[i], in2.Values[j] = in2.Values[j], in2.Values[i]
	}
	r2, err := Compute(context.Background(), in2, nil)
	if err != nil || r2.Hash != r.Hash || r2.DataHash != r.DataHash {
		t.Errorf("hashes differ for the same data: %v", err)
	}
	in2.Values[len(in2.Values)-1].Value++ // Seoul's SHARE
	r3, err := Compute(context.Background(), in2, nil)
	if err != nil || r3.DataHash == r.DataHash || r3.Hash == r.Hash {
		t.Errorf("hashes equal for different data: %v", err)
	}
}

func TestComputeFailures(t *testing.T) {
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Compute(ctx, computeInput(t), nil)
		if citylens.ErrorCode(err) != citylens.ECANCELED {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("too few accepted", func(t *testing.T) {
		in := computeInput(t)
		in.Submissions = in.Submissions[:1]
		_, err := Compute(context.Background(), in, nil)
		if citylens.ErrorCode(err) != citylens.ECONFLICT || !strings.Contains(err.Error(), "1 accepted city") {
			t.Fatalf("got %v", err)
		}
		i18ntest.WantKeyed(t, err)
	})
}
