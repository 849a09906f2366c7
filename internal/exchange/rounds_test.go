package exchange

import (
	"math"
	"strings"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/survey"
)

func TestDeriveNamesTheFiguresOfEachItem(t *testing.T) {
	p := &release.Profile{Pillars: []release.PillarProfile{
		pillar("E", 40, 35, 45, 58, 120), // a need of 18 points
		pillar("G", 80, 76, 84, 60, 3),   // a strength, 3rd
		pillar("S", 50, 44, 61, 55, 80),  // neither
	}}
	p.Pillars[0].PeerSet = "peer_group"
	in := survey.DefaultInstrument()
	mean := func(m, se float64) survey.Mean { return survey.Mean{N: 100, NEff: 100, Mean: m, SE: se} }
	cr := &survey.CityResult{City: "kr-busan",
		Items: []survey.ItemResult{
			{Item: "mo_s1", Score: mean(40, 2)},   // interval 36–44: below the overall 60
			{Item: "go_s1", Score: mean(58, 2)},   // interval holds 60: not a need
			{Item: "at_data", Score: mean(10, 1)}, // an attitude item: never a need
		},
		Priorities: []survey.PriorityResult{{Choice: "congestion", Share: mean(0.42, 0.03)}, {Choice: "air", Share: mean(0.25, 0.03)},
			{Choice: "schools", Share: mean(0.10, 0.02)}},
	}
	overall := survey.GroupResult{Kind: "overall", Score: mean(60, 1)}
	cases := []*Case{
		{ID: 7, Title: "Shared mobility hubs", TitleKO: "공유 모빌리티 허브", ESGPillar: "environmental", Visibility: Public, Tags: map[string][]string{FieldThemes: {"mobility"}}},
		{ID: 8, Title: "Port drones", Visibility: Members, Tags: map[string][]string{FieldThemes: {"ports"}}},
	}
	needs, strengths := Derive(Sources{Profile: p, Ranked: 146, PillarKO: map[string]string{"E": "환경"}, Survey: cr, Overall: &overall,
		Questions: in, Edition: "2026", Cases: cases,
		Winners: []WinningProject{{App: 3, Edition: "2026", Title: "Night buses", Kind: "winner", Grade: "gold", Themes: []string{"mobility"}}}})
	find := func(items []CityItem, kind, theme string) *CityItem {
		for i := range items {
			if items[i].Kind == kind && items[i].Theme == theme {
				return &items[i]
			}
		}
		return nil
	}
	if n := find(needs, KindPillar, "E"); n == nil || n.Gap != 18 || n.Value != 40 || n.Median != 58 || n.Low != 35 || n.High != 45 ||
		n.NameKO != "환경" || n.State != StateDerived {
		t.Errorf("pillar need %+v", n)
	}
	if find(needs, KindPillar, "S") != nil || find(strengths, KindPillar, "S") != nil {
		t.Error("a pillar whose band holds the median became an item")
	}
	if s := find(strengths, KindPillar, "G"); s == nil || s.Rank != 3 || s.Of != 146 || s.Gap != 20 {
		t.Errorf("pillar strength %+v", s)
	}
	if n := find(needs, KindSurveyItem, "mobility"); n == nil || n.Ref != "mo_s1" || n.Value != 40 || n.Median != 60 || n.Gap != 20 || n.Weight != 1 ||
		math.Abs(n.High-43.9) > 0.01 {
		t.Errorf("survey need %+v", n)
	}
	if find(needs, KindSurveyItem, "governance") != nil {
		t.Error("a survey item whose interval holds the overall score became a need")
	}
	if n := find(needs, KindPriority, "mobility"); n == nil || n.Ref != "congestion" || n.Value != 42 || n.Name != "Less traffic congestion" ||
		n.NameKO != "교통 혼잡 완화" || math.Abs(n.Weight-0.84) > 1e-12 {
		t.Errorf("priority need %+v", n)
	}
	if find(needs, KindPriority, "environment") == nil || find(needs, KindPriority, "education") != nil {
		t.Errorf("priorities: 25%% counts, 10%% does not: %+v", needs)
	}
	if s := find(strengths, KindWinner, "mobility"); s == nil || s.Detail != "winner gold" || s.Name != "Night buses" {
		t.Errorf("winner strength %+v", s)
	}
	if s := find(strengths, KindPractice, "E"); s == nil || s.Ref != "7" || s.Weight != 0.5 {
		t.Errorf("a practice's ESG pillar: %+v", s)
	}
	if s := find(strengths, KindPractice, "ports"); s == nil || !s.Members {
		t.Errorf("a members-only practice is not marked: %+v", s)
	}

	// The focal point removes the survey need, confirms the pillar and states a need.
	ovs := []Override{
		{Key: ItemKey{Side: SideNeed, Kind: KindSurveyItem, Ref: "mo_s1", Theme: "mobility"}, Action: ActionRemove, Note: "being fixed"},
		{Key: ItemKey{Side: SideNeed, Kind: KindPillar, Ref: "E", Theme: "E"}, Action: ActionConfirm},
		{Key: ItemKey{Side: SideNeed, Kind: KindStated, Ref: "ports", Theme: "ports"}, Action: ActionAdd, Name: "Smart port"},
		{Key: ItemKey{Side: SideNeed, Kind: KindPillar, Ref: "S", Theme: "S"}, Action: ActionConfirm}, // no longer derived: dropped
	}
	needs, _ = Apply(needs, strengths, ovs)
	if n := find(needs, KindSurveyItem, "mobility"); n.State != StateRemoved || n.Note != "being fixed" {
		t.Errorf("removed %+v", n)
	}
	if n := find(needs, KindPillar, "E"); n.State != StateConfirmed {
		t.Errorf("confirmed %+v", n)
	}
	if n := find(needs, KindStated, "ports"); n == nil || n.State != StateAdded || n.Name != "Smart port" || n.Weight != 1 {
		t.Errorf("added %+v", n)
	}
	if find(needs, KindPillar, "S") != nil {
		t.Error("an override of an item no longer derived made an item")
	}
	for _, it := range Counted(needs) {
		if it.Kind == KindSurveyItem && it.Ref == "mo_s1" {
			t.Error("a removed item counts")
		}
	}
}

