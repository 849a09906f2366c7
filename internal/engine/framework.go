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
// own units, as COINr's n_goalposts: Low < High are numeric bounds whatever
// the direction, and the direction says which end is good. Low scores 0 and
// High scores the scale for a direction +1 indicator; for direction -1, High
// scores 0 and Low the scale (an unemployment rate of 5 between 0 and 100
// scores 95 % of the scale).
type Goalposts struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Scale and Truncate, when set, replace the normalisation's scale and
	// truncation for this indicator (COINr's goalpost_scale and
	// goalpost_trunc2posts in the indicator table).
	Scale    float64 `json:"scale,omitempty"`
	Truncate *bool   `json:"truncate,omitempty"`
}

// Node is one element of a framework: an indicator or an aggregate.
type Node struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
	// NameKo is the node's Korean name (empty: none); shown on Korean pages,
	// never used by the computation. Empty, it is left out of the JSON, so
	// releases published before it keep their content hashes.
	NameKo string  `json:"name_ko,omitempty"`
	Parent string  `json:"parent,omitempty"` // empty for a root
	Kind   Kind    `json:"kind"`
	Weight float64 `json:"weight"` // relative to its siblings; 0 for an unscored indicator
	// Level, when set, is the level the framework declares for the node; it
	// must be above every child's level (indicators are at level 1). Unset,
	// the level is derived from the tree: 1 + the highest child level. A
	// node may hang under any higher level, so branches may differ in depth.
	Level int `json:"level,omitempty"`
	// Contextual marks an indicator that is carried through every step and
	// shown, but never scored (as weight 0).
	Contextual bool `json:"contextual,omitempty"`

	// Indicators only.
	Direction   int        `json:"direction,omitempty"` // +1 higher is better, -1 lower is better
	Unit        string     `json:"unit,omitempty"`
	UnitKo      string     `json:"unit_ko,omitempty"`     // the unit in Korean (empty: none)
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
		if n.Kind == Indicator && n.Weight == 0 {
			// An unscored indicator: carried and shown, never scored.
		} else if !(n.Weight > 0) || math.IsInf(n.Weight, 0) {
			if n.Kind == Indicator {
				return nil, citylens.Ef(citylens.EINVALID, "engine.framework.weight_indicator", "framework: indicator %q: weight must be a positive number, or 0 for an unscored indicator, got %v", code, n.Weight)
			}
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.weight", "framework: node %q: weight must be a positive number, got %v", code, n.Weight)
		}
		if n.Contextual && n.Kind != Indicator {
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.contextual", "framework: node %q: only indicators can be contextual", code)
		}
		if n.Level < 0 || (n.Kind == Indicator && n.Level > 1) {
			return nil, citylens.Ef(citylens.EINVALID, "engine.framework.indicator_level", "framework: node %q: level %d: indicators are at level 1 and aggregates above their children", code, n.Level)
		}
		if n.Kind == Indicator {
			switch n.Direction {
			case 1, -1:
			case 0:
				f.nodes[i].Direction = 1
			default:
				return nil, citylens.Ef(citylens.EINVALID, "engine.framework.direction", "framework: indicator %q: direction must be 1 or -1, got %d", code, n.Direction)
			}
			if g := n.Goalposts; g != nil {
				if math.IsNaN(g.Low) || math.IsNaN(g.High) || math.IsInf(g.Low, 0) || math.IsInf(g.High, 0) || math.IsNaN(g.Scale) || math.IsInf(g.Scale, 0) {
					return nil, citylens.Ef(citylens.EINVALID, "engine.framework.goalposts_number", "framework: indicator %q: goalposts must be finite numbers", code)
				}
				if !(g.Low < g.High) {
					return nil, citylens.Ef(citylens.EINVALID, "engine.framework.goalposts_order", "framework: indicator %q: goalposts low (%v) must be below high (%v): they are numeric bounds, and the direction says which end is good", code, g.Low, g.High)
				}
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
	var levelErr error
	var levelOf func(i int) int
	levelOf = func(i int) int {
		if f.level[i] > 0 {
			return f.level[i]
		}
		l, top := 1, -1
		for _, c := range f.children[i] {
			if cl := levelOf(c) + 1; cl > l {
				l, top = cl, c
			}
		}
		if d := f.nodes[i].Level; d > 0 {
			if d < l && levelErr == nil {
				levelErr = citylens.Ef(citylens.EINVALID, "engine.framework.level_below_child", "framework: node %q is declared at level %d, but its child %q is at level %d: a node must sit above its children", f.nodes[i].Code, d, f.nodes[top].Code, l-1)
			}
			l = max(l, d)
		}
		f.level[i] = l
		return l
	}
	for i, n := range f.nodes {
		levelOf(i)
		if levelErr != nil {
			return nil, levelErr
		}
		if n.Kind == Aggregate {
			scored := false
			for _, c := range f.children[i] {
				scored = scored || f.scored(c)
			}
			if len(f.children[i]) > 0 && !scored {
				return nil, citylens.Ef(citylens.EINVALID, "engine.framework.unscored_children", "framework: aggregate %q has no scored children: every child has weight 0 or is contextual", n.Code)
			}
		}
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

// scored reports whether node i counts in its parent's score.
func (f *Framework) scored(i int) bool {
	return f.nodes[i].Kind == Aggregate || (f.nodes[i].Weight > 0 && !f.nodes[i].Contextual)
}

// Scored reports whether the node counts in its parent's score: false for an
// indicator with weight 0 or marked contextual, which is carried through every
// step and shown but never scored.
func (f *Framework) Scored(code string) bool {
	i, ok := f.index[code]
	return ok && f.scored(i)
}

// ScoredChildren returns the codes of a node's children that count in its score.
func (f *Framework) ScoredChildren(code string) []string {
	i, ok := f.index[code]
	if !ok {
		return nil
	}
	var out []string
	for _, c := range f.children[i] {
		if f.scored(c) {
			out = append(out, f.nodes[c].Code)
		}
	}
	return out
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

// Level returns the node's level: 1 for indicators; for aggregates the level
// declared, or else 1 + the highest child level.
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
		if !f.scored(i) {
			return 0
		}
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
