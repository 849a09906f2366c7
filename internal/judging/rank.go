package judging

import (
	"hash/fnv"
	"math"
	"sort"
	"strconv"
)

// Tie-break rules, in the order they are applied.
const (
	RuleAdjusted = "adjusted_mean" // the adjusted (judge-effect) score
	RuleMedian   = "median"        // the median of the raw weighted scores
	RuleValue    = "value"         // the value-generation criterion's mean
	RuleVote     = "vote"          // the committee's vote
	RuleSeeded   = "seeded"        // a seeded, stable pseudo-random order
)

// Candidate is an application to rank, with the figures the tie-break
// sequence reads. A NaN figure (missing) ranks below any number.
type Candidate struct {
	App      int64
	Adjusted float64
	Median   float64
	Value    float64
	Votes    int
}

// Tie is a logged tie-break: Above was ranked over Below by Rule, the
// first rule on which they differ.
type Tie struct {
	Above, Below int64
	Rule         string
}

// Rank orders candidates best first by the fixed sequence — adjusted mean,
// median, value generation, committee vote, then a stable order seeded by
// seed — and logs, for each neighbouring pair, the rule that separated
// them when it was not the first.
func Rank(cs []Candidate, seed string) ([]Candidate, []Tie) {
	out := append([]Candidate(nil), cs...)
	key := func(c Candidate) uint64 {
		h := fnv.New64a()
		h.Write([]byte(seed + "\x00" + strconv.FormatInt(c.App, 10)))
		return h.Sum64()
	}
	sort.SliceStable(out, func(i, j int) bool {
		_, less := decide(out[i], out[j], key)
		return less
	})
	var ties []Tie
	for i := 1; i < len(out); i++ {
		if r, _ := decide(out[i-1], out[i], key); r != RuleAdjusted {
			ties = append(ties, Tie{Above: out[i-1].App, Below: out[i].App, Rule: r})
		}
	}
	return out, ties
}

// decide returns the first rule on which a and b differ and whether a
// ranks above b.
func decide(a, b Candidate, key func(Candidate) uint64) (string, bool) {
	for _, f := range []struct {
		rule string
		x, y float64
	}{
		{RuleAdjusted, a.Adjusted, b.Adjusted},
		{RuleMedian, a.Median, b.Median},
		{RuleValue, a.Value, b.Value},
		{RuleVote, float64(a.Votes), float64(b.Votes)},
	} {
		if c := cmpDesc(f.x, f.y); c != 0 {
			return f.rule, c < 0
		}
	}
	ka, kb := key(a), key(b)
	if ka != kb {
		return RuleSeeded, ka < kb
	}
	return RuleSeeded, a.App < b.App
}

// cmpDesc orders higher first, NaN last; values within 1e-9 are equal.
func cmpDesc(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case math.Abs(x-y) <= 1e-9:
		return 0
	case x > y:
		return -1
	}
	return 1
}

// Median of vs (NaN when empty).
func Median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
