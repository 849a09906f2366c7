package exchange

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/survey"
)

// MatchStore keeps needs and strengths' overrides and matching rounds.
type MatchStore interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// ExchangeOverrides are a city's overrides, oldest first.
	ExchangeOverrides(ctx context.Context, city string) ([]Override, error)
	// PutExchangeOverride stores o, replacing the city's override of the same key.
	PutExchangeOverride(ctx context.Context, o Override) error
	DeleteExchangeOverride(ctx context.Context, city string, key ItemKey) error
	// ExchangeCityCases are the library's cases of a member city.
	ExchangeCityCases(ctx context.Context, city string) ([]*Case, error)
	// CityWinningProjects are the awards of the city's prize applications
	// in announced editions.
	CityWinningProjects(ctx context.Context, city string) ([]WinningProject, error)
	// PublishedReleaseHashes are the published releases, latest reference year first.
	PublishedReleaseHashes(ctx context.Context, limit int) ([]string, error)

	CreateMatchRound(ctx context.Context, r *Round) error // sets r.ID
	UpdateMatchRound(ctx context.Context, r *Round) error // state, runs, result, run time
	MatchRound(ctx context.Context, id int64) (*Round, error)
	MatchRounds(ctx context.Context) ([]*Round, error) // newest first
	PutMatchOpt(ctx context.Context, o Opt) error      // replaces the city's opt-in
	DeleteMatchOpt(ctx context.Context, round int64, city string) error
	MatchOpts(ctx context.Context, round int64) ([]Opt, error) // by city
	// ReplaceMatchSuggestions replaces the round's suggestions with ss.
	ReplaceMatchSuggestions(ctx context.Context, round int64, ss []Suggestion) error
	MatchSuggestions(ctx context.Context, round int64) ([]Suggestion, error) // best first
	// SetMatchAnswer sets one city's answer (side "learner" or "mentor"); ENOTFOUND without the pair.
	SetMatchAnswer(ctx context.Context, round int64, learner, mentor, side, answer string, at time.Time) error
	// CityMatchSuggestions are the suggestions naming city, of every round.
	CityMatchSuggestions(ctx context.Context, city string) ([]Suggestion, error)
	// MatchTies are the pairs of cities already tied: both accepted the
	// pair in a round (of any round), or they are partners in a
	// partnership that has not lapsed. A pair may come in either order.
	MatchTies(ctx context.Context) ([][2]string, error)
}

// Directory is what matching reads of the member directory.
type Directory interface {
	City(ctx context.Context, code string) (members.City, error)
}

// ReleaseLoader loads a published release (publication.Service, cached).
type ReleaseLoader interface {
	Load(ctx context.Context, hash string) (*release.Release, error)
}

// SurveyReader is what matching reads of the residents' survey.
type SurveyReader interface {
	Surveys(ctx context.Context) ([]survey.Survey, error)
	SurveyResults(ctx context.Context, edition string) (*survey.Results, error)
	SurveyInstrument(ctx context.Context, edition string, version int) (*survey.Instrument, error)
}

// Matching runs needs and strengths and matching rounds.
type Matching struct {
	Store    MatchStore
	Cities   Directory
	Releases ReleaseLoader
	Survey   SurveyReader
	Audit    auditlog.Store
	Now      func() time.Time
}

func (s *Matching) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Matching) record(ctx context.Context, actor auditlog.Actor, action, kind, id string, before, after any) error {
	if s.Audit == nil {
		return nil
	}
	return auditlog.Record(ctx, s.Audit, s.now(), actor, action, kind, id, before, after)
}

// Bounds of what a city states.
const (
	MaxOverrides = 100
	MaxNote      = 500
	MaxItemName  = 200
)

// CityNeeds is a city's needs and strengths page.
type CityNeeds struct {
	City      members.City
	Release   string // the release edition they come from, or ""
	Survey    string // the survey edition, or ""
	Needs     []CityItem
	Strengths []CityItem
	CanEdit   bool
}

