package engine

import (
	"context"
	"encoding/json"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citylens/citylens"
)

// Replication is one rebuild of the index with its own method: the unit of
// uncertainty and sensitivity analysis. Weights, when set, gives every node's
// weight (framework order) and wins over Method.Weights; Exclude lists
// indicators left out of the aggregation (their parents renormalise over the rest).
type Replication struct {
	Method  Method
	Weights []float64
	Exclude []string
	// Shifts move raw values before the pipeline (sampling inputs).
	Shifts []DataShift
	keys   *stageKeys // set by an Analysis, which knows what each input changes
}

// DataShift adds Delta to the raw value of column Col (the framework's
// indicator order), row Row (data order), kept within Bounds when given; a
// missing value stays missing.
type DataShift struct {
	Col, Row int
	Delta    float64
	Bounds   []float64
}

// shifted is m with the shifts applied: the columns they touch copied,
// the others shared.
func shifted(m *Matrix, shifts []DataShift) *Matrix {
	if len(shifts) == 0 {
		return m
	}
	out := &Matrix{Units: m.Units, Codes: m.Codes, Cols: append([][]float64(nil), m.Cols...)}
	copied := map[int]bool{}
	for _, s := range shifts {
		if !copied[s.Col] {
			out.Cols[s.Col] = append([]float64(nil), m.Cols[s.Col]...)
			copied[s.Col] = true
		}
		v := out.Cols[s.Col][s.Row]
		if math.IsNaN(v) {
			continue
		}
		v += s.Delta
		if len(s.Bounds) == 2 {
			v = math.Max(s.Bounds[0], math.Min(s.Bounds[1], v))
		}
		out.Cols[s.Col][s.Row] = v
	}
	return out
}

// ReplicaOutput is what a set of replications produced for the nodes tracked
// (Nodes[0] is the target, ranked): Scores[r][u] is the target's score of unit
// u (data order) in replication r of the set, NodeScores[k-1][r][u] node k's
// score, kept in float32 to halve the memory of large analyses (quantiles
// of scores are shown to a few digits); NA when the unit was screened out, the
// score was missing, or the replication failed (Failed[r] then says why).
type ReplicaOutput struct {
	Units      []string
	Nodes      []string
	From       int // index of the first replication of this part in the whole run
	Scores     [][]float64
	NodeScores [][][]float32
	// Ranks[r][u] is unit u's rank on the target in replication r; 0 when not ranked.
	Ranks  [][]int32
	Failed []string // "" for a replication that succeeded
}

// Score returns node k's score of unit u in replication r.
func (o *ReplicaOutput) Score(k, r, u int) float64 {
	if k == 0 {
		return o.Scores[r][u]
	}
	return float64(o.NodeScores[k-1][r][u])
}

// replayOptions tune a run of replications.
type replayOptions struct {
	workers  int
	progress func(done, total int)
	runHooks
}

// runHooks are set by tests only: they inject a fault or speed up progress.
type runHooks struct {
	beforeRep     func(r int)   // called by a worker before replication r
	progressEvery time.Duration // 0: progressEvery
}

// stageKeys identify the pipeline prefix a replication shares with others,
// so each distinct prefix is computed once.
type stageKeys struct {
	pre   string // denominate + impute + screen
	treat string // ... + treat
	norm  string // ... + normalise
	agg   string // aggregation settings
}

func keysOf(m *Method) (stageKeys, error) {
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}
	var k stageKeys
	var err error
	if k.pre, err = enc(struct {
		D bool
		I Imputation
		S Screening
	}{m.Denominate, m.Impute, m.Screen}); err != nil {
		return k, err
	}
	t, err := enc(m.Treat)
	if err != nil {
		return k, err
	}
	k.treat = k.pre + "|" + t
	n, err := enc(struct {
		N  Normalisation
		NI map[string]Normalisation
	}{m.Normalise, m.NormaliseIndicators})
	if err != nil {
		return k, err
	}
	k.norm = k.treat + "|" + n
	k.agg, err = enc(struct {
		A  Aggregation
		AL map[int]Aggregation
		AN map[string]Aggregation
	}{m.Aggregate, m.AggregateLevels, m.AggregateNodes})
	return k, err
}

