package exchange

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
)

// Matching rounds (issue 16, item 3): the secretariat opens a round with
// its weights, cities opt in with their places, the secretariat runs it
// (Match) and publishes the suggestions, and each city accepts or declines
// its own; a re-run keeps the accepted pairs and never proposes a
// declined one again.

// States of a round.
const (
	RoundOpen      = "open"      // cities opt in; the secretariat may run it (a preview only it sees)
	RoundPublished = "published" // the suggestions are out: the cities answer; the secretariat may re-run
	RoundClosed    = "closed"    // completed: nothing changes
)

// Answers of a city to a suggestion.
const (
	AnswerNone     = ""
	AnswerAccepted = "accepted"
	AnswerDeclined = "declined"
)

// Bounds of a round.
const (
	MaxRoundTitle   = 200
	MaxLanguages    = 10
	MaxParticipants = 2000
	MaxReasons      = 8 // drivers kept per suggestion
)

// Round is a matching round.
type Round struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	TitleKO   string    `json:"title_ko"`
	Weights   Weights   `json:"weights"`
	State     string    `json:"state"`
	Runs      int       `json:"runs"` // how many times it ran
	Result    RunResult `json:"result"`
	Demo      bool      `json:"demo,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	RunAt     time.Time `json:"run_at,omitzero"`
}

// TitleIn is the title in lang.
func (r *Round) TitleIn(lang string) string {
	if lang == "ko" && r.TitleKO != "" {
		return r.TitleKO
	}
	return r.Title
}

// RunResult is what the last run found beside its pairs.
type RunResult struct {
	Total      int64       `json:"total"`      // the sum of the scores of the pairs (kept and new)
	Candidates int         `json:"candidates"` // scored pairs meeting a need
	Kept       int         `json:"kept"`       // accepted pairs kept from before
	Excluded   int         `json:"excluded"`   // declined pairs left out
	Unstable   []Pair      `json:"unstable"`   // the stability report
	Shortfall  []Shortfall `json:"shortfall"`  // places left empty, and why
}

// Opt is a city's opt-in to a round.
type Opt struct {
	Round     int64     `json:"round"`
	City      string    `json:"city"`
	Learner   int       `json:"learner"` // places as a learner
	Mentor    int       `json:"mentor"`  // places as a mentor
	Languages []string  `json:"languages"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Reason is one need of the learner met by a strength of the mentor.
type Reason struct {
	Need     CityItem `json:"need"`
	Strength CityItem `json:"strength"`
	Share    float64  `json:"share"` // of the needs part
}

// Members says the reason names a members-only practice.
func (r Reason) Members() bool { return r.Need.Members || r.Strength.Members }

// Suggestion is a pair a round proposed, with its explanation and the
// cities' answers.
type Suggestion struct {
	Round         int64     `json:"round"`
	Learner       string    `json:"learner"`
	Mentor        string    `json:"mentor"`
	Score         int64     `json:"score"` // thousandths
	Needs         float64   `json:"needs"`
	Context       float64   `json:"context"`
	Practical     float64   `json:"practical"`
	Reasons       []Reason  `json:"reasons"`
	LearnerAnswer string    `json:"learner_answer"`
	MentorAnswer  string    `json:"mentor_answer"`
	Run           int       `json:"run"` // the run that proposed it
	AnsweredAt    time.Time `json:"answered_at,omitzero"`
}

// Status is the pair's standing: declined when either city declined,
// accepted when both accepted, else pending.
func (s *Suggestion) Status() string {
	switch {
	case s.LearnerAnswer == AnswerDeclined || s.MentorAnswer == AnswerDeclined:
		return AnswerDeclined
	case s.LearnerAnswer == AnswerAccepted && s.MentorAnswer == AnswerAccepted:
		return AnswerAccepted
	}
	return "pending"
}

// Other is the pair's other city than city.
func (s *Suggestion) Other(city string) string {
	if s.Learner == city {
		return s.Mentor
	}
	return s.Learner
}

