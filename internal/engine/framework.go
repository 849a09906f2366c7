// Package engine is CityLens's composite-indicator mathematics: the OECD/JRC
// Handbook pipeline as COINr implements it (denominate, impute, screen, treat,
// normalise, aggregate, rank), the statistical audit and the uncertainty and
// sensitivity analyses. It is pure: no I/O, no database, no HTTP.
package engine

import (
	"math"
	"sort"
	"strings"

	"github.com/citylens/citylens"
)

// Kind tells indicators (leaves, holding data) from aggregates (computed).
type Kind int

const (
	Indicator Kind = iota + 1
	Aggregate
)

func (k Kind) String() string {
	switch k {
	case Indicator:
		return "Indicator"
	case Aggregate:
		return "Aggregate"
	}
	return "Unknown"
}

// Goalposts bound an indicator for goalpost normalisation, in the indicator's
// own units: Low scores 0 and High scores 1 for a direction +1 indicator, the
// reverse for direction -1.
type Goalposts struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Node is one element of a framework: an indicator or an aggregate.
type Node struct {
	Code   string  `json:"code"`
	Name   string  `json:"name,omitempty"`
	Parent string  `json:"parent,omitempty"` // empty for a root
	Kind   Kind    `json:"kind"`
	Weight float64 `json:"weight"` // relative to its siblings

	// Indicators only.
	Direction   int        `json:"direction,omitempty"` // +1 higher is better, -1 lower is better
	Unit        string     `json:"unit,omitempty"`
	Denominator string     `json:"denominator,omitempty"` // data column to divide by when denominating
	Target      *float64   `json:"target,omitempty"`
	Goalposts   *Goalposts `json:"goalposts,omitempty"`
}

// Framework is a validated tree of indicators and aggregates of any depth.
type Framework struct {
	nodes    []Node
	index    map[string]int
	children [][]int
	level    []int
	inds     []int // indicator node indices, in the order given
	aggs     []int // aggregate node indices, bottom-up (by level, then order given)
	maxLevel int
}

// NewFramework validates nodes and builds the tree. Every error names the code at fault.
func NewFramework(nodes []Node) (*Framework, error) {
	if len(nodes) == 0 {
		return nil, citylens.Ef(citylens.EINVALID, "engine.framework.empty", "framework: no nodes: a framework needs at least one indicator")
	}
	f := &Framework{nodes: append([]Node(nil), nodes...), index: make(map[string]int, len(nodes))}
	for i, n := range f.nodes {
		code := strings.TrimSpace(n.Code)
		if code == "" {
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.empty_code", "framework: node %d has an empty code", i+1)
		}
		if _, dup := f.index[code]; dup {
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.code_twice", "framework: code %q appears twice", code)
		}
		f.nodes[i].Code = code
		f.index[code] = i
		if n.Kind != Indicator && n.Kind != Aggregate {
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.kind", "framework: node %q: kind must be Indicator or Aggregate", code)
		}
		if !(n.Weight > 0) || math.IsInf(n.Weight, 0) {
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.weight", "framework: node %q: weight must be a positive number, got %v", code, n.Weight)
		}
		if n.Kind == Indicator {
			switch n.Direction {
			case 1, -1:
			case 0:
				f.nodes[i].Direction = 1
			default:
				return nil, citylens.Ef(citylens.EINVALID, "engine.framework.direction", "framework: indicator %q: direction must be 1 or -1, got %d", code, n.Direction)
			}
			if g := n.Goalposts; g != nil && !(g.High != g.Low) {
				return nil, citylens.Ef(citylens.EINVALID, "engine.framework.goalposts", "framework: indicator %q: goalposts low and high are equal", code)
			}
		}
	}
	f.children = make([][]int, len(f.nodes))
	for i, n := range f.nodes {
		if n.Parent == "" {
			continue
		}
		p, ok := f.index[n.Parent]
		if !ok {
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.unknown_parent", "framework: node %q: parent %q is not in the framework", n.Code, n.Parent)
		}
		if f.nodes[p].Kind != Aggregate {
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.indicator_parent", "framework: node %q: parent %q is an indicator; only aggregates have children", n.Code, n.Parent)
		}
		f.children[p] = append(f.children[p], i)
	}
	// Cycles: walk up from every node; a walk that comes back to its start
	// found a cycle. (A node below a cycle walks into it without returning: the
	// cycle's own members report it, so the message names the right codes.)
	for i := range f.nodes {
		steps, j := 0, i
		path := []string{f.nodes[i].Code}
		for f.nodes[j].Parent != "" && steps <= len(f.nodes) {
			j = f.index[f.nodes[j].Parent]
			steps++
			path = append(path, f.nodes[j].Code)
			if j == i {
				return nil, citylens.Ef(citylens.EINVALID, "engine.framework.cycle", "framework: node %q is part of a cycle of parents (%s)", f.nodes[i].Code, strings.Join(path, " -> "))
			}
		}
	}
	f.level = make([]int, len(f.nodes))
	var levelOf func(i int) int
	levelOf = func(i int) int {
		if f.level[i] > 0 {
			return f.level[i]
		}
		l := 1
		for _, c := range f.children[i] {
			if cl := levelOf(c) + 1; cl > l {
				l = cl
			}
		}
		f.level[i] = l
		return l
	}
	for i, n := range f.nodes {
		levelOf(i)
		if n.Kind == Indicator {
			f.inds = append(f.inds, i)
		} else {
			if len(f.children[i]) == 0 {
				return nil, citylens.Ef(citylens.EINVALID, "engine.framework.childless", "framework: aggregate %q has no children", n.Code)
			}
			f.aggs = append(f.aggs, i)
		}
		if f.level[i] > f.maxLevel {
			f.maxLevel = f.level[i]
		}
	}
	if len(f.inds) == 0 {
		return nil, citylens.Ef(citylens.EINVALID, "engine.framework.no_indicators", "framework: no indicators")
	}
	sort.SliceStable(f.aggs, func(a, b int) bool { return f.level[f.aggs[a]] < f.level[f.aggs[b]] })
	return f, nil
}

