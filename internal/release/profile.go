package release

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// Defaults of a profile.
const (
	DefaultPeers = 5
	DefaultTwins = 3
	// minCompareSet is the fewest cities with a value a peer group needs to
	// judge a strength or weakness; smaller groups compare with the network.
	minCompareSet = 4
)

// PillarProfile is a city's standing on one pillar, with what to chart it against.
type PillarProfile struct {
	PillarScore
	Name string `json:"name"`
	// PeerMedian is the median score of the ranked cities of the city's peer
	// group, or of the network when the group has fewer than 4 (PeerSet says which).
	PeerMedian *float64 `json:"peer_median"`
	PeerSet    string   `json:"peer_set"` // "peer_group" or "network"
	// NetworkBest is the highest score of any ranked city, BestCity its code.
	NetworkBest *float64 `json:"network_best"`
	BestCity    string   `json:"best_city,omitempty"`
}

// Standing is where a city stands on one indicator within its comparison set.
type Standing struct {
	Indicator string  `json:"indicator"`
	Name      string  `json:"name"`
	Score     float64 `json:"score"` // normalised: higher is better whatever the direction
	// Percentile is the mid-rank position in the comparison set, 0 (lowest) to 1 (highest).
	Percentile float64 `json:"percentile"`
	Against    string  `json:"against"` // "peer_group" or "network"
	SetSize    int     `json:"set_size"`
}

// Neighbour is a city near another in normalised indicator space.
type Neighbour struct {
	City     City     `json:"city"`
	Distance float64  `json:"distance"`
	Common   int      `json:"common"` // indicators both have
	Rank     int      `json:"rank"`
	Score    float64  `json:"score"`
	Gaps     []Gap    `json:"gaps,omitempty"` // twins: the twin's scores minus the city's, index first, then pillars
	Stage    string   `json:"stage"`
	Band     Band     `json:"rank_band"`
	Context  []string `json:"context,omitempty"` // twins: what they share ("peer_group", "population_class")
}

// Gap is the difference of one score between two cities.
type Gap struct {
	Code string   `json:"code"`
	Gap  *float64 `json:"gap"`
}

// Value is one indicator value of a city with its provenance.
type Value struct {
	Indicator string `json:"indicator"`
	Name      string `json:"name"`
	Unit      string `json:"unit,omitempty"`
	Pillar    string `json:"pillar"`
	// Value is the submitted value (nil when missing); Imputed says the
	// pipeline filled a missing value, with ImputedValue.
	Value        *float64 `json:"value"`
	Imputed      bool     `json:"imputed,omitempty"`
	ImputedValue *float64 `json:"imputed_value,omitempty"` // in the indicator's unit; nil when filled after scoring
	// ImputedMethod (mean, median, group_mean, group_median), ImputedGroup
	// and ImputedStage (raw: the value was filled; normalised: the score)
	// say how an imputed value was filled.
	ImputedMethod string   `json:"imputed_method,omitempty"`
	ImputedGroup  string   `json:"imputed_group,omitempty"`
	ImputedStage  string   `json:"imputed_stage,omitempty"`
	Source        string   `json:"source,omitempty"`
	DataYear      int      `json:"data_year,omitempty"`
	Estimated     bool     `json:"estimated,omitempty"`
	Score         *float64 `json:"score"` // normalised (ranked cities)
	Rank          int      `json:"rank,omitempty"`
}

// Profile is everything a city's page shows.
type Profile struct {
	City             City            `json:"city"`
	PopulationClass  string          `json:"population_class,omitempty"`
	Ranked           bool            `json:"ranked"`
	DataAvailability float64         `json:"data_availability"`
	Rank             int             `json:"rank,omitempty"`
	Score            *float64        `json:"score"`
	ScoreBand        Band            `json:"score_band"`
	RankBand         Band            `json:"rank_band"`
	TieGroup         int             `json:"tie_group,omitempty"`
	TiedWith         []string        `json:"tied_with,omitempty"` // as RankingRow's
	TieSize          int             `json:"tie_size,omitempty"`
	TieFrom          int             `json:"tie_from,omitempty"`
	TieTo            int             `json:"tie_to,omitempty"`
	Stage            string          `json:"stage,omitempty"`
	Rating           string          `json:"rating,omitempty"`
	PrevRank         int             `json:"prev_rank,omitempty"`
	New              bool            `json:"new,omitempty"` // ranked now, not in the previous edition
	Change           *int            `json:"change,omitempty"`
	Pillars          []PillarProfile `json:"pillars"`
	Strengths        []Standing      `json:"strengths"`
	Weaknesses       []Standing      `json:"weaknesses"`
	Peers            []Neighbour     `json:"peers"`
	Twins            []Neighbour     `json:"twins"`
	Values           []Value         `json:"values"`
}

