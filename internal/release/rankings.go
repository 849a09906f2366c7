package release

import (
	"encoding/json"
	"iter"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
)

// Population classes (catalogue.PopulationClassOf).
const (
	PopUnder300k = catalogue.PopUnder300k
	Pop300kTo1M  = catalogue.Pop300kTo1M
	Pop1MTo5M    = catalogue.Pop1MTo5M
	Pop5MTo10M   = catalogue.Pop5MTo10M
	PopOver10M   = catalogue.PopOver10M
)

// PopulationClasses lists the classes, smallest first.
func PopulationClasses() []string {
	return []string{PopUnder300k, Pop300kTo1M, Pop1MTo5M, Pop5MTo10M, PopOver10M}
}

// PopulationClassOf returns the class of a population ("" when unknown, i.e. 0).
func PopulationClassOf(pop int64) string { return catalogue.PopulationClassOf(pop) }

// Band is a 5–95 % interval with its median: of ranks (for a rank band) or of scores.
type Band struct {
	Q5     *float64 `json:"q5"`
	Median *float64 `json:"median"`
	Q95    *float64 `json:"q95"`
}

// PillarScore is a city's score, rank and stage on one pillar.
type PillarScore struct {
	Code  string   `json:"code"`
	Score *float64 `json:"score"` // nil when missing
	Rank  int      `json:"rank,omitempty"`
	Stage string   `json:"stage,omitempty"`
	Band  Band     `json:"band"` // score band
}

// RankingRow is one ranked city of a ranking.
type RankingRow struct {
	Rank            int     `json:"rank"`
	City            City    `json:"city"`
	PopulationClass string  `json:"population_class,omitempty"`
	Score           float64 `json:"score"`
	ScoreBand       Band    `json:"score_band"`
	RankBand        Band    `json:"rank_band"` // Q5–Q95 of the rank under uncertainty
	TieGroup        int     `json:"tie_group"`
	// TiedWith names the other cities of the tie group nearest in rank (at
	// most MaxTiedWith, by rank); TieSize counts the group's cities (this one
	// included) and TieFrom–TieTo are the ranks it spans.
	TiedWith []string `json:"tied_with,omitempty"`
	TieSize  int      `json:"tie_size"`
	TieFrom  int      `json:"tie_from"`
	TieTo    int      `json:"tie_to"`
	Stage    string   `json:"stage"`
	Rating   string   `json:"rating,omitempty"`
	// PrevRank is the rank in the previous edition (0: not ranked then);
	// Change is PrevRank − Rank (positive: moved up), nil without a previous rank.
	PrevRank int     `json:"prev_rank,omitempty"`
	Change   *int    `json:"change,omitempty"`
	Pillars  Pillars `json:"pillars"`
}

// Pillars are a ranked city's pillar results in the release's pillar
// order. They are read-only: rows share them with the release (copying
// them for every row of a long ranking would cost more than the query).
type Pillars struct{ p []RankingPillar }

// Len is the number of pillars.
func (ps Pillars) Len() int { return len(ps.p) }

// At returns the k-th pillar's result.
func (ps Pillars) At(k int) RankingPillar { return ps.p[k] }

// Slice returns a copy of the pillars' results.
func (ps Pillars) Slice() []RankingPillar { return append([]RankingPillar(nil), ps.p...) }

// All iterates over the pillars (templates range over it).
func (ps Pillars) All() iter.Seq2[int, RankingPillar] {
	return func(yield func(int, RankingPillar) bool) {
		for k, p := range ps.p {
			if !yield(k, p) {
				return
			}
		}
	}
}

// Equal reports whether two cities' pillar results are the same.
func (ps Pillars) Equal(o Pillars) bool { return slices.Equal(ps.p, o.p) }

// MarshalJSON writes the pillars as a JSON array.
func (ps Pillars) MarshalJSON() ([]byte, error) {
	if ps.p == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(ps.p)
}

// UnmarshalJSON reads a JSON array of pillar results.
func (ps *Pillars) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &ps.p) }