func forbidden() error {
	return citylens.Ef(citylens.EFORBIDDEN, "match.error.forbidden", "Only the secretariat and the city's focal point may do this.")
}

func (s *Matching) city(ctx context.Context, code string) (members.City, error) {
	c, err := s.Cities.City(ctx, code)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return c, citylens.Ef(citylens.ENOTFOUND, "match.error.no_city", "No member city %s.", code)
	}
	return c, err
}

// readCache keeps what one request or run reads for several cities: the
// published releases' hashes and the surveys' estimates and instruments.
type readCache struct {
	hashes  []string
	surveys []survey.Survey
	results map[string]*survey.Results // edition → estimates (nil: none computed)
	ins     map[string]*survey.Instrument
	loaded  bool
}

func (s *Matching) load(ctx context.Context, rc *readCache) error {
	if rc.loaded {
		return nil
	}
	var err error
	if rc.hashes, err = s.Store.PublishedReleaseHashes(ctx, 3); err != nil {
		return err
	}
	rc.results, rc.ins = map[string]*survey.Results{}, map[string]*survey.Instrument{}
	if s.Survey != nil {
		if rc.surveys, err = s.Survey.Surveys(ctx); err != nil {
			return err
		}
	}
	rc.loaded = true
	return nil
}

// sources gathers what a city's items derive from.
func (s *Matching) sources(ctx context.Context, city string, rc *readCache) (Sources, string, error) {
	var src Sources
	var edition string
	if err := s.load(ctx, rc); err != nil {
		return src, "", err
	}
	hashes := rc.hashes
	for _, h := range hashes {
		rel, err := s.Releases.Load(ctx, h)
		if err != nil {
			return src, "", err
		}
		p, err := rel.Profile(city)
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			continue
		}
		if err != nil {
			return src, "", err
		}
		sum := rel.Summary()
		src.Profile, src.Ranked, edition = p, sum.Ranked, sum.Edition
		src.PillarKO = map[string]string{}
		for _, pp := range p.Pillars {
			if ko := catalogue.PillarNameKo(pp.Code); ko != "" {
				src.PillarKO[pp.Code] = ko
			}
		}
		break
	}
	for _, sv := range rc.surveys {
		res, seen := rc.results[sv.Edition]
		if !seen {
			var err error
			res, err = s.Survey.SurveyResults(ctx, sv.Edition)
			if citylens.ErrorCode(err) == citylens.ENOTFOUND {
				res, err = nil, nil
			}
			if err != nil {
				return src, "", err
			}
			rc.results[sv.Edition] = res
		}
		if res == nil {
			continue
		}
		cr, ok := res.City(city)
		if !ok {
			continue
		}
		in, ok := rc.ins[sv.Edition]
		if !ok {
			var err error
			if in, err = s.Survey.SurveyInstrument(ctx, sv.Edition, res.Version); err != nil {
				return src, "", err
			}
			rc.ins[sv.Edition] = in
		}
		src.Survey, src.Questions, src.Edition = cr, in, sv.Edition
		if g, ok := cr.Group("overall", "", ""); ok {
			src.Overall = &g
		}
		break
	}
	var err error
	if src.Winners, err = s.Store.CityWinningProjects(ctx, city); err != nil {
		return src, "", err
	}
	if src.Cases, err = s.Store.ExchangeCityCases(ctx, city); err != nil {
		return src, "", err
	}
	return src, edition, nil
}

// items are a city's items with its overrides applied (members-only
// practices included: callers filter for the viewer).
func (s *Matching) items(ctx context.Context, city string, rc *readCache) (needs, strengths []CityItem, src Sources, edition string, err error) {
	src, edition, err = s.sources(ctx, city, rc)
	if err != nil {
		return nil, nil, src, "", err
	}
	needs, strengths = Derive(src)
	ovs, err := s.Store.ExchangeOverrides(ctx, city)
	if err != nil {
		return nil, nil, src, "", err
	}
	needs, strengths = Apply(needs, strengths, ovs)
	return needs, strengths, src, edition, nil
}

