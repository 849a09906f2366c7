package exchange

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/survey"
)

// A city's needs and strengths as its page shows them (issue 16, item 2):
// every item derived from the city's data (release pillars, survey,
// prize, practices) with the figures its explanation names, and what the
// focal point did with it (confirmed, removed) or stated (added).

// Sides of an item.
const (
	SideNeed     = "need"
	SideStrength = "strength"
)

// More kinds of item (beside KindPillar, KindStated, KindPractice).
const (
	KindSurveyItem = "survey_item" // one of the residents' lowest-rated survey items
	KindPriority   = "priority"    // one of the residents' top priorities
	KindWinner     = "winner"      // a prize award of the city's project
)

// States of an item.
const (
	StateDerived   = "derived"   // from the data, not yet looked at
	StateConfirmed = "confirmed" // the city confirmed it
	StateRemoved   = "removed"   // the city removed it: it does not count
	StateAdded     = "added"     // the city stated it
)

// CityItem is one need or strength of a city with its explanation's
// figures.
type CityItem struct {
	Side string `json:"side"`
	Item
	NameKO  string    `json:"name_ko,omitempty"` // the name in Korean, when known
	Value   float64   `json:"value,omitempty"`   // pillar: the score; survey item: the score of 100; priority: the share in %
	Median  float64   `json:"median,omitempty"`  // pillar: the peers' median
	Low     float64   `json:"low,omitempty"`     // pillar: the band's 5th percentile; survey item: the interval's low end
	High    float64   `json:"high,omitempty"`    // pillar: the band's 95th percentile; survey item: the interval's high end
	Detail  string    `json:"detail,omitempty"`  // winner: the award ("winner gold"); survey: the edition
	Members bool      `json:"members,omitempty"` // from a members-only case: only members see it
	State   string    `json:"state"`
	Note    string    `json:"note,omitempty"` // the focal point's note
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at,omitzero"`
}

// Key identifies an item of a city across derivations.
func (c CityItem) Key() ItemKey {
	return ItemKey{Side: c.Side, Kind: c.Kind, Ref: c.Ref, Theme: c.Theme}
}

// NameIn is the item's name in lang.
func (c CityItem) NameIn(lang string) string {
	if lang == "ko" && c.NameKO != "" {
		return c.NameKO
	}
	return c.Name
}

// ItemKey identifies a city's item.
type ItemKey struct {
	Side  string `json:"side"`
	Kind  string `json:"kind"`
	Ref   string `json:"ref"`
	Theme string `json:"theme"`
}

