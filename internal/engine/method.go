package engine

import (
	"fmt"
	"math"
	"sort"

	"github.com/citylens/citylens"
)

// Method is every pipeline choice of a build. The zero value of each step
// switches the step off, except Normalise and Aggregate, whose zero values are
// COINr's defaults (min-max 0-100, weighted arithmetic mean).
type Method struct {
	Denominate bool          `json:"denominate"`
	Impute     Imputation    `json:"impute"`
	Screen     Screening     `json:"screen"`
	Treat      Treatment     `json:"treat"`
	Normalise  Normalisation `json:"normalise"`
	// NormaliseIndicators overrides Normalise for single indicators.
	NormaliseIndicators map[string]Normalisation `json:"normalise_indicators,omitempty"`
	Aggregate           Aggregation              `json:"aggregate"`
	// AggregateLevels overrides Aggregate for every aggregate of a level (2 = the
	// aggregates of indicators), AggregateNodes for one aggregate; nodes win over levels.
	AggregateLevels map[int]Aggregation    `json:"aggregate_levels,omitempty"`
	AggregateNodes  map[string]Aggregation `json:"aggregate_nodes,omitempty"`
	// Weights replaces framework weights, by node code.
	Weights map[string]float64 `json:"weights,omitempty"`
}

// Imputation methods.
const (
	ImputeNone        = "none"
	ImputeMean        = "mean"
	ImputeMedian      = "median"
	ImputeGroupMean   = "group_mean"
	ImputeGroupMedian = "group_median"
)

// Imputation stages.
const (
	ImputeRaw        = "raw"        // before screening, on the (denominated) values, as COINr
	ImputeNormalised = "normalised" // after normalisation, on the scores
)

// Imputation fills missing indicator values (COINr's Impute), for every
// indicator or, with Nodes, per indicator or branch.
type Imputation struct {
	Method string `json:"method"`          // none (or empty), mean, median, group_mean, group_median
	Group  string `json:"group,omitempty"` // group column for the group methods
	// Stage is raw (default: before screening, on the values) or normalised
	// (after normalisation, on the scores, over the units screened in).
	Stage string `json:"stage,omitempty"`
	// Nodes overrides the imputation of an indicator, or of every indicator
	// of a branch (keyed by an aggregate's code); an indicator takes its own
	// entry, else its nearest ancestor's, else the imputation above. An entry
	// with method none switches imputation off there.
	Nodes map[string]Imputation `json:"nodes,omitempty"`
}

// Screening methods.
const (
	ScreenNone        = "none"
	ScreenByNA        = "byNA"         // remove units with data availability below Threshold
	ScreenByNAOrZeros = "byNAorZeros"  // ... or with a non-zero share below NonZeroThreshold
	ScreenByNAAndZero = "byNAandZeros" // ... only when both are low
)

// Screening removes units with too little data (COINr's Screen). Removed units
// are reported as not ranked, with their data availability.
type Screening struct {
	Method           string  `json:"method"` // none (or empty), byNA, byNAorZeros, byNAandZeros
	Threshold        float64 `json:"threshold"`
	NonZeroThreshold float64 `json:"nonzero_threshold,omitempty"` // default 0.5
}

// Treatment methods.
const (
	TreatNone      = "none"
	TreatWinsorise = "winsorise"
)

// Treatment handles outliers: iterative winsorisation by the skew and
// kurtosis rule with a log fallback (COINr's Treat with its defaults).
type Treatment struct {
	Method        string  `json:"method"` // none (or empty), winsorise
	Winmax        int     `json:"winmax"`
	SkewThreshold float64 `json:"skew_threshold"` // default 2
	KurtThreshold float64 `json:"kurt_threshold"` // default 3.5
	// Fallback applies when winsorising up to Winmax points does not pass:
	// "log" (COINr's log_CT on the original column, default) or "none" (keep the winsorised column).
	Fallback string `json:"fallback,omitempty"`
	// Indicators overrides the treatment of single indicators (e.g. method none).
	Indicators map[string]Treatment `json:"indicators,omitempty"`
}

