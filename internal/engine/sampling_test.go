package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/engine"
)

// Values that are estimates (a survey's scores) as uncertain inputs: each
// replication draws every value from its sampling distribution.
func TestUncertaintySamplingInput(t *testing.T) {
	ctx := context.Background()
	f, d := loadASEM(t)
	inds := f.Indicators()
	spec := func(se func(unit string) float64, codes ...string) engine.UncertaintySpec {
		var s []engine.SamplingError
		for _, c := range codes {
			for _, u := range d.Units {
				s = append(s, engine.SamplingError{Indicator: c, Unit: u, SE: se(u)})
			}
		}
		return engine.UncertaintySpec{Inputs: []engine.UncertainInput{{Name: "Survey", Param: "sampling", Sampling: s}}}
	}
	run := func(t *testing.T, sp engine.UncertaintySpec, workers int, seed uint64) *engine.UAResult {
		t.Helper()
		a, err := engine.NewAnalysis(ctx, f, d, asemDefault(), sp)
		if err != nil {
			t.Fatal(err)
		}
		a.Workers = workers
		res, err := a.RunUA(ctx, 200, seed)
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed != 0 {
			t.Fatalf("%d replications failed: %v", res.Failed, res.Failures)
		}
		return res
	}
	width := func(res *engine.UAResult, unit string) float64 {
		for _, u := range res.Units {
			if u.Unit == unit {
				return u.Q95 - u.Q5
			}
		}
		t.Fatalf("no unit %s", unit)
		return 0
	}

	// No sampling error: every replication is the nominal index.
	zero := run(t, spec(func(string) float64 { return 0 }, inds[:3]...), 2, 7)
	for _, u := range zero.Units {
		if u.NominalRank != 0 && (u.Q5 != float64(u.NominalRank) || u.Q95 != float64(u.NominalRank)) {
			t.Fatalf("%s: band %v–%v with no sampling error, nominal rank %d", u.Unit, u.Q5, u.Q95, u.NominalRank)
		}
	}
	// One unit's estimates far less precise: its band widens, the others' less.
	small := d.Units[len(d.Units)/2]
	wide := run(t, spec(func(u string) float64 {
		if u == small {
			return 40
		}
		return 0.5
	}, inds[:6]...), 2, 7)
	narrow := run(t, spec(func(string) float64 { return 0.5 }, inds[:6]...), 2, 7)
	if !(width(wide, small) > width(narrow, small)) {
		t.Errorf("%s: band %v with a large standard error, %v with a small one", small, width(wide, small), width(narrow, small))
	}
	// Seeded and reproducible: workers do not matter, the seed does.
	again := run(t, spec(func(u string) float64 { return 5 }, inds[:6]...), 1, 11)
	other := run(t, spec(func(u string) float64 { return 5 }, inds[:6]...), 2, 11)
	if diff := cmp.Diff(again.Units, other.Units, floatEq); diff != "" {
		t.Errorf("1 and 2 workers differ:\n%s", diff)
	}
	third := run(t, spec(func(u string) float64 { return 5 }, inds[:6]...), 2, 12)
	if cmp.Equal(third.MeanAbsShift, other.MeanAbsShift, floatEq) {
		t.Error("another seed drew the same replications")
	}

	// Bad input names what is wrong.
	for _, tc := range []struct {
		sp   engine.SamplingError
		want string
	}{
		{engine.SamplingError{Indicator: "nope", Unit: d.Units[0], SE: 1}, `"nope" is not an indicator`},
		{engine.SamplingError{Indicator: inds[0], Unit: "nowhere", SE: 1}, `unit "nowhere" is not in the data`},
		{engine.SamplingError{Indicator: inds[0], Unit: d.Units[0], SE: -1}, "0 or more"},
	} {
		_, err := engine.NewAnalysis(ctx, f, d, asemDefault(), engine.UncertaintySpec{Inputs: []engine.UncertainInput{
			{Name: "Survey", Param: "sampling", Sampling: []engine.SamplingError{tc.sp}}}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.sp, err, tc.want)
		}
	}
}
