// Package release is CityLens's releases domain: it turns a computed edition
// (framework, method, data with provenance, city metadata) into a published,
// immutable, content-addressed release, and answers every question the public
// explorer asks of one: rankings with uncertainty bands, city profiles with
// peers and aspirational twins, what-if recomputations, comparisons,
// indicator and methodology views, and downloads.
//
// A Release is immutable: its fields are unexported and every accessor and
// query returns copies, so nothing a caller does changes a published release.
// It serialises to one JSON document and back exactly (MarshalJSON,
// UnmarshalJSON), so a store keeps it as it is and nothing recomputes it.
//
// The package is pure: no database, no HTTP, no clock (the caller gives the
// publication time).
package release

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
)

// City is a member city of a release with the context the explorer shows
// and groups by.
type City struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Country    string  `json:"country,omitempty"`
	Region     string  `json:"region,omitempty"`
	Population int64   `json:"population,omitempty"` // inhabitants; 0 when unknown
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	// PeerGroup is the group the city's rating is relative to (e.g. an HDI
	// or income group); empty when the city has none.
	PeerGroup string `json:"peer_group,omitempty"`
}

// unit is the city as the engine's data set knows it.
func (c City) unit() catalogue.Unit {
	return catalogue.Unit{Code: c.Code, Name: c.Name, Region: c.Region, Country: c.Country, PeerGroup: c.PeerGroup, Population: c.Population}
}

// DataPoint is one value a release is computed from, with its provenance.
// Its JSON is that of the data call's data points. A missing value is a
// missing data point; denominators are data points too.
type DataPoint struct {
	City      string  `json:"city"`
	Indicator string  `json:"indicator"`
	Value     float64 `json:"value"`
	Source    string  `json:"source"`
	DataYear  int     `json:"data_year"`
	Estimated bool    `json:"estimated,omitempty"`
}

// IndicatorInfo is what the catalogue says of an indicator beyond the
// framework node: definition, valid range (used to check what-if values) and
// crosswalk. Optional: a release works without it.
type IndicatorInfo struct {
	Code       string `json:"code"`
	Definition string `json:"definition,omitempty"`
	// DefinitionKo is the definition in Korean; empty, it is left out of
	// the document, so releases published before it keep their hashes.
	DefinitionKo string              `json:"definition_ko,omitempty"`
	Min          *float64            `json:"min,omitempty"`
	Max          *float64            `json:"max,omitempty"`
	Crosswalk    catalogue.Crosswalk `json:"crosswalk"`
}

// InfoFromCatalogue picks the catalogue entries of the given indicator codes
// (codes the catalogue does not know are skipped).
func InfoFromCatalogue(cat map[string]catalogue.Indicator, codes []string) []IndicatorInfo {
	var out []IndicatorInfo
	for _, c := range codes {
		ind, ok := cat[c]
		if !ok {
			continue
		}
		out = append(out, IndicatorInfo{Code: c, Definition: ind.Definition, DefinitionKo: ind.Ko.Definition, Min: ind.Min, Max: ind.Max, Crosswalk: ind.Xwalk})
	}
	return out
}

// Draft is what a release is published from: a computed edition.
type Draft struct {
	Edition    string          `json:"edition"`
	Framework  []engine.Node   `json:"framework"`
	Method     engine.Method   `json:"method"`
	Data       []DataPoint     `json:"data"`
	Cities     []City          `json:"cities"`
	Indicators []IndicatorInfo `json:"indicators,omitempty"`
	// Licence and Attribution travel with every download.
	Licence     Licence `json:"licence"`
	Attribution string  `json:"attribution,omitempty"`
}

// Licence is the licence of a release's data (Frictionless "licenses" entry).
type Licence struct {
	Name  string `json:"name,omitempty"` // SPDX identifier, e.g. CC-BY-4.0
	Title string `json:"title,omitempty"`
	Path  string `json:"path,omitempty"` // URL of the licence text
}

// Release is a published release. It is immutable: see the package comment.
type Release struct {
	d doc
	// Derived on construction and load, never serialised.
	f        *engine.Framework
	cityIdx  map[string]int // city code -> position in d.Cities (and in every matrix's units)
	rowIdx   map[string]int // ranked city code -> row in the screened matrices
	colAgg   map[string]int // code -> column of Aggregated
	colRaw   map[string]int // indicator code -> column of Raw/Imputed/Treated
	points   map[[2]string]int
	imputed  map[[2]string]int // (city, indicator) -> index in d.Imputations
	rankRows []RankingRow      // ranked cities, by rank then code
	data     *engine.Data      // the data points laid out for the engine (what-if)
	dv       derived
	// ko is the release's Korean view, made on first use; published is,
	// in that view, the release as published.
	ko        *localised
	published *Release
}