func roundProblem(field, key, format string, args ...any) citylens.Problem {
	return citylens.Problem{Field: field}.Keyed(key, format, args...)
}

// Validate checks a round's title and weights.
func (r *Round) Validate() error {
	var ps []citylens.Problem
	r.Title, r.TitleKO = strings.TrimSpace(r.Title), strings.TrimSpace(r.TitleKO)
	if r.Title == "" {
		ps = append(ps, roundProblem("title", "exchange.error.required", "required"))
	} else if utf8.RuneCountInString(r.Title) > MaxRoundTitle {
		ps = append(ps, roundProblem("title", "exchange.error.too_long", "at most %d characters", MaxRoundTitle))
	}
	if utf8.RuneCountInString(r.TitleKO) > MaxRoundTitle {
		ps = append(ps, roundProblem("title_ko", "exchange.error.too_long", "at most %d characters", MaxRoundTitle))
	}
	for _, w := range []struct {
		f string
		v float64
	}{{"weight_needs", r.Weights.Needs}, {"weight_context", r.Weights.Context}, {"weight_practical", r.Weights.Practical}} {
		if !(w.v >= 0 && w.v <= 1) {
			ps = append(ps, roundProblem(w.f, "match.problem.weight", "a weight from 0 to 1"))
		}
	}
	if len(ps) == 0 && r.Weights.Needs+r.Weights.Context+r.Weights.Practical <= 0 {
		ps = append(ps, roundProblem("weight_needs", "match.problem.weights_zero", "at least one weight above 0"))
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "match.error.round", "The round was not saved: correct the fields named below.").WithProblems(ps...)
	}
	return nil
}

// Validate checks an opt-in's places and languages.
func (o *Opt) Validate() error {
	var ps []citylens.Problem
	if o.Learner < 0 || o.Learner > MaxPlaces {
		ps = append(ps, roundProblem("learner", "match.problem.places", "0 to %d places", MaxPlaces))
	}
	if o.Mentor < 0 || o.Mentor > MaxPlaces {
		ps = append(ps, roundProblem("mentor", "match.problem.places", "0 to %d places", MaxPlaces))
	}
	if len(ps) == 0 && o.Learner+o.Mentor == 0 {
		ps = append(ps, roundProblem("learner", "match.problem.no_places", "at least one place as a learner or a mentor"))
	}
	var langs []string
	for _, l := range o.Languages {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" {
			continue
		}
		if len(l) > 8 || strings.ContainsFunc(l, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '-') }) {
			ps = append(ps, roundProblem("languages", "match.problem.language", "%q is not a language code (en, ko, fr...)", l))
			continue
		}
		if !contains(langs, l) {
			langs = append(langs, l)
		}
	}
	if len(langs) > MaxLanguages {
		ps = append(ps, roundProblem("languages", "match.problem.languages", "at most %d languages", MaxLanguages))
	}
	o.Languages = langs
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "match.error.opt", "%s could not opt in: correct the fields named below.", o.City).WithProblems(ps...)
	}
	return nil
}

// RunInput is what a run works on.
type RunInput struct {
	Opts     []Opt
	Profiles map[string]*Profile
	Items    map[string]map[ItemKey]CityItem // city → its items (to explain the drivers)
	Weights  Weights
	Before   []Suggestion // the round's stored suggestions
}

// RunOutput is a run's new suggestions (the accepted ones kept, the
// declined ones still listed) and its report.
type RunOutput struct {
	Suggestions []Suggestion
	Result      RunResult
}