// Normalisation methods (COINr's n_* functions).
const (
	NormNone      = "none"
	NormMinMax    = "minmax"    // (x-min)/(max-min)*(High-Low)+Low
	NormZScore    = "zscore"    // (x-mean)/sd*SD+Mean
	NormRank      = "rank"      // rank, ties min
	NormPRank     = "prank"     // (rank-1)/(n-1), ties min
	NormBorda     = "borda"     // rank-1
	NormGoalposts = "goalposts" // (x-low)/(high-low), or (high-x)/(high-low) for direction -1, truncated to [0,1], times Scale
	NormDist2Targ = "dist2targ" // 1-(t-x)/(t-min), optionally capped at 1, times Scale
	NormDist2Max  = "dist2max"  // 1-(max-x)/(max-min), times Scale
	NormFracMax   = "fracmax"   // x/max, times Scale
	NormScaled    = "scaled"    // (x-Low)/(High-Low)*100
)

// Normalisation brings indicators onto a common scale. Direction is applied
// first (x times direction), as COINr does.
type Normalisation struct {
	Method string  `json:"method"`         // default minmax
	Low    float64 `json:"low,omitempty"`  // minmax, scaled (default 0)
	High   float64 `json:"high,omitempty"` // minmax, scaled (default 100)
	Mean   float64 `json:"mean,omitempty"` // zscore (default 0)
	SD     float64 `json:"sd,omitempty"`   // zscore (default 1)
	Scale  float64 `json:"scale,omitempty"`
	// NoTruncate keeps goalpost scores outside [0, Scale].
	NoTruncate bool `json:"no_truncate,omitempty"`
	// CapMax caps dist2targ scores at Scale.
	CapMax bool `json:"cap_max,omitempty"`
}

// Aggregation methods (COINr's a_* functions).
const (
	AggAMean    = "amean"
	AggGMean    = "gmean"
	AggHMean    = "hmean"
	AggGenMean  = "genmean"
	AggCopeland = "copeland"
)

// Aggregation combines children into their parent.
type Aggregation struct {
	Method string  `json:"method"`      // default amean
	P      float64 `json:"p,omitempty"` // genmean power (p = 0 is the geometric mean)
	// Threshold: a unit whose share of non-missing children is below it gets NA.
	Threshold float64 `json:"threshold,omitempty"`
}

// DefaultMethod returns COINr's defaults for every step that is on by default:
// min-max 0-100 and weighted arithmetic means; nothing else.
func DefaultMethod() Method {
	return Method{Normalise: Normalisation{Method: NormMinMax, Low: 0, High: 100}, Aggregate: Aggregation{Method: AggAMean}}
}

func (t Treatment) resolved() Treatment {
	if t.Method == "" {
		t.Method = TreatNone
	}
	if t.SkewThreshold == 0 {
		t.SkewThreshold = 2
	}
	if t.KurtThreshold == 0 {
		t.KurtThreshold = 3.5
	}
	if t.Fallback == "" {
		t.Fallback = "log"
	}
	return t
}

func (n Normalisation) resolved() Normalisation {
	if n.Method == "" {
		n.Method = NormMinMax
	}
	switch n.Method {
	case NormMinMax, NormScaled:
		if n.Low == 0 && n.High == 0 {
			n.High = 100
		}
	case NormZScore:
		if n.SD == 0 {
			n.SD = 1
		}
	}
	if n.Scale == 0 {
		n.Scale = 1
	}
	return n
}

func (a Aggregation) resolved() Aggregation {
	if a.Method == "" {
		a.Method = AggAMean
	}
	return a
}

