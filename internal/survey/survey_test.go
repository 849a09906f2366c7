package survey

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/citylens/citylens"
)

func problemFields(err error) []string {
	e := citylens.AsError(err)
	if e == nil {
		return nil
	}
	var out []string
	for _, p := range e.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestDefaultInstrumentValid(t *testing.T) {
	in := DefaultInstrument()
	if err := in.Validate(); err != nil {
		t.Fatalf("seeded instrument: %v %v", err, problemFields(err))
	}
	if got := in.WeightVariables(); strings.Join(got, ",") != "sex,age,education" {
		t.Errorf("weighting variables %v", got)
	}
	l, _ := in.ListOf("priorities")
	if len(l.Choices) != 15 {
		t.Errorf("%d priorities, want 15", len(l.Choices))
	}
	reverse := 0
	for _, it := range in.Items {
		if it.Reverse {
			reverse++
		}
		for _, lang := range in.Languages {
			if it.Label[lang].By == "" || it.Label[lang].At.IsZero() {
				t.Errorf("item %s %s: no provenance", it.Code, lang)
			}
		}
	}
	if reverse < 2 {
		t.Errorf("%d reverse-keyed items, want some", reverse)
	}
}

func TestValidateNamesEveryProblem(t *testing.T) {
	in := DefaultInstrument()
	in.Items[0].Label = Labels{"en": in.Items[0].Label["en"]} // Korean missing
	in.Items[1].Area = "nowhere"
	in.Items = append(in.Items, Item{Code: "hs_s1", Kind: KindRating, List: AgreeList, Area: "mobility", Pillar: "x", Label: in.Items[2].Label})
	err := in.Validate()
	got := strings.Join(problemFields(err), "\n")
	for _, want := range []string{"item hs_s1.label::ko: no text in ko", "item hs_s2: unknown area nowhere", "item hs_s1: code malformed or repeated", "pillar must be"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	// Removing every technology item of an area leaves it uncovered.
	in = DefaultInstrument()
	var kept []Item
	for _, it := range in.Items {
		if !(it.Area == "mobility" && it.Pillar == PillarTechnology) {
			kept = append(kept, it)
		}
	}
	in.Items = kept
	if got := strings.Join(problemFields(in.Validate()), "\n"); !strings.Contains(got, "no technology item for area mobility") {
		t.Errorf("uncovered area not refused: %s", got)
	}
}

func TestParseAnswers(t *testing.T) {
	in := DefaultInstrument()
	good := map[string][]string{"hs_s1": {"4"}, "hs_s2": {"na"}, "mo_s1": {"none"}, "sex": {"refused"}, "age": {"30-44"},
		"education": {"high"}, "priorities": {"air", "jobs", "air"}}
	ans, picks, err := in.ParseAnswers(good)
	if err != nil {
		t.Fatal(err, problemFields(err))
	}
	if ans["hs_s1"] != "4" || ans["hs_s2"] != "na" || ans["sex"] != "refused" {
		t.Errorf("answers %v", ans)
	}
	if _, ok := ans["mo_s1"]; ok {
		t.Error("\"no answer\" stored as an answer")
	}
	if fmt.Sprint(picks) != "[air jobs]" {
		t.Errorf("picks %v", picks)
	}
	bad := map[string][]string{"hs_s1": {"7"}, "age": {"30-44"}, "education": {"high"}, "zz": {"1"},
		"priorities": {"air", "jobs", "housing", "green", "safety", "health"}}
	_, _, err = in.ParseAnswers(bad)
	got := strings.Join(problemFields(err), "\n")
	for _, want := range []string{"hs_s1: unknown choice \"7\"", "sex: an answer is required", "zz: no such question", "priorities: at most 5 choices"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

func TestFlags(t *testing.T) {
	in := DefaultInstrument()
	base := func(sec float64) Response {
		a := map[string]string{"attention": "2", "sex": "male", "age": "18-29", "education": "mid"}
		for i, r := range seedRatings {
			a[r.code] = fmt.Sprint(1 + i%5)
		}
		return Response{Answers: a, Seconds: sec}
	}
	rs := []Response{base(300), base(320), base(280), base(100), base(100), base(310)}
	// 3: a speeder only (one flag: kept).
	// 4: a speeder who straight-lines and fails the attention item.
	for _, r := range seedRatings {
		rs[4].Answers[r.code] = "5"
	}
	rs[4].Answers["attention"] = "5"
	// 5: strongly agrees with two contradicting statements and fails attention.
	rs[5].Answers["hs_s1"], rs[5].Answers["hs_s3"], rs[5].Answers["attention"] = "5", "5", "4"
	in.Flag(rs)
	want := []string{"[]", "[]", "[]", "[speeder]", "[speeder straight_line attention impossible]", "[attention impossible]"}
	for i, r := range rs {
		if got := fmt.Sprint(r.Flags); got != want[i] && !(want[i] == "[]" && len(r.Flags) == 0) {
			t.Errorf("response %d flags %v, want %s", i, r.Flags, want[i])
		}
	}
	if rs[3].Excluded || !rs[4].Excluded || !rs[5].Excluded {
		t.Errorf("exclusions %v %v %v", rs[3].Excluded, rs[4].Excluded, rs[5].Excluded)
	}
	rs[4].Override = "include"
	if !rs[4].Valid() {
		t.Error("an override to include does not count the response")
	}
}

func TestRakeRefusesEmptyCategory(t *testing.T) {
	in := RakeInput{City: "C9", Variables: []string{"sex", "age"},
		Categories: [][]string{{"female", "female", "male"}, {"young", "young", "young"}},
		Margins:    Population{"sex": {"female": 60, "male": 40}, "age": {"young": 70, "old": 30}}}
	_, err := Rake(in, RakeOptions{})
	got := strings.Join(problemFields(err), "\n")
	if !strings.Contains(got, "C9, age=old: category old of age has population but no respondent") {
		t.Errorf("got %v / %s", err, got)
	}
	in.Margins["age"] = map[string]float64{"young": 70, "old": 40}
	in.Categories[1][2] = "old"
	if got := strings.Join(problemFields(mustErr(Rake(in, RakeOptions{}))), "\n"); !strings.Contains(got, "sex: the categories of sex sum to 100, those of age to 110") {
		t.Errorf("unequal totals not refused: %s", got)
	}
	in.Margins["age"] = map[string]float64{"young": 70, "old": 30}
	in.Categories[0][1] = "other"
	if got := strings.Join(problemFields(mustErr(Rake(in, RakeOptions{}))), "\n"); !strings.Contains(got, "sex=other") {
		t.Errorf("unknown category not refused: %s", got)
	}
}

func mustErr(_ Raked, err error) error { return err }

func TestRakeNotStated(t *testing.T) {
	// Two respondents of three state their sex; the third's weight is
	// kept out of the sex adjustment: the stated ones share the rest of
	// the population in the margins' proportions, and the total holds.
	in := RakeInput{City: "C9", Variables: []string{"sex"}, Categories: [][]string{{"female", "male", ""}},
		Margins: Population{"sex": {"female": 60, "male": 40}}, Start: []float64{30, 30, 30}}
	r, err := Rake(in, RakeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{42, 28, 30}
	for i := range want {
		if math.Abs(r.Weights[i]-want[i]) > 1e-9 {
			t.Errorf("weights %v, want %v", r.Weights, want)
		}
	}
}

func TestTrim(t *testing.T) {
	w := []float64{1, 1, 1, 1, 16} // mean 4, cap 2× = 8
	got := Trim(w, 2)
	var sum float64
	for _, x := range got {
		sum += x
		if x > 8+1e-9 {
			t.Errorf("weight %v over the cap", x)
		}
	}
	if math.Abs(sum-20) > 1e-9 || math.Abs(got[4]-8) > 1e-9 || math.Abs(got[0]-3) > 1e-9 {
		t.Errorf("trimmed %v (sum %v), want [3 3 3 3 8]", got, sum)
	}
}

func TestPool(t *testing.T) {
	figs := []Mean{{N: 100, NEff: 100, Mean: 60, SE: 3}, {N: 100, NEff: 50, Mean: 50, SE: 4}, {N: 100, NEff: 100, Mean: 40, SE: 2}}
	p := Pool([]string{"2026", "2025", "2024"}, figs, nil)
	wantMean := (3*60 + 2*50 + 1*40) / 6.0
	wantSE := math.Sqrt(9.0/36*9 + 4.0/36*16 + 1.0/36*4)
	if math.Abs(p.Mean-wantMean) > 1e-12 || math.Abs(p.SE-wantSE) > 1e-12 {
		t.Errorf("pooled %v ± %v, want %v ± %v", p.Mean, p.SE, wantMean, wantSE)
	}
	// A missing middle wave: 3:1 renormalised.
	figs[1] = Mean{Mean: math.NaN()}
	p = Pool([]string{"2026", "2025", "2024"}, figs, nil)
	if math.Abs(p.Mean-(3*60+40)/4.0) > 1e-12 || fmt.Sprint(p.Waves) != "[2026 2024]" || math.Abs(p.Share[0]-0.75) > 1e-12 {
		t.Errorf("pooled without a wave: %+v", p)
	}
}

// The instrument's estimates on the reference survey equal R's: its 12
// items as rating items of one area.
func TestEstimateMatchesR(t *testing.T) {
	cities, order := referenceSample(t)
	in := &Instrument{Version: 1, Languages: []string{"en"}}
	for _, q := range referenceItems {
		in.Items = append(in.Items, Item{Code: q, Kind: KindRating, List: AgreeList, Area: "a", Pillar: PillarStructures})
	}
	for _, v := range []string{"sex", "age", "education"} {
		in.Items = append(in.Items, Item{Code: v, Kind: KindWeight, List: v})
	}
	want := map[string]map[string]string{}
	for _, r := range readCSV(t, "item_estimates.csv") {
		want[r["city"]+"/"+r["item"]] = r
	}
	for _, city := range order {
		c := cities[city]
		rs := make([]Response, len(c.ids))
		for i := range rs {
			rs[i].Answers = map[string]string{}
			for v, name := range c.in.Variables {
				rs[i].Answers[name] = c.in.Categories[v][i]
			}
			for _, q := range referenceItems {
				if a := c.answers[q][i]; !math.IsNaN(a) {
					rs[i].Answers[q] = fmt.Sprint(a)
				}
			}
		}
		res, err := in.Estimate(context.Background(), city, "w1", rs, c.in.Margins, EstimateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			r := want[city+"/"+it.Item]
			// The published standard error is the calibrated one.
			if !close9(it.Agree.Mean, num(t, r["agree_share"])) || !close9(it.Agree.SE, num(t, r["agree_se_calibrated"])) ||
				!close9(it.Score.Mean, num(t, r["score_mean"])) {
				t.Errorf("%s %s: agree %v ± %v score %v, R %s ± %s, %s", city, it.Item, it.Agree.Mean, it.Agree.SE, it.Score.Mean,
					r["agree_share"], r["agree_se_calibrated"], r["score_mean"])
			}
		}
		if len(res.Items) != 12 {
			t.Errorf("%d items", len(res.Items))
		}
		// Trimmed weights no longer meet the margins: the standard error
		// is then the fixed-weight one over the trimmed weights.
		trimmed, err := in.Estimate(context.Background(), city, "w1", rs, c.in.Margins, EstimateOptions{TrimAt: 1.5})
		if err != nil {
			t.Fatal(err)
		}
		raked, _ := Rake(c.in, RakeOptions{})
		w := Trim(raked.Weights, 1.5)
		agree := make([]float64, len(w))
		for i, a := range c.answers["q01"] {
			agree[i] = math.NaN()
			if !math.IsNaN(a) {
				agree[i] = b2f(a >= 4)
			}
		}
		if got, want := trimmed.Items[0].Agree, WeightedMean(agree, w); slices.Equal(w, raked.Weights) || got.SE != want.SE || got.Mean != want.Mean {
			t.Errorf("%s trimmed: %+v, want the fixed-weight %+v", city, got, want)
		}
	}
}
