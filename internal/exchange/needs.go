package exchange

import (
	"cmp"
	"math"
	"slices"

	"github.com/citylens/citylens/internal/release"
)

// Needs and strengths (issue 16, item 2) and the scores of possible pairs
// (item 3). The items are derived from a city's release profile and its
// practices, and carry what a suggestion's explanation names: the gap to
// the peer group beyond the score band, the pillar's rank in the network,
// the practice.

// Kinds of need and strength items.
const (
	KindPillar   = "pillar"   // a pillar of the latest release
	KindStated   = "stated"   // what the city states itself
	KindPractice = "practice" // a case of the city in the library
)

// Item is one need or strength of a city.
type Item struct {
	Theme  string  `json:"theme"`  // what needs and strengths meet on: a pillar code or a library theme
	Kind   string  `json:"kind"`   // KindPillar, KindStated or KindPractice
	Ref    string  `json:"ref"`    // the pillar code, or the case id
	Name   string  `json:"name"`   // the pillar's or the case's name
	Gap    float64 `json:"gap"`    // pillar: points from the peer median (below for a need, above for a strength)
	Rank   int     `json:"rank"`   // pillar strength: its rank in the network
	Of     int     `json:"of"`     // pillar strength: of how many ranked cities
	Weight float64 `json:"weight"` // 0 to 1: how much the item counts in a pair's score
}

// GapFull is the gap (index points) at which a pillar need or strength
// counts fully (weight 1); smaller gaps count in proportion.
const GapFull = 20.0

// PillarItems derives a city's needs and strengths from its release
// profile: a need where the pillar's whole score band lies below the peer
// group's median (the gap is beyond the uncertainty), a strength where it
// lies wholly above. A pillar without a score, a band or a median is
// neither. ranked is the number of ranked cities (for "3rd of 146").
func PillarItems(p *release.Profile, ranked int) (needs, strengths []Item) {
	for _, pp := range p.Pillars {
		if pp.Score == nil || pp.PeerMedian == nil || pp.Band.Q5 == nil || pp.Band.Q95 == nil {
			continue
		}
		s, med := *pp.Score, *pp.PeerMedian
		switch {
		case *pp.Band.Q95 < med:
			gap := med - s
			needs = append(needs, Item{Theme: pp.Code, Kind: KindPillar, Ref: pp.Code, Name: pp.Name, Gap: gap, Weight: math.Min(1, gap/GapFull)})
		case *pp.Band.Q5 > med:
			gap := s - med
			strengths = append(strengths, Item{Theme: pp.Code, Kind: KindPillar, Ref: pp.Code, Name: pp.Name, Gap: gap, Rank: pp.Rank, Of: ranked,
				Weight: math.Min(1, gap/GapFull)})
		}
	}
	byWeight := func(a, b Item) int { return cmp.Compare(b.Weight, a.Weight) }
	slices.SortStableFunc(needs, byWeight)
	slices.SortStableFunc(strengths, byWeight)
	return needs, strengths
}

// PracticeItems are a city's strengths from its cases: one per theme of
// each case, weight 1.
func PracticeItems(cases []*Case) []Item {
	var out []Item
	for _, c := range cases {
		for _, th := range c.Tags[FieldThemes] {
			out = append(out, Item{Theme: th, Kind: KindPractice, Ref: itoa(c.ID), Name: c.Title, Weight: 1})
		}
	}
	return out
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Profile is what a round knows of a participating city.
type Profile struct {
	City      string
	Needs     []Item // confirmed and added by the focal point, removed ones left out
	Strengths []Item
	// Context: the explorer's twins' criteria.
	Region, PopulationClass, IncomeGroup, Stage string
	Languages                                   []string
	UTCOffset                                   float64  // hours
	Ties                                        []string // cities it already works with
}

// Weights are the secretariat's weights of a pair's three parts.
type Weights struct {
	Needs     float64 `json:"needs"`
	Context   float64 `json:"context"`
	Practical float64 `json:"practical"`
}

// DefaultWeights favour needs met.
var DefaultWeights = Weights{Needs: 0.6, Context: 0.25, Practical: 0.15}

// Driver is a need of the learner met by a strength of the mentor, with
// what it added to the needs part.
type Driver struct {
	Need     Item    `json:"need"`
	Strength Item    `json:"strength"`
	Share    float64 `json:"share"`
}

// Scored is a pair's score and its explanation.
type Scored struct {
	Pair
	Needs     float64  `json:"needs"`     // 0 to 1
	Context   float64  `json:"context"`   // 0 to 1
	Practical float64  `json:"practical"` // 0 to 1
	Drivers   []Driver `json:"drivers"`   // the needs met, largest share first
}

// ScorePair scores learner l with mentor m: the needs part is the share of
// l's needs (by weight) that m's strengths on the same theme meet (need
// weight × the best such strength's weight); context is the share of the
// twins' criteria (region, population class, income group, stage) the
// two have alike; practical fit is a shared language, close time zones
// and an existing tie, a third each. A pair meeting no need scores 0 (it
// is never suggested).
func ScorePair(l, m *Profile, w Weights) Scored {
	sc := Scored{Pair: Pair{Learner: l.City, Mentor: m.City}}
	var total float64
	for _, n := range l.Needs {
		total += n.Weight
		best := -1
		for j, s := range m.Strengths {
			if s.Theme == n.Theme && (best < 0 || s.Weight > m.Strengths[best].Weight) {
				best = j
			}
		}
		if best >= 0 {
			share := n.Weight * m.Strengths[best].Weight
			sc.Needs += share
			sc.Drivers = append(sc.Drivers, Driver{Need: n, Strength: m.Strengths[best], Share: share})
		}
	}
	if total == 0 || sc.Needs == 0 {
		return Scored{Pair: sc.Pair}
	}
	sc.Needs /= total
	for i := range sc.Drivers {
		sc.Drivers[i].Share /= total
	}
	slices.SortStableFunc(sc.Drivers, func(a, b Driver) int { return cmp.Compare(b.Share, a.Share) })
	alike := 0
	for _, f := range [][2]string{{l.Region, m.Region}, {l.PopulationClass, m.PopulationClass}, {l.IncomeGroup, m.IncomeGroup}, {l.Stage, m.Stage}} {
		if f[0] != "" && f[0] == f[1] {
			alike++
		}
	}
	sc.Context = float64(alike) / 4
	for _, lang := range l.Languages {
		if slices.Contains(m.Languages, lang) {
			sc.Practical += 1.0 / 3
			break
		}
	}
	d := math.Abs(l.UTCOffset - m.UTCOffset)
	if d > 12 {
		d = 24 - d
	}
	sc.Practical += (1 - d/12) / 3
	if slices.Contains(l.Ties, m.City) || slices.Contains(m.Ties, l.City) {
		sc.Practical += 1.0 / 3
	}
	sum := w.Needs + w.Context + w.Practical
	if sum <= 0 {
		w, sum = DefaultWeights, 1
	}
	sc.Score = int64(math.Round(1000 * (w.Needs*sc.Needs + w.Context*sc.Context + w.Practical*sc.Practical) / sum))
	return sc
}

// ScoreAll scores every ordered pair of distinct profiles with a need
// met; it is the candidate list Match takes.
func ScoreAll(ps []*Profile, w Weights) []Scored {
	var out []Scored
	for _, l := range ps {
		if len(l.Needs) == 0 {
			continue
		}
		for _, m := range ps {
			if l.City == m.City || len(m.Strengths) == 0 {
				continue
			}
			if sc := ScorePair(l, m, w); sc.Score > 0 {
				out = append(out, sc)
			}
		}
	}
	return out
}