func (r *Release) city(code string) (int, error) {
	i, ok := r.cityIdx[code]
	if !ok {
		return 0, citylens.Ef(citylens.ENOTFOUND, "rel.error.no_city", "no city %q in release %s of edition %s", code, ShortHash(r.d.Hash), r.d.Edition)
	}
	return i, nil
}

// Profile returns a city's profile with DefaultPeers peers and DefaultTwins twins.
func (r *Release) Profile(code string) (*Profile, error) {
	i, err := r.city(code)
	if err != nil {
		return nil, err
	}
	c, res := r.d.Cities[i], r.d.Results[i]
	p := &Profile{City: c, PopulationClass: PopulationClassOf(c.Population), Ranked: res.Ranked, DataAvailability: res.DataAvail,
		ScoreBand: r.scoreBand(i, 0), Strengths: []Standing{}, Weaknesses: []Standing{}, Peers: []Neighbour{}, Twins: []Neighbour{}}
	if res.Ranked {
		row := cloneRows([]*RankingRow{&r.rankRows[r.dv.rankPos[code]]})[0]
		p.Rank, p.Score, p.RankBand, p.TieGroup, p.TiedWith = row.Rank, ptr(row.Score), row.RankBand, row.TieGroup, row.TiedWith
		p.TieSize, p.TieFrom, p.TieTo = row.TieSize, row.TieFrom, row.TieTo
		p.Stage, p.Rating, p.PrevRank, p.Change, p.New = row.Stage, row.Rating, row.PrevRank, row.Change, row.New
	}
	group := c.PeerGroup
	if group == "" || r.dv.groupSize[group] < minCompareSet {
		group = networkKey
	}
	for k, ps := range r.pillarScores(i) {
		pp := PillarProfile{PillarScore: ps, Name: r.nodeName(ps.Code), PeerSet: "peer_group",
			PeerMedian: ptr(r.dv.pillarMedian[group][k]), NetworkBest: ptr(r.dv.pillarBest[k]), BestCity: r.dv.pillarBestAt[k]}
		if group == networkKey {
			pp.PeerSet = "network"
		}
		p.Pillars = append(p.Pillars, pp)
	}
	if res.Ranked {
		p.Strengths, p.Weaknesses = r.standings(i)
		dist, common := r.distancesFrom(i)
		p.Peers = r.nearest(i, dist, common, DefaultPeers, false)
		p.Twins = r.nearest(i, dist, common, DefaultTwins, true)
	}
	p.Values = r.values(i)
	return p, nil
}

func (r *Release) nodeName(code string) string {
	n, _ := r.f.Node(code)
	return nameOr(n.Name, code)
}

// observed reports whether city i (Cities order) has its own value of the
// indicator in column j of Raw (not one the pipeline imputed).
func (r *Release) observed(i, j int) bool {
	return !math.IsNaN(r.d.Raw.Cols[j][i])
}

