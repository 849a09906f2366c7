package release

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// WhatIfValue is one indicator value changed in a what-if.
type WhatIfValue struct {
	Indicator string   `json:"indicator"`
	Old       *float64 `json:"old"` // the release's value; nil when it was missing
	New       float64  `json:"new"`
}

// WhatIfPillar is a pillar's result before and after a what-if.
type WhatIfPillar struct {
	Code     string   `json:"code"`
	OldScore *float64 `json:"old_score"`
	Score    *float64 `json:"score"`
	OldRank  int      `json:"old_rank,omitempty"`
	Rank     int      `json:"rank,omitempty"`
	OldStage string   `json:"old_stage,omitempty"`
	Stage    string   `json:"stage,omitempty"`
}

// WhatIfResult is a city's recomputed result under changed values, next
// to its published result. The release itself does not change.
type WhatIfResult struct {
	City      string         `json:"city"`
	Values    []WhatIfValue  `json:"values"` // by indicator code
	WasRanked bool           `json:"was_ranked"`
	Ranked    bool           `json:"ranked"`
	OldScore  *float64       `json:"old_score"`
	Score     *float64       `json:"score"`
	OldRank   int            `json:"old_rank,omitempty"`
	Rank      int            `json:"rank,omitempty"`
	OldStage  string         `json:"old_stage,omitempty"`
	Stage     string         `json:"stage,omitempty"`
	OldRating string         `json:"old_rating,omitempty"`
	Rating    string         `json:"rating,omitempty"`
	Pillars   []WhatIfPillar `json:"pillars"`
	Cities    int            `json:"cities"` // ranked cities in the recomputed index
	// FullRebuild says the change altered which values are missing or zero,
	// so which cities are ranked could change, and the whole index was rebuilt.
	FullRebuild bool `json:"full_rebuild"`
}

// WhatIf recomputes one city's index score, rank, stage, rating and pillar
// results with some of its indicator values changed (values: indicator code
// → number as text), using the release's method on the release's data. It
// gives exactly what a full rebuild with the changed data would give; only
// the columns and aggregates the change touches are recomputed unless the
// change alters which values are missing or zero (then everything is).
//
// A value that is not a number, not finite, or out of range (outside the
// indicator's valid range when the catalogue gives one, else more than one
// observed range below the lowest or above the highest observed value) is an
// EINVALID error naming the indicator; an unknown city or indicator is ENOTFOUND.
func (r *Release) WhatIf(ctx context.Context, city string, values map[string]string) (*WhatIfResult, error) {
	return r.whatIf(ctx, city, values, false)
}

func (r *Release) whatIf(ctx context.Context, city string, values map[string]string, forceFull bool) (*WhatIfResult, error) {
	ci, err := r.city(city)
	if err != nil {
		return nil, err
	}
	if rev := r.GoalpostsReversed(); len(rev) > 0 {
		// Today's engine would score these indicators the other way round:
		// a what-if would mix two methods. The correction is a new release.
		return nil, citylens.Ef(citylens.ECONFLICT, "release.whatif.goalposts_reversed", "what-if: this release scored %s (lower is better) with goalposts the wrong way round; a what-if needs the corrected release", strings.Join(rev, ", "))
	}
	if len(values) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "what-if: change at least one indicator value")
	}
	codes := sortedKeys(values)
	res := &WhatIfResult{City: city}
	for _, code := range codes {
		n, ok := r.f.Node(code)
		if !ok || n.Kind != engine.Indicator {
			return nil, citylens.Errorf(citylens.ENOTFOUND, "what-if: no indicator %q in release %s", code, ShortHash(r.d.Hash))
		}
		v, err := r.checkValue(code, values[code])
		if err != nil {
			return nil, err
		}
		res.Values = append(res.Values, WhatIfValue{Indicator: code, Old: ptr(r.d.Raw.Cols[r.colRaw[code]][ci]), New: v})
	}
	data := r.engineData()
	changed := make(map[string][]float64, len(res.Values))
	for _, wv := range res.Values {
		col := append([]float64(nil), data.Columns[wv.Indicator]...)
		col[ci] = wv.New
		changed[wv.Indicator] = col
	}
	var units []string
	var agg, ranks *engine.Matrix
	if !forceFull {
		units, agg, ranks, err = r.incremental(ctx, data, changed)
		if err != nil {
			return nil, err
		}
	}
	if agg == nil {
		res.FullRebuild = true
		nd := *data
		nd.Columns = make(map[string][]float64, len(data.Columns))
		for k, v := range data.Columns {
			nd.Columns[k] = v
		}
		for k, v := range changed {
			nd.Columns[k] = v
		}
		full, err := engine.Build(ctx, r.f, &nd, r.d.Method)
		if err != nil {
			return nil, whatIfError(err)
		}
		units, agg, ranks = full.Aggregated.Units, full.Aggregated, full.Ranks
	}
	r.fillWhatIf(res, ci, units, agg, ranks)
	return res, nil
}

