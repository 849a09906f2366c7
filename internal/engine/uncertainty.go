package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
)

// UncertaintySpec declares the uncertain inputs of an index and what to track.
type UncertaintySpec struct {
	Inputs []UncertainInput `json:"inputs"`
	// Target is the node ranked (default: the framework's root).
	Target string `json:"target,omitempty"`
	// Nodes get score quantiles besides the target (default: the target's children).
	Nodes []string `json:"nodes,omitempty"`
}

// UncertainInput is one uncertain assumption. Param names what varies:
//   - a path into the method by its JSON names ("treat.winmax", "normalise",
//     "aggregate", "impute", "aggregate_levels.4", "weights.CO2", "screen.threshold", ...),
//     varied over Values (a discrete list of JSON values set at the path) or Range
//     ([low, high], sampled uniformly; Integer for whole numbers);
//   - "weights" with Noise: every weight w of the named levels or nodes becomes
//     w + w·factor·(2u−1), u ~ U(0,1) (COINr's noisy weights);
//   - "exclude" with Indicators: leave out none or one of these indicators;
//   - "sampling" with Sampling: values that are estimates (a residents'
//     survey's scores) are drawn, per replication, from their sampling
//     distributions: value + SE·z, z ~ N(0, 1), each (unit, indicator) its
//     own draw, clamped to Bounds when given. The draws of a replication
//     come from a stream seeded by the run's seed and the replication's
//     point, so a run is reproducible and any split of it draws the same.
type UncertainInput struct {
	Name       string            `json:"name"`
	Param      string            `json:"param"`
	Values     []json.RawMessage `json:"values,omitempty"`
	Range      []float64         `json:"range,omitempty"`
	Integer    bool              `json:"integer,omitempty"`
	Noise      []WeightNoise     `json:"noise,omitempty"`
	Indicators []string          `json:"indicators,omitempty"`
	Sampling   []SamplingError   `json:"sampling,omitempty"`
	Bounds     []float64         `json:"bounds,omitempty"` // [low, high] the sampled values stay within
}

// SamplingError is the standard error of one unit's value of one indicator.
type SamplingError struct {
	Indicator string  `json:"indicator"`
	Unit      string  `json:"unit"`
	SE        float64 `json:"se"`
}

// samplingCell is a compiled SamplingError: the raw matrix's column and row.
type samplingCell struct {
	col, row int
	se       float64
}

// WeightNoise perturbs the weights of one level or one node's children.
type WeightNoise struct {
	Level  int     `json:"level,omitempty"`
	Node   string  `json:"node,omitempty"` // the children of this aggregate
	Factor float64 `json:"factor"`
}

// Analysis is a compiled uncertainty/sensitivity set-up over one index.
type Analysis struct {
	f       *Framework
	d       *Data
	base    Method
	inputs  []UncertainInput
	noisy   [][]int          // per input: node indices whose weight is perturbed (weights inputs)
	cells   [][]samplingCell // per input: the values drawn (sampling inputs)
	factor  [][]float64
	leaves  [][]reflect.Value // per input: the decoded value of each discrete alternative
	stage   []int             // per input: the first pipeline stage it changes
	target  string
	nodes   []string // target first
	nominal *Result
	// Workers is the number of goroutines (0: all cores). Results do not depend on it.
	Workers int
	// Progress, when set, receives replications done of total while RunUA,
	// RunUAPart or RunSA runs: from one goroutine (never a worker), at most
	// every 250 ms while the count moves, and last with total, total once
	// every replication ran. A slow Progress does not slow the workers.
	Progress func(done, total int)

	hooks runHooks // tests only
}

func (a *Analysis) replayOptions() replayOptions {
	return replayOptions{workers: a.Workers, progress: a.Progress, runHooks: a.hooks}
}