// prefix is the normalised data set shared by the replications of one group.
type prefix struct {
	once   sync.Once
	norm   *Matrix
	logs   [][]float64 // ln of norm, when a replication of the group uses a geometric mean
	rows   []int       // data unit index of each row of norm
	err    error
	remain atomic.Int32
}

// runReplications rebuilds the index for each replication, from the raw data,
// computing each distinct pipeline prefix once. Results do not depend on the
// number of workers: each replication writes only its own slots.
func runReplications(ctx context.Context, f *Framework, d *Data, reps []Replication, from int, nodes []string, opt replayOptions) (*ReplicaOutput, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	rawM, err := raw(f, d)
	if err != nil {
		return nil, err
	}
	nodeCol := make([]int, len(nodes))
	for k, code := range nodes {
		i, ok := f.index[code]
		if !ok {
			return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: node %q is not in the framework", code)
		}
		nodeCol[k] = i
	}
	if len(nodes) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "uncertainty: no node to track")
	}
	out := &ReplicaOutput{Units: d.Units, Nodes: nodes, From: from, Failed: make([]string, len(reps)),
		Scores: make([][]float64, len(reps)), NodeScores: make([][][]float32, len(nodes)-1), Ranks: make([][]int32, len(reps))}
	nu := len(d.Units)
	sbuf := make([]float64, len(reps)*nu)
	for r := range reps {
		out.Scores[r] = sbuf[r*nu : (r+1)*nu : (r+1)*nu]
	}
	for k := range out.NodeScores {
		out.NodeScores[k] = make([][]float32, len(reps))
		buf := make([]float32, len(reps)*nu)
		for r := range reps {
			out.NodeScores[k][r] = buf[r*nu : (r+1)*nu : (r+1)*nu]
		}
	}
	rbuf := make([]int32, len(reps)*nu)
	for r := range reps {
		out.Ranks[r] = rbuf[r*nu : (r+1)*nu : (r+1)*nu]
	}
	// Group replications by their normalised prefix, in a stable order.
	keys := make([]stageKeys, len(reps))
	groupOf := map[string]int{}
	var groups [][]int
	for r := range reps {
		if reps[r].keys != nil {
			keys[r] = *reps[r].keys
		} else if keys[r], err = keysOf(&reps[r].Method); err != nil {
			return nil, err
		} else if len(reps[r].Shifts) > 0 { // its own data: shares no prefix
			own := "|shift" + strconv.Itoa(r)
			keys[r].pre += own
			keys[r].treat += own
			keys[r].norm += own
		}
		g, ok := groupOf[keys[r].norm]
		if !ok {
			g = len(groups)
			groupOf[keys[r].norm] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], r)
	}
	order := make([]int, len(groups))
	for g := range order {
		order[g] = g
	}
	sort.SliceStable(order, func(a, b int) bool { return keys[groups[order[a]][0]].norm < keys[groups[order[b]][0]].norm })
	workers := opt.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Work items: chunks of a group, so one large group still spreads over workers.
	type item struct {
		g      int
		lo, hi int
	}
	chunk := max(1, len(reps)/(8*workers))
	var items []item
	prefixes := make([]*prefix, len(groups))
	for _, g := range order {
		p := &prefix{}
		prefixes[g] = p
		for lo := 0; lo < len(groups[g]); lo += chunk {
			items = append(items, item{g, lo, min(lo+chunk, len(groups[g]))})
			p.remain.Add(1)
		}
	}
	var next, done atomic.Int64
	var g group
	reporter := startProgress(&g, opt.progress, &done, len(reps), opt.progressEvery)
	for range workers {
		g.Go("replication worker", func() error {
			ws := newRepWorker(f, d, nodeCol, 0)
			for !g.Stopped() {
				k := int(next.Add(1)) - 1
				if k >= len(items) {
					return nil
				}
				if err := ctx.Err(); err != nil {
					return citylens.Errorf(citylens.ECANCELED, "replications cancelled: %v", err)
				}
				it := items[k]
				p := prefixes[it.g]
				first := groups[it.g][0]
				p.once.Do(func() {
					p.norm, p.rows, p.err = ws.prefix(shifted(rawM, reps[first].Shifts), &reps[first].Method, keys[first])
					if p.err == nil && groupUsesLog(reps, groups[it.g]) {
						p.logs, p.err = logColumns(p.norm)
					}
				})
				for _, r := range groups[it.g][it.lo:it.hi] {
					if opt.beforeRep != nil {
						opt.beforeRep(r)
					}
					if p.err != nil {
						out.Failed[r] = citylens.ErrorMessage(p.err)
						fillNA(out, r)
					} else if err := ws.finish(p.norm, p.logs, p.rows, &reps[r], keys[r].agg, out, r); err != nil {
						out.Failed[r] = citylens.ErrorMessage(err)
						fillNA(out, r)
					}
					done.Add(1)
				}
				if p.remain.Add(-1) == 0 {
					p.norm, p.logs = nil, nil // let the prefix go once its last chunk is done
				}
			}
			return nil
		})
	}
	g.Wait()
	reporter.finish(!g.Stopped())
	if g.err != nil { // a worker's, or the progress callback's
		return nil, g.err
	}
	return out, nil
}

