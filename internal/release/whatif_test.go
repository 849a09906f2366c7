package release

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// TestWhatIfEqualsFullRebuild checks the incremental what-if against a full
// rebuild of the index with the changed data, on the fixture and on
// synthetic networks with imputation, treatment, screening, four levels,
// level and node aggregation overrides and weight overrides.
func TestWhatIfEqualsFullRebuild(t *testing.T) {
	deep := syntheticDraft(t, 60, 40, 4, 5)
	deep.Method.AggregateLevels = map[int]engine.Aggregation{3: {Method: engine.AggGenMean, P: 0.5}}
	deep.Method.AggregateNodes = map[string]engine.Aggregation{"L2_002": {Method: engine.AggGMean}}
	deep.Method.Normalise = engine.Normalisation{Method: engine.NormMinMax, Low: 1, High: 100}
	deep.Method.Weights = map[string]float64{"i0003": 3, "L2_001": 2}
	deep.Method.NormaliseIndicators = map[string]engine.Normalisation{"i0004": {Method: engine.NormZScore, Mean: 50, SD: 10}}
	deep.Method.Treat.Indicators = map[string]engine.Treatment{"i0004": {Method: engine.TreatNone}}
	// Denominated: i0002 per inhabitant of a "POP" column.
	denom := syntheticDraft(t, 40, 20, 3, 8)
	denom.Method.Denominate = true
	for k, n := range denom.Framework {
		if n.Code == "i0002" {
			denom.Framework[k].Denominator = "POP"
		}
	}
	for i, c := range denom.Cities {
		denom.Data = append(denom.Data, DataPoint{City: c.Code, Indicator: "POP", Value: float64(100 + i), Source: "census"})
	}
	// Uneven and unscored: G2 under the index, E2 unscored, S3 contextual,
	// imputation scoped per branch and indicator.
	uneven := testDraft(t)
	for i, n := range uneven.Framework {
		switch n.Code {
		case "G2":
			uneven.Framework[i].Parent = "INDEX"
		case "E2":
			uneven.Framework[i].Weight = 0
		case "S3":
			uneven.Framework[i].Contextual = true
		}
	}
	uneven.Method.Impute = engine.Imputation{Method: engine.ImputeMean, Nodes: map[string]engine.Imputation{
		"S": {Method: engine.ImputeMedian}, "E1": {Method: engine.ImputeNone}}}
	// Goalposts with scores filled after scoring: every what-if rebuilds.
	after := goalpostsDraft(t)
	after.Method.Impute = engine.Imputation{Method: engine.ImputeMean, Stage: engine.ImputeNormalised}
	releases := map[string]*Release{
		"uneven unscored scoped":        mustPublish(t, PublishInput{Draft: uneven, Config: quickConfig()}),
		"goalposts imputed after score": mustPublish(t, PublishInput{Draft: after, Config: quickConfig()}),
		"denominated":                   mustPublish(t, PublishInput{Draft: denom, Config: quickConfig()}),
		"fixture":                       testRelease(t),
		"synthetic 3x":                  mustPublish(t, PublishInput{Draft: syntheticDraft(t, 50, 30, 3, 2), Config: quickConfig()}),
		"synthetic deep":                mustPublish(t, PublishInput{Draft: deep, Config: quickConfig()}),
	}
	ctx := context.Background()
	for name, r := range releases {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 9))
			inds := r.f.Indicators()
			fulls := 0
			for trial := 0; trial < 40; trial++ {
				city := r.d.Cities[rng.IntN(len(r.d.Cities))].Code
				values := map[string]string{}
				for k := 0; k < 1+trial%3; k++ {
					ind := inds[rng.IntN(len(inds))]
					lo, hi := r.validRange(ind)
					if trial%7 == 3 { // the lowest or highest value: bounds move
						values[ind] = num(map[bool]float64{true: lo, false: hi}[rng.IntN(2) == 0])
						continue
					}
					values[ind] = num(lo + (hi-lo)*rng.Float64())
				}
				got, err := r.WhatIf(ctx, city, values)
				want, werr := r.whatIf(ctx, city, values, true)
				if (err == nil) != (werr == nil) {
					t.Fatalf("%s %v: incremental error %v, full rebuild error %v", city, values, err, werr)
				}
				if err != nil {
					continue
				}
				if got.FullRebuild {
					fulls++
				}
				if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(WhatIfResult{}, "FullRebuild")); diff != "" {
					t.Errorf("%s %v: incremental differs from a full rebuild (-full +incremental):\n%s", city, values, diff)
				}
			}
			t.Logf("%d of 40 what-ifs needed a full rebuild", fulls)
		})
	}
}