// NewAnalysis checks every uncertain input against the framework and method
// (unknown nodes or parameters, empty lists, bad ranges) and builds the nominal index.
func NewAnalysis(ctx context.Context, f *Framework, d *Data, base Method, spec UncertaintySpec) (*Analysis, error) {
	if len(spec.Inputs) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: no uncertain inputs declared")
	}
	nominal, err := Build(ctx, f, d, base)
	if err != nil {
		return nil, err
	}
	a := &Analysis{f: f, d: d, base: base, inputs: append([]UncertainInput(nil), spec.Inputs...), nominal: nominal,
		noisy: make([][]int, len(spec.Inputs)), factor: make([][]float64, len(spec.Inputs)), cells: make([][]samplingCell, len(spec.Inputs)),
		leaves: make([][]reflect.Value, len(spec.Inputs)), stage: make([]int, len(spec.Inputs))}
	a.target = spec.Target
	if a.target == "" {
		roots := f.Roots()
		if len(roots) != 1 {
			return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: the framework has %d roots (%s): name the target", len(roots), strings.Join(roots, ", "))
		}
		a.target = roots[0]
	}
	if _, ok := f.index[a.target]; !ok {
		return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: target %q is not in the framework", a.target)
	}
	a.nodes = []string{a.target}
	extra := spec.Nodes
	if extra == nil {
		extra = f.Children(a.target)
	}
	for _, c := range extra {
		if _, ok := f.index[c]; !ok {
			return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: node %q is not in the framework", c)
		}
		if c != a.target {
			a.nodes = append(a.nodes, c)
		}
	}
	seen := map[string]bool{}
	for k, in := range spec.Inputs {
		name := in.Name
		if name == "" {
			name = in.Param
			a.inputs[k].Name = name
		}
		bad := func(format string, args ...any) error {
			return citylens.Errorf(citylens.EINVALID, "uncertainty: input %q: "+format, append([]any{name}, args...)...)
		}
		if seen[name] {
			return nil, bad("declared twice")
		}
		seen[name] = true
		switch {
		case in.Param == "weights" && len(in.Noise) > 0:
			for _, nz := range in.Noise {
				if !(nz.Factor > 0) || nz.Factor >= 1 {
					return nil, bad("noise factor must be above 0 and below 1, got %v", nz.Factor)
				}
				var hit []int
				switch {
				case nz.Node != "":
					p, ok := f.index[nz.Node]
					if !ok || f.nodes[p].Kind != Aggregate {
						return nil, bad("noise node %q is not an aggregate of the framework", nz.Node)
					}
					hit = f.children[p]
				case nz.Level >= 1 && nz.Level <= f.maxLevel:
					for i := range f.nodes {
						if f.level[i] == nz.Level {
							hit = append(hit, i)
						}
					}
				default:
					return nil, bad("noise level %d is not a level of the framework (1 to %d)", nz.Level, f.maxLevel)
				}
				for _, i := range hit {
					a.noisy[k] = append(a.noisy[k], i)
					a.factor[k] = append(a.factor[k], nz.Factor)
				}
			}
		case in.Param == "sampling":
			if len(in.Sampling) == 0 {
				return nil, bad("sampling needs the standard errors of the values drawn")
			}
			if len(in.Bounds) != 0 && (len(in.Bounds) != 2 || !(in.Bounds[1] > in.Bounds[0])) {
				return nil, bad("bounds must be [low, high] with high above low")
			}
			cols := map[string]int{}
			for j, c := range f.Indicators() {
				cols[c] = j
			}
			rows := map[string]int{}
			for i, u := range d.Units {
				rows[u] = i
			}
			seenCell := map[[2]int]bool{}
			for _, se := range in.Sampling {
				j, ok := cols[se.Indicator]
				if !ok {
					return nil, bad("%q is not an indicator of the framework", se.Indicator)
				}
				i, ok := rows[se.Unit]
				if !ok {
					return nil, bad("unit %q is not in the data", se.Unit)
				}
				if !(se.SE >= 0) || math.IsInf(se.SE, 0) {
					return nil, bad("the standard error of %s, %s must be a number of 0 or more", se.Unit, se.Indicator)
				}
				if seenCell[[2]int{i, j}] {
					return nil, bad("%s, %s given twice", se.Unit, se.Indicator)
				}
				seenCell[[2]int{i, j}] = true
				a.cells[k] = append(a.cells[k], samplingCell{col: j, row: i, se: se.SE})
			}
		case in.Param == "exclude":
			if len(in.Indicators) == 0 {
				return nil, bad("exclude needs a list of indicators")
			}
			for _, c := range in.Indicators {
				if n, ok := f.Node(c); !ok || n.Kind != Indicator {
					return nil, bad("%q is not an indicator of the framework", c)
				}
			}
		case len(in.Values) > 0 && len(in.Range) > 0:
			return nil, bad("give either values or a range, not both")
		case len(in.Values) > 0:
			for v := range in.Values {
				m := base
				leaf, err := setMethodLeaf(&m, in.Param, jsonLeaf(in.Param, in.Values[v]))
				if err != nil {
					return nil, bad("value %d: %v", v+1, err)
				}
				a.leaves[k] = append(a.leaves[k], leaf)
				if err := m.Validate(f, d); err != nil {
					return nil, bad("value %d: %s", v+1, citylens.ErrorMessage(err))
				}
			}
		case len(in.Range) > 0:
			if len(in.Range) != 2 || !(in.Range[1] > in.Range[0]) || math.IsInf(in.Range[0], 0) || math.IsInf(in.Range[1], 0) {
				return nil, bad("range must be [low, high] with high above low")
			}
			for _, v := range in.Range {
				m := base
				if _, err := setMethodLeaf(&m, in.Param, numberLeaf(in.Param, v)); err != nil {
					return nil, bad("%v", err)
				}
				if err := m.Validate(f, d); err != nil {
					return nil, bad("range end %v: %s", v, citylens.ErrorMessage(err))
				}
			}
		case in.Values != nil:
			return nil, bad("the list of alternatives is empty")
		default:
			return nil, bad("needs values, a range, noise (param weights) or indicators (param exclude)")
		}
		a.stage[k] = stageOf(in.Param)
		if in.Param == "sampling" {
			a.stage[k] = stagePre
		}
	}
	return a, nil
}