func fillNA(out *ReplicaOutput, r int) {
	for u := range out.Scores[r] {
		out.Scores[r][u] = NA
	}
	for k := range out.NodeScores {
		s := out.NodeScores[k][r]
		for u := range s {
			s[u] = float32(NA)
		}
	}
	for u := range out.Ranks[r] {
		out.Ranks[r][u] = 0
	}
}

// repWorker holds one goroutine's scratch space and caches.
type repWorker struct {
	f       *Framework
	d       *Data
	nodeCol []int
	target  int // position in nodeCol of the ranked node
	plans   map[string]*aggPlan
	treated struct {
		key  string
		m    *Matrix
		rows []int
		err  error
	}
	agg     *Matrix
	aggPlan *aggPlan
	scratch aggScratch
	w       []float64
	rankBuf []float64
	idx     []int
}

func newRepWorker(f *Framework, d *Data, nodeCol []int, target int) *repWorker {
	return &repWorker{f: f, d: d, nodeCol: nodeCol, target: target, plans: map[string]*aggPlan{}, scratch: aggScratch{alias: true}}
}

// prefix computes the normalised data set of a method (denominate to normalise),
// reusing the treated data set of the previous group when only normalisation differs.
func (ws *repWorker) prefix(rawM *Matrix, m *Method, k stageKeys) (*Matrix, []int, error) {
	if err := m.Validate(ws.f, ws.d); err != nil {
		return nil, nil, err
	}
	if ws.treated.key != k.treat || (ws.treated.m == nil && ws.treated.err == nil) {
		ws.treated.key = k.treat
		ws.treated.m, ws.treated.rows, ws.treated.err = treatedOf(ws.f, ws.d, rawM, m)
	}
	if ws.treated.err != nil {
		return nil, nil, ws.treated.err
	}
	norm, err := normalise(ws.f, m, ws.treated.m)
	if err != nil {
		return nil, nil, err
	}
	if len(m.Impute.Nodes) > 0 || m.Impute.Stage == ImputeNormalised {
		specs := imputeSpecs(ws.f, &m.Impute, norm.Codes)
		if norm, _, err = impute(specs, ImputeNormalised, ws.d, norm, nil); err != nil {
			return nil, nil, err
		}
	}
	return norm, ws.treated.rows, err
}

func treatedOf(f *Framework, d *Data, rawM *Matrix, m *Method) (*Matrix, []int, error) {
	den := rawM
	if m.Denominate {
		var err error
		if den, _, err = denominate(f, d, rawM); err != nil {
			return nil, nil, err
		}
	}
	imp, _, err := impute(imputeSpecs(f, &m.Impute, den.Codes), ImputeRaw, d, den, nil)
	if err != nil {
		return nil, nil, err
	}
	scr, info := screen(m.Screen, imp, scoredColumns(f, imp.Codes))
	if len(scr.Units) == 0 {
		return nil, nil, citylens.Ef(citylens.EINVALID, "engine.screen.everyone", "screen: every unit is below the data-availability threshold %v", m.Screen.Threshold)
	}
	rows := make([]int, 0, len(scr.Units))
	for i, s := range info {
		if s.Included {
			rows = append(rows, i)
		}
	}
	tr, _, err := treat(m.Treat, scr)
	if err != nil {
		return nil, nil, err
	}
	return tr, rows, nil
}