// doc is a release's JSON document.
type doc struct {
	Hash          string    `json:"hash"`
	Edition       string    `json:"edition"`
	EngineVersion string    `json:"engine_version"`
	PublishedAt   time.Time `json:"published_at"`
	// Previous is the hash of the previous edition's release the rank changes
	// are measured against; Corrects the hash of the release this one corrects.
	Previous        string   `json:"previous,omitempty"`
	PreviousEdition string   `json:"previous_edition,omitempty"`
	Corrects        string   `json:"corrects,omitempty"`
	Changes         []Change `json:"changes,omitempty"`

	Framework   []engine.Node   `json:"framework"`
	Method      engine.Method   `json:"method"`
	Data        []DataPoint     `json:"data"`
	Cities      []City          `json:"cities"` // by code; every matrix's units are in this order
	Indicators  []IndicatorInfo `json:"indicators,omitempty"`
	Licence     Licence         `json:"licence"`
	Attribution string          `json:"attribution,omitempty"`
	Config      Config          `json:"config"`

	Index   string   `json:"index"`   // the root aggregate ranked
	Pillars []string `json:"pillars"` // its children

	// Every data set of the build. Raw, Denominated and Imputed cover every
	// city; Treated and Aggregated the ranked ones (Screened is Imputed's
	// ranked rows, Normalised Aggregated's indicator columns).
	Raw         *matrix `json:"raw"`
	Denominated *matrix `json:"denominated,omitempty"` // only when the method denominates
	Imputed     *matrix `json:"imputed"`
	Treated     *matrix `json:"treated"`
	Aggregated  *matrix `json:"aggregated"`
	Ranks       *matrix `json:"ranks"`

	// Imputations flags every value the pipeline filled, with its stage,
	// method and group (absent from releases of engine 1, whose raw-stage
	// imputations are read from Raw and Imputed).
	Imputations []engine.ImputedValue `json:"imputations,omitempty"`

	Treatment []TreatNote        `json:"treatment,omitempty"`
	Weights   map[string]float64 `json:"weights"`
	Warnings  []string           `json:"warnings,omitempty"`

	Results     []cityResult    `json:"results"` // one per city, in Cities order
	Uncertainty UncertaintyInfo `json:"uncertainty"`
	ScoreBands  []scoreBand     `json:"score_bands"` // city-major, index then pillars
	Sobol       []SobolIndex    `json:"sobol,omitempty"`
	Audit       []AuditFlag     `json:"audit,omitempty"`
}

// cityResult is one city's published result.
type cityResult struct {
	City         string   `json:"city"`
	Ranked       bool     `json:"ranked"`
	DataAvail    float64  `json:"data_availability"`
	Rank         int      `json:"rank,omitempty"`
	Score        nfloat   `json:"score"`
	Median       nfloat   `json:"median_rank"`
	Q5           nfloat   `json:"rank_q5"`
	Q95          nfloat   `json:"rank_q95"`
	MeanAbsShift nfloat   `json:"mean_abs_shift"`
	TieGroup     int      `json:"tie_group,omitempty"`
	Stage        string   `json:"stage,omitempty"`
	PillarStages []string `json:"pillar_stages,omitempty"` // Pillars order
	Rating       string   `json:"rating,omitempty"`
	PrevRank     int      `json:"prev_rank,omitempty"` // 0: not ranked in the previous release
}

type scoreBand struct {
	Q5     nfloat `json:"q5"`
	Median nfloat `json:"median"`
	Q95    nfloat `json:"q95"`
}

// TreatNote says what outlier treatment did to one indicator.
type TreatNote struct {
	Indicator  string `json:"indicator"`
	Winsorised int    `json:"winsorised,omitempty"` // points clipped
	Logged     bool   `json:"logged,omitempty"`     // replaced by its log
}

// UncertaintyInfo summarises the uncertainty and sensitivity analyses run at publication.
type UncertaintyInfo struct {
	N        int            `json:"n"`
	Seed     uint64         `json:"seed"`
	Failed   int            `json:"failed"`
	Failures []FailureCount `json:"failures,omitempty"`
	Inputs   []string       `json:"inputs"`
	SAN      int            `json:"sa_n,omitempty"`    // base samples of the sensitivity analysis
	SARuns   int            `json:"sa_runs,omitempty"` // its replications
	SAFailed int            `json:"sa_failed,omitempty"`
}