// Pipeline stages an input can change first; replications that agree on the
// inputs of the earlier stages share those stages' results.
const (
	stagePre = iota // denominate, impute, screen
	stageTreat
	stageNorm
	stageAggPlan // aggregation methods
	stageRep     // weights, exclusions: per replication only
)

func stageOf(param string) int {
	switch strings.SplitN(param, ".", 2)[0] {
	case "denominate", "impute", "screen":
		return stagePre
	case "treat":
		return stageTreat
	case "normalise", "normalise_indicators":
		return stageNorm
	case "aggregate", "aggregate_levels", "aggregate_nodes":
		return stageAggPlan
	}
	return stageRep
}

// Dim is the number of uncertain inputs.
func (a *Analysis) Dim() int { return len(a.inputs) }

// Inputs returns the names of the uncertain inputs.
func (a *Analysis) Inputs() []string {
	out := make([]string, len(a.inputs))
	for k, in := range a.inputs {
		out[k] = in.Name
	}
	return out
}

// Nominal is the index built with the base method.
func (a *Analysis) Nominal() *Result { return a.nominal }

// Target is the node whose ranks are analysed.
func (a *Analysis) Target() string { return a.target }

// replication maps a point u of [0,1)^d to a replication. wseed seeds the
// weight noise, drawn from its own stream so the other inputs do not shift it.
func (a *Analysis) replication(u []float64, wseed [2]uint64) (Replication, error) {
	rep := Replication{Method: a.base}
	var parts [stageRep][]byte
	for k, in := range a.inputs {
		switch {
		case in.Param == "weights" && len(in.Noise) > 0:
			continue // after the other inputs, which may set weights too
		case in.Param == "sampling":
			// u picks one draw of every value: a stream seeded by u's bits,
			// apart from the weight noise's.
			rng := rand.New(rand.NewPCG(wseed[0]^math.Float64bits(u[k]), ^(wseed[1] + uint64(k))))
			for _, c := range a.cells[k] {
				rep.Shifts = append(rep.Shifts, DataShift{Col: c.col, Row: c.row, Delta: c.se * rng.NormFloat64(), Bounds: in.Bounds})
			}
			// Every draw is its own data set: no prefix is shared.
			parts[stagePre] = append(strconv.AppendUint(append(strconv.AppendInt(parts[stagePre], int64(k), 10), '~'), math.Float64bits(u[k]), 16), ';')
		case in.Param == "exclude":
			pick := pickIndex(u[k], len(in.Indicators)+1)
			if pick > 0 {
				rep.Exclude = append(rep.Exclude, in.Indicators[pick-1])
			}
		case len(in.Values) > 0:
			pick := pickIndex(u[k], len(in.Values))
			leaf := a.leaves[k][pick]
			if _, err := setMethodLeaf(&rep.Method, in.Param, func(reflect.Type) (reflect.Value, error) { return leaf, nil }); err != nil {
				return rep, err
			}
			if s := a.stage[k]; s < stageRep {
				parts[s] = append(strconv.AppendInt(append(strconv.AppendInt(parts[s], int64(k), 10), ':'), int64(pick), 10), ';')
			}
		default:
			lo, hi := in.Range[0], in.Range[1]
			v := lo + u[k]*(hi-lo)
			if in.Integer {
				v = math.Min(math.Floor(math.Ceil(lo)+u[k]*(math.Floor(hi)-math.Ceil(lo)+1)), math.Floor(hi))
			}
			if _, err := setMethodLeaf(&rep.Method, in.Param, numberLeaf(in.Param, v)); err != nil {
				return rep, err
			}
			if s := a.stage[k]; s < stageRep {
				parts[s] = append(strconv.AppendFloat(append(strconv.AppendInt(parts[s], int64(k), 10), ':'), v, 'g', -1, 64), ';')
			}
		}
	}
	// Noisy weights start from the weights the other inputs left.
	for k, in := range a.inputs {
		if in.Param != "weights" || len(in.Noise) == 0 {
			continue
		}
		if rep.Weights == nil {
			rep.Weights = nodeWeights(a.f, rep.Method.Weights)
		}
		// u picks one noisy weight set: a stream seeded by u's bits.
		rng := rand.New(rand.NewPCG(wseed[0]^math.Float64bits(u[k]), wseed[1]+uint64(k)))
		for j, i := range a.noisy[k] {
			w := rep.Weights[i]
			rep.Weights[i] = w + w*a.factor[k][j]*(2*rng.Float64()-1)
		}
	}
	pre := string(parts[stagePre])
	treat := pre + "|" + string(parts[stageTreat])
	rep.keys = &stageKeys{pre: pre, treat: treat, norm: treat + "|" + string(parts[stageNorm]), agg: string(parts[stageAggPlan])}
	return rep, nil
}

