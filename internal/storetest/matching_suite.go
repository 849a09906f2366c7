package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
)

// MatchingStore is a store with needs and strengths' overrides and
// matching rounds, and the records they read (cases, the prize).
type MatchingStore interface {
	JudgingStore
	exchange.Store
	exchange.MatchStore
}

// MatchingSuite covers needs and strengths and matching rounds (package
// exchange, matching.go).
var MatchingSuite = []struct {
	Name string
	Test func(t *testing.T, s MatchingStore)
}{
	{"OverridesCasesWinners", testMatchingOverrides},
	{"RoundsOptsPairsAnswers", testMatchingRounds},
}

// RunMatchingSuite runs MatchingSuite against every database.
func RunMatchingSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range MatchingSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(MatchingStore)
					if !ok {
						t.Fatal("the store lacks the matching records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

func testMatchingOverrides(t *testing.T, s MatchingStore) {
	ctx := context.Background()
	seedCity(t, s, "kr-busan", "AS")
	seedCity(t, s, "kr-seoul", "AS")
	k := exchange.ItemKey{Side: exchange.SideNeed, Kind: exchange.KindPillar, Ref: "E", Theme: "E"}
	o := exchange.Override{City: "kr-busan", Key: k, Action: exchange.ActionRemove, Note: "under way", By: "focal@x", At: t0}
	if err := s.PutExchangeOverride(ctx, o); err != nil {
		t.Fatal(err)
	}
	// The same key again replaces it.
	o.Action, o.Note, o.At = exchange.ActionConfirm, "", t0.Add(time.Hour)
	if err := s.PutExchangeOverride(ctx, o); err != nil {
		t.Fatal(err)
	}
	added := exchange.Override{City: "kr-busan", Key: exchange.ItemKey{Side: exchange.SideStrength, Kind: exchange.KindStated, Ref: "ports", Theme: "ports"},
		Action: exchange.ActionAdd, Name: "스마트 항만", By: "focal@x", At: t0.Add(2 * time.Hour)}
	if err := s.PutExchangeOverride(ctx, added); err != nil {
		t.Fatal(err)
	}
	got, err := s.ExchangeOverrides(ctx, "kr-busan")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]exchange.Override{o, added}, got); d != "" {
		t.Errorf("overrides (-want +got):\n%s", d)
	}
	if others, _ := s.ExchangeOverrides(ctx, "kr-seoul"); len(others) != 0 {
		t.Errorf("another city's overrides: %+v", others)
	}
	bad := o
	bad.Action = "maybe"
	if err := s.PutExchangeOverride(ctx, bad); err == nil {
		t.Error("an unknown action was stored")
	}
	if err := s.DeleteExchangeOverride(ctx, "kr-busan", k); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.ExchangeOverrides(ctx, "kr-busan"); len(got) != 1 || got[0].Key != added.Key {
		t.Errorf("after delete %+v", got)
	}

	// The city's cases.
	c := exchangeCase("Smart port logistics", "스마트 항만 물류", "", "", "AS", exchange.Members, "ports")
	c.CityCode = "kr-busan"
	if err := s.CreateExchangeCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	other := exchangeCase("Seoul bikes", "", "", "", "AS", exchange.Public, "mobility")
	other.CityCode = "kr-seoul"
	if err := s.CreateExchangeCase(ctx, other); err != nil {
		t.Fatal(err)
	}
	cs, err := s.ExchangeCityCases(ctx, "kr-busan")
	if err != nil || len(cs) != 1 || cs[0].ID != c.ID || cs[0].Visibility != exchange.Members {
		t.Errorf("city cases %+v %v", cs, err)
	}

	// Winning projects: awards of announced editions only.
	prizeEdition(t, s)
	u := prizeUser(t, s, "busan@example.org")
	mk := func(title string) int64 {
		a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email, ApplicantType: prize.TypeCorporation,
			Organisation: "Busan", CityCode: "kr-busan", CityName: "Busan", Title: title, Answers: prize.Answers{"themes": {"mobility", "ports"}},
			State: prize.StateSubmitted, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreatePrizeApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	gold, finalist := mk("Port drones"), mk("Bus app")
	for _, d := range []*judging.Decision{{Edition: "2026", App: gold, Kind: judging.DecisionWinner, Grade: "gold", DecidedBy: "admin", DecidedAt: t0},
		{Edition: "2026", App: finalist, Kind: judging.DecisionFinalist, DecidedBy: "admin", DecidedAt: t0}} {
		if err := s.AddPrizeDecision(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if ws, err := s.CityWinningProjects(ctx, "kr-busan"); err != nil || len(ws) != 0 {
		t.Errorf("winners before the announcement: %+v %v", ws, err)
	}
	if err := s.AnnouncePrize(ctx, "2026", t0, "admin"); err != nil {
		t.Fatal(err)
	}
	ws, err := s.CityWinningProjects(ctx, "kr-busan")
	want := []exchange.WinningProject{{App: gold, Edition: "2026", Title: "Port drones", Kind: judging.DecisionWinner, Grade: "gold", Themes: []string{"mobility", "ports"}}}
	if err != nil || !cmp.Equal(ws, want) {
		t.Errorf("winning projects %+v %v, want %+v", ws, err, want)
	}
	if hs, err := s.PublishedReleaseHashes(ctx, 3); err != nil || len(hs) != 0 {
		t.Errorf("published releases of an empty store: %v %v", hs, err)
	}
}

func testMatchingRounds(t *testing.T, s MatchingStore) {
	ctx := context.Background()
	for _, c := range []string{"kr-busan", "kr-seoul", "nl-rotterdam"} {
		seedCity(t, s, c, "AS")
	}
	r := &exchange.Round{Title: "Round 1", TitleKO: "1차", Weights: exchange.DefaultWeights, State: exchange.RoundOpen, CreatedBy: "admin@x", CreatedAt: t0}
	if err := s.CreateMatchRound(ctx, r); err != nil || r.ID == 0 {
		t.Fatalf("create: %v", err)
	}
	got, err := s.MatchRound(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r, got); d != "" {
		t.Errorf("round (-want +got):\n%s", d)
	}
	if _, err := s.MatchRound(ctx, r.ID+100); citylens.ErrorCode(err) != citylens.ENOTFOUND {
		t.Errorf("missing round: %v", err)
	}
	for _, o := range []exchange.Opt{{Round: r.ID, City: "kr-busan", Learner: 2, Mentor: 0, Languages: []string{"ko", "en"}, By: "f", At: t0},
		{Round: r.ID, City: "nl-rotterdam", Learner: 0, Mentor: 1, Languages: []string{"en"}, By: "a", At: t0},
		{Round: r.ID, City: "kr-seoul", Learner: 1, Mentor: 1, By: "a", At: t0}} {
		if err := s.PutMatchOpt(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutMatchOpt(ctx, exchange.Opt{Round: r.ID, City: "kr-busan", Learner: 1, Mentor: 1, Languages: []string{"ko"}, By: "f", At: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMatchOpt(ctx, exchange.Opt{Round: r.ID, City: "kr-seoul", Learner: 11, By: "f", At: t0}); err == nil {
		t.Error("11 places stored")
	}
	if err := s.PutMatchOpt(ctx, exchange.Opt{Round: r.ID, City: "no-city", Learner: 1, By: "f", At: t0}); err == nil {
		t.Error("an opt-in of a city not in the directory stored")
	}
	if err := s.DeleteMatchOpt(ctx, r.ID, "kr-seoul"); err != nil {
		t.Fatal(err)
	}
	opts, err := s.MatchOpts(ctx, r.ID)
	if err != nil || len(opts) != 2 || opts[0].City != "kr-busan" || opts[0].Learner != 1 || !cmp.Equal(opts[0].Languages, []string{"ko"}) ||
		opts[1].City != "nl-rotterdam" {
		t.Errorf("opts %+v %v", opts, err)
	}

	reason := exchange.Reason{Need: exchange.CityItem{Side: exchange.SideNeed, Item: exchange.Item{Theme: "E", Kind: exchange.KindPillar, Ref: "E",
		Name: "Environment", Gap: 18, Weight: 0.9}, NameKO: "환경", Value: 40, Median: 58, Low: 35, High: 45, State: exchange.StateConfirmed},
		Strength: exchange.CityItem{Side: exchange.SideStrength, Item: exchange.Item{Theme: "E", Kind: exchange.KindPractice, Ref: "12", Name: "Hubs", Weight: 1},
			Members: true, State: exchange.StateDerived}, Share: 0.45}
	ss := []exchange.Suggestion{
		{Round: r.ID, Learner: "kr-busan", Mentor: "nl-rotterdam", Score: 700, Needs: 0.75, Context: 0.5, Practical: 0.4, Reasons: []exchange.Reason{reason}, Run: 1},
		{Round: r.ID, Learner: "kr-seoul", Mentor: "kr-busan", Score: 300, Needs: 0.2, Context: 1, Practical: 1, Run: 1},
	}
	if err := s.ReplaceMatchSuggestions(ctx, r.ID, ss); err != nil {
		t.Fatal(err)
	}
	back, err := s.MatchSuggestions(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	ss[1].Reasons = []exchange.Reason{}
	if d := cmp.Diff(ss, back); d != "" {
		t.Errorf("suggestions (-want +got):\n%s", d)
	}
	at := t0.Add(time.Hour)
	if err := s.SetMatchAnswer(ctx, r.ID, "kr-busan", "nl-rotterdam", "learner", exchange.AnswerAccepted, at); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMatchAnswer(ctx, r.ID, "kr-busan", "nl-rotterdam", "mentor", exchange.AnswerAccepted, at); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMatchAnswer(ctx, r.ID, "kr-seoul", "kr-busan", "mentor", exchange.AnswerDeclined, at); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMatchAnswer(ctx, r.ID, "kr-busan", "kr-seoul", "mentor", exchange.AnswerDeclined, at); citylens.ErrorCode(err) != citylens.ENOTFOUND {
		t.Errorf("answer to a pair not suggested: %v", err)
	}
	if err := s.SetMatchAnswer(ctx, r.ID, "kr-busan", "nl-rotterdam", "mentor", "maybe", at); err == nil {
		t.Error("an unknown answer stored")
	}
	city, err := s.CityMatchSuggestions(ctx, "kr-busan")
	if err != nil || len(city) != 2 || city[0].Status() != exchange.AnswerAccepted || city[1].Status() != exchange.AnswerDeclined ||
		!city[0].AnsweredAt.Equal(at) {
		t.Errorf("Busan's suggestions %+v %v", city, err)
	}
	if city, _ := s.CityMatchSuggestions(ctx, "nl-rotterdam"); len(city) != 1 {
		t.Errorf("Rotterdam's suggestions %+v", city)
	}
	acc, err := s.MatchTies(ctx)
	if err != nil || !cmp.Equal(acc, [][2]string{{"kr-busan", "nl-rotterdam"}}) {
		t.Errorf("ties from the accepted pairs %v %v", acc, err)
	}
	// A partnership that has not lapsed ties its two cities too; a lapsed
	// one, or one with a partner organisation, does not.
	if ps, ok := s.(exchange.PartnershipStore); ok {
		for _, p := range []*exchange.Partnership{
			{CityA: "kr-seoul", CityB: "nl-rotterdam", Status: exchange.StatusActive},
			{CityA: "kr-busan", CityB: "kr-seoul", Status: exchange.StatusLapsed},
		} {
			p.Title, p.StartDate, p.Visibility, p.CreatedAt, p.UpdatedAt = "Tie", "2024-01-01", exchange.Public, t0, t0
			if err := ps.CreatePartnership(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		ties, err := s.MatchTies(ctx)
		if err != nil || !cmp.Equal(ties, [][2]string{{"kr-busan", "nl-rotterdam"}, {"kr-seoul", "nl-rotterdam"}}) {
			t.Errorf("ties with the partnerships %v %v", ties, err)
		}
	} else {
		t.Fatalf("%T keeps no partnerships", s)
	}

	r.State, r.Runs, r.RunAt = exchange.RoundPublished, 1, t0.Add(30*time.Minute)
	r.Result = exchange.RunResult{Total: 1000, Candidates: 4, Unstable: []exchange.Pair{{Learner: "kr-seoul", Mentor: "nl-rotterdam", Score: 200}},
		Shortfall: []exchange.Shortfall{{City: "kr-seoul", Role: "learner", Places: 1, Filled: 0, Reason: "taken"}}}
	if err := s.UpdateMatchRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	r2 := &exchange.Round{Title: "Round 2", Weights: exchange.Weights{Needs: 1}, State: exchange.RoundOpen, CreatedBy: "admin@x", CreatedAt: t0, Demo: true}
	if err := s.CreateMatchRound(ctx, r2); err != nil {
		t.Fatal(err)
	}
	all, err := s.MatchRounds(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("rounds %v %v", all, err)
	}
	if d := cmp.Diff([]*exchange.Round{r2, r}, all); d != "" {
		t.Errorf("rounds, newest first (-want +got):\n%s", d)
	}
	// Replacing keeps nothing of the last run.
	if err := s.ReplaceMatchSuggestions(ctx, r.ID, ss[:1]); err != nil {
		t.Fatal(err)
	}
	if back, _ := s.MatchSuggestions(ctx, r.ID); len(back) != 1 || back[0].LearnerAnswer != "" {
		t.Errorf("after replace %+v", back)
	}
}