func visible(items []CityItem, v Viewer) []CityItem {
	if v.Member {
		return items
	}
	out := items[:0:0]
	for _, it := range items {
		if !it.Members {
			out = append(out, it)
		}
	}
	return out
}

// Needs is city's needs and strengths as v may see them: members-only
// practices for members only; CanEdit for the secretariat and the city's
// focal point.
func (s *Matching) Needs(ctx context.Context, v Viewer, city string) (*CityNeeds, error) {
	c, err := s.city(ctx, city)
	if err != nil {
		return nil, err
	}
	needs, strengths, src, edition, err := s.items(ctx, city, &readCache{})
	if err != nil {
		return nil, err
	}
	return &CityNeeds{City: c, Release: edition, Survey: src.Edition, Needs: visible(needs, v), Strengths: visible(strengths, v),
		CanEdit: v.CanEdit(city)}, nil
}

// SetItem applies a focal point's (or the secretariat's) decision on one
// of the city's items: confirm or remove a derived item, add a stated one
// (its theme and name), or reset (forget the decision). Audited.
func (s *Matching) SetItem(ctx context.Context, v Viewer, actor auditlog.Actor, city, action string, o Override) error {
	if !v.CanEdit(city) {
		return forbidden()
	}
	if _, err := s.city(ctx, city); err != nil {
		return err
	}
	o.City, o.Action, o.By, o.At = city, action, actor.Email, s.now()
	o.Name, o.Note = strings.TrimSpace(o.Name), strings.TrimSpace(o.Note)
	var ps []citylens.Problem
	if o.Key.Side != SideNeed && o.Key.Side != SideStrength {
		ps = append(ps, roundProblem("side", "match.problem.side", "need or strength"))
	}
	if utf8.RuneCountInString(o.Note) > MaxNote {
		ps = append(ps, roundProblem("note", "exchange.error.too_long", "at most %d characters", MaxNote))
	}
	switch action {
	case ActionAdd:
		o.Key.Kind = KindStated
		o.Key.Theme = strings.ToLower(strings.TrimSpace(o.Key.Theme)) // a stated theme meets the library's lower-case themes
		if o.Key.Theme == "" {
			ps = append(ps, roundProblem("theme", "exchange.error.required", "required"))
		} else if utf8.RuneCountInString(o.Key.Theme) > MaxTagChars {
			ps = append(ps, roundProblem("theme", "exchange.error.too_long", "at most %d characters", MaxTagChars))
		}
		if utf8.RuneCountInString(o.Name) > MaxItemName {
			ps = append(ps, roundProblem("name", "exchange.error.too_long", "at most %d characters", MaxItemName))
		}
		if o.Name == "" {
			o.Name = o.Key.Theme
		}
		o.Key.Ref = o.Key.Theme
	case ActionConfirm, ActionRemove, ActionReset:
	default:
		ps = append(ps, roundProblem("action", "match.problem.action", "confirm, remove, add or reset"))
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "match.error.item", "The item was not saved: correct the fields named below.").WithProblems(ps...)
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		ovs, err := s.Store.ExchangeOverrides(ctx, city)
		if err != nil {
			return err
		}
		var before *Override
		for i := range ovs {
			if ovs[i].Key == o.Key {
				before = &ovs[i]
			}
		}
		if action == ActionReset {
			if before == nil {
				return nil
			}
			if err := s.Store.DeleteExchangeOverride(ctx, city, o.Key); err != nil {
				return err
			}
			return s.record(ctx, actor, "exchange.item.reset", "exchange_item", city, before, nil)
		}
		if action != ActionAdd {
			// Only a derived item can be confirmed or removed.
			needs, strengths, _, _, err := s.items(ctx, city, &readCache{})
			if err != nil {
				return err
			}
			found := false
			for _, it := range append(needs, strengths...) {
				if it.Key() == o.Key && it.Kind != KindStated {
					found = true
				}
			}
			if !found {
				return citylens.Ef(citylens.EINVALID, "match.error.item", "The item was not saved: correct the fields named below.").
					WithProblems(roundProblem("ref", "match.problem.no_item", "%s has no such derived item", city))
			}
		}
		if before == nil && len(ovs) >= MaxOverrides {
			return citylens.Ef(citylens.EINVALID, "match.error.item", "The item was not saved: correct the fields named below.").
				WithProblems(roundProblem("ref", "match.problem.too_many_items", "at most %d decisions a city", MaxOverrides))
		}
		if err := s.Store.PutExchangeOverride(ctx, o); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.item."+action, "exchange_item", city, before, o)
	})
}