// standings returns city i's strengths and weaknesses: indicators where its
// normalised score is in the top (≥ Q3) or bottom (≤ Q1) quartile of its
// peer group, over cities with their own value (imputed values count for
// nobody). A group with fewer than 4 such cities is replaced by the network.
func (r *Release) standings(i int) (strengths, weaknesses []Standing) {
	strengths, weaknesses = []Standing{}, []Standing{}
	c := r.d.Cities[i]
	me := r.dv.cityRow[i]
	for k, code := range r.f.Indicators() {
		if math.IsNaN(r.d.Raw.Cols[r.dv.indRaw[k]][i]) {
			continue
		}
		v := r.d.Aggregated.Cols[r.dv.indAgg[k]][me]
		against := "peer_group"
		var set []float64
		if c.PeerGroup != "" {
			set = r.dv.sorted[c.PeerGroup][k]
		}
		if len(set) < minCompareSet {
			set, against = r.dv.sorted[networkKey][k], "network"
		}
		if len(set) < minCompareSet || math.IsNaN(v) {
			continue
		}
		q1, q3 := sortedQuantile7(set, 0.25), sortedQuantile7(set, 0.75)
		if !(q3 > q1) {
			continue
		}
		st := Standing{Indicator: code, Name: r.nodeName(code), Score: v, Percentile: midPercentile(set, v), Against: against, SetSize: len(set)}
		switch {
		case v >= q3:
			strengths = append(strengths, st)
		case v <= q1:
			weaknesses = append(weaknesses, st)
		}
	}
	sort.SliceStable(strengths, func(a, b int) bool { return strengths[a].Percentile > strengths[b].Percentile })
	sort.SliceStable(weaknesses, func(a, b int) bool { return weaknesses[a].Percentile < weaknesses[b].Percentile })
	return strengths, weaknesses
}

// midPercentile is (mid-rank − 1) / (n − 1) of v within set (sorted ascending).
func midPercentile(set []float64, v float64) float64 {
	if len(set) < 2 {
		return 0.5
	}
	below := sort.SearchFloat64s(set, v)
	equal := sort.Search(len(set), func(k int) bool { return set[k] > v }) - below
	mid := float64(below) + float64(equal+1)/2 // mean rank of the equal values, 1-based
	return (mid - 1) / float64(len(set)-1)
}

// Distances between cities (distancesFrom) are Euclidean over the
// normalised indicators both have their own value of, scaled to the full
// indicator count (sqrt(Σd² · K / k)) so pairs sharing fewer indicators are
// not nearer for it; pairs sharing fewer than half the indicators are not compared.

func (r *Release) neighbour(i int) Neighbour {
	res := r.d.Results[i]
	return Neighbour{City: r.d.Cities[i], Rank: res.Rank, Score: float64(res.Score), Stage: res.Stage,
		Band: Band{ptr(float64(res.Q5)), ptr(float64(res.Median)), ptr(float64(res.Q95))}}
}

// Peers returns the k ranked cities nearest to a ranked city in normalised
// indicator space (see distance), nearest first, ties by code. An unranked
// city has no peers.
func (r *Release) Peers(code string, k int) ([]Neighbour, error) {
	return r.neighbours(code, k, false)
}

// Twins returns the city's aspirational twins: ranked cities of similar
// context (the same peer group or the same population class) with a higher
// index score, the k nearest in indicator space, each with the gap per score.
func (r *Release) Twins(code string, k int) ([]Neighbour, error) {
	return r.neighbours(code, k, true)
}

func (r *Release) neighbours(code string, k int, twins bool) ([]Neighbour, error) {
	i, err := r.city(code)
	if err != nil {
		return nil, err
	}
	if k < 1 {
		return nil, citylens.Errorf(citylens.EINVALID, "ask for at least one city, got %d", k)
	}
	if !r.d.Results[i].Ranked {
		return []Neighbour{}, nil
	}
	dist, common := r.distancesFrom(i)
	return r.nearest(i, dist, common, k, twins), nil
}

// nearest picks the k nearest peers or twins of ranked city i.
func (r *Release) nearest(i int, dist []float64, common []int, k int, twins bool) []Neighbour {
	me := r.d.Results[i]
	c := r.d.Cities[i]
	myClass := PopulationClassOf(c.Population)
	var cand []int
	for o, res := range r.d.Results {
		if o == i || !res.Ranked || math.IsNaN(dist[o]) {
			continue
		}
		if twins && !(float64(res.Score) > float64(me.Score) && len(r.context(c, myClass, o)) > 0) {
			continue
		}
		cand = append(cand, o)
	}
	slices.SortFunc(cand, func(a, b int) int {
		if dist[a] != dist[b] {
			return cmp.Compare(dist[a], dist[b])
		}
		return strings.Compare(r.d.Cities[a].Code, r.d.Cities[b].Code)
	})
	out := make([]Neighbour, 0, min(k, len(cand)))
	for _, o := range cand[:min(k, len(cand))] {
		n := r.neighbour(o)
		n.Distance, n.Common = dist[o], common[o]
		if twins {
			n.Context, n.Gaps = r.context(c, myClass, o), r.gaps(i, o)
		}
		out = append(out, n)
	}
	return out
}