// FailureCount is how many replications failed for one reason.
type FailureCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// SobolIndex is the sensitivity of one output to one uncertain input.
// Output is "mean_abs_rank_shift" or "mean_city_score" (the mean over cities
// of the indices of each city's index score).
type SobolIndex struct {
	Output string   `json:"output"`
	Input  string   `json:"input"`
	S1     *float64 `json:"s1"`
	ST     *float64 `json:"st"`
	S1Lo   *float64 `json:"s1_lo,omitempty"`
	S1Hi   *float64 `json:"s1_hi,omitempty"`
	STLo   *float64 `json:"st_lo,omitempty"`
	STHi   *float64 `json:"st_hi,omitempty"`
}

// Sobol outputs.
const (
	SobolRankShift = "mean_abs_rank_shift"
	SobolCityScore = "mean_city_score"
)

// AuditFlag is one finding of the statistical audit worth a reader's attention.
type AuditFlag struct {
	Kind  string   `json:"kind"` // skew_kurtosis, weak, negative, redundant, low_alpha
	Codes []string `json:"codes"`
	Text  string   `json:"text"`
}

// Change is one entry of a correction's change log.
type Change struct {
	Kind string `json:"kind"` // value, provenance, score, rank, stage, rating, framework, method, config, cities
	City string `json:"city,omitempty"`
	Code string `json:"code,omitempty"` // indicator or aggregate
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Change kinds.
const (
	ChangeValue      = "value"
	ChangeProvenance = "provenance"
	ChangeScore      = "score"
	ChangeRank       = "rank"
	ChangeStage      = "stage"
	ChangeRating     = "rating"
	ChangeFramework  = "framework"
	ChangeMethod     = "method"
	ChangeConfig     = "config"
	ChangeCities     = "cities"
)

// Summary is a release's identity and headline, for lists and headers.
type Summary struct {
	Hash            string    `json:"hash"`
	Edition         string    `json:"edition"`
	EngineVersion   string    `json:"engine_version"`
	PublishedAt     time.Time `json:"published_at"`
	Corrects        string    `json:"corrects,omitempty"`
	Previous        string    `json:"previous,omitempty"`
	PreviousEdition string    `json:"previous_edition,omitempty"`
	Index           string    `json:"index"`
	IndexName       string    `json:"index_name"`
	Pillars         []string  `json:"pillars"`
	Cities          int       `json:"cities"`
	Ranked          int       `json:"ranked"`
	Indicators      int       `json:"indicators"`
	Licence         Licence   `json:"licence"`
	Attribution     string    `json:"attribution,omitempty"`
}

// Summary returns the release's identity and headline figures.
func (r *Release) Summary() Summary {
	ranked := 0
	for _, c := range r.d.Results {
		if c.Ranked {
			ranked++
		}
	}
	n, _ := r.f.Node(r.d.Index)
	return Summary{Hash: r.d.Hash, Edition: r.d.Edition, EngineVersion: r.d.EngineVersion, PublishedAt: r.d.PublishedAt,
		Corrects: r.d.Corrects, Previous: r.d.Previous, PreviousEdition: r.d.PreviousEdition,
		Index: r.d.Index, IndexName: nameOr(n.Name, n.Code), Pillars: append([]string(nil), r.d.Pillars...),
		Cities: len(r.d.Cities), Ranked: ranked, Indicators: len(r.f.Indicators()), Licence: r.d.Licence, Attribution: r.d.Attribution}
}

// WithPublishedAt returns the release as published at another time: the same
// release (the publication time is not hashed), e.g. a preview computed
// earlier and published now.
func (r *Release) WithPublishedAt(at time.Time) *Release {
	c := *r // shares the immutable content
	c.d.PublishedAt = at.UTC()
	return &c
}

// Hash is the release's content hash, its identity.
func (r *Release) Hash() string { return r.d.Hash }

// Edition is the code of the release's edition.
func (r *Release) Edition() string { return r.d.Edition }

// Changes returns a correction's change log (nil for a first release).
func (r *Release) Changes() []Change { return append([]Change(nil), r.d.Changes...) }

// Cities returns the release's cities, by code.
func (r *Release) Cities() []City { return append([]City(nil), r.d.Cities...) }

// Config returns the stage, rating and uncertainty set-up the release was published with.
func (r *Release) Config() Config { return r.d.Config.clone() }

// IndicatorInfos returns a copy of the release's indicator metadata,
// without copying its data as Draft does.
func (r *Release) IndicatorInfos() []IndicatorInfo { return cloneInfos(r.d.Indicators) }

// SamplingErrors returns a copy of the survey sampling errors the release's
// uncertainty analysis used (the "sampling" inputs), without the JSON copy
// of the whole configuration that Config makes.
func (r *Release) SamplingErrors() []engine.SamplingError {
	var out []engine.SamplingError
	for _, in := range r.d.Config.Uncertainty.Spec.Inputs {
		if in.Param == "sampling" {
			out = append(out, in.Sampling...)
		}
	}
	return out
}

// Draft returns the inputs the release was computed from.
func (r *Release) Draft() Draft {
	var nodes []engine.Node
	if b, err := json.Marshal(r.d.Framework); err == nil {
		_ = json.Unmarshal(b, &nodes) // a deep copy: nodes hold pointers
	}
	var m engine.Method
	if b, err := json.Marshal(r.d.Method); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return Draft{Edition: r.d.Edition, Framework: nodes, Method: m, Data: append([]DataPoint(nil), r.d.Data...),
		Cities: r.Cities(), Indicators: cloneInfos(r.d.Indicators), Licence: r.d.Licence, Attribution: r.d.Attribution}
}

func cloneInfos(in []IndicatorInfo) []IndicatorInfo {
	out := make([]IndicatorInfo, len(in))
	for i, x := range in {
		out[i] = x
		if x.Min != nil {
			v := *x.Min
			out[i].Min = &v
		}
		if x.Max != nil {
			v := *x.Max
			out[i].Max = &v
		}
		out[i].Crosswalk.SDGGoals = append([]int(nil), x.Crosswalk.SDGGoals...)
		out[i].Crosswalk.SDGTargets = append([]string(nil), x.Crosswalk.SDGTargets...)
	}
	return out
}

// MarshalJSON writes the release as one JSON document (a release In a
// language writes the document it was published as).
func (r *Release) MarshalJSON() ([]byte, error) {
	if r.published != nil {
		return json.Marshal(&r.published.d)
	}
	return json.Marshal(&r.d)
}

// In is the release as a page in lang ("en", "ko") shows it: on a Korean
// page its framework's nodes carry their Korean names and units and its
// indicators their Korean definitions, where the release has them (the
// English ones otherwise). Every figure, the hash and the document it
// writes are the release's own. The Korean view is made once per release.
func (r *Release) In(lang string) *Release {
	if lang != "ko" || r.published != nil || r.ko == nil {
		return r
	}
	r.ko.once.Do(func() {
		d := r.d
		d.Framework = slices.Clone(r.d.Framework)
		changed := false
		for i := range d.Framework {
			n := &d.Framework[i]
			if n.NameKo != "" {
				n.Name, changed = n.NameKo, true
			}
			if n.UnitKo != "" {
				n.Unit, changed = n.UnitKo, true
			}
		}
		d.Indicators = cloneInfos(r.d.Indicators)
		for i := range d.Indicators {
			if x := &d.Indicators[i]; x.DefinitionKo != "" {
				x.Definition, changed = x.DefinitionKo, true
			}
		}
		f, err := engine.NewFramework(d.Framework)
		if !changed || err != nil {
			r.ko.rel = r
			return
		}
		k := *r
		k.d, k.f, k.published, k.ko = d, f, r, nil
		// The derived names and units are the view's.
		k.dv.indName, k.dv.indUnit = slices.Clone(r.dv.indName), slices.Clone(r.dv.indUnit)
		for c, j := range r.dv.indPos {
			n, _ := f.Node(c)
			k.dv.indName[j], k.dv.indUnit[j] = nameOr(n.Name, c), n.Unit
		}
		r.ko.rel = &k
	})
	return r.ko.rel
}

// localised holds a release's Korean view (Release.In).
type localised struct {
	once sync.Once
	rel  *Release
}

// UnmarshalJSON reads a release written by MarshalJSON. It checks the
// document (its hash against its inputs, its shape) so a damaged or edited
// document is refused rather than served.
func (r *Release) UnmarshalJSON(b []byte) error {
	var d doc
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		return citylens.Errorf(citylens.EINVALID, "release: not a release document: %v", err)
	}
	h, err := contentHash(&d)
	if err != nil {
		return err
	}
	if h != d.Hash {
		return citylens.Errorf(citylens.EINVALID, "release: hash %s does not match the document's content (%s): the document was changed", d.Hash, h)
	}
	nr, err := load(d)
	if err != nil {
		return err
	}
	*r = *nr
	return nil
}