func pickIndex(u float64, k int) int {
	return min(int(u*float64(k)), k-1)
}

// uaPoint is replication r's point: its own stream, so any split of the
// replications over cores or servers draws the same points.
func uaPoint(seed uint64, r int, d int) []float64 {
	rng := rand.New(rand.NewPCG(seed, uint64(r)+1))
	u := make([]float64, d)
	for k := range u {
		u[k] = rng.Float64()
	}
	return u
}

// UAReplications returns replications [from, to) of an uncertainty analysis with this seed.
func (a *Analysis) UAReplications(seed uint64, from, to int) ([]Replication, error) {
	reps := make([]Replication, to-from)
	ws := weightSeed(seed)
	errs := make([]error, to-from)
	err := parallelFor(to-from, a.Workers, "uncertainty sampling worker", func(lo, hi int) {
		for i := lo; i < hi; i++ {
			reps[i], errs[i] = a.replication(uaPoint(seed, from+i, a.Dim()), ws)
		}
	})
	if err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return reps, nil
}

// RunUAPart runs replications [from, to) of an N-replication uncertainty
// analysis. Parts run anywhere (another core, another server) and MergeUA
// joins them into the same result as one run.
func (a *Analysis) RunUAPart(ctx context.Context, seed uint64, from, to int) (*ReplicaOutput, error) {
	if from < 0 || to <= from {
		return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: empty replication range [%d, %d)", from, to)
	}
	reps, err := a.UAReplications(seed, from, to)
	if err != nil {
		return nil, err
	}
	return runReplications(ctx, a.f, a.d, reps, from, a.nodes, a.replayOptions())
}