// Validate checks every choice against the framework and the data, naming the
// step and code at fault.
func (m *Method) Validate(f *Framework, d *Data) error {
	// format is the English text of key after "method: ".
	bad := func(key, format string, args ...any) error {
		return citylens.Ef(citylens.EINVALID, key, "method: "+format, args...)
	}
	if err := validateImputation("impute", m.Impute, d); err != nil {
		return err
	}
	for _, code := range sortedKeys(m.Impute.Nodes) {
		if _, ok := f.Node(code); !ok {
			return bad("engine.method.impute_node", "impute: %q is not in the framework", code)
		}
		s := m.Impute.Nodes[code]
		if len(s.Nodes) > 0 {
			return bad("engine.method.impute_nested", "impute %s: an entry of nodes cannot have nodes of its own", code)
		}
		if err := validateImputation("impute "+code, s, d); err != nil {
			return err
		}
	}
	switch m.Screen.Method {
	case "", ScreenNone:
	case ScreenByNA, ScreenByNAOrZeros, ScreenByNAAndZero:
		if m.Screen.Threshold < 0 || m.Screen.Threshold > 1 || math.IsNaN(m.Screen.Threshold) {
			return bad("engine.method.screen_threshold", "screen: threshold must be between 0 and 1, got %v", m.Screen.Threshold)
		}
		if m.Screen.NonZeroThreshold < 0 || m.Screen.NonZeroThreshold > 1 {
			return bad("engine.method.screen_nonzero", "screen: nonzero_threshold must be between 0 and 1, got %v", m.Screen.NonZeroThreshold)
		}
	default:
		return bad("engine.method.screen_unknown", "screen: unknown method %q (none, byNA, byNAorZeros, byNAandZeros)", m.Screen.Method)
	}
	if err := validateTreatment("treat", m.Treat); err != nil {
		return err
	}
	for _, code := range sortedKeys(m.Treat.Indicators) {
		if n, ok := f.Node(code); !ok || n.Kind != Indicator {
			return bad("engine.method.treat_not_indicator", "treat: %q is not an indicator of the framework", code)
		}
		if err := validateTreatment("treat "+code, m.Treat.Indicators[code]); err != nil {
			return err
		}
	}
	if err := validateNormalisation("normalise", m.Normalise, nil); err != nil {
		return err
	}
	for _, code := range sortedKeys(m.NormaliseIndicators) {
		n, ok := f.Node(code)
		if !ok || n.Kind != Indicator {
			return bad("engine.method.normalise_not_indicator", "normalise: %q is not an indicator of the framework", code)
		}
		if err := validateNormalisation("normalise "+code, m.NormaliseIndicators[code], &n); err != nil {
			return err
		}
	}
	for _, code := range f.Indicators() {
		if _, over := m.NormaliseIndicators[code]; over {
			continue
		}
		n, _ := f.Node(code)
		if err := validateNormalisation("normalise "+code, m.Normalise, &n); err != nil {
			return err
		}
	}
	if err := validateAggregation("aggregate", m.Aggregate); err != nil {
		return err
	}
	for _, l := range sortedKeys(m.AggregateLevels) {
		if l < 2 || l > f.MaxLevel() {
			return bad("engine.method.aggregate_level", "aggregate: level %d has no aggregates (levels 2 to %d)", l, f.MaxLevel())
		}
		if err := validateAggregation(fmt.Sprintf("aggregate level %d", l), m.AggregateLevels[l]); err != nil {
			return err
		}
	}
	for _, code := range sortedKeys(m.AggregateNodes) {
		if n, ok := f.Node(code); !ok || n.Kind != Aggregate {
			return bad("engine.method.aggregate_not_aggregate", "aggregate: %q is not an aggregate of the framework", code)
		}
		if err := validateAggregation("aggregate "+code, m.AggregateNodes[code]); err != nil {
			return err
		}
	}
	for _, code := range sortedKeys(m.Weights) {
		if _, ok := f.Node(code); !ok {
			return bad("engine.method.weights_unknown", "weights: %q is not in the framework", code)
		}
		if w := m.Weights[code]; !(w > 0) || math.IsInf(w, 0) {
			return bad("engine.method.weights_positive", "weights: %q must be a positive number, got %v", code, w)
		}
	}
	return nil
}

