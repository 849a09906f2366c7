// Package mcmf computes minimum-cost flows exactly: successive shortest
// paths with node potentials (Johnson's reweighting) and Dijkstra on the
// reduced costs. Capacities and costs are integers, so results are exact
// and reproducible.
//
// Solve first tries the supply form (see solveSupplies): every arc out of
// the source saturated, each node's share of that flow routed to the sink
// one node at a time by a Dijkstra that stops at the sink, as the
// Hungarian method (Jonker–Volgenant's augmentation) does row by row.
// Where that cannot route everything (the maximum flow does not fill the
// source's arcs), or a cost is negative, or a limit cuts the flow, it
// solves from scratch with the general method: Dijkstra from the source
// over the whole network and, in each phase, as many augmenting paths as
// the admissible (zero reduced cost) subgraph carries, found by a
// blocking-flow search.
//
// The prize's judge assignment and the knowledge exchange's partner
// matching both build a bipartite network on it.
package mcmf

import (
	"errors"
	"math"
	"slices"
)

// ErrNegativeCycle is returned when the costs hold a negative cycle
// reachable from the source: no minimum exists.
var ErrNegativeCycle = errors.New("mcmf: negative-cost cycle")

// Graph is a flow network with nodes 0..N-1. Its zero value is not usable:
// make it with New.
type Graph struct {
	n     int
	head  []int32
	next  []int32
	to    []int32
	cap   []int64 // residual capacity
	orig  []int64 // capacity as added
	cost  []int64
	flow0 bool
}

// New makes a network with n nodes.
func New(n int) *Graph {
	g := &Graph{n: n, head: make([]int32, n)}
	for i := range g.head {
		g.head[i] = -1
	}
	return g
}

// Reserve makes room for arcs more arcs, so that adding them does not
// copy the arrays as they grow.
func (g *Graph) Reserve(arcs int) {
	if arcs <= 0 {
		return
	}
	k := len(g.to) + 2*arcs
	g.to = slices.Grow(g.to, k-len(g.to))
	g.next = slices.Grow(g.next, k-len(g.next))
	g.cap = slices.Grow(g.cap, k-len(g.cap))
	g.orig = slices.Grow(g.orig, k-len(g.orig))
	g.cost = slices.Grow(g.cost, k-len(g.cost))
}

// Nodes is the number of nodes.
func (g *Graph) Nodes() int { return g.n }

// AddNode adds a node and returns its index.
func (g *Graph) AddNode() int {
	g.head = append(g.head, -1)
	g.n++
	return g.n - 1
}

// AddEdge adds an arc from→to with the capacity and the cost per unit of
// flow, and returns its id (for Flow). It panics on a bad node or a
// negative capacity: those are programming errors.
func (g *Graph) AddEdge(from, to int, capacity, cost int64) int {
	if from < 0 || from >= g.n || to < 0 || to >= g.n {
		panic("mcmf: node out of range")
	}
	if capacity < 0 {
		panic("mcmf: negative capacity")
	}
	id := len(g.to)
	g.push(from, to, capacity, cost)
	g.push(to, from, 0, -cost)
	return id
}

func (g *Graph) push(from, to int, c, w int64) {
	g.to = append(g.to, int32(to))
	g.cap = append(g.cap, c)
	g.orig = append(g.orig, c)
	g.cost = append(g.cost, w)
	g.next = append(g.next, g.head[from])
	g.head[from] = int32(len(g.to) - 1)
}

// Edges is the number of arcs added.
func (g *Graph) Edges() int { return len(g.to) / 2 }

// Flow is the flow on the arc with the id AddEdge returned.
func (g *Graph) Flow(id int) int64 { return g.orig[id] - g.cap[id] }

// Result is a solved flow: its value and its total cost.
type Result struct {
	Flow   int64
	Cost   int64
	Phases int // shortest-path computations (for benchmarks)

	supplies bool // solved in the supply form (for tests)
}