// RunUA runs an uncertainty analysis of n replications.
func (a *Analysis) RunUA(ctx context.Context, n int, seed uint64) (*UAResult, error) {
	if n < 2 {
		return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: N must be at least 2, got %d", n)
	}
	part, err := a.RunUAPart(ctx, seed, 0, n)
	if err != nil {
		return nil, err
	}
	return a.MergeUA(part)
}

// MergeUA joins the parts of an analysis (in any order; they must cover
// 0..N-1 without gaps or overlaps) and summarises them.
func (a *Analysis) MergeUA(parts ...*ReplicaOutput) (*UAResult, error) {
	return summarise(a.nominal, a.target, a.nodes, parts, a.Workers)
}

// Replay runs exactly the given replications (e.g. another tool's sampled
// parameters) and summarises them against the nominal method.
func Replay(ctx context.Context, f *Framework, d *Data, nominal Method, reps []Replication, nodes []string, workers int) (*UAResult, error) {
	if len(reps) < 2 {
		return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: N must be at least 2, got %d", len(reps))
	}
	if len(nodes) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: name the node to rank")
	}
	nom, err := Build(ctx, f, d, nominal)
	if err != nil {
		return nil, err
	}
	out, err := runReplications(ctx, f, d, reps, 0, nodes, replayOptions{workers: workers})
	if err != nil {
		return nil, err
	}
	return summarise(nom, nodes[0], nodes, []*ReplicaOutput{out}, workers)
}

// UnitUncertainty is one unit's rank under uncertainty.
type UnitUncertainty struct {
	Unit         string
	NominalRank  int     // 0 when not ranked in the nominal index
	NominalScore float64 // NA when not ranked
	Ranked       int     // replications in which the unit was ranked
	MeanRank     float64
	MedianRank   float64
	Q5, Q95      float64 // 5th and 95th percentile ranks (R's quantile type 7)
	MeanAbsShift float64 // mean |rank − nominal rank|
	// TieGroup numbers groups of consecutive units (in nominal rank order)
	// whose 5–95 % rank intervals share a rank; 0 when not ranked.
	TieGroup int
}

// NodeQuantiles are one unit's score quantiles for one node.
type NodeQuantiles struct {
	Unit, Node      string
	Nominal, Mean   float64
	Q5, Median, Q95 float64
}

// UAResult is the summary of an uncertainty analysis.
type UAResult struct {
	N      int
	Failed int
	// Failures counts failed replications by reason, most frequent first.
	Failures []FailureCount
	Target   string
	Units    []UnitUncertainty // data order
	Scores   []NodeQuantiles   // unit-major, nodes in tracked order
	// MeanAbsShift[r] is replication r's mean absolute rank shift over the units
	// ranked in both it and the nominal index (NA for a failed replication).
	MeanAbsShift []float64
	// Output holds every replication's tracked scores and ranks.
	Output *ReplicaOutput
}

// FailureCount is how many replications failed for one reason.
type FailureCount struct {
	Reason string
	Count  int
}

