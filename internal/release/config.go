package release

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/hdi"
)

// Config is an edition's release set-up: development stages, ratings, the
// uncertainty and sensitivity analyses run at publication, and the policy
// of its releases (peer groups, licence). Its zero value means the defaults
// (DefaultStages, DefaultRatings, DefaultUncertainty; the draft's own peer
// groups and licence). An edition's configuration is read with
// EditionConfig, which makes the policy explicit: peer groups by region
// and DefaultLicence unless the edition says otherwise.
type Config struct {
	// Stages of the index score, lowest first.
	Stages []Stage `json:"stages"`
	// PillarStages overrides Stages for single pillars.
	PillarStages map[string][]Stage `json:"pillar_stages,omitempty"`
	Ratings      Ratings            `json:"ratings"`
	Uncertainty  Uncertainty        `json:"uncertainty"`
	// PeerGroup is the rule that gives every city its peer group, the group
	// its rating is relative to: PeerByRegion, PeerByCountry,
	// PeerByPopulation or PeerByNone. Empty: the draft's cities keep the
	// peer groups they carry (e.g. HDI groups).
	PeerGroup string `json:"peer_group,omitempty"`
	// Licence is the licence of the release's data; nil: the draft's.
	Licence *Licence `json:"licence,omitempty"`
	// TieOverlap is the share of two cities' 5–95 % rank bands (the ranks
	// both cover over the ranks either covers) from which they are shown as
	// tied; 0 means DefaultTieOverlap (one half). See tieRows.
	TieOverlap float64 `json:"tie_overlap,omitempty"`
	// Plausibility is the data call's plausibility checks of the edition's
	// values (catalogue.Plausibility); the release only carries it.
	Plausibility *catalogue.Plausibility `json:"plausibility,omitempty"`
}

// Peer-group rules (Config.PeerGroup): what a city's peer group is.
const (
	PeerByRegion     = "region"           // its world region (the default of an edition)
	PeerByCountry    = "country"          // its country
	PeerByPopulation = "population_class" // its population class (PopulationClassOf)
	PeerByNone       = "none"             // no peer groups: no city is rated
	// PeerByHDI groups cities by their country's human development group
	// (UNDP's HDI 2021: very high, high, medium, low), as the IMD Smart
	// City Index rates them; a city whose country has no HDI is not rated.
	PeerByHDI = "hdi"
)

// PeerGroupRules lists the rules an edition may choose.
func PeerGroupRules() []string {
	return []string{PeerByRegion, PeerByCountry, PeerByPopulation, PeerByHDI, PeerByNone}
}

// DefaultLicence is the licence of an edition's releases unless its
// configuration names another: Creative Commons Attribution 4.0.
func DefaultLicence() Licence {
	return Licence{Name: "CC-BY-4.0", Title: "Creative Commons Attribution 4.0", Path: "https://creativecommons.org/licenses/by/4.0/"}
}

// PeerGroupOf returns a city's peer group under the configuration's rule
// (the city's own without one).
func (c Config) PeerGroupOf(city City) string {
	switch c.PeerGroup {
	case PeerByRegion:
		return city.Region
	case PeerByCountry:
		return city.Country
	case PeerByPopulation:
		return PopulationClassOf(city.Population)
	case PeerByHDI:
		return hdi.GroupOf(city.Country)
	case PeerByNone:
		return ""
	}
	return city.PeerGroup
}

// ParseConfig reads a release configuration from JSON strictly: a
// misspelt field is an error naming it rather than a silent default.
// Ranges and names are checked again against the framework when a release
// is previewed or published.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, citylens.Errorf(citylens.EINVALID, "release configuration: %v", err)
	}
	if dec.More() {
		return c, citylens.Errorf(citylens.EINVALID, "release configuration: one JSON object expected")
	}
	for i := 1; i < len(c.Stages); i++ {
		if !(c.Stages[i].From > c.Stages[i-1].From) {
			return c, citylens.Errorf(citylens.EINVALID, "release configuration: stage %q must start above stage %q", c.Stages[i].Name, c.Stages[i-1].Name)
		}
	}
	if err := c.checkPolicy(); err != nil {
		return c, citylens.Errorf(citylens.EINVALID, "release configuration: %s", citylens.ErrorMessage(err))
	}
	return c, nil
}