// Override is what a city's focal point (or the secretariat) did with an
// item: confirmed or removed a derived one, or added (stated) one.
type Override struct {
	City   string    `json:"city"`
	Key    ItemKey   `json:"key"`
	Action string    `json:"action"` // "confirm", "remove" or "add"
	Name   string    `json:"name"`   // added items: what the city calls it
	Note   string    `json:"note"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Override actions.
const (
	ActionConfirm = "confirm"
	ActionRemove  = "remove"
	ActionAdd     = "add"
	ActionReset   = "reset" // forget the override (not stored)
)

// Survey derivation bounds.
const (
	MaxSurveyItems   = 3    // lowest items that become needs
	MaxPriorities    = 3    // top priorities that become needs
	MinPriorityShare = 0.20 // a priority counts from a fifth of the residents
)

// Themes is the vocabulary needs and strengths meet on: the library's
// themes. Survey areas and priorities, and the prize's winning projects,
// are mapped onto it; release pillars stay pillar codes (they meet other
// cities' pillar strengths and the ESG pillar of their practices).
var surveyThemes = map[string]string{
	// areas of the residents' survey
	"health_safety": "safety", "mobility": "mobility", "activities": "culture", "opportunities": "inclusion", "governance": "governance",
	// priorities
	"housing": "housing", "jobs": "economy", "air": "environment", "congestion": "mobility", "safety": "safety",
	"health": "health", "transit": "mobility", "green": "environment", "schools": "education", "integrity": "governance",
	"waste": "environment", "voice": "governance", "advancement": "inclusion", "basics": "inclusion", "good_work": "economy",
}

// SurveyTheme is the library theme of a survey area or priority code (the
// code itself when it has none).
func SurveyTheme(code string) string {
	if t, ok := surveyThemes[code]; ok {
		return t
	}
	return code
}

// esgPillarCodes are the release pillars of the practices' ESG pillars.
var esgPillarCodes = map[string]string{"environmental": "E", "social": "S", "governance": "G"}

// Sources are what a city's items are derived from; any may be absent.
type Sources struct {
	Profile   *release.Profile    // the city in the latest published release
	Ranked    int                 // ranked cities of that release
	PillarKO  map[string]string   // pillar code → Korean name
	Survey    *survey.CityResult  // the city's latest survey estimates
	Overall   *survey.GroupResult // the city's overall survey score
	Questions *survey.Instrument  // the items' and choices' wording
	Edition   string              // the survey's edition
	Winners   []WinningProject    // the city's awarded prize projects
	Cases     []*Case             // the city's practices in the library
}

// WinningProject is a prize award of a city's project.
type WinningProject struct {
	App     int64    `json:"app"`
	Edition string   `json:"edition"`
	Title   string   `json:"title"`
	Kind    string   `json:"kind"`  // judging's decision kind
	Grade   string   `json:"grade"` // winners: gold, silver, bronze
	Themes  []string `json:"themes"`
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// Derive lists a city's derived needs and strengths from its sources,
// each with the figures its explanation names.
func Derive(src Sources) (needs, strengths []CityItem) {
	if src.Profile != nil {
		ns, ss := PillarItems(src.Profile, src.Ranked)
		byCode := map[string]release.PillarProfile{}
		for _, p := range src.Profile.Pillars {
			byCode[p.Code] = p
		}
		for side, items := range map[string][]Item{SideNeed: ns, SideStrength: ss} {
			for _, it := range items {
				p := byCode[it.Ref]
				ci := CityItem{Side: side, Item: it, NameKO: src.PillarKO[it.Ref], Value: round1(*p.Score), Median: round1(*p.PeerMedian),
					Low: round1(*p.Band.Q5), High: round1(*p.Band.Q95), Detail: p.PeerSet}
				ci.Gap = round1(ci.Gap)
				if side == SideNeed {
					needs = append(needs, ci)
				} else {
					strengths = append(strengths, ci)
				}
			}
		}
	}
	if src.Survey != nil && src.Questions != nil {
		needs = append(needs, surveyNeeds(src)...)
	}
	for _, w := range src.Winners {
		for _, th := range w.Themes {
			strengths = append(strengths, CityItem{Side: SideStrength, Item: Item{Theme: th, Kind: KindWinner, Ref: strconv.FormatInt(w.App, 10),
				Name: w.Title, Weight: 1}, Detail: strings.TrimSpace(w.Kind + " " + w.Grade), Median: 0, Value: 0})
		}
	}
	for _, c := range src.Cases {
		members := c.Visibility != Public
		for _, it := range PracticeItems([]*Case{c}) {
			strengths = append(strengths, CityItem{Side: SideStrength, Item: it, NameKO: c.TitleKO, Members: members})
		}
		if p, ok := esgPillarCodes[c.ESGPillar]; ok && (src.Profile == nil || hasPillar(src.Profile, p)) {
			strengths = append(strengths, CityItem{Side: SideStrength, Item: Item{Theme: p, Kind: KindPractice, Ref: itoa(c.ID), Name: c.Title, Weight: 0.5},
				NameKO: c.TitleKO, Members: members})
		}
	}
	order := func(a, b CityItem) int { return cmp.Compare(b.Weight, a.Weight) }
	slices.SortStableFunc(needs, order)
	slices.SortStableFunc(strengths, order)
	for i := range needs {
		needs[i].State = StateDerived
	}
	for i := range strengths {
		strengths[i].State = StateDerived
	}
	return needs, strengths
}

func hasPillar(p *release.Profile, code string) bool {
	for _, pp := range p.Pillars {
		if pp.Code == code {
			return true
		}
	}
	return false
}

// surveyNeeds are the city's lowest survey items — those whose whole 95 %
// interval lies below the city's overall score, lowest first, at most
// MaxSurveyItems — and its residents' top priorities (a fifth of them or
// more, at most MaxPriorities).
func surveyNeeds(src Sources) []CityItem {
	var out []CityItem
	items := map[string]survey.Item{}
	for _, it := range src.Questions.Items {
		items[it.Code] = it
	}
	if src.Overall != nil && !src.Overall.Score.TooFew() {
		overall := src.Overall.Score.Mean
		var low []CityItem
		for _, r := range src.Survey.Items {
			it, ok := items[r.Item]
			if !ok || it.Kind != survey.KindRating || r.Score.TooFew() || math.IsNaN(r.Score.SE) {
				continue
			}
			if hi := r.Score.Mean + r.Score.MOE(); hi < overall {
				gap := overall - r.Score.Mean
				low = append(low, CityItem{Side: SideNeed, Item: Item{Theme: SurveyTheme(it.Area), Kind: KindSurveyItem, Ref: it.Code,
					Name: it.Label.In("en"), Gap: round1(gap), Weight: math.Min(1, gap/GapFull)}, NameKO: it.Label.In("ko"),
					Value: round1(r.Score.Mean), Median: round1(overall), Low: round1(r.Score.Low()), High: round1(hi), Detail: src.Edition})
			}
		}
		slices.SortStableFunc(low, func(a, b CityItem) int { return cmp.Compare(a.Value, b.Value) })
		out = append(out, low[:min(len(low), MaxSurveyItems)]...)
	}
	var list *survey.List
	for _, it := range src.Questions.Items {
		if it.Kind == survey.KindPriorities {
			for i := range src.Questions.Lists {
				if src.Questions.Lists[i].Name == it.List {
					list = &src.Questions.Lists[i]
				}
			}
		}
	}
	ps := slices.Clone(src.Survey.Priorities)
	slices.SortStableFunc(ps, func(a, b survey.PriorityResult) int { return cmp.Compare(b.Share.Mean, a.Share.Mean) })
	n := 0
	for _, p := range ps {
		if n >= MaxPriorities || p.Share.Mean < MinPriorityShare || p.Share.TooFew() {
			break
		}
		name, nameKO := p.Choice, ""
		if list != nil {
			for _, c := range list.Choices {
				if c.Code == p.Choice {
					name, nameKO = c.Label.In("en"), c.Label.In("ko")
				}
			}
		}
		out = append(out, CityItem{Side: SideNeed, Item: Item{Theme: SurveyTheme(p.Choice), Kind: KindPriority, Ref: p.Choice, Name: name,
			Weight: math.Min(1, p.Share.Mean/0.5)}, NameKO: nameKO, Value: round1(100 * p.Share.Mean), Detail: src.Edition})
		n++
	}
	return out
}

// Apply applies a city's overrides to its derived items: a confirmed item
// is marked so, a removed one stays listed (marked removed, not counted),
// an added one is appended. Overrides of items no longer derived are
// dropped (the data changed).
func Apply(needs, strengths []CityItem, ovs []Override) ([]CityItem, []CityItem) {
	byKey := map[ItemKey]Override{}
	for _, o := range ovs {
		byKey[o.Key] = o
	}
	mark := func(items []CityItem) []CityItem {
		for i := range items {
			if o, ok := byKey[items[i].Key()]; ok && o.Action != ActionAdd {
				items[i].State = map[string]string{ActionConfirm: StateConfirmed, ActionRemove: StateRemoved}[o.Action]
				items[i].Note, items[i].By, items[i].At = o.Note, o.By, o.At
			}
		}
		return items
	}
	needs, strengths = mark(needs), mark(strengths)
	for _, o := range ovs {
		if o.Action != ActionAdd {
			continue
		}
		it := CityItem{Side: o.Key.Side, Item: Item{Theme: o.Key.Theme, Kind: KindStated, Ref: o.Key.Ref, Name: o.Name, Weight: 1},
			State: StateAdded, Note: o.Note, By: o.By, At: o.At}
		if o.Key.Side == SideNeed {
			needs = append(needs, it)
		} else {
			strengths = append(strengths, it)
		}
	}
	return needs, strengths
}

// Counted are the items that count in matching (not removed), as Items.
func Counted(items []CityItem) []Item {
	var out []Item
	for _, c := range items {
		if c.State != StateRemoved {
			out = append(out, c.Item)
		}
	}
	return out
}