// Solve sends as much flow as possible (at most limit; limit < 0 means no
// limit) from s to t at the least total cost among flows of that value.
// Solve may be called once per Graph.
func (g *Graph) Solve(s, t int, limit int64) (Result, error) {
	var res Result
	if s < 0 || s >= g.n || t < 0 || t >= g.n || s == t {
		return res, errors.New("mcmf: bad source or sink")
	}
	if g.flow0 {
		return res, errors.New("mcmf: graph already solved")
	}
	g.flow0 = true
	if limit < 0 {
		limit = math.MaxInt64
	}
	if r, ok := g.solveSupplies(s, t, limit); ok {
		return r, nil
	}
	pot, err := g.initialPotentials(s)
	if err != nil {
		return res, err
	}
	const inf = math.MaxInt64 / 4
	dist := make([]int64, g.n)
	h := &heap{}
	iter := make([]int32, g.n)
	onPath := make([]bool, g.n)
	for res.Flow < limit {
		// Dijkstra on reduced costs.
		for i := range dist {
			dist[i] = inf
		}
		dist[s] = 0
		h.reset()
		h.push(s, 0)
		for h.len() > 0 {
			u, d := h.pop()
			if d != dist[u] {
				continue
			}
			for e := g.head[u]; e >= 0; e = g.next[e] {
				if g.cap[e] == 0 {
					continue
				}
				v := int(g.to[e])
				if pot[v] >= inf {
					continue
				}
				nd := d + g.cost[e] + pot[u] - pot[v]
				if nd < dist[v] {
					dist[v] = nd
					h.push(v, nd)
				}
			}
		}
		res.Phases++
		if dist[t] >= inf {
			break
		}
		for i := range pot {
			if dist[i] < inf {
				pot[i] += dist[i]
			} else {
				pot[i] = inf
			}
		}
		// Blocking flow on the admissible arcs (reduced cost 0), which
		// are all shortest; the level test keeps the search acyclic
		// where zero-cost cycles could otherwise trap it.
		for i := range iter {
			iter[i] = g.head[i]
		}
		for res.Flow < limit {
			f := g.dfs(s, t, limit-res.Flow, pot, iter, onPath)
			if f == 0 {
				break
			}
			res.Flow += f
			res.Cost += f * (pot[t] - pot[s])
		}
	}
	return res, nil
}