// RankingPillar is a ranked city's score, rank and stage on one pillar
// (the profile and comparison add its band). It holds no pointers, so a
// long ranking copies cheaply: a missing score is Missing, with Score 0.
type RankingPillar struct {
	Code    string  `json:"code"`
	Score   float64 `json:"score"`
	Missing bool    `json:"missing,omitempty"` // no score (e.g. no value under the pillar)
	Rank    int     `json:"rank,omitempty"`
	Stage   string  `json:"stage,omitempty"`
}

// clone copies a cached row: every pointer gets its own number, so nothing
// a caller does to a row reaches the release (Pillars are read-only).
// Numbers come from the arena, so a whole ranking allocates a few times,
// not a few times per row.
func (row RankingRow) clone(a *floatArena, change *int) RankingRow {
	row.TiedWith = nil // cloneRows gives it its own copy
	row.ScoreBand, row.RankBand = a.band(row.ScoreBand), a.band(row.RankBand)
	if row.Change != nil {
		*change = *row.Change
		row.Change = change
	}
	return row
}

// cloneRows deep-copies cached rows with one arena.
func cloneRows(rows []*RankingRow) []RankingRow {
	if len(rows) == 0 {
		return []RankingRow{}
	}
	nt := 0
	for _, row := range rows {
		nt += len(row.TiedWith)
	}
	a := newFloatArena(len(rows) * 6)
	tied := make([]string, 0, nt)
	changes := make([]int, len(rows))
	out := make([]RankingRow, len(rows))
	for k, row := range rows {
		out[k] = row.clone(a, &changes[k])
		if len(row.TiedWith) > 0 {
			at := len(tied)
			tied = append(tied, row.TiedWith...)
			out[k].TiedWith = tied[at:len(tied):len(tied)]
		}
	}
	return out
}

// MaxTiedWith is the most cities a row names as tied with it.
const MaxTiedWith = 10

// Ranking sort keys. Each has a natural order (rank: best first; name: A–Z;
// score, pillar scores and change: highest first); Reverse turns it round.
const (
	SortRank   = "rank"
	SortName   = "name"
	SortScore  = "score"
	SortChange = "change"
)

// RankingQuery filters and sorts a ranking. Empty filters match every city.
type RankingQuery struct {
	Region          string `json:"region,omitempty"`
	PeerGroup       string `json:"peer_group,omitempty"`
	PopulationClass string `json:"population_class,omitempty"`
	Stage           string `json:"stage,omitempty"`
	// Sort is SortRank (default), SortName, SortScore, SortChange or a pillar code.
	Sort    string `json:"sort,omitempty"`
	Reverse bool   `json:"reverse,omitempty"`
	// Offset and Limit page the rows (Limit 0: every row from Offset on).
	Offset int `json:"offset,omitempty"`
	Limit  int `json:"limit,omitempty"`
}

// Ranking is a page of a ranking: Total is the number of cities that match.
type Ranking struct {
	Total int          `json:"total"`
	Rows  []RankingRow `json:"rows"`
}

func (r *Release) scoreBand(i, k int) Band {
	b := r.d.ScoreBands[i*(1+len(r.d.Pillars))+k]
	return Band{ptr(float64(b.Q5)), ptr(float64(b.Median)), ptr(float64(b.Q95))}
}

// pillarScores returns city i's pillar scores (i in Cities order).
func (r *Release) pillarScores(i int) []PillarScore {
	res := r.d.Results[i]
	out := make([]PillarScore, len(r.d.Pillars))
	row, ok := r.rowIdx[r.d.Cities[i].Code]
	for k, p := range r.d.Pillars {
		out[k] = PillarScore{Code: p, Band: r.scoreBand(i, k+1)}
		if !ok {
			continue
		}
		out[k].Score = ptr(r.d.Aggregated.Cols[r.colAgg[p]][row])
		if rk := r.d.Ranks.Cols[r.colAgg[p]][row]; !math.IsNaN(rk) {
			out[k].Rank = int(rk)
		}
		if k < len(res.PillarStages) {
			out[k].Stage = res.PillarStages[k]
		}
	}
	return out
}