// CreateRound opens a matching round: the secretariat only.
func (s *Matching) CreateRound(ctx context.Context, v Viewer, actor auditlog.Actor, r *Round) error {
	if !v.Admin {
		return forbidden()
	}
	if err := r.Validate(); err != nil {
		return err
	}
	r.State, r.Runs, r.CreatedBy, r.CreatedAt = RoundOpen, 0, actor.Email, s.now()
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateMatchRound(ctx, r); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.round.create", "exchange_round", strconv.FormatInt(r.ID, 10), nil, r)
	})
}

func roundNotFound(id int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "match.error.no_round", "Matching round %d not found.", id)
}

// seesRound: the secretariat and members see every round; anyone else
// only published and closed ones.
func seesRound(v Viewer, r *Round) bool { return v.Member || r.State != RoundOpen }

// seesPairs: published and closed rounds' pairs are for everyone (without
// members-only practices for visitors); an open round's preview is the
// secretariat's.
func seesPairs(v Viewer, r *Round) bool { return v.Admin || r.State != RoundOpen }

// Rounds lists the rounds v may see, newest first.
func (s *Matching) Rounds(ctx context.Context, v Viewer) ([]*Round, error) {
	rs, err := s.Store.MatchRounds(ctx)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if seesRound(v, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// RoundView is a round's page.
type RoundView struct {
	Round       *Round
	Opts        []Opt
	Suggestions []Suggestion // nil when v may not see them
	ShowPairs   bool
}

// Round is round id as v may see it: ENOTFOUND for a visitor while open.
func (s *Matching) Round(ctx context.Context, v Viewer, id int64) (*RoundView, error) {
	r, err := s.Store.MatchRound(ctx, id)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND || err == nil && !seesRound(v, r) {
		return nil, roundNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	rv := &RoundView{Round: r}
	if rv.Opts, err = s.Store.MatchOpts(ctx, id); err != nil {
		return nil, err
	}
	if !seesPairs(v, r) {
		if !v.Admin {
			r.Result = RunResult{}
		}
		return rv, nil
	}
	rv.ShowPairs = true
	ss, err := s.Store.MatchSuggestions(ctx, id)
	if err != nil {
		return nil, err
	}
	rv.Suggestions = forViewer(ss, v)
	return rv, nil
}

// forViewer drops the reasons naming members-only practices for a visitor.
func forViewer(ss []Suggestion, v Viewer) []Suggestion {
	if v.Member {
		return ss
	}
	for i := range ss {
		var rs []Reason
		for _, r := range ss[i].Reasons {
			if !r.Members() {
				rs = append(rs, r)
			}
		}
		ss[i].Reasons = rs
	}
	return ss
}

func (s *Matching) writableRound(ctx context.Context, v Viewer, id int64) (*Round, error) {
	r, err := s.Store.MatchRound(ctx, id)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND || err == nil && !seesRound(v, r) {
		return nil, roundNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	if r.State == RoundClosed {
		return nil, citylens.Ef(citylens.ECONFLICT, "match.error.closed", "Matching round %d is closed.", id)
	}
	return r, nil
}

// OptIn records a city's places in a round (the secretariat for any city,
// a focal point for its own); places 0 and 0 withdraw it.
func (s *Matching) OptIn(ctx context.Context, v Viewer, actor auditlog.Actor, o Opt) error {
	if !v.CanEdit(o.City) {
		return forbidden()
	}
	r, err := s.writableRound(ctx, v, o.Round)
	if err != nil {
		return err
	}
	if _, err := s.city(ctx, o.City); err != nil {
		return err
	}
	if o.Learner == 0 && o.Mentor == 0 {
		return s.Store.InTx(ctx, func(ctx context.Context) error {
			if err := s.Store.DeleteMatchOpt(ctx, r.ID, o.City); err != nil {
				return err
			}
			return s.record(ctx, actor, "exchange.round.opt_out", "exchange_round", strconv.FormatInt(r.ID, 10), nil, o)
		})
	}
	if err := o.Validate(); err != nil {
		return err
	}
	o.By, o.At = actor.Email, s.now()
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		opts, err := s.Store.MatchOpts(ctx, r.ID)
		if err != nil {
			return err
		}
		if len(opts) >= MaxParticipants && !slices.ContainsFunc(opts, func(x Opt) bool { return x.City == o.City }) {
			return citylens.Ef(citylens.EINVALID, "match.error.full", "A round takes at most %d cities.", MaxParticipants)
		}
		if err := s.Store.PutMatchOpt(ctx, o); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.round.opt_in", "exchange_round", strconv.FormatInt(r.ID, 10), nil, o)
	})
}

// Run runs round id (the secretariat): every participant's counted needs
// and strengths, context and practical fit are scored, accepted pairs
// kept, declined ones excluded, and the remaining places assigned.
func (s *Matching) Run(ctx context.Context, v Viewer, actor auditlog.Actor, id int64) (*Round, error) {
	if !v.Admin {
		return nil, forbidden()
	}
	var out *Round
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		r, err := s.writableRound(ctx, v, id)
		if err != nil {
			return err
		}
		opts, err := s.Store.MatchOpts(ctx, id)
		if err != nil {
			return err
		}
		if len(opts) < 2 {
			return citylens.Ef(citylens.EINVALID, "match.error.too_few", "At least two cities must opt in (%d did).", len(opts))
		}
		before, err := s.Store.MatchSuggestions(ctx, id)
		if err != nil {
			return err
		}
		ties, err := s.Store.MatchTies(ctx)
		if err != nil {
			return err
		}
		rc := &readCache{}
		in := RunInput{Opts: opts, Profiles: map[string]*Profile{}, Items: map[string]map[ItemKey]CityItem{}, Weights: r.Weights, Before: before}
		for _, o := range opts {
			c, err := s.city(ctx, o.City)
			if err != nil {
				return err
			}
			needs, strengths, src, _, err := s.items(ctx, o.City, rc)
			if err != nil {
				return err
			}
			p := &Profile{City: o.City, Needs: Counted(needs), Strengths: Counted(strengths), Region: c.RegionCode,
				PopulationClass: PopulationBand(c.Population), Languages: o.Languages, UTCOffset: UTCOffset(c.Longitude)}
			if src.Profile != nil {
				p.Stage, p.IncomeGroup = src.Profile.Stage, src.Profile.City.PeerGroup
				if src.Profile.PopulationClass != "" {
					p.PopulationClass = src.Profile.PopulationClass
				}
			}
			for _, t := range ties {
				if t[0] == o.City {
					p.Ties = append(p.Ties, t[1])
				} else if t[1] == o.City {
					p.Ties = append(p.Ties, t[0])
				}
			}
			in.Profiles[o.City] = p
			m := map[ItemKey]CityItem{}
			for _, it := range append(needs, strengths...) {
				m[it.Key()] = it
			}
			in.Items[o.City] = m
		}
		res, err := RunPairs(in)
		if err != nil {
			return err
		}
		r.Runs++
		for i := range res.Suggestions {
			res.Suggestions[i].Round = id
			if res.Suggestions[i].Run == 0 {
				res.Suggestions[i].Run = r.Runs
			}
		}
		r.Result, r.RunAt = res.Result, s.now()
		if err := s.Store.ReplaceMatchSuggestions(ctx, id, res.Suggestions); err != nil {
			return err
		}
		if err := s.Store.UpdateMatchRound(ctx, r); err != nil {
			return err
		}
		out = r
		return s.record(ctx, actor, "exchange.round.run", "exchange_round", strconv.FormatInt(id, 10), nil,
			map[string]any{"run": r.Runs, "pairs": len(res.Suggestions), "total": res.Result.Total})
	})
	return out, err
}

