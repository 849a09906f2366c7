package judging

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"
)

func randomProblem(r *rand.Rand, nA, nJ, k, maxLoad int, pins bool) *Problem {
	langs := []string{"en", "ko", "es"}
	themes := []string{"mobility", "energy", "water", "health", "data"}
	p := &Problem{K: k, Blocked: map[[2]int64]bool{}, Bids: map[[2]int64]string{},
		Pinned: map[[2]int64]bool{}, Forbid: map[[2]int64]bool{}}
	for j := range nJ {
		jj := AJudge{ID: int64(100 + j), Load: r.IntN(maxLoad + 1), Languages: []string{langs[r.IntN(3)]}}
		if r.IntN(2) == 0 {
			jj.Languages = append(jj.Languages, "en")
		}
		for _, t := range themes {
			if r.IntN(3) == 0 {
				jj.Expertise = append(jj.Expertise, t)
			}
		}
		p.Judges = append(p.Judges, jj)
	}
	for a := range nA {
		aa := AApp{ID: int64(1 + a), Language: langs[r.IntN(3)], EnglishSummary: r.IntN(2) == 0}
		for _, t := range themes {
			if r.IntN(3) == 0 {
				aa.Themes = append(aa.Themes, t)
			}
		}
		p.Apps = append(p.Apps, aa)
	}
	bids := []string{BidNone, BidEager, BidWilling, BidNot}
	for _, j := range p.Judges {
		for _, a := range p.Apps {
			key := [2]int64{j.ID, a.ID}
			switch r.IntN(10) {
			case 0:
				p.Blocked[key] = true
			case 1:
				p.Forbid[key] = true
			}
			p.Bids[key] = bids[r.IntN(4)]
		}
	}
	if pins {
		for range 2 {
			j, a := p.Judges[r.IntN(nJ)], p.Apps[r.IntN(nA)]
			key := [2]int64{j.ID, a.ID}
			if _, ok := p.PairCost(j, a); ok {
				p.Pinned[key] = true
			}
		}
	}
	return p
}

// exhaustive tries every choice of up to k judges per application and
// returns the most pairs and, among those, the least cost; ok is false
// when no choice keeps the pins and the loads.
func exhaustive(p *Problem) (int, int64, bool) {
	nA, nJ := len(p.Apps), len(p.Judges)
	var choices [][]int // per app: allowed judge masks
	for _, a := range p.Apps {
		var must, allowed int
		for ji, j := range p.Judges {
			if _, ok := p.PairCost(j, a); ok {
				allowed |= 1 << ji
				if p.Pinned[[2]int64{j.ID, a.ID}] {
					must |= 1 << ji
				}
			}
		}
		var ms []int
		for m := range 1 << nJ {
			if m&^allowed == 0 && m&must == must && bits.OnesCount(uint(m)) <= max(p.K, bits.OnesCount(uint(must))) {
				ms = append(ms, m)
			}
		}
		choices = append(choices, ms)
	}
	best, bestCost, found := -1, int64(0), false
	pick := make([]int, nA)
	var rec func(i int)
	rec = func(i int) {
		if i == nA {
			loads := make([]int, nJ)
			n := 0
			var cost int64
			for ai, m := range pick {
				for ji := range nJ {
					if m&(1<<ji) != 0 {
						loads[ji]++
						n++
						c, _ := p.PairCost(p.Judges[ji], p.Apps[ai])
						cost += c
					}
				}
			}
			for ji, l := range loads {
				if l > p.Judges[ji].Load {
					return
				}
				cost += LoadCost(l, p.FairShare())
			}
			if n > best || (n == best && cost < bestCost) {
				best, bestCost, found = n, cost, true
			}
			return
		}
		for _, m := range choices[i] {
			pick[i] = m
			rec(i + 1)
		}
	}
	rec(0)
	return best, bestCost, found
}

func TestAssignOptimalAgainstExhaustive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for c := range 400 {
		p := randomProblem(r, 1+r.IntN(4), 1+r.IntN(4), 1+r.IntN(2), 3, c%2 == 0)
		n, cost, ok := exhaustive(p)
		got, err := Assign(p)
		if !ok {
			if err == nil {
				t.Fatalf("case %d: pins exceed loads but Assign accepted", c)
			}
			continue
		}
		if err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		if len(got.Pairs) != n || got.Cost != cost {
			t.Fatalf("case %d: %d pairs cost %d; exhaustive %d pairs cost %d", c, len(got.Pairs), got.Cost, n, cost)
		}
		checkAssignment(t, p, got)
	}
}