// finish aggregates one replication from its normalised prefix and records
// the tracked nodes' scores and the target's ranks.
func (ws *repWorker) finish(norm *Matrix, logs [][]float64, rows []int, rep *Replication, aggKey string, out *ReplicaOutput, r int) error {
	f := ws.f
	plan, ok := ws.plans[aggKey]
	if !ok {
		plan = newAggPlan(f, &rep.Method)
		ws.plans[aggKey] = plan
	}
	w := rep.Weights
	if w == nil {
		ws.w = nodeWeightsInto(ws.w, f, rep.Method.Weights)
		w = ws.w
	} else if len(w) != len(f.nodes) {
		return citylens.Errorf(citylens.EINVALID, "replication: %d weights for %d nodes", len(w), len(f.nodes))
	}
	if ws.agg == nil || ws.aggPlan != plan || len(ws.agg.Units) != len(norm.Units) {
		// Indicator columns alias the normalised data: allocate aggregates only.
		ws.agg = &Matrix{Units: norm.Units, Codes: plan.codes, Cols: make([][]float64, len(plan.codes))}
		nu := len(norm.Units)
		buf := make([]float64, (len(plan.codes)-plan.nInd)*nu)
		for j := plan.nInd; j < len(plan.codes); j++ {
			k := j - plan.nInd
			ws.agg.Cols[j] = buf[k*nu : (k+1)*nu : (k+1)*nu]
		}
		ws.aggPlan = plan
	}
	ws.agg.Units = norm.Units
	var excl []int
	for _, code := range rep.Exclude {
		i, ok := f.index[code]
		if !ok || f.nodes[i].Kind != Indicator {
			return citylens.Errorf(citylens.EINVALID, "replication: %q is not an indicator", code)
		}
		excl = append(excl, plan.col[i])
	}
	if err := plan.aggregateInto(f, norm, logs, w, ws.agg, &ws.scratch, excl...); err != nil {
		return err
	}
	for k, ni := range ws.nodeCol {
		src := ws.agg.Cols[plan.col[ni]]
		if k == 0 {
			dst := out.Scores[r]
			for u := range dst {
				dst[u] = NA
			}
			for row, u := range rows {
				dst[u] = src[row]
			}
		} else {
			dst := out.NodeScores[k-1][r]
			for u := range dst {
				dst[u] = float32(NA)
			}
			for row, u := range rows {
				dst[u] = float32(src[row])
			}
		}
		if k == ws.target {
			ws.rankBuf = growFloats(ws.rankBuf, len(src))
			rankDesc(src, ws.rankBuf, ws.idx[:0])
			rk := out.Ranks[r]
			for u := range rk {
				rk[u] = 0
			}
			for row, u := range rows {
				if !IsNA(ws.rankBuf[row]) {
					rk[u] = int32(ws.rankBuf[row])
				}
			}
		}
	}
	return nil
}

func growFloats(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

func nodeWeightsInto(w []float64, f *Framework, overrides map[string]float64) []float64 {
	w = growFloats(w, len(f.nodes))
	for i, n := range f.nodes {
		w[i] = n.Weight
		if v, ok := overrides[n.Code]; ok {
			w[i] = v
		}
	}
	return w
}

// groupUsesLog reports whether any replication of a group aggregates with a
// geometric mean (directly or as a generalised mean with p = 0).
func groupUsesLog(reps []Replication, group []int) bool {
	isLog := func(a Aggregation) bool {
		return a.Method == AggGMean || (a.Method == AggGenMean && a.P == 0)
	}
	for _, r := range group {
		m := &reps[r].Method
		if isLog(m.Aggregate) {
			return true
		}
		for _, a := range m.AggregateLevels {
			if isLog(a) {
				return true
			}
		}
		for _, a := range m.AggregateNodes {
			if isLog(a) {
				return true
			}
		}
	}
	return false
}