func (r *Release) buildRankRows() []RankingRow {
	var rows []RankingRow
	groups := map[int][]int{} // tie group -> rows
	for i, res := range r.d.Results {
		if !res.Ranked {
			continue
		}
		c := r.d.Cities[i]
		row := RankingRow{Rank: res.Rank, City: c, PopulationClass: PopulationClassOf(c.Population), Score: float64(res.Score),
			ScoreBand: r.scoreBand(i, 0), RankBand: Band{ptr(float64(res.Q5)), ptr(float64(res.Median)), ptr(float64(res.Q95))},
			TieGroup: res.TieGroup, Stage: res.Stage, Rating: res.Rating, PrevRank: res.PrevRank}
		for _, p := range r.pillarScores(i) {
			rp := RankingPillar{Code: p.Code, Missing: p.Score == nil, Rank: p.Rank, Stage: p.Stage}
			if p.Score != nil {
				rp.Score = *p.Score
			}
			row.Pillars.p = append(row.Pillars.p, rp)
		}
		if res.PrevRank > 0 {
			ch := res.PrevRank - res.Rank
			row.Change = &ch
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(a, b int) bool {
		if rows[a].Rank != rows[b].Rank {
			return rows[a].Rank < rows[b].Rank
		}
		return rows[a].City.Code < rows[b].City.Code
	})
	for k, row := range rows {
		if row.TieGroup > 0 {
			groups[row.TieGroup] = append(groups[row.TieGroup], k)
		}
	}
	for _, members := range groups { // members are in rank order
		for at, k := range members {
			rows[k].TieSize, rows[k].TieFrom, rows[k].TieTo = len(members), rows[members[0]].Rank, rows[members[len(members)-1]].Rank
			// The nearest in rank: a window around the city's place in the group.
			lo := max(0, min(at-MaxTiedWith/2, len(members)-1-MaxTiedWith))
			for _, o := range members[lo:min(len(members), lo+MaxTiedWith+1)] {
				if o != k && len(rows[k].TiedWith) < MaxTiedWith {
					rows[k].TiedWith = append(rows[k].TiedWith, rows[o].City.Code)
				}
			}
		}
	}
	return rows
}

// Rankings returns the ranked cities matching q, sorted as q asks (ties
// broken by rank, then city code). Cities not ranked are listed by Unranked.
func (r *Release) Rankings(q RankingQuery) ([]RankingRow, error) {
	page, err := r.Ranking(q)
	if err != nil {
		return nil, err
	}
	return page.Rows, nil
}

// Ranking is Rankings with the number of matching cities, for paging.
func (r *Release) Ranking(q RankingQuery) (*Ranking, error) {
	if q.Offset < 0 || q.Limit < 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "rankings: offset and limit must be 0 or more, got %d and %d", q.Offset, q.Limit)
	}
	if q.PopulationClass != "" && !contains(PopulationClasses(), q.PopulationClass) {
		return nil, citylens.Errorf(citylens.EINVALID, "rankings: unknown population class %q (%v)", q.PopulationClass, PopulationClasses())
	}
	if q.Stage != "" && !r.knownStage(q.Stage) {
		return nil, citylens.Errorf(citylens.EINVALID, "rankings: unknown stage %q", q.Stage)
	}
	pillar := -1
	switch q.Sort {
	case "", SortRank, SortName, SortScore, SortChange:
	default:
		pillar = indexOfCode(r.d.Pillars, q.Sort)
		if pillar < 0 {
			return nil, citylens.Errorf(citylens.EINVALID, "rankings: cannot sort by %q: use rank, name, score, change or a pillar (%v)", q.Sort, r.d.Pillars)
		}
	}
	keep := make([]*RankingRow, 0, len(r.rankRows))
	for k := range r.rankRows {
		row := &r.rankRows[k]
		if (q.Region != "" && row.City.Region != q.Region) || (q.PeerGroup != "" && row.City.PeerGroup != q.PeerGroup) ||
			(q.PopulationClass != "" && row.PopulationClass != q.PopulationClass) || (q.Stage != "" && row.Stage != q.Stage) {
			continue
		}
		keep = append(keep, row)
	}
	if (q.Sort != "" && q.Sort != SortRank) || q.Reverse { // keep is in rank order already
		sortRows(keep, q.Sort, pillar, q.Reverse)
	}
	total := len(keep)
	keep = keep[min(q.Offset, total):]
	if q.Limit > 0 && len(keep) > q.Limit {
		keep = keep[:q.Limit]
	}
	return &Ranking{Total: total, Rows: cloneRows(keep)}, nil
}