// EditionConfig is the configuration an edition's releases are published
// with: the edition's own (ParseConfig), its policy made explicit: peer
// groups by region and DefaultLicence unless it names others. Stages,
// ratings and the analyses keep their zero values for Publish's defaults.
func EditionConfig(e *catalogue.Edition) (Config, error) {
	var c Config
	if len(bytes.TrimSpace(e.Release)) > 0 {
		var err error
		if c, err = ParseConfig(e.Release); err != nil {
			return c, citylens.Errorf(citylens.EINVALID, "edition %s: %s", e.Code, citylens.ErrorMessage(err))
		}
	}
	if c.PeerGroup == "" {
		c.PeerGroup = PeerByRegion
	}
	if c.Licence == nil {
		l := DefaultLicence()
		c.Licence = &l
	}
	return c, nil
}

// checkPolicy checks the peer-group rule and the licence.
func (c Config) checkPolicy() error {
	if c.PeerGroup != "" && !contains(PeerGroupRules(), c.PeerGroup) {
		return citylens.Errorf(citylens.EINVALID, "peer_group must be one of %v, got %q", PeerGroupRules(), c.PeerGroup)
	}
	if p := c.Plausibility; p != nil && (p.Z < 0 || p.MinCities < 0 || math.IsNaN(p.Z)) {
		return citylens.Errorf(citylens.EINVALID, "plausibility: z and min_cities must be 0 (the defaults) or more")
	}
	if c.TieOverlap < 0 || c.TieOverlap > 1 || math.IsNaN(c.TieOverlap) {
		return citylens.Errorf(citylens.EINVALID, "tie_overlap must be a share from 0 to 1, got %v", c.TieOverlap)
	}
	if c.Licence != nil && strings.TrimSpace(c.Licence.Name) == "" {
		return citylens.Errorf(citylens.EINVALID, "licence: name (an SPDX identifier such as CC-BY-4.0) is required")
	}
	return nil
}

// applyPolicy gives the cities their peer groups and the release its
// licence as the configuration says. A draft that already says otherwise
// is an error, not silently overridden.
func (c Config) applyPolicy(cities []City, licence Licence) (Licence, error) {
	if c.PeerGroup != "" {
		for i, city := range cities {
			g := c.PeerGroupOf(city)
			if city.PeerGroup != "" && city.PeerGroup != g {
				return licence, citylens.Errorf(citylens.EINVALID, "release: city %q has peer group %q, but the configuration gives peer groups by %s (%q)", city.Code, city.PeerGroup, c.PeerGroup, g)
			}
			cities[i].PeerGroup = g
		}
	}
	if c.Licence != nil {
		if licence != (Licence{}) && licence != *c.Licence {
			return licence, citylens.Errorf(citylens.EINVALID, "release: the draft's licence %q is not the configuration's %q", licence.Name, c.Licence.Name)
		}
		licence = *c.Licence
	}
	return licence, nil
}

// Stage is a development stage: scores from From (inclusive) up to the next
// stage's From. The lowest stage's From is ignored: it takes every score below.
type Stage struct {
	Name string  `json:"name"`
	From float64 `json:"from"`
}

// Rating rules.
const (
	// RatingRange places a score between its peer group's lowest and highest
	// score: position (s − min) / (max − min), cut into equal-width bands.
	RatingRange = "range"
	// RatingQuantile uses the score's percentile rank within the group:
	// (mid-rank − 1) / (n − 1), ties sharing their mean rank, cut into equal bands.
	RatingQuantile = "quantile"
)

// Ratings are relative ratings of the index score within peer groups.
type Ratings struct {
	// Scale is best first; the position in [0, 1] is cut into len(Scale)
	// equal bands, the top band (position ≥ 1 − 1/len) getting Scale[0].
	Scale []string `json:"scale"`
	Rule  string   `json:"rule"` // RatingRange (default) or RatingQuantile
	// MinGroup is the fewest ranked cities a peer group needs for its cities
	// to be rated; smaller groups (and cities without a group) are not rated.
	MinGroup int `json:"min_group"`
}

// Uncertainty is the analysis run at publication.
type Uncertainty struct {
	Spec engine.UncertaintySpec `json:"spec"`
	N    int                    `json:"n"`    // replications of the uncertainty analysis
	Seed uint64                 `json:"seed"` // same seed, same bands
	// SAN is the base sample size of the sensitivity analysis (SAN·(d+2)
	// replications); Bootstrap its resamples for the confidence intervals.
	SAN       int  `json:"sa_n"`
	Bootstrap int  `json:"bootstrap"`
	SkipSA    bool `json:"skip_sa,omitempty"`
}

// Defaults.
const (
	DefaultN         = 1000
	DefaultSeed      = 1
	DefaultSAN       = 200
	DefaultBootstrap = 100
	DefaultMinGroup  = 3
	// DefaultWeightNoise is the ±share of every weight in the default analysis.
	DefaultWeightNoise = 0.25
)