func summarise(nom *Result, target string, nodes []string, parts []*ReplicaOutput, workers int) (*UAResult, error) {
	if len(parts) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: no replications to merge")
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].From < parts[j].From })
	all := &ReplicaOutput{Units: parts[0].Units, Nodes: parts[0].Nodes, NodeScores: make([][][]float32, len(parts[0].NodeScores))}
	next := 0
	for _, p := range parts {
		if p.From != next {
			return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: parts do not join: expected replication %d, part starts at %d", next, p.From)
		}
		if len(p.Nodes) != len(all.Nodes) || len(p.Units) != len(all.Units) {
			return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: parts track different nodes or units")
		}
		next += len(p.Failed)
		all.Failed = append(all.Failed, p.Failed...)
		all.Ranks = append(all.Ranks, p.Ranks...)
		all.Scores = append(all.Scores, p.Scores...)
		for k := range all.NodeScores {
			all.NodeScores[k] = append(all.NodeScores[k], p.NodeScores[k]...)
		}
	}
	n := len(all.Failed)
	res := &UAResult{N: n, Target: target, Output: all, MeanAbsShift: make([]float64, n)}
	reasons := map[string]int{}
	for _, f := range all.Failed {
		if f != "" {
			res.Failed++
			reasons[f]++
		}
	}
	for r, c := range reasons {
		res.Failures = append(res.Failures, FailureCount{r, c})
	}
	sort.Slice(res.Failures, func(i, j int) bool {
		if res.Failures[i].Count != res.Failures[j].Count {
			return res.Failures[i].Count > res.Failures[j].Count
		}
		return res.Failures[i].Reason < res.Failures[j].Reason
	})
	// Nominal ranks and scores, by data unit.
	nu := len(all.Units)
	nomRank := make([]int, nu)
	nomScore := make([][]float64, len(nodes))
	row := map[string]int{}
	for i, u := range nom.Aggregated.Units {
		row[u] = i
	}
	tcol, _ := nom.Ranks.Col(target)
	for k, code := range nodes {
		nomScore[k] = make([]float64, nu)
		col, _ := nom.Aggregated.Col(code)
		for u, code := range all.Units {
			nomScore[k][u] = NA
			if i, ok := row[code]; ok {
				nomScore[k][u] = col[i]
				if k == 0 && !IsNA(tcol[i]) {
					nomRank[u] = int(tcol[i])
				}
			}
		}
	}
	for r := 0; r < n; r++ {
		if all.Failed[r] != "" {
			res.MeanAbsShift[r] = NA
			continue
		}
		var s float64
		cnt := 0
		for u, rk := range all.Ranks[r] {
			if rk > 0 && nomRank[u] > 0 {
				s += math.Abs(float64(int(rk) - nomRank[u]))
				cnt++
			}
		}
		res.MeanAbsShift[r] = NA
		if cnt > 0 {
			res.MeanAbsShift[r] = s / float64(cnt)
		}
	}
	res.Units = make([]UnitUncertainty, nu)
	res.Scores = make([]NodeQuantiles, nu*len(nodes))
	err := parallelFor(nu, workers, "uncertainty summary worker", func(lo, hi int) {
		buf := make([]float64, 0, n)
		counts := make([]int, nu+2)
		for u := lo; u < hi; u++ {
			code := all.Units[u]
			uu := UnitUncertainty{Unit: code, NominalRank: nomRank[u], NominalScore: nomScore[0][u]}
			clear(counts)
			var rankSum, shift float64
			for r := 0; r < n; r++ {
				if rk := int(all.Ranks[r][u]); rk > 0 && all.Failed[r] == "" {
					counts[min(rk, nu+1)]++
					uu.Ranked++
					rankSum += float64(rk)
					if nomRank[u] > 0 {
						shift += math.Abs(float64(rk - nomRank[u]))
					}
				}
			}
			uu.MeanRank, uu.MedianRank, uu.Q5, uu.Q95, uu.MeanAbsShift = NA, NA, NA, NA, NA
			if uu.Ranked > 0 {
				uu.MeanRank = rankSum / float64(uu.Ranked)
				uu.Q5 = countQuantile7(counts, uu.Ranked, 0.05)
				uu.MedianRank = countQuantile7(counts, uu.Ranked, 0.5)
				uu.Q95 = countQuantile7(counts, uu.Ranked, 0.95)
				if nomRank[u] > 0 {
					uu.MeanAbsShift = shift / float64(uu.Ranked)
				}
			}
			res.Units[u] = uu
			for k, node := range nodes {
				q := NodeQuantiles{Unit: code, Node: node, Nominal: nomScore[k][u]}
				buf = buf[:0]
				for r := 0; r < n; r++ {
					if v := all.Score(k, r, u); !IsNA(v) {
						buf = append(buf, v)
					}
				}
				q.Mean, q.Q5, q.Median, q.Q95 = NA, NA, NA, NA
				if len(buf) > 0 {
					q.Mean = sum(buf) / float64(len(buf))
					q.Q5, q.Median, q.Q95 = selectQuantile7(buf, 0.05), selectQuantile7(buf, 0.5), selectQuantile7(buf, 0.95)
				}
				res.Scores[u*len(nodes)+k] = q
			}
		}
	})
	if err != nil {
		return nil, err
	}
	tieGroups(res.Units)
	return res, nil
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}

