package exchange

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/mcmf"
)

// Partner matching (issue 16, item 3): the optimal assignment of learners
// to mentors under the cities' capacities, by minimum-cost flow on the
// solver the prize's judge assignment uses (internal/mcmf), and the
// stability report of that assignment.
//
// The network: source → each learner (capacity: the city's learner
// places), learner → mentor for each allowed pair (capacity 1, cost minus
// the pair's score), each mentor → sink (the city's mentor places), and
// learner → sink directly (the learner's places, cost 0) so that a place
// may stay empty (costs shifted to be non-negative: see Match). Every flow of the greatest value then fills or leaves
// empty every learner place, and the cheapest one has the greatest total
// score: a pair is chosen only where it adds to the total. (Without the
// direct arcs the solver would prefer more pairs to better ones.)

// Participant is a city that opted in to a round, with its places as a
// learner and as a mentor.
type Participant struct {
	City    string `json:"city"`
	Learner int    `json:"learner"`
	Mentor  int    `json:"mentor"`
}

// MaxPlaces bounds a city's places in one role.
const MaxPlaces = 10

// Pair is a possible partnership: Learner learns from Mentor. Score is in
// thousandths (an integer, so totals are exact); only positive scores
// are ever assigned.
type Pair struct {
	Learner string `json:"learner"`
	Mentor  string `json:"mentor"`
	Score   int64  `json:"score"`
}

// Assignment is a round's solution.
type Assignment struct {
	Pairs     []Pair      `json:"pairs"`     // chosen, best first
	Total     int64       `json:"total"`     // the sum of the chosen pairs' scores
	Unstable  []Pair      `json:"unstable"`  // pairs not chosen that both cities would prefer
	Shortfall []Shortfall `json:"shortfall"` // places that stay empty, and why
}

// Shortfall is a city's places left empty in a role, and why.
type Shortfall struct {
	City   string `json:"city"`
	Role   string `json:"role"` // "learner" or "mentor"
	Places int    `json:"places"`
	Filled int    `json:"filled"`
	Reason string `json:"reason"` // "no_candidate": no allowed pair with a positive score; "taken": the candidates' places went to better pairs
}

// Match assigns pairs (each used at most once) to maximise the total
// score under the participants' places. Pairs naming a city that did not
// opt in, pairing a city with itself, or scoring 0 or less are not
// candidates; excluded (declined pairs, "learner\x00mentor") are not
// either. A participant's bad places are an EINVALID error naming it.
func Match(parts []Participant, pairs []Pair, excluded map[[2]string]bool) (Assignment, error) {
	var a Assignment
	idx := map[string]int{}
	var probs []citylens.Problem
	for i, p := range parts {
		if _, dup := idx[p.City]; dup || p.City == "" {
			probs = append(probs, citylens.Problem{Entry: &i, City: p.City, Field: "city", Reason: fmt.Sprintf("%q opted in twice or has no code", p.City)})
			continue
		}
		if p.Learner < 0 || p.Learner > MaxPlaces || p.Mentor < 0 || p.Mentor > MaxPlaces {
			probs = append(probs, citylens.Problem{Entry: &i, City: p.City, Field: "places",
				Reason: fmt.Sprintf("%s: places as learner and mentor must be 0 to %d (got %d and %d)", p.City, MaxPlaces, p.Learner, p.Mentor)})
		}
		idx[p.City] = i
	}
	if len(probs) > 0 {
		return a, citylens.Ef(citylens.EINVALID, "exchange.error.match_places", "Some cities' places are not valid.").WithProblems(probs...)
	}
	n := len(parts)
	// Nodes: 0 source, 1 sink, 2..n+1 learners, n+2..2n+1 mentors.
	// Costs are shifted to be non-negative (no Bellman–Ford start): a
	// place filled by a pair costs top − score, an empty one top. Every
	// place is filled or empty in a flow of the greatest value, so the
	// total cost is places × top − the total score.
	top := int64(1)
	for _, p := range pairs {
		top = max(top, p.Score)
	}
	g := mcmf.New(2 + 2*n)
	g.Reserve(3*n + len(pairs))
	for i, p := range parts {
		g.AddEdge(0, 2+i, int64(p.Learner), 0)
		g.AddEdge(2+i, 1, int64(p.Learner), top)
		g.AddEdge(2+n+i, 1, int64(p.Mentor), 0)
	}
	type cand struct {
		pair Pair
		edge int
	}
	cands := make([]cand, 0, len(pairs))
	seen := make(map[int64]struct{}, len(pairs)) // learner × n + mentor
	hasCand := make([][2]bool, n)                // [learner side, mentor side]
	for _, p := range pairs {
		l, okL := idx[p.Learner]
		m, okM := idx[p.Mentor]
		if !okL || !okM || l == m || p.Score <= 0 || parts[l].Learner == 0 || parts[m].Mentor == 0 || excluded[[2]string{p.Learner, p.Mentor}] {
			continue
		}
		k := int64(l)*int64(n) + int64(m)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		hasCand[l][0], hasCand[m][1] = true, true
		cands = append(cands, cand{p, g.AddEdge(2+l, 2+n+m, 1, top-p.Score)})
	}
	if _, err := g.Solve(0, 1, -1); err != nil {
		return a, err // costs are non-negative: the solver cannot fail
	}
	learned := make([][]int64, n) // the scores of each city's chosen pairs, by role
	mentored := make([][]int64, n)
	chosen := map[[2]string]bool{}
	for _, c := range cands {
		if g.Flow(c.edge) > 0 {
			a.Pairs = append(a.Pairs, c.pair)
			a.Total += c.pair.Score
			chosen[[2]string{c.pair.Learner, c.pair.Mentor}] = true
			learned[idx[c.pair.Learner]] = append(learned[idx[c.pair.Learner]], c.pair.Score)
			mentored[idx[c.pair.Mentor]] = append(mentored[idx[c.pair.Mentor]], c.pair.Score)
		}
	}
	slices.SortStableFunc(a.Pairs, func(x, y Pair) int { return cmp.Compare(y.Score, x.Score) })
	// Stability: a candidate pair not chosen blocks when the learner has a
	// free place or a worse mentor, and the mentor a free place or a worse
	// learner (both judge a partner by the pair's score).
	worst := func(scores []int64, places int) int64 {
		if len(scores) < places {
			return math.MinInt64 // a free place: any candidate is better
		}
		return slices.Min(scores)
	}
	for _, c := range cands {
		l, m := idx[c.pair.Learner], idx[c.pair.Mentor]
		if chosen[[2]string{c.pair.Learner, c.pair.Mentor}] {
			continue
		}
		if c.pair.Score > worst(learned[l], parts[l].Learner) && c.pair.Score > worst(mentored[m], parts[m].Mentor) {
			a.Unstable = append(a.Unstable, c.pair)
		}
	}
	for i, p := range parts {
		if got := len(learned[i]); got < p.Learner {
			a.Shortfall = append(a.Shortfall, Shortfall{City: p.City, Role: "learner", Places: p.Learner, Filled: got, Reason: reason(hasCand[i][0])})
		}
		if got := len(mentored[i]); got < p.Mentor {
			a.Shortfall = append(a.Shortfall, Shortfall{City: p.City, Role: "mentor", Places: p.Mentor, Filled: got, Reason: reason(hasCand[i][1])})
		}
	}
	return a, nil
}

func reason(hasCandidate bool) string {
	if hasCandidate {
		return "taken"
	}
	return "no_candidate"
}