func whatIfError(err error) error {
	code := citylens.ErrorCode(err)
	if code == citylens.EINVALID {
		return citylens.Errorf(citylens.EINVALID, "what-if: with these values the index cannot be computed: %s", citylens.ErrorMessage(err))
	}
	return err
}

// checkValue parses and checks one what-if value.
func (r *Release) checkValue(code, text string) (float64, error) {
	t := strings.TrimSpace(text)
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, citylens.Errorf(citylens.EINVALID, "what-if: indicator %s: %q is not a number", code, text)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, citylens.Errorf(citylens.EINVALID, "what-if: indicator %s: %q is not a finite number", code, text)
	}
	lo, hi := r.validRange(code)
	if v < lo || v > hi {
		return 0, citylens.Errorf(citylens.EINVALID, "what-if: indicator %s: %s is out of range (%s to %s)", code, t, num(lo), num(hi))
	}
	return v, nil
}

// validRange is the indicator's valid range when the catalogue gives it and,
// for an open side, the observed range widened by its own width.
func (r *Release) validRange(code string) (lo, hi float64) {
	obsLo, obsHi := math.Inf(1), math.Inf(-1)
	for _, v := range r.d.Raw.Cols[r.colRaw[code]] {
		if !math.IsNaN(v) {
			obsLo, obsHi = math.Min(obsLo, v), math.Max(obsHi, v)
		}
	}
	if math.IsInf(obsLo, 1) {
		obsLo, obsHi = 0, 0
	}
	span := obsHi - obsLo
	if span == 0 {
		span = math.Max(math.Abs(obsHi), 1)
	}
	lo, hi = obsLo-span, obsHi+span
	for _, info := range r.d.Indicators {
		if info.Code != code {
			continue
		}
		if info.Min != nil {
			lo = *info.Min
		}
		if info.Max != nil {
			hi = *info.Max
		}
	}
	return lo, hi
}

// engineData is the release's data as the engine reads it, laid out from
// the data points when the release is made or loaded; nothing changes it.
func (r *Release) engineData() *engine.Data { return r.data }