// RunPairs runs a round: accepted pairs are kept and take their places
// first, declined pairs are excluded, pending ones are proposed afresh;
// Match assigns the remaining places. A city whose accepted pairs exceed
// its places is an EINVALID error naming it and its role.
func RunPairs(in RunInput) (RunOutput, error) {
	var out RunOutput
	places := map[string][2]int{}
	for _, o := range in.Opts {
		places[o.City] = [2]int{o.Learner, o.Mentor}
	}
	used := map[string][2]int{}
	excluded := map[[2]string]bool{}
	var kept []Suggestion
	var probs []citylens.Problem
	for _, s := range in.Before {
		switch s.Status() {
		case AnswerDeclined:
			excluded[[2]string{s.Learner, s.Mentor}] = true
			out.Suggestions = append(out.Suggestions, s)
			out.Result.Excluded++
		case AnswerAccepted:
			excluded[[2]string{s.Learner, s.Mentor}] = true // kept, not proposed twice
			kept = append(kept, s)
			u := used[s.Learner]
			u[0]++
			used[s.Learner] = u
			u = used[s.Mentor]
			u[1]++
			used[s.Mentor] = u
		}
	}
	for _, c := range sortedKeys(used) {
		u, p := used[c], places[c]
		if u[0] > p[0] {
			probs = append(probs, citylens.Problem{City: c, Field: "learner"}.Keyed("match.problem.accepted_over",
				"%s has %d accepted pairs as a learner but %d places", c, u[0], p[0]))
		}
		if u[1] > p[1] {
			probs = append(probs, citylens.Problem{City: c, Field: "mentor"}.Keyed("match.problem.accepted_over",
				"%s has %d accepted pairs as a mentor but %d places", c, u[1], p[1]))
		}
	}
	if len(probs) > 0 {
		return out, citylens.Ef(citylens.EINVALID, "match.error.infeasible", "The round cannot run with these places.").WithProblems(probs...)
	}
	var parts []Participant
	var ps []*Profile
	for _, o := range in.Opts {
		u := used[o.City]
		parts = append(parts, Participant{City: o.City, Learner: o.Learner - u[0], Mentor: o.Mentor - u[1]})
		if p := in.Profiles[o.City]; p != nil {
			ps = append(ps, p)
		}
	}
	scored := ScoreAll(ps, in.Weights)
	byPair := map[[2]string]Scored{}
	pairs := make([]Pair, 0, len(scored))
	for _, sc := range scored {
		byPair[[2]string{sc.Learner, sc.Mentor}] = sc
		pairs = append(pairs, sc.Pair)
	}
	out.Result.Candidates = len(scored)
	a, err := Match(parts, pairs, excluded)
	if err != nil {
		return out, err
	}
	for _, s := range kept {
		out.Suggestions = append(out.Suggestions, s)
		out.Result.Total += s.Score
	}
	out.Result.Kept = len(kept)
	for _, p := range a.Pairs {
		sc := byPair[[2]string{p.Learner, p.Mentor}]
		s := Suggestion{Learner: p.Learner, Mentor: p.Mentor, Score: p.Score, Needs: sc.Needs, Context: sc.Context, Practical: sc.Practical}
		for i, d := range sc.Drivers {
			if i == MaxReasons {
				break
			}
			need := explained(in.Items[p.Learner], SideNeed, d.Need)
			str := explained(in.Items[p.Mentor], SideStrength, d.Strength)
			s.Reasons = append(s.Reasons, Reason{Need: need, Strength: str, Share: d.Share})
		}
		out.Suggestions = append(out.Suggestions, s)
		out.Result.Total += p.Score
	}
	out.Result.Unstable, out.Result.Shortfall = a.Unstable, a.Shortfall
	// A place taken by a kept pair is not short: Match saw the places
	// left, so its shortfall already counts only those.
	return out, nil
}

func explained(items map[ItemKey]CityItem, side string, it Item) CityItem {
	if c, ok := items[ItemKey{Side: side, Kind: it.Kind, Ref: it.Ref, Theme: it.Theme}]; ok {
		return c
	}
	return CityItem{Side: side, Item: it}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// UTCOffset approximates a city's time zone from its longitude (15° an
// hour): enough for "close time zones" in practical fit.
func UTCOffset(longitude float64) float64 {
	h := float64(int(longitude/15*2+0.5*sign(longitude))) / 2
	return h
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}