// SetState publishes (after a run) or closes round id: the secretariat.
func (s *Matching) SetState(ctx context.Context, v Viewer, actor auditlog.Actor, id int64, state string) error {
	if !v.Admin {
		return forbidden()
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		r, err := s.writableRound(ctx, v, id)
		if err != nil {
			return err
		}
		switch {
		case state == RoundPublished && r.State == RoundOpen && r.Runs > 0, state == RoundClosed:
		default:
			return citylens.Ef(citylens.ECONFLICT, "match.error.state", "Matching round %d cannot become %s now.", id, state)
		}
		old := r.State
		r.State = state
		if err := s.Store.UpdateMatchRound(ctx, r); err != nil {
			return err
		}
		return s.record(ctx, actor, "exchange.round."+state, "exchange_round", strconv.FormatInt(id, 10), old, state)
	})
}

// Answer records city's answer (accepted or declined) to a suggestion of
// a published round: the city's focal point, or the secretariat.
func (s *Matching) Answer(ctx context.Context, v Viewer, actor auditlog.Actor, id int64, learner, mentor, city, answer string) error {
	if !v.CanEdit(city) {
		return forbidden()
	}
	if answer != AnswerAccepted && answer != AnswerDeclined {
		return citylens.Ef(citylens.EINVALID, "match.error.answer", "An answer is accepted or declined.")
	}
	var side string
	switch city {
	case learner:
		side = "learner"
	case mentor:
		side = "mentor"
	default:
		return forbidden()
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		r, err := s.writableRound(ctx, v, id)
		if err != nil {
			return err
		}
		if r.State != RoundPublished {
			return citylens.Ef(citylens.ECONFLICT, "match.error.not_published", "The suggestions of round %d are not out yet.", id)
		}
		if err := s.Store.SetMatchAnswer(ctx, id, learner, mentor, side, answer, s.now()); err != nil {
			if citylens.ErrorCode(err) == citylens.ENOTFOUND {
				return citylens.Ef(citylens.ENOTFOUND, "match.error.no_pair", "Round %d suggests no pair %s – %s.", id, learner, mentor)
			}
			return err
		}
		return s.record(ctx, actor, "exchange.round.answer", "exchange_round", strconv.FormatInt(id, 10), nil,
			map[string]string{"learner": learner, "mentor": mentor, "city": city, "answer": answer})
	})
}

