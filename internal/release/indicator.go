package release

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
)

// Histogram bins of an indicator view.
const histogramBins = 10

// IndicatorView is everything an indicator's page shows.
type IndicatorView struct {
	Code            string              `json:"code"`
	Name            string              `json:"name"`
	Unit            string              `json:"unit,omitempty"`
	Definition      string              `json:"definition,omitempty"`
	Direction       int                 `json:"direction"` // +1 higher is better, -1 lower is better
	Parent          string              `json:"parent"`
	Pillar          string              `json:"pillar"`
	Weight          float64             `json:"weight"`           // as used, relative to its siblings
	EffectiveWeight float64             `json:"effective_weight"` // share of the index
	Target          *float64            `json:"target,omitempty"`
	Goalposts       *engine.Goalposts   `json:"goalposts,omitempty"`
	ValidMin        *float64            `json:"valid_min,omitempty"`
	ValidMax        *float64            `json:"valid_max,omitempty"`
	Crosswalk       catalogue.Crosswalk `json:"crosswalk"`
	Normalisation   string              `json:"normalisation"` // in words
	Treatment       string              `json:"treatment,omitempty"`
	Coverage        Coverage            `json:"coverage"`
	Distribution    Distribution        `json:"distribution"`
	// Top and Bottom are the 5 best and worst ranked cities with their own
	// value, by normalised score (so direction is taken into account).
	Top    []IndicatorCity `json:"top"`
	Bottom []IndicatorCity `json:"bottom"`
}

// Coverage says how many cities gave a value.
type Coverage struct {
	Cities    int     `json:"cities"`     // cities of the release
	WithValue int     `json:"with_value"` // cities with their own value
	Imputed   int     `json:"imputed"`    // missing values the pipeline filled
	Share     float64 `json:"share"`      // WithValue / Cities
}