// context says what city o shares with city c: its peer group, its population class.
func (r *Release) context(c City, class string, o int) []string {
	var out []string
	oc := r.d.Cities[o]
	if c.PeerGroup != "" && oc.PeerGroup == c.PeerGroup {
		out = append(out, "peer_group")
	}
	if class != "" && PopulationClassOf(oc.Population) == class {
		out = append(out, "population_class")
	}
	return out
}

// gaps returns city o's scores minus city i's: the index, then each pillar.
func (r *Release) gaps(i, o int) []Gap {
	ri, ro := r.rowIdx[r.d.Cities[i].Code], r.rowIdx[r.d.Cities[o].Code]
	var out []Gap
	for _, code := range append([]string{r.d.Index}, r.d.Pillars...) {
		col := r.d.Aggregated.Cols[r.colAgg[code]]
		out = append(out, Gap{Code: code, Gap: ptr(col[ro] - col[ri])})
	}
	return out
}

// values returns city i's value of every indicator, framework order.
func (r *Release) values(i int) []Value {
	dv := &r.dv
	row := dv.cityRow[i]
	inds := r.f.Indicators()
	// The city's data points are contiguous (sorted by city, then indicator).
	point := make([]int, len(inds))
	for k := range point {
		point[k] = -1
	}
	for p := dv.cityPoints[i]; p < len(r.d.Data) && r.d.Data[p].City == r.d.Cities[i].Code; p++ {
		if k, ok := dv.indPos[r.d.Data[p].Indicator]; ok {
			point[k] = p
		}
	}
	a := newFloatArena(3 * len(inds))
	out := make([]Value, len(inds))
	for k, code := range inds {
		raw := r.d.Raw.Cols[dv.indRaw[k]][i]
		v := Value{Indicator: code, Name: dv.indName[k], Unit: dv.indUnit[k], Pillar: dv.indPillar[k]}
		if !math.IsNaN(raw) {
			v.Value = a.copy(&raw)
		}
		if p := point[k]; p >= 0 {
			dp := &r.d.Data[p]
			v.Source, v.DataYear, v.Estimated = dp.Source, dp.DataYear, dp.Estimated
		}
		if imp := r.d.Imputed.Cols[dv.indRaw[k]][i]; math.IsNaN(raw) && !math.IsNaN(imp) {
			v.Imputed, v.ImputedValue = true, a.copy(&imp)
			sp := r.imputationOf(code) // a release of engine 1 has no flags: its method says how
			v.ImputedMethod, v.ImputedGroup, v.ImputedStage = sp.Method, sp.Group, engine.ImputeRaw
		}
		if x, ok := r.imputed[[2]string{r.d.Cities[i].Code, code}]; ok {
			f := &r.d.Imputations[x]
			v.Imputed, v.ImputedMethod, v.ImputedGroup, v.ImputedStage = true, f.Method, f.Group, f.Stage
		}
		if row >= 0 {
			if s := r.d.Aggregated.Cols[dv.indAgg[k]][row]; !math.IsNaN(s) {
				v.Score = a.copy(&s)
			}
			if rk := r.d.Ranks.Cols[dv.indAgg[k]][row]; !math.IsNaN(rk) {
				v.Rank = int(rk)
			}
		}
		out[k] = v
	}
	return out
}

// Values returns a city's value of every indicator with its provenance.
func (r *Release) Values(code string) ([]Value, error) {
	i, err := r.city(code)
	if err != nil {
		return nil, err
	}
	return r.values(i), nil
}

// pillarOf returns the pillar a node sits under (the node itself for a pillar).
func (r *Release) pillarOf(code string) string {
	for code != "" {
		if contains(r.d.Pillars, code) {
			return code
		}
		n, ok := r.f.Node(code)
		if !ok {
			return ""
		}
		code = n.Parent
	}
	return ""
}

