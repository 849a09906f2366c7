package mcmf

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// A hand-solved network: two routes s→a→t (cap 2, cost 1+1) and s→b→t
// (cap 2, cost 2+2), with a cross arc a→b; sending 3 units costs
// 2·2 + 1·4 = 8.
func TestSmallByHand(t *testing.T) {
	g := New(4)
	s, a, b, tt := 0, 1, 2, 3
	sa := g.AddEdge(s, a, 2, 1)
	sb := g.AddEdge(s, b, 2, 2)
	at := g.AddEdge(a, tt, 2, 1)
	bt := g.AddEdge(b, tt, 2, 2)
	g.AddEdge(a, b, 1, 0)
	r, err := g.Solve(s, tt, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.Flow != 3 || r.Cost != 8 {
		t.Fatalf("flow %d cost %d, want 3 and 8", r.Flow, r.Cost)
	}
	if g.Flow(sa) != 2 || g.Flow(at) != 2 || g.Flow(sb) != 1 || g.Flow(bt) != 1 {
		t.Fatalf("flows sa=%d at=%d sb=%d bt=%d", g.Flow(sa), g.Flow(at), g.Flow(sb), g.Flow(bt))
	}
}

func TestUnlimitedIsMaxFlow(t *testing.T) {
	g := New(3)
	g.AddEdge(0, 1, 5, 3)
	g.AddEdge(1, 2, 4, 1)
	g.AddEdge(0, 2, 1, 10)
	r, err := g.Solve(0, 2, -1)
	if err != nil {
		t.Fatal(err)
	}
	if r.Flow != 5 || r.Cost != 4*4+10 {
		t.Fatalf("got %+v, want flow 5 cost 26", r)
	}
}

func TestNegativeCycleRefused(t *testing.T) {
	g := New(3)
	g.AddEdge(0, 1, 1, 1)
	g.AddEdge(1, 2, 1, -5)
	g.AddEdge(2, 1, 1, 1)
	if _, err := g.Solve(0, 2, -1); !errors.Is(err, ErrNegativeCycle) {
		t.Fatalf("err %v, want ErrNegativeCycle", err)
	}
}

func TestBadUse(t *testing.T) {
	g := New(2)
	if _, err := g.Solve(0, 0, 1); err == nil {
		t.Fatal("source = sink accepted")
	}
	g.AddEdge(0, 1, 1, 1)
	if _, err := g.Solve(0, 1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Solve(0, 1, 1); err == nil {
		t.Fatal("second Solve accepted")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("negative capacity accepted")
		}
	}()
	g.AddEdge(0, 1, -1, 0)
}

type arc struct {
	from, to  int
	cap, cost int64
}

// randomNetwork is a random network; with neg, some costs are negative but
// arcs only go from lower to higher nodes, so there is no negative cycle.
func randomNetwork(r *rand.Rand, n int, neg bool) []arc {
	var arcs []arc
	for range r.IntN(4 * n) {
		u, v := r.IntN(n), r.IntN(n)
		if u == v {
			continue
		}
		if neg && u > v {
			u, v = v, u
		}
		c := r.Int64N(21)
		if neg {
			c -= 7
		}
		arcs = append(arcs, arc{u, v, r.Int64N(5), c})
	}
	return arcs
}

// naive solves the same problem one unit at a time with Bellman–Ford on
// the residual network: slow and independent of the solver under test.
func naive(n int, arcs []arc, s, t int, limit int64) (int64, int64) {
	type e struct {
		to        int
		cap, cost int64
	}
	var es []e
	adj := make([][]int, n)
	for _, a := range arcs {
		adj[a.from] = append(adj[a.from], len(es))
		es = append(es, e{a.to, a.cap, a.cost})
		adj[a.to] = append(adj[a.to], len(es))
		es = append(es, e{a.from, 0, -a.cost})
	}
	var flow, cost int64
	const inf = int64(1) << 60
	for flow < limit {
		d := make([]int64, n)
		prev := make([]int, n)
		for i := range d {
			d[i], prev[i] = inf, -1
		}
		d[s] = 0
		for range n {
			for u := range n {
				if d[u] == inf {
					continue
				}
				for _, id := range adj[u] {
					if es[id].cap > 0 && d[u]+es[id].cost < d[es[id].to] {
						d[es[id].to] = d[u] + es[id].cost
						prev[es[id].to] = id
					}
				}
			}
		}
		if d[t] == inf {
			break
		}
		for v := t; v != s; v = es[prev[v]^1].to {
			es[prev[v]].cap--
			es[prev[v]^1].cap++
		}
		flow++
		cost += d[t]
	}
	return flow, cost
}

func TestRandomAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 600 {
		n := 2 + r.IntN(8)
		neg := i%2 == 1
		arcs := randomNetwork(r, n, neg)
		limit := int64(-1)
		if i%3 == 0 {
			limit = r.Int64N(6)
		}
		g := New(n)
		ids := make([]int, len(arcs))
		for k, a := range arcs {
			ids[k] = g.AddEdge(a.from, a.to, a.cap, a.cost)
		}
		s, tt := 0, n-1
		res, err := g.Solve(s, tt, limit)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		nl := limit
		if nl < 0 {
			nl = 1 << 40
		}
		wf, wc := naive(n, arcs, s, tt, nl)
		if res.Flow != wf || res.Cost != wc {
			t.Fatalf("case %d (%v): flow %d cost %d, naive %d %d", i, arcs, res.Flow, res.Cost, wf, wc)
		}
		// The flows on the arcs are a feasible flow of that value and cost.
		bal := make([]int64, n)
		var cost int64
		for k, a := range arcs {
			f := g.Flow(ids[k])
			if f < 0 || f > a.cap {
				t.Fatalf("case %d: arc %d flow %d outside [0,%d]", i, k, f, a.cap)
			}
			bal[a.from] -= f
			bal[a.to] += f
			cost += f * a.cost
		}
		for v := range n {
			want := int64(0)
			switch v {
			case s:
				want = -res.Flow
			case tt:
				want = res.Flow
			}
			if bal[v] != want {
				t.Fatalf("case %d: node %d balance %d, want %d", i, v, bal[v], want)
			}
		}
		if cost != res.Cost {
			t.Fatalf("case %d: arc costs sum to %d, result says %d", i, cost, res.Cost)
		}
	}
}