// Distribution describes the submitted values (every city with a value),
// in the indicator's unit.
type Distribution struct {
	N      int     `json:"n"` // the statistics are 0 when N is 0
	Min    float64 `json:"min"`
	Q1     float64 `json:"q1"` // quartiles: R's type 7
	Median float64 `json:"median"`
	Q3     float64 `json:"q3"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	Bins   []Bin   `json:"bins"`
}

// Bin is one histogram bin: values in [From, To), the last bin closed.
type Bin struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int     `json:"count"`
}

// IndicatorCity is a city's standing on one indicator.
type IndicatorCity struct {
	City  string  `json:"city"`
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Score float64 `json:"score"`
	Rank  int     `json:"rank"`
}

// Indicator returns the view of one indicator; an aggregate or unknown code is ENOTFOUND.
func (r *Release) Indicator(code string) (*IndicatorView, error) {
	n, ok := r.f.Node(code)
	if !ok || n.Kind != engine.Indicator {
		return nil, citylens.Errorf(citylens.ENOTFOUND, "no indicator %q in release %s", code, ShortHash(r.d.Hash))
	}
	eff := r.f.EffectiveWeights(r.d.Method.Weights)
	v := &IndicatorView{Code: code, Name: nameOr(n.Name, code), Unit: n.Unit, Direction: n.Direction, Parent: n.Parent, Pillar: r.pillarOf(code),
		Weight: r.d.Weights[code], EffectiveWeight: eff[code], Top: []IndicatorCity{}, Bottom: []IndicatorCity{}}
	if n.Target != nil {
		v.Target = ptr(*n.Target)
	}
	if n.Goalposts != nil {
		g := *n.Goalposts
		v.Goalposts = &g
	}
	for _, info := range cloneInfos(r.d.Indicators) {
		if info.Code == code {
			v.Definition, v.ValidMin, v.ValidMax, v.Crosswalk = info.Definition, info.Min, info.Max, info.Crosswalk
		}
	}
	norm := r.d.Method.Normalise
	if o, ok := r.d.Method.NormaliseIndicators[code]; ok {
		norm = o
	}
	v.Normalisation = normText(norm)
	for _, t := range r.d.Treatment {
		if t.Indicator == code {
			v.Treatment = treatText(t)
		}
	}
	j := r.colRaw[code]
	var vals []float64
	for i := range r.d.Cities {
		x := r.d.Raw.Cols[j][i]
		if !math.IsNaN(x) {
			vals = append(vals, x)
		} else if !math.IsNaN(r.d.Imputed.Cols[j][i]) {
			v.Coverage.Imputed++
		} else if _, ok := r.imputed[[2]string{r.d.Cities[i].Code, code}]; ok {
			v.Coverage.Imputed++ // filled after scoring
		}
	}
	v.Coverage.Cities, v.Coverage.WithValue = len(r.d.Cities), len(vals)
	v.Coverage.Share = float64(len(vals)) / float64(len(r.d.Cities))
	v.Distribution = distribution(vals)
	// Top and bottom by normalised score among ranked cities with their own value.
	col, rk := r.d.Aggregated.Cols[r.colAgg[code]], r.d.Ranks.Cols[r.colAgg[code]]
	var list []IndicatorCity
	for _, row := range r.rankRows {
		ci, ri := r.cityIdx[row.City.Code], r.rowIdx[row.City.Code]
		if !r.observed(ci, j) || math.IsNaN(col[ri]) {
			continue
		}
		list = append(list, IndicatorCity{City: row.City.Code, Name: row.City.Name, Value: r.d.Raw.Cols[j][ci], Score: col[ri], Rank: int(rk[ri])})
	}
	sort.SliceStable(list, func(a, b int) bool {
		if list[a].Score != list[b].Score {
			return list[a].Score > list[b].Score
		}
		return list[a].City < list[b].City
	})
	for k := 0; k < len(list) && k < 5; k++ {
		v.Top = append(v.Top, list[k])
	}
	for k := len(list) - 1; k >= 0 && k >= len(list)-5; k-- {
		v.Bottom = append(v.Bottom, list[k])
	}
	return v, nil
}

func distribution(vals []float64) Distribution {
	d := Distribution{N: len(vals), Bins: []Bin{}}
	if len(vals) == 0 {
		return d
	}
	s := append([]float64(nil), vals...)
	sort.Float64s(s)
	d.Min, d.Max = s[0], s[len(s)-1]
	d.Q1, d.Median, d.Q3 = quantile7(s, 0.25), quantile7(s, 0.5), quantile7(s, 0.75)
	var sum float64
	for _, x := range s {
		sum += x
	}
	d.Mean = sum / float64(len(s))
	if d.Min == d.Max {
		d.Bins = []Bin{{From: d.Min, To: d.Max, Count: len(s)}}
		return d
	}
	width := (d.Max - d.Min) / histogramBins
	for k := 0; k < histogramBins; k++ {
		d.Bins = append(d.Bins, Bin{From: d.Min + float64(k)*width, To: d.Min + float64(k+1)*width})
	}
	d.Bins[histogramBins-1].To = d.Max
	for _, x := range s {
		k := min(int((x-d.Min)/width), histogramBins-1)
		d.Bins[k].Count++
	}
	return d
}

// FrameworkNode is one node of the framework tree.
type FrameworkNode struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"` // indicator or aggregate
	Parent string `json:"parent,omitempty"`
	Level  int    `json:"level"`
	// Depth is the node's place in the tree as written: 0 for the index, 1
	// for its children...; branches may differ in depth.
	Depth int `json:"depth"`
	// Scored is false for an indicator shown but not scored (weight 0 or contextual).
	Scored          bool     `json:"scored"`
	Weight          float64  `json:"weight"`
	EffectiveWeight float64  `json:"effective_weight"`
	Direction       int      `json:"direction,omitempty"`
	Unit            string   `json:"unit,omitempty"`
	Children        []string `json:"children,omitempty"`
}