func TestRunPairsKeepsAcceptedAndExcludesDeclined(t *testing.T) {
	mk := func(city string, needs, strengths []Item) *Profile {
		return &Profile{City: city, Needs: needs, Strengths: strengths, Region: "AS"}
	}
	mob := []Item{{Theme: "mobility", Kind: KindStated, Ref: "mobility", Weight: 1}}
	in := RunInput{
		Opts: []Opt{{City: "a", Learner: 1}, {City: "b", Mentor: 1}, {City: "c", Mentor: 1}},
		Profiles: map[string]*Profile{
			"a": mk("a", mob, nil),
			"b": {City: "b", Strengths: []Item{{Theme: "mobility", Kind: KindPractice, Ref: "7", Name: "Hubs", Weight: 1}}, Region: "AS"},
			"c": mk("c", nil, []Item{{Theme: "mobility", Kind: KindPillar, Ref: "E", Weight: 0.5}}),
		},
		Items: map[string]map[ItemKey]CityItem{"b": {{Side: SideStrength, Kind: KindPractice, Ref: "7", Theme: "mobility"}: {Side: SideStrength,
			Item: Item{Theme: "mobility", Kind: KindPractice, Ref: "7", Name: "Hubs", Weight: 1}, NameKO: "허브", Members: true}}},
		Weights: DefaultWeights,
	}
	out, err := RunPairs(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Suggestions) != 1 || out.Suggestions[0].Learner != "a" || out.Suggestions[0].Mentor != "b" {
		t.Fatalf("first run %+v", out.Suggestions)
	}
	s := out.Suggestions[0]
	if len(s.Reasons) != 1 || s.Reasons[0].Strength.NameKO != "허브" || !s.Reasons[0].Members() || s.Reasons[0].Need.Theme != "mobility" {
		t.Errorf("the reason does not carry the practice that drove the pair: %+v", s.Reasons)
	}
	if len(out.Result.Shortfall) != 1 || out.Result.Shortfall[0].City != "c" || out.Result.Shortfall[0].Reason != "taken" {
		t.Errorf("shortfall %+v", out.Result.Shortfall)
	}
	// a declines b: the re-run proposes c and keeps the declined pair listed.
	s.LearnerAnswer = AnswerDeclined
	in.Before = []Suggestion{s}
	out, err = RunPairs(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Suggestions) != 2 || out.Suggestions[0].Status() != AnswerDeclined || out.Suggestions[1].Mentor != "c" || out.Result.Excluded != 1 {
		t.Fatalf("re-run after a decline %+v", out.Suggestions)
	}
	// a and c accept: a re-run keeps the pair and proposes nothing else.
	ac := out.Suggestions[1]
	ac.LearnerAnswer, ac.MentorAnswer, ac.Run = AnswerAccepted, AnswerAccepted, 2
	in.Before = []Suggestion{out.Suggestions[0], ac}
	out, err = RunPairs(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Suggestions) != 2 || out.Result.Kept != 1 || out.Result.Total != ac.Score || out.Suggestions[1].Run != 2 ||
		out.Suggestions[1].Status() != AnswerAccepted {
		t.Fatalf("re-run after an acceptance %+v %+v", out.Suggestions, out.Result)
	}
	// c lowers its places below its accepted pairs: the run names it.
	in.Opts[2].Mentor = 0
	in.Opts[2].Learner = 1
	_, err = RunPairs(in)
	if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), "cannot run") ||
		len(citylens.AsError(err).Problems) != 1 || citylens.AsError(err).Problems[0].City != "c" || citylens.AsError(err).Problems[0].Field != "mentor" {
		t.Errorf("over-accepted places: %v", err)
	}
}

func TestRoundAndOptValidation(t *testing.T) {
	r := &Round{Title: " ", Weights: Weights{Needs: 2, Context: -1}}
	err := r.Validate()
	fields := map[string]bool{}
	for _, p := range citylens.AsError(err).Problems {
		fields[p.Field] = true
	}
	if !fields["title"] || !fields["weight_needs"] || !fields["weight_context"] || fields["weight_practical"] {
		t.Errorf("round problems %v", err)
	}
	if err := (&Round{Title: "x"}).Validate(); err == nil {
		t.Error("all-zero weights accepted")
	}
	o := &Opt{City: "a", Learner: 11, Mentor: -1, Languages: []string{"EN", "x y", "en"}}
	err = o.Validate()
	if n := len(citylens.AsError(err).Problems); n != 3 {
		t.Errorf("opt problems %v", err)
	}
	o = &Opt{City: "a", Learner: 1, Languages: []string{"EN", " ko ", "en"}}
	if err := o.Validate(); err != nil || strings.Join(o.Languages, ",") != "en,ko" {
		t.Errorf("languages %v %v", o.Languages, err)
	}
}

func TestUTCOffset(t *testing.T) {
	for lon, want := range map[float64]float64{126.978: 8.5, 4.48: 0.5, -74: -5, 0: 0, 179: 12} {
		if got := UTCOffset(lon); got != want {
			t.Errorf("UTCOffset(%v) = %v, want %v", lon, got, want)
		}
	}
}
