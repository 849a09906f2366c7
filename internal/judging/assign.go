package judging

import (
	"sort"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/mcmf"
)

// Bids a judge places on an application's summary.
const (
	BidNone    = ""
	BidEager   = "eager"
	BidWilling = "willing"
	BidNot     = "not_willing"
)

// ValidBid reports whether b is a bid a judge may place.
func ValidBid(b string) bool { return b == BidEager || b == BidWilling || b == BidNot }

// Costs of one judge–application pair (integers, so the optimum is exact).
// A pair's cost is its bid's cost, plus the language cost when the judge
// reads only the English summary, minus a bonus per matching theme (at
// most three). Load: up to the round's fair share (k × applications ÷
// judges, rounded up) a judge's applications cost nothing more; the m-th
// application beyond it adds LoadStep·(2m−1), so m over the share cost
// LoadStep·m² in all — a convex cost that spreads the work and lets a
// judge exceed the share only where bids or expertise gain more.
const (
	CostEager     = 0
	CostWilling   = 20
	CostNone      = 40
	CostNot       = 200
	CostSummary   = 30 // reads the English summary, not the application's language
	BonusTheme    = 10
	MaxThemeBonus = 3
	LoadStep      = 10
)

// AJudge is a judge in an assignment round.
type AJudge struct {
	ID        int64
	Load      int      // at most this many applications in the round
	Languages []string // ISO 639-1, e.g. "en", "ko"
	Expertise []string // themes
}

// AApp is an application in an assignment round.
type AApp struct {
	ID             int64
	Language       string // the application's language
	EnglishSummary bool   // it has an English summary
	Themes         []string
}

// Problem is one round's assignment: k judges per application.
type Problem struct {
	Judges  []AJudge
	Apps    []AApp
	K       int
	Blocked map[[2]int64]bool   // [judge, app] pairs in conflict: never assigned
	Bids    map[[2]int64]string // [judge, app] → bid
	Pinned  map[[2]int64]bool   // [judge, app] pairs kept whatever the optimum
	Forbid  map[[2]int64]bool   // [judge, app] pairs the chair forbade
}

// Pair is one assigned judge–application pair.
type Pair struct {
	Judge  int64 `json:"judge"`
	App    int64 `json:"app"`
	Cost   int64 `json:"cost"`
	Pinned bool  `json:"pinned"`
}

// Shortfall reasons.
const (
	ShortEligible = "too_few_eligible" // fewer than k judges without conflict who read it
	ShortLoads    = "loads_full"       // enough eligible judges, but their loads are full
)

// Shortfall is an application that did not get k judges, and why.
type Shortfall struct {
	App      int64  `json:"app"`
	Got      int    `json:"got"`
	Eligible int    `json:"eligible"` // judges who could be assigned to it
	Reason   string `json:"reason"`
}

// Assignment is the optimum: the most pairs possible, and among those the
// least total cost (pair costs plus load costs).
type Assignment struct {
	Pairs []Pair        `json:"pairs"`
	Cost  int64         `json:"cost"`
	Short []Shortfall   `json:"short"`
	Loads map[int64]int `json:"loads"`
}

// PairCost is the cost of assigning j to a, and whether the pair is
// allowed at all (no binding conflict, not forbidden, readable, load).
func (p *Problem) PairCost(j AJudge, a AApp) (int64, bool) {
	key := [2]int64{j.ID, a.ID}
	if p.Blocked[key] || p.Forbid[key] || j.Load <= 0 {
		return 0, false
	}
	var c int64
	switch {
	case reads(j, a.Language):
	case a.EnglishSummary && reads(j, "en"):
		c += CostSummary
	default:
		return 0, false
	}
	switch p.Bids[key] {
	case BidEager:
		c += CostEager
	case BidWilling:
		c += CostWilling
	case BidNot:
		c += CostNot
	default:
		c += CostNone
	}
	m := 0
	for _, t := range a.Themes {
		for _, e := range j.Expertise {
			if strings.EqualFold(t, e) {
				m++
				break
			}
		}
	}
	c -= int64(min(m, MaxThemeBonus) * BonusTheme)
	return c + BonusTheme*MaxThemeBonus, true // keep costs non-negative
}

func reads(j AJudge, lang string) bool {
	for _, l := range j.Languages {
		if strings.EqualFold(l, lang) {
			return true
		}
	}
	return false
}

// LoadCost is the convex cost of a judge carrying n applications when the
// fair share is share.
func LoadCost(n, share int) int64 {
	if n <= share {
		return 0
	}
	return int64(LoadStep * (n - share) * (n - share))
}