// checkAssignment checks the invariants: no conflicted, forbidden or
// unreadable pair, loads within limits, pins kept, k or a shortfall.
func checkAssignment(t *testing.T, p *Problem, got *Assignment) {
	t.Helper()
	judges := map[int64]AJudge{}
	for _, j := range p.Judges {
		judges[j.ID] = j
	}
	apps := map[int64]AApp{}
	for _, a := range p.Apps {
		apps[a.ID] = a
	}
	per := map[int64]int{}
	load := map[int64]int{}
	seen := map[[2]int64]bool{}
	for _, pr := range got.Pairs {
		key := [2]int64{pr.Judge, pr.App}
		if seen[key] {
			t.Fatalf("pair %v twice", key)
		}
		seen[key] = true
		if p.Blocked[key] || p.Forbid[key] {
			t.Fatalf("conflicted or forbidden pair %v assigned", key)
		}
		if _, ok := p.PairCost(judges[pr.Judge], apps[pr.App]); !ok {
			t.Fatalf("pair %v not allowed", key)
		}
		per[pr.App]++
		load[pr.Judge]++
	}
	for id, n := range load {
		if n > judges[id].Load {
			t.Fatalf("judge %d load %d over %d", id, n, judges[id].Load)
		}
	}
	for key, on := range p.Pinned {
		if on && !seen[key] {
			t.Fatalf("pinned pair %v dropped", key)
		}
	}
	short := map[int64]Shortfall{}
	for _, s := range got.Short {
		short[s.App] = s
	}
	for _, a := range p.Apps {
		s, isShort := short[a.ID]
		if per[a.ID] < p.K && (!isShort || s.Got != per[a.ID] || s.Reason == "") {
			t.Fatalf("app %d has %d judges and no shortfall (%+v)", a.ID, per[a.ID], s)
		}
		if per[a.ID] >= p.K && isShort {
			t.Fatalf("app %d has k judges but a shortfall", a.ID)
		}
		if isShort && s.Reason == ShortEligible && s.Eligible >= p.K {
			t.Fatalf("app %d: reason %s with %d eligible", a.ID, s.Reason, s.Eligible)
		}
	}
}

func TestAssignLargeInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	p := randomProblem(r, 300, 40, 3, 30, true)
	got, err := Assign(p)
	if err != nil {
		t.Fatal(err)
	}
	checkAssignment(t, p, got)
	// Re-optimising with every pair pinned keeps them all.
	for _, pr := range got.Pairs[:50] {
		p.Pinned[[2]int64{pr.Judge, pr.App}] = true
	}
	again, err := Assign(p)
	if err != nil {
		t.Fatal(err)
	}
	checkAssignment(t, p, again)
}

func TestAssignRefusals(t *testing.T) {
	p := &Problem{K: 1,
		Judges:  []AJudge{{ID: 1, Load: 1, Languages: []string{"ko"}}},
		Apps:    []AApp{{ID: 10, Language: "ko"}, {ID: 11, Language: "ko"}},
		Blocked: map[[2]int64]bool{{1, 10}: true},
		Pinned:  map[[2]int64]bool{{1, 10}: true}}
	if _, err := Assign(p); err == nil {
		t.Fatal("pin on a conflicted pair accepted")
	}
	p.Pinned = nil
	got, err := Assign(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pairs) != 1 || got.Pairs[0].App != 11 {
		t.Fatalf("pairs %+v", got.Pairs)
	}
	if len(got.Short) != 1 || got.Short[0].App != 10 || got.Short[0].Reason != ShortEligible {
		t.Fatalf("short %+v", got.Short)
	}
	// A judge who reads neither the language nor an English summary is
	// not eligible; with the summary and English, they are (at a cost).
	j := AJudge{ID: 2, Load: 1, Languages: []string{"en"}}
	if _, ok := (&Problem{}).PairCost(j, AApp{ID: 1, Language: "ko"}); ok {
		t.Fatal("unreadable application eligible")
	}
	c1, _ := (&Problem{}).PairCost(j, AApp{ID: 1, Language: "ko", EnglishSummary: true})
	c2, _ := (&Problem{}).PairCost(j, AApp{ID: 1, Language: "en"})
	if c1 != c2+CostSummary {
		t.Fatalf("summary cost %d vs %d", c1, c2)
	}
	if _, err := Assign(&Problem{K: 0}); err == nil {
		t.Fatal("k = 0 accepted")
	}
}

// Balanced work: with equal costs, 6 applications × 2 judges over 3
// judges give each judge 4, not 6/6/0.
func TestAssignBalancesLoad(t *testing.T) {
	p := &Problem{K: 2}
	for j := range 3 {
		p.Judges = append(p.Judges, AJudge{ID: int64(j + 1), Load: 6, Languages: []string{"en"}})
	}
	for a := range 6 {
		p.Apps = append(p.Apps, AApp{ID: int64(a + 10), Language: "en"})
	}
	got, err := Assign(p)
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range got.Loads {
		if n != 4 {
			t.Fatalf("judge %d load %d: %v", id, n, got.Loads)
		}
	}
}

func BenchmarkAssign2000x100x3(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 12))
	p := randomProblem(r, 2000, 100, 3, 0, false)
	for i := range p.Judges {
		p.Judges[i].Load = 70
		p.Judges[i].Languages = append(p.Judges[i].Languages, "en")
	}
	for i := range p.Apps {
		p.Apps[i].EnglishSummary = true
	}
	for b.Loop() {
		got, err := Assign(p)
		if err != nil || len(got.Short) != 0 {
			b.Fatal(err, fmt.Sprint(len(got.Short)))
		}
	}
}