// incremental recomputes what the changed columns touch: their imputation
// (over every city), treatment and normalisation (over the ranked cities),
// and the aggregates above them, with every other aggregate's score taken
// from the release. It returns a nil matrix when the change alters which
// values are missing or zero, which screening depends on: then only a full
// rebuild is exact.
func (r *Release) incremental(ctx context.Context, data *engine.Data, changed map[string][]float64) ([]string, *engine.Matrix, *engine.Matrix, error) {
	m := r.d.Method
	codes := sortedKeys(changed)
	// Imputation on the normalised scale fills scores from the other cities'
	// scores: only a full rebuild is exact.
	if m.Impute.Stage == engine.ImputeNormalised {
		return nil, nil, nil, nil
	}
	for _, s := range m.Impute.Nodes {
		if s.Stage == engine.ImputeNormalised {
			return nil, nil, nil, nil
		}
	}
	// 1. Denominate and impute the changed columns over every city.
	var flat []engine.Node
	cols := map[string][]float64{}
	for _, c := range codes {
		n, _ := r.f.Node(c)
		n.Parent, n.Weight = "", 1
		flat = append(flat, n)
		cols[c] = changed[c]
		if n.Denominator != "" {
			cols[n.Denominator] = data.Columns[n.Denominator]
		}
	}
	fa, err := engine.NewFramework(flat)
	if err != nil {
		return nil, nil, nil, err
	}
	// Each changed indicator keeps the imputation it has in the full
	// framework (its own, its branch's or the index's).
	imp := engine.Imputation{Method: m.Impute.Method, Group: m.Impute.Group, Stage: m.Impute.Stage}
	if len(m.Impute.Nodes) > 0 {
		imp.Nodes = map[string]engine.Imputation{}
		for _, c := range codes {
			imp.Nodes[c] = r.imputationOf(c)
		}
	}
	ma := engine.Method{Denominate: m.Denominate, Impute: imp, Normalise: engine.Normalisation{Method: engine.NormNone}}
	ra, err := engine.Build(ctx, fa, &engine.Data{Units: data.Units, Groups: data.Groups, Columns: cols}, ma)
	if err != nil {
		return nil, nil, nil, whatIfError(err)
	}
	screens := m.Screen.Method != "" && m.Screen.Method != engine.ScreenNone
	for j, c := range ra.Imputed.Codes {
		if !screens {
			break
		}
		old := r.d.Imputed.Cols[r.colRaw[c]]
		for i, v := range ra.Imputed.Cols[j] {
			if math.IsNaN(v) != math.IsNaN(old[i]) || (v == 0) != (old[i] == 0) {
				return nil, nil, nil, nil
			}
		}
	}
	// 2. Treat and normalise them over the ranked cities.
	units := r.d.Aggregated.Units
	rows := make([]int, len(units))
	for k, u := range units {
		rows[k] = r.cityIdx[u]
	}
	cols = map[string][]float64{}
	mb := engine.Method{Normalise: m.Normalise, Treat: m.Treat}
	mb.Treat.Indicators = nil
	for j, c := range ra.Imputed.Codes {
		col := make([]float64, len(units))
		for k, i := range rows {
			col[k] = ra.Imputed.Cols[j][i]
		}
		cols[c] = col
		flat[j].Denominator = ""
		if t, ok := m.Treat.Indicators[c]; ok {
			if mb.Treat.Indicators == nil {
				mb.Treat.Indicators = map[string]engine.Treatment{}
			}
			mb.Treat.Indicators[c] = t
		}
		if nm, ok := m.NormaliseIndicators[c]; ok {
			if mb.NormaliseIndicators == nil {
				mb.NormaliseIndicators = map[string]engine.Normalisation{}
			}
			mb.NormaliseIndicators[c] = nm
		}
	}
	fb, err := engine.NewFramework(flat)
	if err != nil {
		return nil, nil, nil, err
	}
	rb, err := engine.Build(ctx, fb, &engine.Data{Units: units, Columns: cols}, mb)
	if err != nil {
		return nil, nil, nil, whatIfError(err)
	}
	// 3. Aggregate the path from the changed indicators to the index; every
	// other child enters as a leaf holding its published score.
	path := map[string]bool{}
	for _, c := range codes {
		n, _ := r.f.Node(c)
		for p := n.Parent; p != ""; {
			path[p] = true
			pn, _ := r.f.Node(p)
			p = pn.Parent
		}
	}
	mc := engine.Method{Normalise: engine.Normalisation{Method: engine.NormNone}, Aggregate: m.Aggregate, AggregateNodes: map[string]engine.Aggregation{}}
	var nodes []engine.Node
	cols = map[string][]float64{}
	for _, n := range r.f.Nodes() {
		if path[n.Code] {
			spec := m.Aggregate
			if s, ok := m.AggregateLevels[r.f.Level(n.Code)]; ok {
				spec = s
			}
			if s, ok := m.AggregateNodes[n.Code]; ok {
				spec = s
			}
			mc.AggregateNodes[n.Code] = spec
			nodes = append(nodes, engine.Node{Code: n.Code, Name: n.Name, Parent: n.Parent, Kind: engine.Aggregate, Weight: n.Weight})
			continue
		}
		if !path[n.Parent] {
			continue
		}
		nodes = append(nodes, engine.Node{Code: n.Code, Parent: n.Parent, Kind: engine.Indicator, Weight: n.Weight, Direction: 1, Contextual: n.Contextual})
		if col, ok := rb.Normalised.Col(n.Code); ok {
			cols[n.Code] = col
		} else {
			cols[n.Code] = r.d.Aggregated.Cols[r.colAgg[n.Code]]
		}
		if w, ok := m.Weights[n.Code]; ok {
			if mc.Weights == nil {
				mc.Weights = map[string]float64{}
			}
			mc.Weights[n.Code] = w
		}
	}
	for p := range path {
		if w, ok := m.Weights[p]; ok {
			if mc.Weights == nil {
				mc.Weights = map[string]float64{}
			}
			mc.Weights[p] = w
		}
	}
	fc, err := engine.NewFramework(nodes)
	if err != nil {
		return nil, nil, nil, err
	}
	rc, err := engine.Build(ctx, fc, &engine.Data{Units: units, Columns: cols}, mc)
	if err != nil {
		return nil, nil, nil, whatIfError(err)
	}
	return units, rc.Aggregated, rc.Ranks, nil
}