// randomLayered is a network like the users' own: s → left nodes →
// right nodes → t, some left nodes straight to t, with parallel arcs and
// ties; some rounds can route all the source's capacity (the supply form
// solves them), others cannot (the general method does).
func randomLayered(r *rand.Rand) (n int, arcs []arc) {
	nl, nr := 1+r.IntN(5), 1+r.IntN(4)
	n = 2 + nl + nr
	for i := range nl {
		arcs = append(arcs, arc{0, 2 + i, 1 + r.Int64N(3), r.Int64N(3)})
		for j := range nr {
			if r.IntN(3) > 0 {
				arcs = append(arcs, arc{2 + i, 2 + nl + j, 1 + r.Int64N(2), r.Int64N(12)})
			}
		}
		if r.IntN(3) == 0 {
			arcs = append(arcs, arc{2 + i, 1, r.Int64N(3), 5 + r.Int64N(10)})
		}
	}
	for j := range nr {
		for range 1 + r.IntN(2) {
			arcs = append(arcs, arc{2 + nl + j, 1, 1 + r.Int64N(3), r.Int64N(6)})
		}
	}
	return n, arcs
}

// Both ways of solving give the least cost of the greatest flow, and the
// supply form gives the network back untouched when it cannot route
// everything, so the general method starts from nothing.
func TestSupplyFormAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var supplies, general int
	for i := range 2000 {
		n, arcs := randomLayered(r)
		g := New(n)
		ids := make([]int, len(arcs))
		for k, a := range arcs {
			ids[k] = g.AddEdge(a.from, a.to, a.cap, a.cost)
		}
		res, err := g.Solve(0, 1, -1)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if res.supplies {
			supplies++
		} else {
			general++
		}
		wf, wc := naive(n, arcs, 0, 1, 1<<40)
		if res.Flow != wf || res.Cost != wc {
			t.Fatalf("case %d (%v, supply form %v): flow %d cost %d, naive %d %d", i, arcs, res.supplies, res.Flow, res.Cost, wf, wc)
		}
		bal := make([]int64, n)
		var cost int64
		for k, a := range arcs {
			f := g.Flow(ids[k])
			if f < 0 || f > a.cap {
				t.Fatalf("case %d: arc %d flow %d outside [0,%d]", i, k, f, a.cap)
			}
			bal[a.from] -= f
			bal[a.to] += f
			cost += f * a.cost
		}
		if bal[0] != -res.Flow || bal[1] != res.Flow || cost != res.Cost {
			t.Fatalf("case %d: balances %v, cost %d, result %+v", i, bal, cost, res)
		}
		for v := 2; v < n; v++ {
			if bal[v] != 0 {
				t.Fatalf("case %d: node %d balance %d", i, v, bal[v])
			}
		}
	}
	if supplies < 200 || general < 200 {
		t.Fatalf("supply form %d times, general method %d times: the cases do not exercise both", supplies, general)
	}
}

func BenchmarkBipartite(b *testing.B) {
	// 2,000 left × 100 right, 3 units per left node, load 70 per right node.
	r := rand.New(rand.NewPCG(3, 4))
	costs := make([]int64, 2000*100)
	for i := range costs {
		costs[i] = r.Int64N(100)
	}
	for b.Loop() {
		g := New(2 + 2000 + 100)
		for i := range 2000 {
			g.AddEdge(0, 2+i, 3, 0)
			for j := range 100 {
				g.AddEdge(2+i, 2+2000+j, 1, costs[i*100+j])
			}
		}
		for j := range 100 {
			g.AddEdge(2+2000+j, 1, 70, 0)
		}
		if res, err := g.Solve(0, 1, -1); err != nil || res.Flow != 6000 {
			b.Fatal(res, err)
		}
	}
}