// Unmarshal reads a release document.
func Unmarshal(b []byte) (*Release, error) {
	r := new(Release)
	if err := r.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return r, nil
}

// load derives the indexes of a release document and checks its shape.
func load(d doc) (*Release, error) {
	bad := func(format string, args ...any) error {
		return citylens.Errorf(citylens.EINVALID, "release: "+format, args...)
	}
	f, err := engine.NewFramework(d.Framework)
	if err != nil {
		return nil, err
	}
	r := &Release{d: d, f: f, ko: &localised{}, cityIdx: map[string]int{}, rowIdx: map[string]int{}, colAgg: map[string]int{}, colRaw: map[string]int{}, points: map[[2]string]int{}}
	for i, c := range d.Cities {
		r.cityIdx[c.Code] = i
	}
	for _, m := range []*matrix{d.Raw, d.Imputed, d.Treated, d.Aggregated, d.Ranks} {
		if m == nil {
			return nil, bad("a data set is missing")
		}
	}
	if len(d.Raw.Units) != len(d.Cities) || len(d.Imputed.Units) != len(d.Cities) || len(d.Results) != len(d.Cities) {
		return nil, bad("data sets and cities do not match")
	}
	if len(d.ScoreBands) != len(d.Cities)*(1+len(d.Pillars)) {
		return nil, bad("score bands and cities do not match")
	}
	for j, c := range d.Aggregated.Codes {
		r.colAgg[c] = j
	}
	for j, c := range d.Raw.Codes {
		r.colRaw[c] = j
	}
	for _, c := range append([]string{d.Index}, d.Pillars...) {
		if _, ok := r.colAgg[c]; !ok {
			return nil, bad("aggregate %q has no scores", c)
		}
	}
	for i, u := range d.Aggregated.Units {
		r.rowIdx[u] = i
	}
	for i, p := range d.Data {
		r.points[[2]string{p.City, p.Indicator}] = i
	}
	if len(d.Imputations) > 0 {
		r.imputed = make(map[[2]string]int, len(d.Imputations))
		for i, v := range d.Imputations {
			r.imputed[[2]string{v.Unit, v.Indicator}] = i
		}
	}
	if _, r.data, err = engineData(f, d.Cities, d.Data); err != nil {
		return nil, err
	}
	r.rankRows = r.buildRankRows()
	r.derive()
	return r, nil
}