// CitySuggestion is a suggestion naming a city, with its round.
type CitySuggestion struct {
	Suggestion
	Round *Round
}

// CitySuggestions are the suggestions naming city in the rounds v may see
// the pairs of, newest round first.
func (s *Matching) CitySuggestions(ctx context.Context, v Viewer, city string) ([]CitySuggestion, error) {
	ss, err := s.Store.CityMatchSuggestions(ctx, city)
	if err != nil {
		return nil, err
	}
	rounds := map[int64]*Round{}
	var out []CitySuggestion
	for _, sg := range forViewer(ss, v) {
		r, ok := rounds[sg.Round]
		if !ok {
			if r, err = s.Store.MatchRound(ctx, sg.Round); err != nil {
				return nil, err
			}
			rounds[sg.Round] = r
		}
		if seesPairs(v, r) {
			out = append(out, CitySuggestion{Suggestion: sg, Round: r})
		}
	}
	slices.SortStableFunc(out, func(a, b CitySuggestion) int {
		if a.Round.ID != b.Round.ID {
			return int(b.Round.ID - a.Round.ID)
		}
		return int(b.Score - a.Score)
	})
	return out, nil
}

// CityNames are the directory entries of codes (a code not in it is left out).
func (s *Matching) CityNames(ctx context.Context, codes []string) (map[string]members.City, error) {
	out := map[string]members.City{}
	for _, c := range codes {
		if _, ok := out[c]; ok {
			continue
		}
		city, err := s.Cities.City(ctx, c)
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[c] = city
	}
	return out, nil
}