// solveSupplies solves the problem as a transportation problem when its
// maximum flow saturates every arc out of s, which is the common case of
// both users (every learner place is filled or left empty on an arc of its
// own; every application gets its judges). Every flow of that value
// saturates those arcs, so it is enough to find the cheapest flow that
// carries each node's share (its excess) to t. With non-negative costs and
// zero potentials every residual arc starts with a non-negative reduced
// cost; each step runs Dijkstra from one node with excess, stops when t
// is settled at distance D, lowers the potential of every settled node v
// by D − dist(v) (which keeps every reduced cost non-negative and makes
// the path's arcs zero), and augments along the path. A step settles only
// the nodes closer than t, so early steps touch a node and its best arc,
// not the whole network.
//
// It reports false, with the network as it found it, when it does not
// apply: a limit below the source's capacity, a negative cost, an arc into
// s, or an excess that cannot reach t (the maximum flow is smaller: the
// general method then decides which shares to leave out).
func (g *Graph) solveSupplies(s, t int, limit int64) (Result, bool) {
	var res Result
	var total int64
	for e := g.head[s]; e >= 0; e = g.next[e] {
		if e&1 == 1 && g.orig[e^1] > 0 {
			return res, false // an arc into s
		}
		if e&1 == 0 {
			if int(g.to[e]) == s {
				return res, false // a loop
			}
			total += g.cap[e]
		}
	}
	if total == 0 || total > limit {
		return res, false
	}
	for e := 0; e < len(g.cost); e += 2 {
		if g.cost[e] < 0 && g.orig[e] > 0 {
			return res, false
		}
	}
	excess := make([]int64, g.n)
	for e := g.head[s]; e >= 0; e = g.next[e] {
		if e&1 == 0 {
			excess[g.to[e]] += g.cap[e]
			g.cap[e^1] += g.cap[e]
			g.cap[e] = 0
		}
	}
	excess[t] -= total
	// The arcs out of each node in one array (forward arcs, as added),
	// and per node the reverse arcs that can carry flow back (those of
	// the arcs into it that carry flow): a node with many arcs in scans
	// only those in use.
	fstart := make([]int32, g.n+1)
	for e := 0; e < len(g.to); e += 2 {
		fstart[g.to[e^1]+1]++
	}
	for i := range g.n {
		fstart[i+1] += fstart[i]
	}
	fwd := make([]int32, len(g.to)/2)
	fill := slices.Clone(fstart[:g.n])
	for e := 0; e < len(g.to); e += 2 {
		u := g.to[e^1]
		fwd[fill[u]] = int32(e)
		fill[u]++
	}
	back := make([][]int32, g.n)
	bpos := make([]int32, len(g.to))
	fto := make([]int32, len(fwd)) // the forward arcs' heads and costs, in fwd's order
	fcost := make([]int64, len(fwd))
	for i, e := range fwd {
		fto[i], fcost[i] = g.to[e], g.cost[e]
	}
	const inf = math.MaxInt64 / 4
	// A node's search state in one place: a relaxation reads one cache
	// line, not four arrays.
	type nodeState struct {
		dist, pot int64
		prev      int32 // the arc into the node on its shortest path
		done      bool  // settled (s always: it is not part of the search)
	}
	ns := make([]nodeState, g.n)
	for i := range ns {
		ns[i].dist = inf
	}
	ns[s].done = true
	cp := g.cap
	var touched, settled []int32
	h := &heap{}
	for k := range g.n {
		for k != t && k != s && excess[k] > 0 {
			// Dijkstra from k on reduced costs, stopping at t. A node
			// no nearer than t's distance so far is not queued: it would
			// never be settled before t.
			ns[k].dist = 0
			touched = append(touched[:0], int32(k))
			settled = settled[:0]
			h.reset()
			h.push(k, 0)
			reached := false
			for h.len() > 0 {
				u, d := h.pop()
				nu := &ns[u]
				if d != nu.dist || nu.done {
					continue
				}
				if d >= ns[t].dist {
					// t is as near as anything left: settle it now, so
					// that ties do not spread the search.
					ns[t].done = true
					settled = append(settled, int32(t))
					reached = true
					break
				}
				nu.done = true
				settled = append(settled, int32(u))
				base := d + nu.pot
				lo, hi := fstart[u], fstart[u+1]
				for i := lo; i < hi; i++ {
					if cp[fwd[i]] == 0 {
						continue
					}
					v := fto[i]
					nv := &ns[v]
					if nv.done {
						continue
					}
					nd := base + fcost[i] - nv.pot
					if nd < nv.dist && nd < ns[t].dist {
						if nv.dist == inf {
							touched = append(touched, v)
						}
						nv.dist, nv.prev = nd, fwd[i]
						h.push(int(v), nd)
					}
				}
				for _, e := range back[u] {
					v := g.to[e]
					nv := &ns[v]
					if nv.done {
						continue
					}
					nd := base + g.cost[e] - nv.pot
					if nd < nv.dist && nd < ns[t].dist {
						if nv.dist == inf {
							touched = append(touched, v)
						}
						nv.dist, nv.prev = nd, e
						h.push(int(v), nd)
					}
				}
			}
			res.Phases++
			if !reached {
				g.restore()
				return Result{}, false
			}
			dt := ns[t].dist
			for _, v := range settled {
				ns[v].pot += ns[v].dist - dt
				ns[v].done = false
			}
			for _, v := range touched {
				ns[v].dist = inf
			}
			// Augment along the path by what it and the excess carry.
			f := excess[k]
			for v := t; v != k; v = int(g.to[ns[v].prev^1]) {
				f = min(f, cp[ns[v].prev])
			}
			for v := t; v != k; v = int(g.to[ns[v].prev^1]) {
				e := ns[v].prev
				if e&1 == 0 && cp[e^1] == 0 {
					// The arc carries flow: its reverse becomes usable.
					w := g.to[e]
					bpos[e^1] = int32(len(back[w]))
					back[w] = append(back[w], e^1)
				}
				cp[e] -= f
				cp[e^1] += f
				if e&1 == 1 && cp[e] == 0 {
					// Its flow is undone: the reverse is unusable again.
					w := g.to[e^1]
					i, last := bpos[e], len(back[w])-1
					back[w][i] = back[w][last]
					bpos[back[w][i]] = i
					back[w] = back[w][:last]
				}
			}
			excess[k] -= f
			excess[t] += f
		}
	}
	res.Flow, res.supplies = total, true
	for e := 0; e < len(g.cost); e += 2 {
		res.Cost += (g.orig[e] - g.cap[e]) * g.cost[e]
	}
	return res, true
}