func validateImputation(where string, m Imputation, d *Data) error {
	// format is the English text of key after "method: <where>: ".
	bad := func(key, format string, args ...any) error {
		return citylens.Ef(citylens.EINVALID, key, "method: %s: "+format, append([]any{where}, args...)...)
	}
	switch m.Method {
	case "", ImputeNone, ImputeMean, ImputeMedian:
	case ImputeGroupMean, ImputeGroupMedian:
		if m.Group == "" {
			return bad("engine.method.impute_group", "%s needs a group column", m.Method)
		}
		if _, ok := d.Groups[m.Group]; !ok {
			return bad("engine.method.impute_unknown_group", "group column %q is not in the data", m.Group)
		}
	default:
		return bad("engine.method.impute_unknown", "unknown method %q (none, mean, median, group_mean, group_median)", m.Method)
	}
	switch m.Stage {
	case "", ImputeRaw, ImputeNormalised:
	default:
		return bad("engine.method.impute_stage", "unknown stage %q (raw, normalised)", m.Stage)
	}
	return nil
}

func validateTreatment(where string, t Treatment) error {
	t = t.resolved()
	switch t.Method {
	case TreatNone:
	case TreatWinsorise:
		if t.Winmax < 0 {
			return citylens.Ef(citylens.EINVALID, "engine.method.winmax", "method: %s: winmax must be 0 or more, got %d", where, t.Winmax)
		}
		if !(t.SkewThreshold > 0) || !(t.KurtThreshold > 0) {
			return citylens.Ef(citylens.EINVALID, "engine.method.thresholds", "method: %s: skew and kurtosis thresholds must be positive", where)
		}
		if t.Fallback != "log" && t.Fallback != "none" {
			return citylens.Ef(citylens.EINVALID, "engine.method.fallback", "method: %s: fallback must be log or none, got %q", where, t.Fallback)
		}
	default:
		return citylens.Ef(citylens.EINVALID, "engine.method.treat_unknown", "method: %s: unknown method %q (none, winsorise)", where, t.Method)
	}
	return nil
}

func validateNormalisation(where string, n Normalisation, ind *Node) error {
	n = n.resolved()
	// format is the English text of key after "method: <where>: ".
	bad := func(key, format string, args ...any) error {
		return citylens.Ef(citylens.EINVALID, key, "method: %s: "+format, append([]any{where}, args...)...)
	}
	if math.IsNaN(n.Low) || math.IsNaN(n.High) || math.IsNaN(n.Mean) || math.IsNaN(n.SD) || math.IsNaN(n.Scale) {
		return bad("engine.method.parameters", "parameters must be numbers")
	}
	switch n.Method {
	case NormNone, NormRank, NormPRank, NormBorda, NormDist2Max, NormFracMax:
	case NormMinMax, NormScaled:
		if !(n.High > n.Low) {
			return bad("engine.method.high_low", "high (%v) must be above low (%v)", n.High, n.Low)
		}
	case NormZScore:
		if !(n.SD > 0) {
			return bad("engine.method.sd", "sd must be positive, got %v", n.SD)
		}
	case NormGoalposts:
		if ind != nil && ind.Goalposts == nil {
			return bad("engine.method.no_goalposts", "indicator has no goalposts")
		}
	case NormDist2Targ:
		if ind != nil && ind.Target == nil {
			return bad("engine.method.no_target", "indicator has no target")
		}
	default:
		return bad("engine.method.normalise_unknown", "unknown method %q (none, minmax, zscore, rank, prank, borda, goalposts, dist2targ, dist2max, fracmax, scaled)", n.Method)
	}
	return nil
}

func validateAggregation(where string, a Aggregation) error {
	a = a.resolved()
	switch a.Method {
	case AggAMean, AggGMean, AggHMean, AggCopeland:
	case AggGenMean:
		if math.IsNaN(a.P) || math.IsInf(a.P, 0) {
			return citylens.Ef(citylens.EINVALID, "engine.method.p", "method: %s: p must be a finite number", where)
		}
	default:
		return citylens.Ef(citylens.EINVALID, "engine.method.aggregate_unknown", "method: %s: unknown method %q (amean, gmean, hmean, genmean, copeland)", where, a.Method)
	}
	if a.Threshold < 0 || a.Threshold > 1 || math.IsNaN(a.Threshold) {
		return citylens.Ef(citylens.EINVALID, "engine.method.aggregate_threshold", "method: %s: threshold must be between 0 and 1, got %v", where, a.Threshold)
	}
	return nil
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
