package exchange

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/citylens/citylens"
)

// randomRound is a small round: 3–5 cities with 0–2 places in each role,
// every ordered pair scored 0–9 (0: not a candidate), a declined pair now
// and then.
func randomRound(rng *rand.Rand) ([]Participant, []Pair, map[[2]string]bool) {
	n := 3 + rng.IntN(3)
	parts := make([]Participant, n)
	for i := range parts {
		parts[i] = Participant{City: fmt.Sprintf("c%d", i), Learner: rng.IntN(3), Mentor: rng.IntN(3)}
	}
	var pairs []Pair
	excluded := map[[2]string]bool{}
	for _, l := range parts {
		for _, m := range parts {
			if l.City == m.City {
				continue
			}
			pairs = append(pairs, Pair{Learner: l.City, Mentor: m.City, Score: int64(rng.IntN(10))})
			if rng.IntN(8) == 0 {
				excluded[[2]string{l.City, m.City}] = true
			}
		}
	}
	return parts, pairs, excluded
}

// exhaustive is the best total over every set of candidate pairs that
// fits the places.
func exhaustive(parts []Participant, pairs []Pair, excluded map[[2]string]bool) int64 {
	places := map[string]Participant{}
	for _, p := range parts {
		places[p.City] = p
	}
	var cands []Pair
	for _, p := range pairs {
		if p.Score > 0 && !excluded[[2]string{p.Learner, p.Mentor}] {
			cands = append(cands, p)
		}
	}
	best := int64(0)
	for set := 0; set < 1<<len(cands); set++ {
		learn, mentor := map[string]int{}, map[string]int{}
		total, ok := int64(0), true
		for i, p := range cands {
			if set&(1<<i) == 0 {
				continue
			}
			learn[p.Learner]++
			mentor[p.Mentor]++
			total += p.Score
			if learn[p.Learner] > places[p.Learner].Learner || mentor[p.Mentor] > places[p.Mentor].Mentor {
				ok = false
				break
			}
		}
		if ok && total > best {
			best = total
		}
	}
	return best
}

// bruteUnstable lists, straight from the definition, the candidate pairs
// not chosen where the learner has a free place or a chosen mentor it
// scores lower, and the mentor likewise.
func bruteUnstable(parts []Participant, pairs []Pair, excluded map[[2]string]bool, chosen []Pair) []Pair {
	places := map[string]Participant{}
	for _, p := range parts {
		places[p.City] = p
	}
	prefers := func(city string, asLearner bool, score int64) bool {
		used := 0
		for _, c := range chosen {
			if (asLearner && c.Learner == city) || (!asLearner && c.Mentor == city) {
				used++
				if c.Score < score {
					return true
				}
			}
		}
		if asLearner {
			return used < places[city].Learner
		}
		return used < places[city].Mentor
	}
	var out []Pair
	for _, p := range pairs {
		if p.Score <= 0 || excluded[[2]string{p.Learner, p.Mentor}] || slices.Contains(chosen, p) {
			continue
		}
		if prefers(p.Learner, true, p.Score) && prefers(p.Mentor, false, p.Score) {
			out = append(out, p)
		}
	}
	return out
}

func TestMatchEqualsExhaustiveSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 3))
	unstableSeen := 0
	for round := range 300 {
		parts, pairs, excluded := randomRound(rng)
		a, err := Match(parts, pairs, excluded)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if want := exhaustive(parts, pairs, excluded); a.Total != want {
			t.Fatalf("round %d: total %d, exhaustive search %d (%v, %v)", round, a.Total, want, parts, pairs)
		}
		sum := int64(0)
		for _, p := range a.Pairs {
			sum += p.Score
			if excluded[[2]string{p.Learner, p.Mentor}] {
				t.Fatalf("round %d: declined pair %v chosen", round, p)
			}
		}
		if sum != a.Total {
			t.Fatalf("round %d: pairs sum to %d, total says %d", round, sum, a.Total)
		}
		want := bruteUnstable(parts, pairs, excluded, a.Pairs)
		if !slices.Equal(a.Unstable, want) {
			t.Fatalf("round %d: unstable %v, brute force %v", round, a.Unstable, want)
		}
		unstableSeen += len(want)
	}
	if unstableSeen == 0 {
		t.Error("no round had an unstable pair: the stability check was never exercised")
	}
}

func TestMatchShortfallAndBadPlaces(t *testing.T) {
	parts := []Participant{{City: "kr-busan", Learner: 2}, {City: "nl-rotterdam", Mentor: 1}, {City: "ie-dublin", Learner: 1}}
	pairs := []Pair{{Learner: "kr-busan", Mentor: "nl-rotterdam", Score: 900}, {Learner: "ie-dublin", Mentor: "nl-rotterdam", Score: 400}}
	a, err := Match(parts, pairs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Pairs) != 1 || a.Pairs[0].Learner != "kr-busan" || a.Total != 900 {
		t.Fatalf("pairs %v total %d", a.Pairs, a.Total)
	}
	want := []Shortfall{
		{City: "kr-busan", Role: "learner", Places: 2, Filled: 1, Reason: "taken"},
		{City: "ie-dublin", Role: "learner", Places: 1, Filled: 0, Reason: "taken"},
	}
	if !slices.Equal(a.Shortfall, want) {
		t.Errorf("shortfall %v, want %v", a.Shortfall, want)
	}
	// Declining Busan–Rotterdam gives Rotterdam's place to Dublin, and
	// Busan has no candidate left.
	a, _ = Match(parts, pairs, map[[2]string]bool{{"kr-busan", "nl-rotterdam"}: true})
	if len(a.Pairs) != 1 || a.Pairs[0].Learner != "ie-dublin" || a.Shortfall[0] != (Shortfall{City: "kr-busan", Role: "learner", Places: 2, Reason: "no_candidate"}) {
		t.Errorf("after the decline: %v, %v", a.Pairs, a.Shortfall)
	}
	_, err = Match([]Participant{{City: "kr-seoul", Learner: 11}, {City: "kr-seoul"}}, nil, nil)
	e := citylens.AsError(err)
	if citylens.ErrorCode(err) != citylens.EINVALID || len(e.Problems) != 2 || e.Problems[0].City != "kr-seoul" || e.Problems[1].Field != "city" {
		t.Errorf("bad places: %v", err)
	}
}