func TestWhatIfFillingAMissingValueRebuildsAll(t *testing.T) {
	r := testRelease(t)
	// Kigali has 3 of 7 values: with 2 more it reaches the 60 % threshold and is ranked.
	res, err := r.WhatIf(context.Background(), "KGL", map[string]string{"E1": "20", "E2": "30"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.FullRebuild || res.WasRanked || !res.Ranked || res.Cities != 12 || res.Rank < 1 || res.Score == nil {
		t.Errorf("KGL with two more values: %+v", res)
	}
	// With one more value (4 of 7 = 57 %) it is still not ranked.
	res, err = r.WhatIf(context.Background(), "KGL", map[string]string{"E1": "20"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ranked || res.Score != nil || res.Cities != 11 {
		t.Errorf("KGL with one more value: %+v", res)
	}
}

func TestWhatIf(t *testing.T) {
	r := testRelease(t)
	before, _ := json.Marshal(r)
	p, _ := r.Profile("BUS")
	// Busan at the network's best on two social indicators.
	res, err := r.WhatIf(context.Background(), "BUS", map[string]string{"S1": "99", "S2": " 1 "})
	if err != nil {
		t.Fatal(err)
	}
	if res.OldRank != p.Rank || *res.OldScore != *p.Score || res.OldStage != p.Stage || !res.WasRanked || !res.Ranked {
		t.Errorf("old result %+v does not match the profile", res)
	}
	if !(*res.Score > *p.Score) || res.Rank > p.Rank || res.Stage != stageOf(DefaultStages(), *res.Score) {
		t.Errorf("better values: score %v -> %v, rank %d -> %d, stage %s", *p.Score, *res.Score, p.Rank, res.Rank, res.Stage)
	}
	if s := res.Pillars[1]; s.Code != "S" || !(*s.Score > *s.OldScore) || *res.Pillars[0].Score != *res.Pillars[0].OldScore {
		t.Errorf("pillars %+v: S should rise, E stay", res.Pillars)
	}
	if diff := cmp.Diff([]WhatIfValue{{"S1", ptr(37.5), 99}, {"S2", ptr(mustPoint(t, r, "BUS", "S2").Value), 1}}, res.Values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	// The same numbers through a republished draft.
	d := testDraft(t)
	for i, dp := range d.Data {
		if dp.City == "BUS" && dp.Indicator == "S1" {
			d.Data[i].Value = 99
		}
		if dp.City == "BUS" && dp.Indicator == "S2" {
			d.Data[i].Value = 1
		}
	}
	rep, _ := mustPublish(t, PublishInput{Draft: d, Config: testConfig()}).Profile("BUS")
	if *rep.Score != *res.Score || rep.Rank != res.Rank || rep.Rating != res.Rating {
		t.Errorf("what-if %v #%d %s, republished %v #%d %s", *res.Score, res.Rank, res.Rating, *rep.Score, rep.Rank, rep.Rating)
	}
	after, _ := json.Marshal(r)
	if !bytes.Equal(before, after) {
		t.Error("a what-if changed the release")
	}
}

func TestWhatIfBadValues(t *testing.T) {
	r := testRelease(t)
	cases := []struct {
		name   string
		city   string
		values map[string]string
		code   string
		want   string
	}{
		{"not a number", "SEO", map[string]string{"S1": "lots"}, citylens.EINVALID, `indicator S1: "lots" is not a number`},
		{"empty", "SEO", map[string]string{"G1": ""}, citylens.EINVALID, "indicator G1"},
		{"NaN", "SEO", map[string]string{"S1": "NaN"}, citylens.EINVALID, "not a finite number"},
		{"infinite", "SEO", map[string]string{"S1": "-Inf"}, citylens.EINVALID, "not a finite number"},
		{"above the valid range", "SEO", map[string]string{"S1": "100.5"}, citylens.EINVALID, "indicator S1: 100.5 is out of range (0 to 100)"},
		{"below the valid minimum", "SEO", map[string]string{"E1": "-1"}, citylens.EINVALID, "indicator E1: -1 is out of range (0 to "},
		{"far above what was observed", "SEO", map[string]string{"G2": "1e6"}, citylens.EINVALID, "indicator G2: 1e6 is out of range"},
		{"one bad among good", "SEO", map[string]string{"G1": "50", "G2": "x"}, citylens.EINVALID, "indicator G2"},
		{"no values", "SEO", map[string]string{}, citylens.EINVALID, "at least one"},
		{"unknown indicator", "SEO", map[string]string{"Z1": "1"}, citylens.ENOTFOUND, `no indicator "Z1"`},
		{"an aggregate", "SEO", map[string]string{"E": "1"}, citylens.ENOTFOUND, `no indicator "E"`},
		{"unknown city", "ZZZ", map[string]string{"S1": "1"}, citylens.ENOTFOUND, `no city "ZZZ"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := r.WhatIf(context.Background(), tc.city, tc.values)
			if res != nil || citylens.ErrorCode(err) != tc.code || !strings.Contains(citylens.ErrorMessage(err), tc.want) {
				t.Errorf("got %v (%s), want %s with %q", err, citylens.ErrorCode(err), tc.code, tc.want)
			}
		})
	}
	// The edge of the generous band is accepted: G2 observed 7.3..30.7.
	lo, hi := r.validRange("G2")
	if math.Abs(lo-(7.3-23.4)) > 1e-9 || math.Abs(hi-(30.7+23.4)) > 1e-9 {
		t.Errorf("G2 band %v..%v", lo, hi)
	}
	if _, err := r.WhatIf(context.Background(), "SEO", map[string]string{"G2": fmt.Sprint(hi)}); err != nil {
		t.Errorf("value at the band's edge: %v", err)
	}
}