// DefaultStages are Emerging < 40 ≤ Developing < 55 ≤ Advanced < 70 ≤ Leading,
// for scores on a 0–100 scale.
func DefaultStages() []Stage {
	return []Stage{{"Emerging", 0}, {"Developing", 40}, {"Advanced", 55}, {"Leading", 70}}
}

// DefaultRatings are IMD's ten ratings, AAA to D, by position in the group's range.
func DefaultRatings() Ratings {
	return Ratings{Scale: []string{"AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"}, Rule: RatingRange, MinGroup: DefaultMinGroup}
}

// DefaultUncertainty is the analysis a release runs when the edition
// declares none: every weight of every aggregate's children ±25 %, the
// method's normalisation against an alternative (z-scores with mean 50 and
// SD 10, or min-max 0–100 when the method already uses z-scores), and its
// aggregation against an alternative (a generalised mean with p = 0.5, less
// compensatory than the arithmetic mean and defined on zero scores, or the
// arithmetic mean when the method uses another mean).
func DefaultUncertainty(f *engine.Framework, m engine.Method) engine.UncertaintySpec {
	raw := func(v any) json.RawMessage {
		b, _ := json.Marshal(v)
		return b
	}
	var noise []engine.WeightNoise
	for l := 1; l < f.MaxLevel(); l++ {
		noise = append(noise, engine.WeightNoise{Level: l, Factor: DefaultWeightNoise})
	}
	altNorm := engine.Normalisation{Method: engine.NormZScore, Mean: 50, SD: 10}
	if m.Normalise.Method == engine.NormZScore {
		altNorm = engine.Normalisation{Method: engine.NormMinMax, Low: 0, High: 100}
	}
	altAgg := engine.Aggregation{Method: engine.AggGenMean, P: 0.5, Threshold: m.Aggregate.Threshold}
	if a := m.Aggregate.Method; a != "" && a != engine.AggAMean {
		altAgg = engine.Aggregation{Method: engine.AggAMean, Threshold: m.Aggregate.Threshold}
	}
	return engine.UncertaintySpec{Inputs: []engine.UncertainInput{
		{Name: "Weights", Param: "weights", Noise: noise},
		{Name: "Normalisation", Param: "normalise", Values: []json.RawMessage{raw(m.Normalise), raw(altNorm)}},
		{Name: "Aggregation", Param: "aggregate", Values: []json.RawMessage{raw(m.Aggregate), raw(altAgg)}},
	}}
}

// resolve fills the defaults and checks the configuration against the framework.
func (c Config) resolve(f *engine.Framework, m engine.Method, index string, pillars []string) (Config, error) {
	bad := func(format string, args ...any) error {
		return citylens.Errorf(citylens.EINVALID, "release config: "+format, args...)
	}
	c = c.clone()
	if err := c.checkPolicy(); err != nil {
		return c, bad("%s", citylens.ErrorMessage(err))
	}
	if len(c.Stages) == 0 {
		c.Stages = DefaultStages()
	}
	if err := checkStages("stages", c.Stages); err != nil {
		return c, err
	}
	for _, p := range sortedKeys(c.PillarStages) {
		if !contains(pillars, p) {
			return c, bad("pillar_stages: %q is not a pillar of the index %s (pillars: %v)", p, index, pillars)
		}
		if err := checkStages("pillar_stages "+p, c.PillarStages[p]); err != nil {
			return c, err
		}
	}
	if len(c.Ratings.Scale) == 0 {
		c.Ratings.Scale = DefaultRatings().Scale
	}
	if c.Ratings.Rule == "" {
		c.Ratings.Rule = RatingRange
	}
	if c.Ratings.MinGroup == 0 {
		c.Ratings.MinGroup = DefaultMinGroup
	}
	if c.Ratings.Rule != RatingRange && c.Ratings.Rule != RatingQuantile {
		return c, bad("ratings: rule must be %s or %s, got %q", RatingRange, RatingQuantile, c.Ratings.Rule)
	}
	if c.Ratings.MinGroup < 2 {
		return c, bad("ratings: min_group must be at least 2, got %d", c.Ratings.MinGroup)
	}
	seen := map[string]bool{}
	for _, s := range c.Ratings.Scale {
		if s == "" || seen[s] {
			return c, bad("ratings: scale names must be non-empty and distinct, got %q", c.Ratings.Scale)
		}
		seen[s] = true
	}
	u := &c.Uncertainty
	if len(u.Spec.Inputs) == 0 {
		u.Spec = DefaultUncertainty(f, m)
	}
	if u.Spec.Target == "" {
		u.Spec.Target = index
	}
	if u.Spec.Target != index {
		return c, bad("uncertainty: the target must be the index %q, got %q", index, u.Spec.Target)
	}
	if u.Spec.Nodes == nil {
		u.Spec.Nodes = append([]string(nil), pillars...)
	}
	if !equalStrings(u.Spec.Nodes, pillars) {
		return c, bad("uncertainty: the tracked nodes must be the pillars %v, got %v", pillars, u.Spec.Nodes)
	}
	if u.N == 0 {
		u.N = DefaultN
	}
	if u.Seed == 0 {
		u.Seed = DefaultSeed
	}
	if u.SAN == 0 {
		u.SAN = DefaultSAN
	}
	if u.Bootstrap == 0 {
		u.Bootstrap = DefaultBootstrap
	}
	if u.N < 2 || u.SAN < 2 || u.Bootstrap < 0 || u.N > MaxReplications || u.SAN > MaxReplications || u.Bootstrap > MaxReplications {
		return c, bad("uncertainty: n and sa_n must be from 2 to %d and bootstrap from 0 to %d (n %d, sa_n %d, bootstrap %d)",
			MaxReplications, MaxReplications, u.N, u.SAN, u.Bootstrap)
	}
	return c, nil
}