// Nodes returns the nodes in the order given.
func (f *Framework) Nodes() []Node { return f.nodes }

// Node returns the node with the given code.
func (f *Framework) Node(code string) (Node, bool) {
	i, ok := f.index[code]
	if !ok {
		return Node{}, false
	}
	return f.nodes[i], true
}

// Level returns the node's level: 1 for indicators, 1 + the highest child level for aggregates.
func (f *Framework) Level(code string) int {
	if i, ok := f.index[code]; ok {
		return f.level[i]
	}
	return 0
}

// MaxLevel is the level of the highest aggregate.
func (f *Framework) MaxLevel() int { return f.maxLevel }

// Indicators returns the indicator codes in the order given.
func (f *Framework) Indicators() []string { return f.codes(f.inds) }

// Aggregates returns the aggregate codes bottom-up.
func (f *Framework) Aggregates() []string { return f.codes(f.aggs) }

// Children returns the codes of a node's children.
func (f *Framework) Children(code string) []string {
	i, ok := f.index[code]
	if !ok {
		return nil
	}
	return f.codes(f.children[i])
}

// Roots returns the codes of nodes without a parent that are aggregates (the
// index, or several sub-indices), or, for a flat framework, its indicators.
func (f *Framework) Roots() []string {
	var out []string
	for _, i := range f.aggs {
		if f.nodes[i].Parent == "" {
			out = append(out, f.nodes[i].Code)
		}
	}
	if len(out) == 0 {
		for _, i := range f.inds {
			if f.nodes[i].Parent == "" {
				out = append(out, f.nodes[i].Code)
			}
		}
	}
	return out
}

// EffectiveWeights returns each node's share of its root: the product of its
// weight normalised among its siblings, up the tree. Overrides replace node weights.
func (f *Framework) EffectiveWeights(overrides map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(f.nodes))
	w := func(i int) float64 {
		if v, ok := overrides[f.nodes[i].Code]; ok {
			return v
		}
		return f.nodes[i].Weight
	}
	var walk func(i int, share float64)
	walk = func(i int, share float64) {
		out[f.nodes[i].Code] = share
		var sum float64
		for _, c := range f.children[i] {
			sum += w(c)
		}
		for _, c := range f.children[i] {
			walk(c, share*w(c)/sum)
		}
	}
	for i, n := range f.nodes {
		if n.Parent == "" {
			walk(i, 1)
		}
	}
	return out
}

func (f *Framework) codes(idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = f.nodes[i].Code
	}
	return out
}