// imputationOf is the imputation that applies to indicator code: its own
// entry, else its nearest ancestor's, else the method's.
func (r *Release) imputationOf(code string) engine.Imputation {
	m := r.d.Method.Impute
	for c := code; c != ""; {
		if s, ok := m.Nodes[c]; ok {
			return s
		}
		n, _ := r.f.Node(c)
		c = n.Parent
	}
	return engine.Imputation{Method: m.Method, Group: m.Group, Stage: m.Stage}
}

// fillWhatIf reads the city's new results from the recomputed scores and
// ranks (which hold at least the index and the pillars) over the ranked units.
func (r *Release) fillWhatIf(res *WhatIfResult, ci int, units []string, agg, ranks *engine.Matrix) {
	code := r.d.Cities[ci].Code
	old := r.d.Results[ci]
	res.WasRanked, res.OldScore, res.OldRank, res.OldStage, res.OldRating = old.Ranked, ptr(float64(old.Score)), old.Rank, old.Stage, old.Rating
	res.Cities = len(units)
	row := -1
	for k, u := range units {
		if u == code {
			row = k
		}
	}
	idx, _ := agg.Col(r.d.Index)
	idxRank, _ := ranks.Col(r.d.Index)
	if row >= 0 && !math.IsNaN(idxRank[row]) {
		res.Ranked, res.Score, res.Rank = true, ptr(idx[row]), int(idxRank[row])
		res.Stage = stageOf(r.d.Config.Stages, idx[row])
		// The rating against the peer group's recomputed scores.
		if g := r.d.Cities[ci].PeerGroup; g != "" {
			var scores []float64
			me := -1
			for k, u := range units {
				if r.d.Cities[r.cityIdx[u]].PeerGroup != g || math.IsNaN(idxRank[k]) {
					continue
				}
				if u == code {
					me = len(scores)
				}
				scores = append(scores, idx[k])
			}
			res.Rating = r.d.Config.Ratings.rate(scores)[me]
		}
	}
	oldPillars := r.pillarScores(ci)
	for k, p := range r.d.Pillars {
		wp := WhatIfPillar{Code: p, OldScore: oldPillars[k].Score, OldRank: oldPillars[k].Rank, OldStage: oldPillars[k].Stage}
		if row >= 0 {
			s, _ := agg.Col(p)
			rk, _ := ranks.Col(p)
			wp.Score = ptr(s[row])
			if !math.IsNaN(rk[row]) {
				wp.Rank = int(rk[row])
			}
			wp.Stage = stageOf(r.d.Config.pillarStages(p), s[row])
		}
		res.Pillars = append(res.Pillars, wp)
	}
	sort.SliceStable(res.Values, func(a, b int) bool { return res.Values[a].Indicator < res.Values[b].Indicator })
}
