package demo

import (
	"context"

	"github.com/citylens/citylens/internal/exchange"
)

// demoMatchCity is a demo city's part in the demo matching round: its
// places and what it states it needs and is strong in (beside what its
// data shows).
type demoMatchCity struct {
	code             string
	learner, mentor  int
	languages        []string
	needs, strengths [][2]string // theme, what it is
}

var demoMatchCities = []demoMatchCity{
	{"kr-busan", 1, 0, []string{"ko", "en"}, [][2]string{{"mobility", "Shared mobility for the port districts"}, {"ports", "Smart port logistics"}}, nil},
	{"es-barcelona", 0, 2, []string{"es", "en"}, nil, [][2]string{{"mobility", "Superblocks and a connected bike network"}, {"governance", "Open-source participation platform"}}},
	{"sg-singapore", 0, 1, []string{"en"}, nil, [][2]string{{"mobility", "Road pricing and transit data"}, {"ports", "Automated port terminals"}}},
	{"kr-seoul", 0, 1, []string{"ko", "en"}, nil, [][2]string{{"governance", "Online petitions and participatory budgeting"}, {"mobility", "Night buses routed by demand"}}},
	{"ke-nairobi", 1, 0, []string{"en", "sw"}, [][2]string{{"governance", "Digital public services"}}, nil},
	{"co-bogota", 1, 0, []string{"es"}, [][2]string{{"mobility", "Reliable bus rapid transit"}}, nil},
	{"co-medellin", 1, 1, []string{"es"}, [][2]string{{"safety", "Early warning of landslides"}}, [][2]string{{"mobility", "Cable cars for hillside districts"}}},
	{"jp-tokyo", 0, 1, []string{"ja", "en"}, nil, [][2]string{{"safety", "Earthquake early warning"}}},
}

// seedMatching seeds, once, a completed partner-matching round (demo):
// the cities above opt in and state their needs and strengths, the round
// runs and is published, Busan accepts its partner, Nairobi declines its
// suggestion, the others accept; a re-run keeps the accepted pairs and
// proposes Nairobi another partner, which both accept; the round closes.
func seedMatching(ctx context.Context, s Services) error {
	m := s.Matching
	if m == nil {
		return nil
	}
	rounds, err := m.Store.MatchRounds(ctx)
	if err != nil {
		return err
	}
	for _, r := range rounds {
		if r.Demo {
			return nil
		}
	}
	admin := exchange.Viewer{Admin: true, Member: true}
	var present []demoMatchCity
	names, err := m.CityNames(ctx, func() []string {
		var cs []string
		for _, c := range demoMatchCities {
			cs = append(cs, c.code)
		}
		return cs
	}())
	if err != nil {
		return err
	}
	for _, c := range demoMatchCities {
		if _, ok := names[c.code]; ok {
			present = append(present, c)
		}
	}
	if len(present) < 2 {
		return nil
	}
	r := &exchange.Round{Title: "Partner matching 2026 (demo)", TitleKO: "2026 파트너 매칭 (데모)", Weights: exchange.DefaultWeights, Demo: true}
	if err := m.CreateRound(ctx, admin, system, r); err != nil {
		return err
	}
	for _, c := range present {
		for side, items := range map[string][][2]string{exchange.SideNeed: c.needs, exchange.SideStrength: c.strengths} {
			for _, it := range items {
				o := exchange.Override{Key: exchange.ItemKey{Side: side, Theme: it[0]}, Name: it[1], Note: "Demo"}
				if err := m.SetItem(ctx, admin, system, c.code, exchange.ActionAdd, o); err != nil {
					return err
				}
			}
		}
		if err := m.OptIn(ctx, admin, system, exchange.Opt{Round: r.ID, City: c.code, Learner: c.learner, Mentor: c.mentor, Languages: c.languages}); err != nil {
			return err
		}
	}
	if _, err := m.Run(ctx, admin, system, r.ID); err != nil {
		return err
	}
	if err := m.SetState(ctx, admin, system, r.ID, exchange.RoundPublished); err != nil {
		return err
	}
	answerAll := func(decline string) error {
		rv, err := m.Round(ctx, admin, r.ID)
		if err != nil {
			return err
		}
		for _, sg := range rv.Suggestions {
			if sg.Status() != "pending" {
				continue
			}
			if sg.Learner == decline {
				if err := m.Answer(ctx, admin, system, r.ID, sg.Learner, sg.Mentor, sg.Learner, exchange.AnswerDeclined); err != nil {
					return err
				}
				decline = ""
				continue
			}
			for _, city := range []string{sg.Learner, sg.Mentor} {
				if err := m.Answer(ctx, admin, system, r.ID, sg.Learner, sg.Mentor, city, exchange.AnswerAccepted); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := answerAll("ke-nairobi"); err != nil {
		return err
	}
	if _, err := m.Run(ctx, admin, system, r.ID); err != nil {
		return err
	}
	if err := answerAll(""); err != nil {
		return err
	}
	if s.Log != nil {
		s.Log.Info("demo matching round seeded", "round", r.ID, "cities", len(present))
	}
	return m.SetState(ctx, admin, system, r.ID, exchange.RoundClosed)
}