// contentHash is the SHA-256 of the canonical JSON of everything a release
// is computed from: engine version, edition, framework, method, data (by
// city and indicator), cities, indicator information, licence, resolved
// configuration, and the releases it is measured against or corrects.
// encoding/json writes struct fields in declaration order, map keys sorted
// and floats in their shortest exact form, so equal inputs give equal bytes.
func contentHash(d *doc) (string, error) {
	data := append([]DataPoint(nil), d.Data...)
	slices.SortFunc(data, func(a, b DataPoint) int {
		if c := strings.Compare(a.City, b.City); c != 0 {
			return c
		}
		return strings.Compare(a.Indicator, b.Indicator)
	})
	cities := append([]City(nil), d.Cities...)
	sort.Slice(cities, func(a, b int) bool { return cities[a].Code < cities[b].Code })
	infos := append([]IndicatorInfo(nil), d.Indicators...)
	sort.Slice(infos, func(a, b int) bool { return infos[a].Code < infos[b].Code })
	b, err := json.Marshal(struct {
		Engine      string          `json:"engine"`
		Edition     string          `json:"edition"`
		Framework   []engine.Node   `json:"framework"`
		Method      engine.Method   `json:"method"`
		Data        []DataPoint     `json:"data"`
		Cities      []City          `json:"cities"`
		Indicators  []IndicatorInfo `json:"indicators"`
		Licence     Licence         `json:"licence"`
		Attribution string          `json:"attribution"`
		Config      Config          `json:"config"`
		Previous    string          `json:"previous"`
		Corrects    string          `json:"corrects"`
	}{d.EngineVersion, d.Edition, d.Framework, d.Method, data, cities, infos, d.Licence, d.Attribution, d.Config, d.Previous, d.Corrects})
	if err != nil {
		return "", citylens.Errorf(citylens.EINVALID, "release: hashing the inputs: %v", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// nfloat is a float64 whose JSON is null when it is missing (NaN).
type nfloat float64

func (x nfloat) MarshalJSON() ([]byte, error) {
	v := float64(x)
	if math.IsNaN(v) {
		return []byte("null"), nil
	}
	if math.IsInf(v, 0) {
		return nil, citylens.Errorf(citylens.EINTERNAL, "release: infinite number")
	}
	return appendFloat(nil, v), nil
}

func (x *nfloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = nfloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*x = nfloat(v)
	return nil
}

func ptr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func nameOr(name, code string) string {
	if name != "" {
		return name
	}
	return code
}