// tieGroups groups units, in nominal rank order, into runs whose 5–95 %
// rank intervals all share at least one rank: within a group no unit is
// statistically ahead of another.
func tieGroups(units []UnitUncertainty) {
	var idx []int
	for i, u := range units {
		if u.NominalRank > 0 && !IsNA(u.Q5) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return units[idx[a]].NominalRank < units[idx[b]].NominalRank })
	g := 0
	lo, hi := math.Inf(1), math.Inf(-1) // the ranks every member's interval covers
	for _, i := range idx {
		nlo, nhi := math.Max(lo, units[i].Q5), math.Min(hi, units[i].Q95)
		if g == 0 || nlo > nhi {
			g++
			nlo, nhi = units[i].Q5, units[i].Q95
		}
		lo, hi = nlo, nhi
		units[i].TieGroup = g
	}
}

// leafFunc makes the new value of the setting at a path, given its type.
type leafFunc func(t reflect.Type) (reflect.Value, error)

func jsonLeaf(path string, raw json.RawMessage) leafFunc {
	return func(t reflect.Type) (reflect.Value, error) {
		nv := reflect.New(t)
		if err := json.Unmarshal(raw, nv.Interface()); err != nil {
			return reflect.Value{}, fmt.Errorf("parameter %q: %s does not fit: %v", path, raw, err)
		}
		return nv.Elem(), nil
	}
}

// numberLeaf sets a numeric setting without going through JSON.
func numberLeaf(path string, x float64) leafFunc {
	return func(t reflect.Type) (reflect.Value, error) {
		v := reflect.New(t).Elem()
		switch t.Kind() {
		case reflect.Float64, reflect.Float32:
			v.SetFloat(x)
		case reflect.Int, reflect.Int64, reflect.Int32:
			if x != math.Trunc(x) {
				return v, fmt.Errorf("parameter %q: %v is not a whole number", path, x)
			}
			v.SetInt(int64(x))
		default:
			return v, fmt.Errorf("parameter %q is not a number", path)
		}
		return v, nil
	}
}

// setMethodLeaf sets the setting at path and returns the value it set.
func setMethodLeaf(m *Method, path string, leaf leafFunc) (reflect.Value, error) {
	if path == "" {
		return reflect.Value{}, fmt.Errorf("empty parameter path")
	}
	var set reflect.Value
	capture := func(t reflect.Type) (reflect.Value, error) {
		v, err := leaf(t)
		set = v
		return v, err
	}
	v, err := setPath(reflect.ValueOf(*m), strings.Split(path, "."), capture, path)
	if err != nil {
		return reflect.Value{}, err
	}
	*m = v.Interface().(Method)
	return set, nil
}