// CompareRow is one city of a side-by-side comparison.
type CompareRow struct {
	City      City          `json:"city"`
	Ranked    bool          `json:"ranked"`
	Rank      int           `json:"rank,omitempty"`
	Score     *float64      `json:"score"`
	ScoreBand Band          `json:"score_band"`
	RankBand  Band          `json:"rank_band"`
	Stage     string        `json:"stage,omitempty"`
	Rating    string        `json:"rating,omitempty"`
	Pillars   []PillarScore `json:"pillars"`
}

// Compare returns 2 to 4 distinct cities side by side, in the order asked.
func (r *Release) Compare(codes []string) ([]CompareRow, error) {
	if len(codes) < 2 || len(codes) > 4 {
		return nil, citylens.Ef(citylens.EINVALID, "rel.error.compare_count", "compare: choose 2 to 4 cities, got %d", len(codes))
	}
	seen := map[string]bool{}
	out := make([]CompareRow, 0, len(codes))
	for _, code := range codes {
		if seen[code] {
			return nil, citylens.Ef(citylens.EINVALID, "rel.error.compare_twice", "compare: city %q is chosen twice", code)
		}
		seen[code] = true
		i, err := r.city(code)
		if err != nil {
			return nil, err
		}
		res := r.d.Results[i]
		row := CompareRow{City: r.d.Cities[i], Ranked: res.Ranked, Rank: res.Rank, Score: ptr(float64(res.Score)), ScoreBand: r.scoreBand(i, 0),
			RankBand: Band{ptr(float64(res.Q5)), ptr(float64(res.Median)), ptr(float64(res.Q95))}, Stage: res.Stage, Rating: res.Rating, Pillars: r.pillarScores(i)}
		out = append(out, row)
	}
	return out, nil
}

// TrendPoint is a city's result in one release.
type TrendPoint struct {
	Edition     string    `json:"edition"`
	Hash        string    `json:"hash"`
	PublishedAt time.Time `json:"published_at"`
	Ranked      bool      `json:"ranked"`
	Rank        int       `json:"rank,omitempty"`
	Score       *float64  `json:"score"`
	RankBand    Band      `json:"rank_band"`
	Stage       string    `json:"stage,omitempty"`
	Rating      string    `json:"rating,omitempty"`
	Cities      int       `json:"cities"` // ranked cities in that release
}

// Trend returns a city's results across releases (one per edition: the
// latest correction wins), oldest edition first by publication time.
// Releases without the city are skipped; a city in none is not found.
func Trend(code string, releases []*Release) ([]TrendPoint, error) {
	latest := map[string]*Release{}
	for _, r := range releases {
		if r == nil {
			continue
		}
		if cur, ok := latest[r.d.Edition]; !ok || r.d.PublishedAt.After(cur.d.PublishedAt) {
			latest[r.d.Edition] = r
		}
	}
	var out []TrendPoint
	for _, r := range latest {
		i, ok := r.cityIdx[code]
		if !ok {
			continue
		}
		res := r.d.Results[i]
		out = append(out, TrendPoint{Edition: r.d.Edition, Hash: r.d.Hash, PublishedAt: r.d.PublishedAt, Ranked: res.Ranked, Rank: res.Rank,
			Score: ptr(float64(res.Score)), RankBand: Band{ptr(float64(res.Q5)), ptr(float64(res.Median)), ptr(float64(res.Q95))},
			Stage: res.Stage, Rating: res.Rating, Cities: len(r.rankRows)})
	}
	if len(out) == 0 {
		return nil, citylens.Errorf(citylens.ENOTFOUND, "city %q is in none of the %d releases", code, len(releases))
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].PublishedAt.Equal(out[b].PublishedAt) {
			return out[a].PublishedAt.Before(out[b].PublishedAt)
		}
		return out[a].Edition < out[b].Edition
	})
	return out, nil
}

// quantile7 is R's type-7 quantile of the values (NaN for none).
func quantile7(x []float64, p float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return sortedQuantile7(s, p)
}

// sortedQuantile7 is quantile7 of values sorted ascending.
func sortedQuantile7(s []float64, p float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	h := float64(len(s)-1) * p
	lo := int(math.Floor(h))
	if lo+1 >= len(s) {
		return s[lo]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}
