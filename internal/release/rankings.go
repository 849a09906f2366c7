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

// MarshalJSON writes the band's numbers as FormatNumber does (a rank
// quantile is 13.05, not 13.049999999999983); a missing end is null.
func (b Band) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, 48)
	for k, f := range [3]struct {
		name string
		v    *float64
	}{{"q5", b.Q5}, {"median", b.Median}, {"q95", b.Q95}} {
		if k == 0 {
			out = append(out, '{')
		} else {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, f.name...)
		out = append(out, '"', ':')
		if f.v == nil || math.IsNaN(*f.v) || math.IsInf(*f.v, 0) {
			out = append(out, "null"...)
		} else {
			out = append(out, jsonNumber(*f.v)...)
		}
	}
	return append(out, '}'), nil
}

// jsonNumber is FormatNumber in JSON's syntax (an exponent without "+").
func jsonNumber(v float64) string {
	s := FormatNumber(v)
	if i := strings.Index(s, "e+"); i >= 0 {
		s = s[:i+1] + s[i+2:]
	}
	return s
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
	// Change is the move among the cities ranked in both editions (their
	// rank among them then minus now; positive: moved up), nil when the
	// city was not ranked in both (commonChanges).
	PrevRank int  `json:"prev_rank,omitempty"`
	Change   *int `json:"change,omitempty"`
	// New marks a city ranked now but not in the previous edition's
	// release (its change is "new", not a number).
	New     bool    `json:"new,omitempty"`
	Pillars Pillars `json:"pillars"`
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

// rankingPillarJSON is a RankingPillar as the API writes it: a missing
// score is null, never 0.
type rankingPillarJSON struct {
	Code    string   `json:"code"`
	Score   *float64 `json:"score"`
	Missing bool     `json:"missing,omitempty"`
	Rank    int      `json:"rank,omitempty"`
	Stage   string   `json:"stage,omitempty"`
}

// MarshalJSON writes a missing score as null.
func (p RankingPillar) MarshalJSON() ([]byte, error) {
	j := rankingPillarJSON{Code: p.Code, Missing: p.Missing, Rank: p.Rank, Stage: p.Stage}
	if !p.Missing {
		j.Score = &p.Score
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a null score as missing.
func (p *RankingPillar) UnmarshalJSON(b []byte) error {
	var j rankingPillarJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = RankingPillar{Code: j.Code, Missing: j.Missing || j.Score == nil, Rank: j.Rank, Stage: j.Stage}
	if j.Score != nil {
		p.Score = *j.Score
	}
	return nil
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
	// Names, when set, are the names a page shows by city code (in its
	// reader's language): sorting by name follows them.
	Names map[string]string `json:"-"`
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
	changes := r.commonChanges()
	for i, res := range r.d.Results {
		if !res.Ranked {
			continue
		}
		c := r.d.Cities[i]
		row := RankingRow{Rank: res.Rank, City: c, PopulationClass: PopulationClassOf(c.Population), Score: float64(res.Score),
			ScoreBand: r.scoreBand(i, 0), RankBand: Band{ptr(float64(res.Q5)), ptr(float64(res.Median)), ptr(float64(res.Q95))},
			TieGroup: res.TieGroup, Stage: res.Stage, Rating: res.Rating, PrevRank: res.PrevRank}
		for _, p := range r.pillarScores(i) {
			// A ranked city may lack a pillar (no value under it, e.g. no
			// survey): missing, never a number.
			rp := RankingPillar{Code: p.Code, Missing: p.Score == nil || math.IsNaN(*p.Score), Rank: p.Rank, Stage: p.Stage}
			if !rp.Missing {
				rp.Score = *p.Score
			}
			row.Pillars.p = append(row.Pillars.p, rp)
		}
		if ch, ok := changes[i]; ok {
			row.Change = &ch
		}
		row.New = r.d.Previous != "" && res.PrevRank == 0
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(a, b int) bool {
		if rows[a].Rank != rows[b].Rank {
			return rows[a].Rank < rows[b].Rank
		}
		return rows[a].City.Code < rows[b].City.Code
	})
	r.tieRows(rows)
	return rows
}

// commonChanges gives every city ranked in this release and in the
// previous edition's its rank change among the cities ranked in both:
// its rank among them then minus its rank among them now (positive: moved
// up). A city that joined or left the ranking moves no one else: 112
// cities after 146 do not all rise. Cities not in both have no entry.
func (r *Release) commonChanges() map[int]int {
	var both []int
	for i, res := range r.d.Results {
		if res.Ranked && res.PrevRank > 0 {
			both = append(both, i)
		}
	}
	among := func(rank func(i int) int) map[int]int {
		out := make(map[int]int, len(both))
		sorted := append([]int(nil), both...)
		sort.SliceStable(sorted, func(a, b int) bool { return rank(sorted[a]) < rank(sorted[b]) })
		for k, i := range sorted {
			if k > 0 && rank(i) == rank(sorted[k-1]) { // equal ranks stay equal
				out[i] = out[sorted[k-1]]
			} else {
				out[i] = k + 1
			}
		}
		return out
	}
	now := among(func(i int) int { return r.d.Results[i].Rank })
	then := among(func(i int) int { return r.d.Results[i].PrevRank })
	out := make(map[int]int, len(both))
	for _, i := range both {
		out[i] = then[i] - now[i]
	}
	return out
}

// DefaultTieOverlap is the share of two neighbours' rank bands that must
// be common for them to be tied (Config.TieOverlap).
const DefaultTieOverlap = 0.5

// TieOverlap is the share of common ranks the release's tie rule asks of
// two cities' bands (its configuration's, DefaultTieOverlap without one).
func (r *Release) TieOverlap() float64 {
	if r.d.Config.TieOverlap > 0 {
		return r.d.Config.TieOverlap
	}
	return DefaultTieOverlap
}

// tieRows groups rows (in rank order) into ties under the documented rule.
// Two cities next to each other in the ranking are tied when the
// uncertainty analysis does not confirm their order, that is the lower
// ranked one's median rank over the replications is as good as the other's
// or better, and their 5–95 % rank bands share at least TieOverlap (one
// half by default) of the ranks either covers. A group is a run of such
// neighbours in which every two bands share that much. Wide bands alone do
// not make a tie: cities whose order holds in the replications are not
// tied, however uncertain their ranks.
func (r *Release) tieRows(rows []RankingRow) {
	share := r.TieOverlap()
	band := func(k int) (float64, float64, bool) {
		b := rows[k].RankBand
		if b.Q5 == nil || b.Q95 == nil || math.IsNaN(*b.Q5) || math.IsNaN(*b.Q95) {
			return 0, 0, false
		}
		return math.Round(*b.Q5), math.Round(*b.Q95), true
	}
	overlap := func(a, b int) bool {
		alo, ahi, ok1 := band(a)
		blo, bhi, ok2 := band(b)
		if !ok1 || !ok2 {
			return false
		}
		common := math.Min(ahi, bhi) - math.Max(alo, blo) + 1 // ranks, both ends included
		union := math.Max(ahi, bhi) - math.Min(alo, blo) + 1
		return common > 0 && common >= share*union
	}
	// reversed: the replications do not confirm the order of a (ranked
	// above) and b: b's median rank is as good as a's or better.
	reversed := func(a, b int) bool {
		ma, mb := rows[a].RankBand.Median, rows[b].RankBand.Median
		return ma != nil && mb != nil && *mb <= *ma
	}
	for k := range rows { // a city tied with none is a group of its own, numbered 0
		rows[k].TieGroup, rows[k].TieSize, rows[k].TieFrom, rows[k].TieTo, rows[k].TiedWith = 0, 1, rows[k].Rank, rows[k].Rank, nil
	}
	g := 0
	for start := 0; start < len(rows); {
		end := start + 1 // the group is rows[start:end]
		for end < len(rows) {
			ok := reversed(end-1, end)
			for m := start; m < end && ok; m++ {
				ok = overlap(m, end)
			}
			if !ok {
				break
			}
			end++
		}
		if end-start > 1 {
			g++
			for k := start; k < end; k++ {
				rows[k].TieGroup, rows[k].TieSize, rows[k].TieFrom, rows[k].TieTo = g, end-start, rows[start].Rank, rows[end-1].Rank
				lo := max(start, min(k-MaxTiedWith/2, end-1-MaxTiedWith))
				for o := lo; o < min(end, lo+MaxTiedWith+1); o++ {
					if o != k && len(rows[k].TiedWith) < MaxTiedWith {
						rows[k].TiedWith = append(rows[k].TiedWith, rows[o].City.Code)
					}
				}
			}
		}
		start = end
	}
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
		sortRows(keep, q.Sort, pillar, q.Reverse, q.Names)
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
func sortRows(rows []*RankingRow, by string, pillar int, reverse bool, names map[string]string) {
	name := func(r *RankingRow) string {
		if n, ok := names[r.City.Code]; ok {
			return n
		}
		return r.City.Name
	}
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
			c = strings.Compare(name(rows[a.idx]), name(rows[b.idx]))
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