func setPath(v reflect.Value, segs []string, leaf leafFunc, path string) (reflect.Value, error) {
	if len(segs) == 0 {
		nv, err := leaf(v.Type())
		if err != nil {
			return v, err
		}
		return nv, nil
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if strings.Split(t.Field(i).Tag.Get("json"), ",")[0] != segs[0] {
				continue
			}
			out := reflect.New(t).Elem()
			out.Set(v)
			nf, err := setPath(out.Field(i), segs[1:], leaf, path)
			if err != nil {
				return v, err
			}
			out.Field(i).Set(nf)
			return out, nil
		}
		return v, fmt.Errorf("parameter %q: %q is not a method setting", path, segs[0])
	case reflect.Map:
		key := reflect.New(v.Type().Key()).Elem()
		switch key.Kind() {
		case reflect.Int:
			n, err := strconv.Atoi(segs[0])
			if err != nil {
				return v, fmt.Errorf("parameter %q: %q is not a level number", path, segs[0])
			}
			key.SetInt(int64(n))
		case reflect.String:
			key.SetString(segs[0])
		}
		nm := reflect.MakeMapWithSize(v.Type(), v.Len()+1)
		it := v.MapRange()
		for it.Next() {
			nm.SetMapIndex(it.Key(), it.Value())
		}
		cur := v.MapIndex(key)
		if !cur.IsValid() {
			cur = reflect.Zero(v.Type().Elem())
		}
		nv, err := setPath(cur, segs[1:], leaf, path)
		if err != nil {
			return v, err
		}
		nm.SetMapIndex(key, nv)
		return nm, nil
	}
	return v, fmt.Errorf("parameter %q: %q is a value, not a group of settings", path, segs[0])
}

// countQuantile7 is R's type-7 quantile of n integer values given as counts
// per value (counts[v] values equal to v).
func countQuantile7(counts []int, n int, p float64) float64 {
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	at := func(i int) float64 { // the i-th smallest value, 0-based
		c := 0
		for v, k := range counts {
			c += k
			if c > i {
				return float64(v)
			}
		}
		return float64(len(counts) - 1)
	}
	x := at(lo)
	if lo+1 >= n {
		return x
	}
	return x + (h-float64(lo))*(at(lo+1)-x)
}

// selectQuantile7 is R's type-7 quantile by selection (reorders buf).
func selectQuantile7(buf []float64, p float64) float64 {
	n := len(buf)
	h := float64(n-1) * p
	lo := int(math.Floor(h))
	x := nthSmallest(buf, lo)
	if lo+1 >= n {
		return x
	}
	next := math.Inf(1)
	for _, v := range buf[lo+1:] {
		if v < next {
			next = v
		}
	}
	return x + (h-float64(lo))*(next-x)
}

// nthSmallest partially sorts buf so that buf[k] is its k-th smallest value
// (0-based), smaller values before it and larger after (quickselect).
func nthSmallest(buf []float64, k int) float64 {
	lo, hi := 0, len(buf)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three as pivot.
		if buf[mid] < buf[lo] {
			buf[mid], buf[lo] = buf[lo], buf[mid]
		}
		if buf[hi] < buf[lo] {
			buf[hi], buf[lo] = buf[lo], buf[hi]
		}
		if buf[hi] < buf[mid] {
			buf[hi], buf[mid] = buf[mid], buf[hi]
		}
		pivot := buf[mid]
		i, j := lo, hi
		for i <= j {
			for buf[i] < pivot {
				i++
			}
			for buf[j] > pivot {
				j--
			}
			if i <= j {
				buf[i], buf[j] = buf[j], buf[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return buf[k]
		}
	}
	return buf[k]
}