// sortKey is a row's sort key taken out, free of pointers so that sorting
// moves plain numbers (strings are read through idx when needed).
type sortKey struct {
	key     float64
	rank    int
	idx     int
	missing bool // always last
}

// sortRows sorts rows by a key's natural order (rank: best first; name:
// A–Z; score, pillar and change: highest first), turned round by reverse,
// missing values last, ties by rank and then code (a total order: codes
// are unique).
func sortRows(rows []*RankingRow, by string, pillar int, reverse bool) {
	keys := make([]sortKey, len(rows))
	for k, r := range rows {
		sk := sortKey{rank: r.Rank, idx: k}
		switch {
		case pillar >= 0:
			sk.key, sk.missing = r.Pillars.p[pillar].Score, r.Pillars.p[pillar].Missing
		case by == SortScore:
			sk.key = r.Score
		case by == SortChange:
			if r.Change == nil {
				sk.missing = true
			} else {
				sk.key = float64(*r.Change)
			}
		case by == SortName:
		default: // rank: lowest first is the natural order, so negate
			sk.key = -float64(r.Rank)
		}
		keys[k] = sk
	}
	byName := by == SortName && pillar < 0
	slices.SortFunc(keys, func(a, b sortKey) int {
		c := 0
		switch {
		case a.missing != b.missing:
			if a.missing {
				return 1
			}
			return -1
		case byName:
			c = strings.Compare(rows[a.idx].City.Name, rows[b.idx].City.Name)
		case !a.missing && a.key != b.key:
			c = 1
			if a.key > b.key {
				c = -1
			}
		}
		if c != 0 {
			if reverse {
				return -c
			}
			return c
		}
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		return strings.Compare(rows[a.idx].City.Code, rows[b.idx].City.Code)
	})
	sorted := make([]*RankingRow, len(rows))
	for k := range keys {
		sorted[k] = rows[keys[k].idx]
	}
	copy(rows, sorted)
}

func (r *Release) knownStage(name string) bool {
	for _, s := range r.d.Config.Stages {
		if s.Name == name {
			return true
		}
	}
	return false
}

// UnrankedCity is a city left out of the ranking for lack of data.
type UnrankedCity struct {
	City             City    `json:"city"`
	DataAvailability float64 `json:"data_availability"` // share of indicators with a value
}

// Unranked returns the cities not ranked, by code.
func (r *Release) Unranked() []UnrankedCity {
	var out []UnrankedCity
	for i, res := range r.d.Results {
		if !res.Ranked {
			out = append(out, UnrankedCity{City: r.d.Cities[i], DataAvailability: res.DataAvail})
		}
	}
	return out
}

// Stages returns the stages of the index score, lowest first, and of a
// pillar when code names one.
func (r *Release) Stages(code string) ([]Stage, error) {
	if code == "" || code == r.d.Index {
		return append([]Stage(nil), r.d.Config.Stages...), nil
	}
	if !contains(r.d.Pillars, code) {
		return nil, citylens.Errorf(citylens.ENOTFOUND, "no pillar %q in release %s", code, ShortHash(r.d.Hash))
	}
	return append([]Stage(nil), r.d.Config.pillarStages(code)...), nil
}

// Screening is the method's screening of cities with too little data: a
// city whose data availability is below its threshold is not ranked.
func (r *Release) Screening() engine.Screening { return r.d.Method.Screen }
