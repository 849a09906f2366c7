package survey

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// Topic pairs a survey item with a catalogue indicator that measures the
// same topic, for the perception-versus-data view: residents' rating of
// "traffic jams rarely spoil my daily trips" (mo_s1) beside the measured
// congestion. LowerBetter says a lower value of the indicator is the
// better one (congestion, crime, housing cost as a share of income), so
// its normalised score is reversed before it is set beside the residents'
// 0–100 score, where higher is always better.
type Topic struct {
	Item        string    `json:"item"`
	Indicator   string    `json:"indicator"`
	LowerBetter bool      `json:"lower_better"`
	UpdatedBy   string    `json:"updated_by,omitempty"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
}

// DefaultTopics pair the seeded instrument's statements with the U4SSC
// indicators of the catalogue on the same topics; a new survey starts
// with those whose indicator the catalogue has, and the secretariat edits
// them.
var DefaultTopics = []Topic{
	{Item: "hs_s1", Indicator: "SC-SH-SA-8C", LowerBetter: true}, // safe after dark ↔ violent crime rate
	{Item: "mo_s1", Indicator: "EC-I-T-5A", LowerBetter: true},   // traffic jams rarely ↔ travel time index
	{Item: "mo_s2", Indicator: "EC-I-T-1C"},                      // public transport ↔ public transport network
	{Item: "ac_s1", Indicator: "EN-EN-PSN-1C"},                   // parks near home ↔ green areas
	{Item: "op_s2", Indicator: "SC-SH-HO-2A", LowerBetter: true}, // rent takes too much (reversed) ↔ housing expenditure
	{Item: "op_s1", Indicator: "EC-P-EM-1C", LowerBetter: true},  // jobs ↔ unemployment rate
	{Item: "op_t2", Indicator: "EC-ICT-ICT-1C"},                  // home internet ↔ household internet access
}

// seedTopics gives a new survey the default pairs whose indicator the
// catalogue has.
func (s *Service) seedTopics(ctx context.Context, edition string) error {
	var topics []Topic
	for _, t := range DefaultTopics {
		if _, err := s.Store.IndicatorDirection(ctx, t.Indicator); err == nil {
			t.UpdatedBy, t.UpdatedAt = SeedAuthor, seedAt
			topics = append(topics, t)
		} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
	}
	return s.Store.PutSurveyTopics(ctx, edition, topics)
}

// MaxTopics bounds an edition's mapping.
const MaxTopics = 100

// TopicStore keeps each edition's mapping.
type TopicStore interface {
	// SurveyTopics is the edition's mapping in its order; edition "" lists
	// every edition's (by edition, then order).
	SurveyTopics(ctx context.Context, edition string) ([]Topic, error)
	// PutSurveyTopics replaces the edition's mapping.
	PutSurveyTopics(ctx context.Context, edition string, topics []Topic) error
}

// IndicatorDirections reads the catalogue: an indicator's direction (+1
// higher is better, −1 lower, 0 unknown), ENOTFOUND for an unknown code.
type IndicatorDirections interface {
	IndicatorDirection(ctx context.Context, code string) (int, error)
}

// CheckTopics refuses a mapping that names an item the instrument has no
// scaled rating or attitude item for, an indicator the catalogue does not
// know (or a people-centric one: the survey's own), the same pair twice,
// or more than MaxTopics pairs; every problem names its row (1-based) and
// the unknown code.
func CheckTopics(ctx context.Context, in *Instrument, cat IndicatorDirections, topics []Topic) error {
	var problems []citylens.Problem
	add := func(row int, field, reason, key string, args ...any) {
		problems = append(problems, citylens.Problem{Row: row, Field: field, Reason: reason, Key: key, Args: args})
	}
	if len(topics) > MaxTopics {
		return citylens.E(citylens.EINVALID, "survey.error.topics_many", MaxTopics)
	}
	seen := map[string]int{}
	for k, t := range topics {
		row := k + 1
		it, ok := in.Item(t.Item)
		switch {
		case t.Item == "":
			add(row, "item", "no survey item", "survey.problem.topic_no_item")
		case !ok:
			add(row, "item", fmt.Sprintf("unknown survey item %q", t.Item), "survey.problem.topic_item_unknown", t.Item)
		case it.Kind != KindRating && it.Kind != KindAttitude:
			add(row, "item", fmt.Sprintf("survey item %q is not a rating (%s)", t.Item, it.Kind), "survey.problem.topic_item_kind", t.Item)
		}
		switch _, err := cat.IndicatorDirection(ctx, t.Indicator); {
		case t.Indicator == "":
			add(row, "indicator", "no indicator", "survey.problem.topic_no_indicator")
		case strings.HasPrefix(t.Indicator, "PC-"):
			add(row, "indicator", fmt.Sprintf("%s is the survey's own indicator", t.Indicator), "survey.problem.topic_indicator_survey", t.Indicator)
		case citylens.ErrorCode(err) == citylens.ENOTFOUND:
			add(row, "indicator", fmt.Sprintf("unknown indicator %q", t.Indicator), "survey.problem.topic_indicator_unknown", t.Indicator)
		case err != nil:
			return err
		}
		key := t.Item + "\x00" + t.Indicator
		if first, dup := seen[key]; dup && t.Item != "" && t.Indicator != "" {
			add(row, "item", fmt.Sprintf("%s and %s are already paired in row %d", t.Item, t.Indicator, first), "survey.problem.topic_duplicate", t.Item, t.Indicator, first)
		} else {
			seen[key] = row
		}
	}
	if len(problems) > 0 {
		return &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.topics", Message: "the perception-versus-data mapping has problems",
			Problems: problems}
	}
	return nil
}

// Topics is the edition's perception-versus-data mapping.
func (s *Service) Topics(ctx context.Context, edition string) ([]Topic, error) {
	return s.Store.SurveyTopics(ctx, edition)
}

// SaveTopics replaces the edition's mapping after CheckTopics against its
// latest instrument and the catalogue (nothing is saved while a problem
// remains), and writes the change to the audit log.
func (s *Service) SaveTopics(ctx context.Context, actor auditlog.Actor, edition string, topics []Topic) ([]Topic, error) {
	ts := s.Store
	in, err := s.Instrument(ctx, edition)
	if err != nil {
		return nil, err
	}
	topics = slices.Clone(topics)
	for k := range topics {
		topics[k].Item, topics[k].Indicator = strings.TrimSpace(topics[k].Item), strings.TrimSpace(topics[k].Indicator)
	}
	if err := CheckTopics(ctx, in, s.Store, topics); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	for k := range topics {
		topics[k].UpdatedBy, topics[k].UpdatedAt = actor.Email, now
	}
	var before []Topic
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if before, err = ts.SurveyTopics(ctx, edition); err != nil {
			return err
		}
		if err := ts.PutSurveyTopics(ctx, edition, topics); err != nil {
			return err
		}
		return s.record(ctx, actor, "survey.topics", "survey", edition, pairsOf(before), pairsOf(topics))
	})
	if err != nil {
		return nil, err
	}
	s.topicsMu.Lock()
	hooks := slices.Clone(s.onTopics)
	s.topicsMu.Unlock()
	for _, fn := range hooks {
		fn()
	}
	return topics, nil
}

// OnTopics registers fn to run after every saved change of a mapping (the
// explorer drops its cached pages, which show the mapping).
func (s *Service) OnTopics(fn func()) {
	s.topicsMu.Lock()
	defer s.topicsMu.Unlock()
	s.onTopics = append(s.onTopics, fn)
}

// pairsOf is a mapping as the audit log records it.
func pairsOf(ts []Topic) []string {
	out := make([]string, len(ts))
	for k, t := range ts {
		dir := "higher is better"
		if t.LowerBetter {
			dir = "lower is better"
		}
		out[k] = t.Item + " ↔ " + t.Indicator + " (" + dir + ")"
	}
	return out
}