// MethodStep is one pipeline choice in words.
type MethodStep struct {
	Step string `json:"step"`
	Text string `json:"text"`
	// Words is Text's catalogue key and arguments, for pages in the
	// reader's language.
	Words citylens.Phrase `json:"-"`
}

// Methodology is what the methodology page shows, generated from the release.
type Methodology struct {
	Summary      Summary            `json:"summary"`
	Tree         []FrameworkNode    `json:"tree"` // depth first from the index, children in framework order
	Steps        []MethodStep       `json:"steps"`
	Treatment    []TreatNote        `json:"treatment,omitempty"`
	Warnings     []string           `json:"warnings,omitempty"`
	Audit        []AuditFlag        `json:"audit"`
	Uncertainty  UncertaintyInfo    `json:"uncertainty"`
	Sobol        []SobolIndex       `json:"sobol"`
	Stages       []Stage            `json:"stages"`
	PillarStages map[string][]Stage `json:"pillar_stages,omitempty"`
	Ratings      Ratings            `json:"ratings"`
	// PeerGroup is the rule that gave the cities their peer groups (empty:
	// the draft's own); see Config.PeerGroup.
	PeerGroup string `json:"peer_group,omitempty"`
}

// Methodology returns the framework tree with effective weights, every
// pipeline choice in words, the audit's flags and the Sobol indices.
func (r *Release) Methodology() *Methodology {
	cfg := r.Config()
	m := &Methodology{Summary: r.Summary(), Steps: r.steps(), Treatment: append([]TreatNote(nil), r.d.Treatment...),
		Warnings: append([]string(nil), r.d.Warnings...), Audit: append([]AuditFlag{}, r.d.Audit...), Uncertainty: r.d.Uncertainty,
		Sobol: append([]SobolIndex{}, r.d.Sobol...), Stages: cfg.Stages, PillarStages: cfg.PillarStages, Ratings: cfg.Ratings, PeerGroup: cfg.PeerGroup}
	m.Uncertainty.Inputs = append([]string(nil), m.Uncertainty.Inputs...)
	m.Uncertainty.Failures = append([]FailureCount(nil), m.Uncertainty.Failures...)
	eff := r.f.EffectiveWeights(r.d.Method.Weights)
	var walk func(code string, depth int)
	walk = func(code string, depth int) {
		n, _ := r.f.Node(code)
		fn := FrameworkNode{Code: code, Name: nameOr(n.Name, code), Kind: strings.ToLower(n.Kind.String()), Parent: n.Parent, Level: r.f.Level(code),
			Depth: depth, Scored: r.f.Scored(code), Weight: r.d.Weights[code], EffectiveWeight: eff[code], Unit: n.Unit, Children: r.f.Children(code)}
		if n.Kind == engine.Indicator {
			fn.Direction = n.Direction
		}
		m.Tree = append(m.Tree, fn)
		for _, c := range fn.Children {
			walk(c, depth+1)
		}
	}
	walk(r.d.Index, 0)
	return m
}

// imputePhrase says in words how an imputation fills missing values, in
// every language.
func imputePhrase(im engine.Imputation) citylens.Phrase {
	stage := "values"
	if im.Stage == engine.ImputeNormalised {
		stage = "scores"
	}
	switch im.Method {
	case "", engine.ImputeNone:
		return citylens.Phrasef("ex.impute.none", "Missing values are not imputed: aggregates average the indicators a city has.")
	case engine.ImputeMean, engine.ImputeMedian:
		if stage == "scores" {
			return citylens.Phrasef("ex.impute.all.scores", "Missing scores are replaced after scoring by the %s of the indicator's scores over all cities.", statPhrase(im.Method))
		}
		return citylens.Phrasef("ex.impute.all.values", "Missing values are replaced by the %s of the indicator's values over all cities.", statPhrase(im.Method))
	}
	stat, group := statPhrase(strings.TrimPrefix(im.Method, "group_")), groupPhrase(im.Group)
	if stage == "scores" {
		return citylens.Phrasef("ex.impute.group.scores", "Missing scores are replaced after scoring by the %s of the indicator's scores within the city's %s.", stat, group)
	}
	return citylens.Phrasef("ex.impute.group.values", "Missing values are replaced by the %s of the indicator's values within the city's %s.", stat, group)
}