// MaxReplications bounds every replication count a configuration or a
// request may ask for (uncertainty, sensitivity, bootstrap): the time and
// memory of one publication.
const MaxReplications = 20000

func checkStages(where string, st []Stage) error {
	if len(st) == 0 {
		return citylens.Errorf(citylens.EINVALID, "release config: %s: no stages", where)
	}
	seen := map[string]bool{}
	for i, s := range st {
		if s.Name == "" || seen[s.Name] {
			return citylens.Errorf(citylens.EINVALID, "release config: %s: stage %d: names must be non-empty and distinct", where, i+1)
		}
		seen[s.Name] = true
		if math.IsNaN(s.From) || math.IsInf(s.From, 0) {
			return citylens.Errorf(citylens.EINVALID, "release config: %s: stage %q: from must be a number", where, s.Name)
		}
		if i > 0 && !(s.From > st[i-1].From) {
			return citylens.Errorf(citylens.EINVALID, "release config: %s: stage %q starts at %v, not above %q's %v: list stages lowest first", where, s.Name, s.From, st[i-1].Name, st[i-1].From)
		}
	}
	return nil
}

// clone deep-copies the configuration (through JSON: it is plain data).
func (c Config) clone() Config {
	var out Config
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("release: config does not marshal: %v", err)) // plain data: cannot happen
	}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("release: config does not unmarshal: %v", err))
	}
	return out
}

// stageOf returns the stage of a score ("" for a missing score).
func stageOf(stages []Stage, s float64) string {
	if math.IsNaN(s) || len(stages) == 0 {
		return ""
	}
	name := stages[0].Name
	for _, st := range stages[1:] {
		if s >= st.From {
			name = st.Name
		}
	}
	return name
}

func (c *Config) pillarStages(p string) []Stage {
	if st, ok := c.PillarStages[p]; ok {
		return st
	}
	return c.Stages
}

// rate rates the scores of one peer group (NaN: not ranked, not rated).
func (r Ratings) rate(scores []float64) []string {
	out := make([]string, len(scores))
	var idx []int
	for i, s := range scores {
		if !math.IsNaN(s) {
			idx = append(idx, i)
		}
	}
	if len(idx) < r.MinGroup {
		return out
	}
	pos := make([]float64, len(scores))
	switch r.Rule {
	case RatingQuantile:
		sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
		n := len(idx)
		for k := 0; k < n; {
			e := k
			for e+1 < n && scores[idx[e+1]] == scores[idx[k]] {
				e++
			}
			mid := float64(k+e)/2 + 1 // mean of ranks k+1..e+1
			for t := k; t <= e; t++ {
				pos[idx[t]] = (mid - 1) / float64(n-1)
			}
			k = e + 1
		}
	default:
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, i := range idx {
			lo, hi = math.Min(lo, scores[i]), math.Max(hi, scores[i])
		}
		for _, i := range idx {
			pos[i] = 0.5 // every score equal: nobody is ahead, the middle rating
			if hi > lo {
				pos[i] = (scores[i] - lo) / (hi - lo)
			}
		}
	}
	k := len(r.Scale)
	for _, i := range idx {
		band := min(int(math.Floor(pos[i]*float64(k))), k-1) // 0 = worst
		out[i] = r.Scale[k-1-band]
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
