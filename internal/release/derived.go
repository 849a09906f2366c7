package release

import (
	"math"
	"sort"
)

// networkKey names the whole network among the peer groups of the derived statistics.
const networkKey = "\x00network"

// derived holds what queries read again and again, computed once when a
// release is made or loaded, so a profile or a ranking costs a scan, not a sort.
type derived struct {
	indRaw, indAgg []int // per framework indicator: its column in Raw/Imputed and in Aggregated
	rowCity        []int // ranked (screened) row -> city position
	cityRow        []int // city position -> ranked row, -1 when not ranked
	rankPos        map[string]int
	// sorted[group][k] are the normalised scores of indicator k of the ranked
	// cities of a peer group (networkKey: all) with their own value, ascending.
	sorted map[string][][]float64
	// pillarMedian[group][p] is the median score of pillar p over the ranked
	// cities of a group (networkKey: all); pillarBest[p] the network's best.
	pillarMedian                map[string][]float64
	groupSize                   map[string]int // ranked cities per peer group
	pillarBest                  []float64
	pillarBestAt                []string
	indPos                      map[string]int // indicator code -> k
	indName, indUnit, indPillar []string
	cityPoints                  []int // city position -> its first data point (len(Data) when none)
	// obs holds, row-major by ranked row, each indicator's normalised score
	// where the city has its own value and NaN elsewhere: the space peers
	// and twins are measured in.
	obs []float64
}

func (r *Release) derive() {
	d := &r.dv
	inds := r.f.Indicators()
	d.indRaw, d.indAgg = make([]int, len(inds)), make([]int, len(inds))
	for k, c := range inds {
		d.indRaw[k], d.indAgg[k] = r.colRaw[c], r.colAgg[c]
	}
	d.indPos = make(map[string]int, len(inds))
	d.indName, d.indUnit, d.indPillar = make([]string, len(inds)), make([]string, len(inds)), make([]string, len(inds))
	for k, c := range inds {
		n, _ := r.f.Node(c)
		d.indPos[c], d.indName[k], d.indUnit[k], d.indPillar[k] = k, nameOr(n.Name, c), n.Unit, r.pillarOf(c)
	}
	d.cityPoints = make([]int, len(r.d.Cities))
	for i, c := range r.d.Cities {
		d.cityPoints[i] = sort.Search(len(r.d.Data), func(p int) bool { return r.d.Data[p].City >= c.Code })
	}
	d.rowCity = make([]int, len(r.d.Aggregated.Units))
	d.cityRow = make([]int, len(r.d.Cities))
	for i := range d.cityRow {
		d.cityRow[i] = -1
	}
	for row, u := range r.d.Aggregated.Units {
		i := r.cityIdx[u]
		d.rowCity[row], d.cityRow[i] = i, row
	}
	K := len(inds)
	d.obs = make([]float64, len(d.rowCity)*K)
	for k := range inds {
		raw, agg := r.d.Raw.Cols[d.indRaw[k]], r.d.Aggregated.Cols[d.indAgg[k]]
		for row, i := range d.rowCity {
			v := agg[row]
			if math.IsNaN(raw[i]) {
				v = math.NaN()
			}
			d.obs[row*K+k] = v
		}
	}
	d.rankPos = make(map[string]int, len(r.rankRows))
	members := map[string][]int{} // group -> city positions of ranked cities
	for k, row := range r.rankRows {
		d.rankPos[row.City.Code] = k
		i := r.cityIdx[row.City.Code]
		members[networkKey] = append(members[networkKey], i)
		if g := row.City.PeerGroup; g != "" {
			members[g] = append(members[g], i)
		}
	}
	d.sorted = make(map[string][][]float64, len(members))
	d.pillarMedian = make(map[string][]float64, len(members))
	d.groupSize = make(map[string]int, len(members))
	for g, ms := range members {
		d.groupSize[g] = len(ms)
		per := make([][]float64, len(inds))
		for k := range inds {
			raw, agg := r.d.Raw.Cols[d.indRaw[k]], r.d.Aggregated.Cols[d.indAgg[k]]
			var s []float64
			for _, i := range ms {
				if v := agg[d.cityRow[i]]; !math.IsNaN(raw[i]) && !math.IsNaN(v) {
					s = append(s, v)
				}
			}
			sort.Float64s(s)
			per[k] = s
		}
		d.sorted[g] = per
		med := make([]float64, len(r.d.Pillars))
		for p, code := range r.d.Pillars {
			col := r.d.Aggregated.Cols[r.colAgg[code]]
			var s []float64
			for _, i := range ms {
				if v := col[d.cityRow[i]]; !math.IsNaN(v) {
					s = append(s, v)
				}
			}
			med[p] = quantile7(s, 0.5)
		}
		d.pillarMedian[g] = med
	}
	d.pillarBest, d.pillarBestAt = make([]float64, len(r.d.Pillars)), make([]string, len(r.d.Pillars))
	for p, code := range r.d.Pillars {
		col := r.d.Aggregated.Cols[r.colAgg[code]]
		best, at := math.NaN(), ""
		for _, row := range r.rankRows { // by rank, then code: the first of equal bests wins
			if v := col[d.cityRow[r.cityIdx[row.City.Code]]]; !math.IsNaN(v) && (at == "" || v > best || v == best && row.City.Code < at) {
				best, at = v, row.City.Code
			}
		}
		d.pillarBest[p], d.pillarBestAt[p] = best, at
	}
}

// distancesFrom returns the distance (see distance) from ranked city i to
// every city (NaN for itself, unranked cities and pairs sharing too few
// indicators) and the indicators each pair shares. One pass over the
// indicators, each a pass over the cities.
func (r *Release) distancesFrom(i int) (dist []float64, common []int) {
	d := &r.dv
	n, K := len(r.d.Cities), len(d.indRaw)
	dist, common = make([]float64, n), make([]int, n)
	for o := range dist {
		dist[o] = math.NaN()
	}
	me := d.cityRow[i]
	var mine []int // the indicators the city has
	for k, x := range d.obs[me*K : (me+1)*K] {
		if !math.IsNaN(x) {
			mine = append(mine, k)
		}
	}
	x := d.obs[me*K : (me+1)*K]
	for row, o := range d.rowCity {
		if o == i {
			continue
		}
		y := d.obs[row*K : (row+1)*K]
		var s float64
		c := 0
		for _, k := range mine {
			if v := y[k]; v == v { // not NaN
				s += (x[k] - v) * (x[k] - v)
				c++
			}
		}
		common[o] = c
		if c > 0 && 2*c >= K {
			dist[o] = math.Sqrt(s * float64(K) / float64(c))
		}
	}
	return dist, common
}

// floatArena hands out pointers into one allocation, so a query returning
// many optional numbers allocates once. Its capacity is set up front and
// never exceeded, so no pointer outlives a reallocation.
type floatArena struct{ buf []float64 }

func newFloatArena(n int) *floatArena { return &floatArena{buf: make([]float64, 0, n)} }

func (a *floatArena) copy(p *float64) *float64 {
	if p == nil {
		return nil
	}
	if len(a.buf) == cap(a.buf) { // a wrong estimate: fall back to a single allocation
		v := *p
		return &v
	}
	a.buf = append(a.buf, *p)
	return &a.buf[len(a.buf)-1]
}

func (a *floatArena) band(b Band) Band { return Band{a.copy(b.Q5), a.copy(b.Median), a.copy(b.Q95)} }