// steps describes every pipeline choice in words.
func (r *Release) steps() []MethodStep {
	m := r.d.Method
	var out []MethodStep
	add := func(step, key, format string, args ...any) {
		ph := citylens.Phrasef(key, format, args...)
		out = append(out, MethodStep{Step: step, Text: ph.English, Words: ph})
	}
	if m.Denominate {
		add("denominate", "ex.step.denominate.yes", "Indicators with a denominator are divided by it (e.g. per inhabitant).")
	} else {
		add("denominate", "ex.step.denominate.no", "Values are used as reported: no indicator is divided by a denominator.")
	}
	add("impute", "ex.step.impute", "%s", imputePhrase(m.Impute))
	for _, c := range sortedKeys(m.Impute.Nodes) {
		add("impute", "ex.step.impute.node", "%s: %s", c, imputePhrase(m.Impute.Nodes[c]))
	}
	switch m.Screen.Method {
	case "", engine.ScreenNone:
		add("screen", "ex.step.screen.none", "Every city is ranked, whatever its data coverage.")
	default:
		add("screen", "ex.step.screen.threshold", "Cities with less than %.0f%% of the indicators are not ranked (%s).", 100*m.Screen.Threshold, m.Screen.Method)
	}
	switch m.Treat.Method {
	case "", engine.TreatNone:
		add("treat", "ex.step.treat.none", "Outliers are not treated.")
	default:
		add("treat", "ex.step.treat.winsorise", "Indicators with |skewness| ≥ %v and kurtosis ≥ %v are winsorised (up to %d points), then log-transformed if still skewed.",
			orDefault(m.Treat.SkewThreshold, 2), orDefault(m.Treat.KurtThreshold, 3.5), m.Treat.Winmax)
	}
	add("normalise", "ex.step.normalise.all", "Indicators are normalised by %s, after turning those where lower is better around.", normPhrase(m.Normalise))
	for _, c := range sortedKeys(m.NormaliseIndicators) {
		add("normalise", "ex.step.normalise.one", "%s is normalised by %s.", c, normPhrase(m.NormaliseIndicators[c]))
	}
	add("weight", "ex.step.weight.all", "Weights are relative among siblings; the framework tree gives each node's share of the index.")
	for _, c := range sortedKeys(m.Weights) {
		add("weight", "ex.step.weight.one", "%s has weight %v instead of the framework's.", c, m.Weights[c])
	}
	add("aggregate", "ex.step.aggregate.all", "Aggregates are %s of their children.", aggPhrase(m.Aggregate))
	for _, l := range sortedInts(m.AggregateLevels) {
		add("aggregate", "ex.step.aggregate.level", "Aggregates at level %d are %s of their children.", l, aggPhrase(m.AggregateLevels[l]))
	}
	for _, c := range sortedKeys(m.AggregateNodes) {
		add("aggregate", "ex.step.aggregate.node", "%s is %s of its children.", c, aggPhrase(m.AggregateNodes[c]))
	}
	add("rank", "ex.step.rank.text", "Cities are ranked by %s score, highest first; equal scores share the better rank.", r.nodeName(r.d.Index))
	u := r.d.Uncertainty
	add("uncertainty", "ex.step.uncertainty.text", "%d replications vary %s; each city's rank is published with its 5–95%% band, and neighbours the replications cannot order are marked as tied (seed %d, %d replications failed).",
		u.N, strings.Join(u.Inputs, ", "), u.Seed, u.Failed)
	if u.SAN > 0 {
		add("sensitivity", "ex.step.sensitivity.text", "Sobol indices from %d replications (Saltelli design, N = %d) show which choice moves the ranks most.", u.SARuns, u.SAN)
	}
	return out
}