// FairShare is the round's fair share of applications per judge.
func (p *Problem) FairShare() int {
	n := 0
	for _, j := range p.Judges {
		if j.Load > 0 {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return (p.K*len(p.Apps) + n - 1) / n
}

// Assign computes the optimal assignment as a min-cost max-flow:
// source → application (capacity k minus its pins), application → judge
// (capacity 1, the pair's cost; conflicted, forbidden and unreadable
// pairs have no arc), judge → sink (one arc per further unit of load at
// its marginal convex cost). Pinned pairs are placed first and count
// toward k and the load; a pin on a conflicted or forbidden pair, or
// more pins than a judge's load, is refused.
func Assign(p *Problem) (*Assignment, error) {
	if p.K < 1 || p.K > 20 {
		return nil, citylens.Ef(citylens.EINVALID, "judging.err.k", "Judges per application must be between 1 and 20, not %d.", p.K)
	}
	out := &Assignment{Loads: map[int64]int{}}
	judgeIdx := map[int64]int{}
	for i, j := range p.Judges {
		if _, dup := judgeIdx[j.ID]; dup {
			return nil, citylens.Ef(citylens.EINVALID, "judging.err.dupjudge", "Judge %d appears twice.", j.ID)
		}
		judgeIdx[j.ID] = i
	}
	appIdx := map[int64]int{}
	for i, a := range p.Apps {
		if _, dup := appIdx[a.ID]; dup {
			return nil, citylens.Ef(citylens.EINVALID, "judging.err.dupapp", "Application %d appears twice.", a.ID)
		}
		appIdx[a.ID] = i
	}
	pinsApp := make([]int, len(p.Apps))
	pinsJudge := make([]int, len(p.Judges))
	pinned := map[[2]int64]bool{}
	var pinKeys [][2]int64
	for k, on := range p.Pinned {
		if on {
			pinKeys = append(pinKeys, k)
		}
	}
	sort.Slice(pinKeys, func(a, b int) bool {
		if pinKeys[a][1] != pinKeys[b][1] {
			return pinKeys[a][1] < pinKeys[b][1]
		}
		return pinKeys[a][0] < pinKeys[b][0]
	})
	for _, k := range pinKeys {
		ji, ok1 := judgeIdx[k[0]]
		ai, ok2 := appIdx[k[1]]
		if !ok1 || !ok2 {
			continue // a pin of a judge or application not in this round
		}
		if p.Blocked[k] || p.Forbid[k] {
			return nil, citylens.Ef(citylens.ECONFLICT, "judging.err.pinconflict", "Judge %d cannot be pinned to application %d: they are in conflict or the pair is forbidden.", k[0], k[1])
		}
		pinsApp[ai]++
		pinsJudge[ji]++
		if pinsJudge[ji] > p.Judges[ji].Load {
			return nil, citylens.Ef(citylens.ECONFLICT, "judging.err.pinload", "Judge %d has more pinned applications than their load of %d.", k[0], p.Judges[ji].Load)
		}
		c, _ := p.PairCost(p.Judges[ji], p.Apps[ai])
		out.Pairs = append(out.Pairs, Pair{Judge: k[0], App: k[1], Cost: c, Pinned: true})
		out.Cost += c
		pinned[k] = true
	}
	nA, nJ := len(p.Apps), len(p.Judges)
	share := p.FairShare()
	g := mcmf.New(2 + nA + nJ)
	src, sink := 0, 1
	type arc struct {
		id   int
		a, j int
		cost int64
	}
	var arcs []arc
	eligible := make([]int, nA)
	for ai, a := range p.Apps {
		need := p.K - pinsApp[ai]
		if need > 0 {
			g.AddEdge(src, 2+ai, int64(need), 0)
		}
		for ji, j := range p.Judges {
			c, ok := p.PairCost(j, a)
			if !ok {
				continue
			}
			eligible[ai]++
			if pinned[[2]int64{j.ID, a.ID}] || need <= 0 {
				continue
			}
			arcs = append(arcs, arc{g.AddEdge(2+ai, 2+nA+ji, 1, c), ai, ji, c})
		}
	}
	for ji, j := range p.Judges {
		for n := pinsJudge[ji] + 1; n <= j.Load && n <= nA; n++ {
			g.AddEdge(2+nA+ji, sink, 1, LoadCost(n, share)-LoadCost(n-1, share))
		}
	}
	if _, err := g.Solve(src, sink, -1); err != nil {
		return nil, err
	}
	got := append([]int(nil), pinsApp...)
	for _, a := range arcs {
		if g.Flow(a.id) == 1 {
			out.Pairs = append(out.Pairs, Pair{Judge: p.Judges[a.j].ID, App: p.Apps[a.a].ID, Cost: a.cost})
			out.Cost += a.cost
			got[a.a]++
		}
	}
	for _, pr := range out.Pairs {
		out.Loads[pr.Judge]++
	}
	for _, n := range out.Loads {
		out.Cost += LoadCost(n, share)
	}
	for ai, a := range p.Apps {
		if got[ai] >= p.K {
			continue
		}
		s := Shortfall{App: a.ID, Got: got[ai], Eligible: eligible[ai], Reason: ShortLoads}
		if eligible[ai] < p.K {
			s.Reason = ShortEligible
		}
		out.Short = append(out.Short, s)
	}
	sort.Slice(out.Pairs, func(a, b int) bool {
		if out.Pairs[a].App != out.Pairs[b].App {
			return out.Pairs[a].App < out.Pairs[b].App
		}
		return out.Pairs[a].Judge < out.Pairs[b].Judge
	})
	return out, nil
}