// restore undoes every flow: the network as added.
func (g *Graph) restore() {
	for e := 0; e < len(g.cap); e += 2 {
		g.cap[e], g.cap[e^1] = g.orig[e], 0
	}
}

func (g *Graph) dfs(u, t int, f int64, pot []int64, iter []int32, onPath []bool) int64 {
	if u == t {
		return f
	}
	onPath[u] = true
	for ; iter[u] >= 0; iter[u] = g.next[iter[u]] {
		e := iter[u]
		v := int(g.to[e])
		if g.cap[e] == 0 || onPath[v] || g.cost[e]+pot[u]-pot[v] != 0 {
			continue
		}
		d := g.dfs(v, t, min(f, g.cap[e]), pot, iter, onPath)
		if d > 0 {
			g.cap[e] -= d
			g.cap[e^1] += d
			onPath[u] = false
			return d
		}
	}
	onPath[u] = false
	return 0
}

// initialPotentials are shortest distances from s when some cost is
// negative (Bellman–Ford, queue-based), else zeros.
func (g *Graph) initialPotentials(s int) ([]int64, error) {
	pot := make([]int64, g.n)
	neg := false
	for e := 0; e < len(g.cost); e += 2 {
		if g.cost[e] < 0 && g.cap[e] > 0 {
			neg = true
			break
		}
	}
	if !neg {
		return pot, nil
	}
	const inf = math.MaxInt64 / 4
	for i := range pot {
		pot[i] = inf
	}
	pot[s] = 0
	inQ := make([]bool, g.n)
	count := make([]int, g.n)
	q := []int{s}
	inQ[s] = true
	for len(q) > 0 {
		u := q[0]
		q = q[1:]
		inQ[u] = false
		for e := g.head[u]; e >= 0; e = g.next[e] {
			if g.cap[e] == 0 {
				continue
			}
			v := int(g.to[e])
			if nd := pot[u] + g.cost[e]; nd < pot[v] {
				pot[v] = nd
				if !inQ[v] {
					count[v]++
					if count[v] > g.n {
						return nil, ErrNegativeCycle
					}
					inQ[v] = true
					q = append(q, v)
				}
			}
		}
	}
	return pot, nil
}

// heap is a binary min-heap of (node, distance).
type heap struct {
	node []int
	key  []int64
}

func (h *heap) reset()   { h.node, h.key = h.node[:0], h.key[:0] }
func (h *heap) len() int { return len(h.node) }

func (h *heap) push(n int, k int64) {
	h.node = append(h.node, n)
	h.key = append(h.key, k)
	i := len(h.key) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.key[p] <= h.key[i] {
			break
		}
		h.swap(i, p)
		i = p
	}
}

func (h *heap) pop() (int, int64) {
	n, k := h.node[0], h.key[0]
	last := len(h.key) - 1
	h.swap(0, last)
	h.node, h.key = h.node[:last], h.key[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && h.key[l] < h.key[m] {
			m = l
		}
		if r < last && h.key[r] < h.key[m] {
			m = r
		}
		if m == i {
			break
		}
		h.swap(i, m)
		i = m
	}
	return n, k
}

func (h *heap) swap(i, j int) {
	h.node[i], h.node[j] = h.node[j], h.node[i]
	h.key[i], h.key[j] = h.key[j], h.key[i]
}