// statPhrase words an imputation statistic (mean, median).
func statPhrase(stat string) citylens.Phrase {
	switch stat {
	case "mean":
		return citylens.Phrasef("ex.stat.mean", "mean")
	case "median":
		return citylens.Phrasef("ex.stat.median", "median")
	}
	return citylens.Phrase{English: stat}
}

// groupPhrase words the group imputation works within.
func groupPhrase(group string) citylens.Phrase {
	switch group {
	case "region", "peer_group", "population_class", "country":
		return citylens.Phrase{Key: "ex.group." + group, English: strings.ReplaceAll(group, "_", " ")}
	}
	return citylens.Phrase{English: strings.ReplaceAll(group, "_", " ")}
}

func orDefault(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

func sortedInts[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func normText(n engine.Normalisation) string { return normPhrase(n).English }

// normPhrase words a normalisation, in every language.
func normPhrase(n engine.Normalisation) citylens.Phrase {
	switch n.Method {
	case "", engine.NormMinMax:
		lo, hi := n.Low, n.High
		if lo == 0 && hi == 0 {
			hi = 100
		}
		return citylens.Phrasef("ex.norm.minmax", "min-max scaling to %v–%v", lo, hi)
	case engine.NormZScore:
		sd := n.SD
		if sd == 0 {
			sd = 1
		}
		return citylens.Phrasef("ex.norm.zscore", "z-scores (mean %v, standard deviation %v)", n.Mean, sd)
	case engine.NormGoalposts:
		return citylens.Phrasef("ex.norm.goalposts", "position between goalposts (the lowest and highest valid values; a lower-is-better indicator scores from the highest), 0 to %v", orDefault(n.Scale, 1))
	case engine.NormDist2Targ:
		return citylens.Phrasef("ex.norm.dist2targ", "distance to target")
	case engine.NormDist2Max:
		return citylens.Phrasef("ex.norm.dist2max", "distance to the best city")
	case engine.NormFracMax:
		return citylens.Phrasef("ex.norm.fracmax", "fraction of the best city's value")
	case engine.NormRank:
		return citylens.Phrasef("ex.norm.rank", "ranks")
	case engine.NormPRank:
		return citylens.Phrasef("ex.norm.prank", "percentile ranks")
	case engine.NormBorda:
		return citylens.Phrasef("ex.norm.borda", "Borda scores")
	case engine.NormScaled:
		return citylens.Phrasef("ex.norm.scaled", "fixed scaling")
	case engine.NormNone:
		return citylens.Phrasef("ex.norm.none", "no scaling")
	}
	return citylens.Phrase{English: n.Method}
}

// aggPhrase words an aggregation, in every language.
func aggPhrase(a engine.Aggregation) citylens.Phrase {
	p := citylens.Phrasef("ex.agg.amean", "the weighted arithmetic mean")
	switch a.Method {
	case engine.AggGMean:
		p = citylens.Phrasef("ex.agg.gmean", "the weighted geometric mean")
	case engine.AggHMean:
		p = citylens.Phrasef("ex.agg.hmean", "the weighted harmonic mean")
	case engine.AggGenMean:
		p = citylens.Phrasef("ex.agg.genmean", "the weighted generalised mean (p = %v)", a.P)
	case engine.AggCopeland:
		p = citylens.Phrasef("ex.agg.copeland", "Copeland scores")
	}
	if a.Threshold > 0 {
		return citylens.Phrasef("ex.agg.threshold", "%s, computed when at least %.0f%% of the children have a value", p, 100*a.Threshold)
	}
	return p
}

func treatText(t TreatNote) string {
	if t.Logged {
		return "log-transformed: winsorising did not remove its skew"
	}
	return fmt.Sprintf("%d outlying values winsorised", t.Winsorised)
}
