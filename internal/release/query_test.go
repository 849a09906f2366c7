package release

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/citylens/citylens"
)

// independentScores recomputes the fixture's index and pillar scores from
// the draft as docs/releases.md's method describes them (min-max 0-100 over
// the ranked cities, direction turned round, unweighted means over the
// values present), without the engine.
func independentScores(t *testing.T, d Draft, ranked map[string]bool) (index map[string]float64, pillar map[string]map[string]float64) {
	t.Helper()
	vals := map[string]map[string]float64{} // indicator -> city -> value
	for _, p := range d.Data {
		if !ranked[p.City] {
			continue
		}
		if vals[p.Indicator] == nil {
			vals[p.Indicator] = map[string]float64{}
		}
		vals[p.Indicator][p.City] = p.Value
	}
	norm := map[string]map[string]float64{}
	parent := map[string]string{}
	dir := map[string]float64{}
	for _, n := range d.Framework {
		parent[n.Code] = n.Parent
		dir[n.Code] = float64(n.Direction)
	}
	for ind, byCity := range vals {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range byCity {
			lo, hi = math.Min(lo, v*dir[ind]), math.Max(hi, v*dir[ind])
		}
		norm[ind] = map[string]float64{}
		for c, v := range byCity {
			norm[ind][c] = (v*dir[ind] - lo) / (hi - lo) * 100
		}
	}
	pillar = map[string]map[string]float64{}
	for c := range ranked {
		sums, counts := map[string]float64{}, map[string]float64{}
		for ind, byCity := range norm {
			if v, ok := byCity[c]; ok {
				sums[parent[ind]] += v
				counts[parent[ind]]++
			}
		}
		pillar[c] = map[string]float64{}
		for p := range sums {
			pillar[c][p] = sums[p] / counts[p]
		}
	}
	index = map[string]float64{}
	for c, ps := range pillar {
		index[c] = (ps["E"] + ps["S"] + ps["G"]) / 3
	}
	return index, pillar
}

func TestScoresMatchTheMethod(t *testing.T) {
	r := testRelease(t)
	ranked := map[string]bool{}
	for _, c := range r.Cities() {
		ranked[c.Code] = c.Code != "KGL"
	}
	delete(ranked, "KGL")
	if u := r.Unranked(); len(u) != 1 || u[0].City.Code != "KGL" || math.Abs(u[0].DataAvailability-3.0/7) > 1e-15 {
		t.Fatalf("unranked: %+v, want Kigali with 3/7 of the data", u)
	}
	index, pillar := independentScores(t, testDraft(t), ranked)
	rows, _ := r.Rankings(RankingQuery{})
	if len(rows) != 11 {
		t.Fatalf("%d ranked cities, want 11", len(rows))
	}
	for k, row := range rows {
		if math.Abs(row.Score-index[row.City.Code]) > 1e-9 {
			t.Errorf("%s: index score %v, want %v", row.City.Code, row.Score, index[row.City.Code])
		}
		for _, p := range row.Pillars.Slice() {
			if p.Missing || math.Abs(p.Score-pillar[row.City.Code][p.Code]) > 1e-9 {
				t.Errorf("%s: pillar %s score %v, want %v", row.City.Code, p.Code, p.Score, pillar[row.City.Code][p.Code])
			}
		}
		if row.Rank != k+1 || (k > 0 && row.Score > rows[k-1].Score) {
			t.Errorf("row %d: rank %d, score %v after %v", k, row.Rank, row.Score, rows[max(k-1, 0)].Score)
		}
		if !(*row.RankBand.Q5 <= float64(row.Rank) || *row.RankBand.Q95 >= float64(row.Rank)) || *row.RankBand.Q5 > *row.RankBand.Q95 {
			t.Errorf("%s: rank %d, band %v-%v", row.City.Code, row.Rank, *row.RankBand.Q5, *row.RankBand.Q95)
		}
		if want := stageOf(DefaultStages(), row.Score); row.Stage != want {
			t.Errorf("%s: stage %q, want %q", row.City.Code, row.Stage, want)
		}
	}
	// Tie groups: "tied with" lists exactly the others of the group, and
	// every two of a group have bands sharing at least half their ranks
	// (DefaultTieOverlap); a city tied with none is group 0, of size 1.
	for _, row := range rows {
		var want []string
		for _, o := range rows {
			if row.TieGroup > 0 && o.TieGroup == row.TieGroup && o.City.Code != row.City.Code {
				want = append(want, o.City.Code)
				if s := bandOverlap(o.RankBand, row.RankBand); s < DefaultTieOverlap {
					t.Errorf("%s and %s are tied but their bands share %.2f of their ranks", row.City.Code, o.City.Code, s)
				}
			}
		}
		if diff := cmp.Diff(want, row.TiedWith, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s tied with (-want +got):\n%s", row.City.Code, diff)
		}
		if row.TieSize != len(want)+1 || row.TieFrom > row.Rank || row.TieTo < row.Rank || row.TieTo-row.TieFrom+1 < len(want)+1 {
			t.Errorf("%s: tie group of %d spanning ranks %d-%d, with %v", row.City.Code, row.TieSize, row.TieFrom, row.TieTo, want)
		}
	}
}

// bandOverlap is the share of the ranks two rank bands cover that both cover.
func bandOverlap(a, b Band) float64 {
	alo, ahi, blo, bhi := math.Round(*a.Q5), math.Round(*a.Q95), math.Round(*b.Q5), math.Round(*b.Q95)
	return (math.Min(ahi, bhi) - math.Max(alo, blo) + 1) / (math.Max(ahi, bhi) - math.Min(alo, blo) + 1)
}

func codes(rows []RankingRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.City.Code)
	}
	return out
}

func TestRankings(t *testing.T) {
	r := testRelease(t)
	all, _ := r.Rankings(RankingQuery{})
	byRank := codes(all)
	// filter keeps byRank's order for the cities that match.
	filter := func(keep func(RankingRow) bool) []string {
		var out []string
		for _, row := range all {
			if keep(row) {
				out = append(out, row.City.Code)
			}
		}
		return out
	}
	sorted := func(less func(a, b RankingRow) bool) []string {
		rows := append([]RankingRow(nil), all...)
		sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
		return codes(rows)
	}
	cases := []struct {
		name string
		q    RankingQuery
		want []string
	}{
		{"everyone by rank", RankingQuery{}, byRank},
		{"Europe", RankingQuery{Region: "Europe"}, []string{"ROT", "TAL", "BCN"}},
		{"peer group high", RankingQuery{PeerGroup: "high"}, filter(func(r RankingRow) bool { return r.City.PeerGroup == "high" })},
		{"1 to 5 million", RankingQuery{PopulationClass: Pop1MTo5M}, filter(func(r RankingRow) bool {
			return r.City.Population >= 1_000_000 && r.City.Population < 5_000_000
		})},
		{"over 10 million", RankingQuery{PopulationClass: PopOver10M}, []string{"BOG"}},
		{"stage Leading", RankingQuery{Stage: "Leading"}, filter(func(r RankingRow) bool { return r.Score >= 70 })},
		{"Asia and Emerging", RankingQuery{Region: "Asia", Stage: "Emerging"}, filter(func(r RankingRow) bool { return r.City.Region == "Asia" && r.Score < 40 })},
		{"no match", RankingQuery{Region: "Antarctica"}, nil},
		{"by rank reversed", RankingQuery{Reverse: true}, sorted(func(a, b RankingRow) bool { return a.Rank > b.Rank })},
		{"by name", RankingQuery{Sort: SortName}, sorted(func(a, b RankingRow) bool { return a.City.Name < b.City.Name })},
		{"by name Z-A", RankingQuery{Sort: SortName, Reverse: true}, sorted(func(a, b RankingRow) bool { return a.City.Name > b.City.Name })},
		{"by score", RankingQuery{Sort: SortScore}, byRank},
		{"by score, lowest first", RankingQuery{Sort: SortScore, Reverse: true}, sorted(func(a, b RankingRow) bool { return a.Score < b.Score })},
		{"by pillar G", RankingQuery{Sort: "G"}, sorted(func(a, b RankingRow) bool { return a.Pillars.At(2).Score > b.Pillars.At(2).Score })},
		{"Europe by pillar E", RankingQuery{Region: "Europe", Sort: "E"}, []string{"ROT", "TAL", "BCN"}},
		{"second page of 4", RankingQuery{Offset: 4, Limit: 4}, byRank[4:8]},
		{"last page", RankingQuery{Offset: 8, Limit: 4}, byRank[8:]},
		{"past the end", RankingQuery{Offset: 50}, nil},
		{"first 2 by name", RankingQuery{Sort: SortName, Limit: 2}, sorted(func(a, b RankingRow) bool { return a.City.Name < b.City.Name })[:2]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := r.Rankings(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, codes(rows)); diff != "" {
				t.Errorf("cities (-want +got):\n%s", diff)
			}
		})
	}
	for _, tc := range []struct {
		name string
		q    RankingQuery
		want string
	}{
		{"unknown sort", RankingQuery{Sort: "popularity"}, "cannot sort by"},
		{"unknown population class", RankingQuery{PopulationClass: "huge"}, "unknown population class"},
		{"unknown stage", RankingQuery{Stage: "Stellar"}, "unknown stage"},
		{"negative offset", RankingQuery{Offset: -1}, "offset and limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Rankings(tc.q)
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want EINVALID %q", err, tc.want)
			}
		})
	}
}

func TestRankingTotal(t *testing.T) {
	r := testRelease(t)
	page, err := r.Ranking(RankingQuery{Region: "Asia", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := r.Rankings(RankingQuery{Region: "Asia"})
	if page.Total != len(all) || len(page.Rows) != 2 || page.Total != 5 {
		t.Errorf("total %d with %d rows; all Asian ranked cities: %d, want 5", page.Total, len(page.Rows), len(all))
	}
}

func TestRankingsByChange(t *testing.T) {
	prevDraft := testDraft(t)
	prevDraft.Edition = "2025"
	for i, p := range prevDraft.Data {
		if p.City == "SUR" { // Surabaya did much better last year
			prevDraft.Data[i].Value = map[int]float64{1: 1, -1: 0}[directionOf(prevDraft, p.Indicator)] * 1e3
		}
	}
	prev := mustPublish(t, PublishInput{Draft: prevDraft, Config: testConfig()})
	r := mustPublish(t, PublishInput{Draft: testDraft(t), Config: testConfig(), Previous: prev})
	rows, _ := r.Rankings(RankingQuery{Sort: SortChange})
	for k := 1; k < len(rows); k++ {
		a, b := rows[k-1].Change, rows[k].Change
		if a == nil && b != nil || a != nil && b != nil && *a < *b {
			t.Fatalf("not sorted by change at %d: %v then %v", k, a, b)
		}
	}
	if last := rows[len(rows)-1]; last.City.Code != "SUR" || *last.Change >= 0 {
		t.Errorf("biggest fall: %s (%v), want SUR", last.City.Code, last.Change)
	}
	rev, _ := r.Rankings(RankingQuery{Sort: SortChange, Reverse: true})
	if rev[0].City.Code != "SUR" {
		t.Errorf("reversed: first %s, want SUR", rev[0].City.Code)
	}
}

func directionOf(d Draft, code string) int {
	for _, n := range d.Framework {
		if n.Code == code {
			return n.Direction
		}
	}
	return 0
}

func TestPopulationClassOf(t *testing.T) {
	for _, tc := range []struct {
		pop  int64
		want string
	}{{0, ""}, {1, PopUnder300k}, {299_999, PopUnder300k}, {300_000, Pop300kTo1M}, {999_999, Pop300kTo1M}, {1_000_000, Pop1MTo5M}, {5_000_000, Pop5MTo10M}, {9_999_999, Pop5MTo10M}, {10_000_000, PopOver10M}} {
		if got := PopulationClassOf(tc.pop); got != tc.want {
			t.Errorf("%d inhabitants: %q, want %q", tc.pop, got, tc.want)
		}
	}
}

func TestProfile(t *testing.T) {
	r := testRelease(t)
	p, err := r.Profile("BUS")
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := r.Rankings(RankingQuery{})
	var row RankingRow
	for _, x := range rows {
		if x.City.Code == "BUS" {
			row = x
		}
	}
	if p.Rank != row.Rank || *p.Score != row.Score || p.Stage != row.Stage || p.Rating != row.Rating || p.PopulationClass != Pop1MTo5M {
		t.Errorf("profile rank %d score %v stage %s rating %s class %s; ranking says %d %v %s %s", p.Rank, *p.Score, p.Stage, p.Rating, p.PopulationClass, row.Rank, row.Score, row.Stage, row.Rating)
	}
	// Pillars: the peer-group median and the network best, from the rankings.
	for k, pp := range p.Pillars {
		var peer []float64
		best, bestCity := math.Inf(-1), ""
		for _, x := range rows {
			v := x.Pillars.At(k).Score
			if x.City.PeerGroup == "very-high" {
				peer = append(peer, v)
			}
			if v > best {
				best, bestCity = v, x.City.Code
			}
		}
		sort.Float64s(peer)
		if pp.PeerSet != "peer_group" || *pp.PeerMedian != peer[len(peer)/2] || *pp.NetworkBest != best || pp.BestCity != bestCity {
			t.Errorf("pillar %s: median %v (%s) best %v %s; want %v, %v %s", pp.Code, *pp.PeerMedian, pp.PeerSet, *pp.NetworkBest, pp.BestCity, peer[len(peer)/2], best, bestCity)
		}
		if pp.Name == "" || *pp.Score != row.Pillars.At(k).Score {
			t.Errorf("pillar %s: name %q, score %v", pp.Code, pp.Name, *pp.Score)
		}
	}
	// Strengths and weaknesses against the very-high group (5 cities with values).
	for _, st := range p.Strengths {
		if st.Against != "peer_group" || st.Percentile < 0.75 {
			t.Errorf("strength %+v", st)
		}
	}
	for _, st := range p.Weaknesses {
		if st.Against != "peer_group" || st.Percentile > 0.25 {
			t.Errorf("weakness %+v", st)
		}
	}
	if len(p.Strengths)+len(p.Weaknesses) == 0 {
		t.Error("Busan has neither strengths nor weaknesses")
	}
	// Values with provenance.
	d := testDraft(t)
	want := map[string]DataPoint{}
	for _, dp := range d.Data {
		if dp.City == "BUS" {
			want[dp.Indicator] = dp
		}
	}
	if len(p.Values) != 7 {
		t.Fatalf("%d values, want 7", len(p.Values))
	}
	for _, v := range p.Values {
		dp := want[v.Indicator]
		if *v.Value != dp.Value || v.Source != dp.Source || v.DataYear != dp.DataYear || v.Estimated != dp.Estimated || v.Imputed || v.Score == nil || v.Rank < 1 {
			t.Errorf("%s: %+v, want the data point %+v", v.Indicator, v, dp)
		}
	}
	// Nairobi misses G2 and the method imputes nothing.
	nbo, _ := r.Values("NBO")
	for _, v := range nbo {
		if v.Indicator == "G2" && (v.Value != nil || v.Imputed || v.Source != "" || v.Pillar != "G") {
			t.Errorf("NBO G2: %+v, want missing and not imputed", v)
		}
	}
	// Kigali is not ranked: a profile without ranks, peers or twins.
	kgl, err := r.Profile("KGL")
	if err != nil {
		t.Fatal(err)
	}
	if kgl.Ranked || kgl.Rank != 0 || kgl.Score != nil || len(kgl.Peers) != 0 || len(kgl.Twins) != 0 || len(kgl.Values) != 7 {
		t.Errorf("unranked profile: %+v", kgl)
	}
}

func TestProfileImputedValues(t *testing.T) {
	d := testDraft(t)
	d.Method.Impute.Method = "mean"
	r := mustPublish(t, PublishInput{Draft: d, Config: testConfig()})
	var sum float64
	n := 0
	for _, dp := range d.Data {
		if dp.Indicator == "G2" {
			sum += dp.Value
			n++
		}
	}
	vals, _ := r.Values("NBO")
	for _, v := range vals {
		if v.Indicator != "G2" {
			if v.Imputed {
				t.Errorf("%s marked imputed", v.Indicator)
			}
			continue
		}
		if !v.Imputed || v.Value != nil || math.Abs(*v.ImputedValue-sum/float64(n)) > 1e-12 {
			t.Errorf("NBO G2: %+v, want imputed with the mean %v", v, sum/float64(n))
		}
	}
	// Imputed values are not the city's: no strength or weakness is drawn from them.
	p, _ := r.Profile("NBO")
	for _, s := range append(p.Strengths, p.Weaknesses...) {
		if s.Indicator == "G2" {
			t.Errorf("strength or weakness from an imputed value: %+v", s)
		}
	}
	iv, _ := r.Indicator("G2")
	if iv.Coverage.Imputed != 2 || iv.Coverage.WithValue != 10 {
		t.Errorf("G2 coverage %+v, want 10 values and 2 imputed (NBO, KGL)", iv.Coverage)
	}
}

func TestPeersAndTwins(t *testing.T) {
	r := testRelease(t)
	vals := map[string]map[string]Value{}
	for _, c := range r.Cities() {
		vs, _ := r.Values(c.Code)
		vals[c.Code] = map[string]Value{}
		for _, v := range vs {
			vals[c.Code][v.Indicator] = v
		}
	}
	dist := func(a, b string) float64 {
		var s float64
		k := 0
		for ind, va := range vals[a] {
			vb := vals[b][ind]
			if va.Value == nil || vb.Value == nil {
				continue
			}
			s += (*va.Score - *vb.Score) * (*va.Score - *vb.Score)
			k++
		}
		return math.Sqrt(s * 7 / float64(k))
	}
	for _, city := range []string{"SEO", "NBO", "SUR"} {
		t.Run(city, func(t *testing.T) {
			peers, err := r.Peers(city, 3)
			if err != nil {
				t.Fatal(err)
			}
			// The 3 nearest by an independent distance.
			type cand struct {
				code string
				d    float64
			}
			var all []cand
			for _, c := range r.Cities() {
				if c.Code != city && c.Code != "KGL" {
					all = append(all, cand{c.Code, dist(city, c.Code)})
				}
			}
			sort.Slice(all, func(i, j int) bool { return all[i].d < all[j].d })
			for k, p := range peers {
				if p.City.Code != all[k].code || math.Abs(p.Distance-all[k].d) > 1e-9 {
					t.Errorf("peer %d: %s at %v, want %s at %v", k, p.City.Code, p.Distance, all[k].code, all[k].d)
				}
			}
			if len(peers) != 3 {
				t.Errorf("%d peers, want 3", len(peers))
			}
			me, _ := r.Profile(city)
			twins, err := r.Twins(city, 10)
			if err != nil {
				t.Fatal(err)
			}
			for k, tw := range twins {
				o, _ := r.Profile(tw.City.Code)
				sameContext := (o.City.PeerGroup == me.City.PeerGroup && me.City.PeerGroup != "") || o.PopulationClass == me.PopulationClass
				if !(tw.Score > *me.Score) || !sameContext || (k > 0 && tw.Distance < twins[k-1].Distance) {
					t.Errorf("twin %s: score %v (city %v), context %v, distance %v", tw.City.Code, tw.Score, *me.Score, tw.Context, tw.Distance)
				}
				if *tw.Gaps[0].Gap != *o.Score-*me.Score || tw.Gaps[0].Code != "INDEX" {
					t.Errorf("twin %s: index gap %v, want %v", tw.City.Code, *tw.Gaps[0].Gap, *o.Score-*me.Score)
				}
				for k, g := range tw.Gaps[1:] {
					if *g.Gap != *o.Pillars[k].Score-*me.Pillars[k].Score {
						t.Errorf("twin %s: gap on %s %v", tw.City.Code, g.Code, *g.Gap)
					}
				}
			}
		})
	}
	// ROT is first: no aspirational twin. Seoul's twins are very-high cities above it or cities of 5-10 M above it.
	if tw, _ := r.Twins("ROT", 3); len(tw) != 0 {
		t.Errorf("the best city has twins: %v", tw)
	}
	if tw, _ := r.Twins("SEO", 3); len(tw) == 0 || tw[0].City.Code != "ROT" {
		t.Errorf("Seoul's twins: %+v, want Rotterdam (the only very-high city above it)", tw)
	}
	if _, err := r.Peers("SEO", 0); citylens.ErrorCode(err) != citylens.EINVALID {
		t.Errorf("k = 0: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	r := testRelease(t)
	calls := map[string]func() error{
		"profile":   func() error { _, err := r.Profile("XXX"); return err },
		"values":    func() error { _, err := r.Values("XXX"); return err },
		"peers":     func() error { _, err := r.Peers("XXX", 3); return err },
		"twins":     func() error { _, err := r.Twins("XXX", 3); return err },
		"compare":   func() error { _, err := r.Compare([]string{"SEO", "XXX"}); return err },
		"what-if":   func() error { _, err := r.WhatIf(t.Context(), "XXX", map[string]string{"S1": "50"}); return err },
		"indicator": func() error { _, err := r.Indicator("XXX"); return err },
		"aggregate": func() error { _, err := r.Indicator("E"); return err },
		"stages":    func() error { _, err := r.Stages("XXX"); return err },
		"trend":     func() error { _, err := Trend("XXX", []*Release{r}); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); citylens.ErrorCode(err) != citylens.ENOTFOUND {
				t.Errorf("got %v, want ENOTFOUND", err)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	r := testRelease(t)
	rows, err := r.Compare([]string{"SEO", "BUS", "KGL"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"SEO", "BUS", "KGL"}, []string{rows[0].City.Code, rows[1].City.Code, rows[2].City.Code}); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	for _, row := range rows[:2] {
		p, _ := r.Profile(row.City.Code)
		if row.Rank != p.Rank || *row.Score != *p.Score || row.Stage != p.Stage || len(row.Pillars) != 3 || *row.RankBand.Q95 != *p.RankBand.Q95 {
			t.Errorf("%s: %+v disagrees with its profile", row.City.Code, row)
		}
	}
	if rows[2].Ranked || rows[2].Score != nil {
		t.Errorf("KGL compared as ranked: %+v", rows[2])
	}
	for _, tc := range []struct {
		name  string
		codes []string
	}{{"one", []string{"SEO"}}, {"five", []string{"SEO", "BUS", "ROT", "BCN", "MED"}}, {"twice", []string{"SEO", "SEO"}}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := r.Compare(tc.codes); citylens.ErrorCode(err) != citylens.EINVALID {
				t.Errorf("got %v, want EINVALID", err)
			}
		})
	}
}

func TestIndicator(t *testing.T) {
	r := testRelease(t)
	v, err := r.Indicator("E1")
	if err != nil {
		t.Fatal(err)
	}
	var vals []float64
	for _, dp := range testDraft(t).Data {
		if dp.Indicator == "E1" {
			vals = append(vals, dp.Value)
		}
	}
	sort.Float64s(vals)
	if v.Coverage != (Coverage{Cities: 12, WithValue: 11, Imputed: 0, Share: 11.0 / 12}) {
		t.Errorf("coverage %+v", v.Coverage)
	}
	d := v.Distribution
	if d.N != 11 || d.Min != vals[0] || d.Max != vals[10] || d.Median != vals[5] || d.Q1 != quantile7(vals, 0.25) || d.Q3 != quantile7(vals, 0.75) {
		t.Errorf("distribution %+v of %v", d, vals)
	}
	n := 0
	for k, b := range d.Bins {
		n += b.Count
		if k > 0 && b.From != d.Bins[k-1].To {
			t.Errorf("bins %d and %d do not join", k-1, k)
		}
	}
	if n != 11 || len(d.Bins) != 10 || d.Bins[0].From != d.Min || d.Bins[9].To != d.Max {
		t.Errorf("bins %+v", d.Bins)
	}
	// PM2.5: lower is better, so the top cities have the lowest values.
	if v.Direction != -1 || len(v.Top) != 5 || len(v.Bottom) != 5 || v.Top[0].Value != vals[0] || v.Bottom[0].Value != vals[10] {
		t.Errorf("direction %d, top %+v, bottom %+v", v.Direction, v.Top, v.Bottom)
	}
	if v.Pillar != "E" || math.Abs(v.EffectiveWeight-1.0/6) > 1e-15 || v.ValidMin == nil || *v.ValidMin != 0 || v.ValidMax != nil || v.Definition == "" {
		t.Errorf("definition data %+v", v)
	}
	s1, _ := r.Indicator("S1")
	if s1.Crosswalk.U4SSC != "EC: ICT: ICT: 1C" || s1.Crosswalk.SDGTargets[0] != "17.6" || s1.Normalisation != "min-max scaling to 0–100" {
		t.Errorf("S1 crosswalk %+v, normalisation %q", s1.Crosswalk, s1.Normalisation)
	}
}

func TestMethodology(t *testing.T) {
	r := testRelease(t)
	m := r.Methodology()
	if m.Tree[0].Code != "INDEX" || m.Tree[0].EffectiveWeight != 1 || len(m.Tree) != 11 {
		t.Errorf("tree starts %+v, %d nodes", m.Tree[0], len(m.Tree))
	}
	var sum float64
	for _, n := range m.Tree {
		if n.Kind == "indicator" {
			sum += n.EffectiveWeight
		}
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("indicator shares sum to %v", sum)
	}
	steps := map[string]string{}
	for _, s := range m.Steps {
		steps[s.Step] += s.Text
	}
	for step, want := range map[string]string{
		"impute": "not imputed", "screen": "less than 60% of the indicators", "normalise": "min-max scaling to 0–100",
		"aggregate": "weighted arithmetic mean", "uncertainty": "200 replications vary Weights, Normalisation, Aggregation", "sensitivity": "N = 40",
	} {
		if !strings.Contains(steps[step], want) {
			t.Errorf("step %s: %q, want it to say %q", step, steps[step], want)
		}
	}
	got := map[string]int{}
	for _, s := range m.Sobol {
		got[s.Output]++
		if s.ST == nil {
			t.Errorf("Sobol %s/%s has no total index", s.Output, s.Input)
		}
	}
	if got[SobolRankShift] != 3 || got[SobolCityScore] != 3 {
		t.Errorf("Sobol indices per output: %v, want 3 inputs each", got)
	}
	if m.Uncertainty.N != 200 || m.Uncertainty.SARuns != 200 || m.Ratings.Rule != RatingRange || len(m.Stages) != 4 {
		t.Errorf("uncertainty %+v, ratings %+v", m.Uncertainty, m.Ratings)
	}
	for _, f := range m.Audit {
		if f.Text == "" || len(f.Codes) == 0 {
			t.Errorf("audit flag without text or codes: %+v", f)
		}
	}
}

func TestTrend(t *testing.T) {
	d25 := testDraft(t)
	d25.Edition = "2025"
	r25 := mustPublish(t, PublishInput{Draft: d25, Config: testConfig(), PublishedAt: testTime.AddDate(-1, 0, 0)})
	r26 := mustPublish(t, PublishInput{Draft: testDraft(t), Config: testConfig(), Previous: r25})
	d := testDraft(t)
	d.Data[0].Value++
	fix := mustPublish(t, PublishInput{Draft: d, Config: testConfig(), Previous: r25, Corrects: r26, PublishedAt: testTime.AddDate(0, 1, 0)})
	got, err := Trend("SEO", []*Release{r26, fix, r25})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := fix.Profile("SEO")
	if len(got) != 2 || got[0].Edition != "2025" || got[1].Hash != fix.Hash() || got[1].Rank != p.Rank || *got[1].Score != *p.Score || got[1].Cities != 11 {
		t.Errorf("trend %+v", got)
	}
}

// TestResultsEncodeAsJSON: no query answer holds a number JSON cannot carry
// (NaN, infinity), so the API can encode every one of them.
func TestResultsEncodeAsJSON(t *testing.T) {
	r := testRelease(t)
	answers := map[string]func() (any, error){
		"rankings":         func() (any, error) { return r.Ranking(RankingQuery{}) },
		"unranked":         func() (any, error) { return r.Unranked(), nil },
		"profile":          func() (any, error) { return r.Profile("SEO") },
		"unranked profile": func() (any, error) { return r.Profile("KGL") },
		"compare":          func() (any, error) { return r.Compare([]string{"KGL", "SEO"}) },
		"indicator":        func() (any, error) { return r.Indicator("G2") },
		"methodology":      func() (any, error) { return r.Methodology(), nil },
		"trend":            func() (any, error) { return Trend("KGL", []*Release{r}) },
		"what-if":          func() (any, error) { return r.WhatIf(t.Context(), "KGL", map[string]string{"S1": "50"}) },
		"summary":          func() (any, error) { return r.Summary(), nil },
		"package":          func() (any, error) { return r.Package(), nil },
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			v, err := answer()
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s does not encode: %v", name, err)
			}
			if len(b) < 3 {
				t.Errorf("%s encodes as %s", name, b)
			}
		})
	}
}

// TestConcurrentQueries: a published release answers many requests at once
// (run with -race to check that no query writes to it).
func TestConcurrentQueries(t *testing.T) {
	r := testRelease(t)
	want, _ := json.Marshal(r)
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func() {
			var err error
			for k := 0; k < 20 && err == nil; k++ {
				city := r.d.Cities[(g+k)%len(r.d.Cities)].Code
				switch k % 4 {
				case 0:
					_, err = r.WhatIf(context.Background(), city, map[string]string{"S1": "55"})
				case 1:
					_, err = r.Profile(city)
				case 2:
					_, err = r.Rankings(RankingQuery{Sort: "E"})
				case 3:
					_, err = r.Indicator("E1")
				}
			}
			done <- err
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if got, _ := json.Marshal(r); string(got) != string(want) {
		t.Error("concurrent queries changed the release")
	}
}

// TestTiedWithLargeGroups: in a large tie group a row names at most
// MaxTiedWith cities, the ones nearest in rank.
func TestTiedWithLargeGroups(t *testing.T) {
	// 30 cities the replications cannot order at all: one group.
	rows := make([]RankingRow, 30)
	for k := range rows {
		rows[k] = RankingRow{Rank: k + 1, City: City{Code: fmt.Sprintf("C%02d", k+1)}, RankBand: Band{ptr(1), ptr(15), ptr(30)}}
	}
	(&Release{}).tieRows(rows)
	rankOf := map[string]int{}
	for _, row := range rows {
		rankOf[row.City.Code] = row.Rank
	}
	for _, row := range rows {
		if row.TieSize != 30 || row.TieFrom != 1 || row.TieTo != 30 || len(row.TiedWith) != MaxTiedWith {
			t.Fatalf("%s: group of %d (%d–%d) names %d, want 30 (1–30) naming %d", row.City.Code, row.TieSize, row.TieFrom, row.TieTo, len(row.TiedWith), MaxTiedWith)
		}
		// Every named city is at least as near in rank as any city of the group left out.
		far := 0
		for _, c := range row.TiedWith {
			far = max(far, abs(rankOf[c]-row.Rank))
		}
		for _, o := range rows {
			if o.City.Code != row.City.Code && !slices.Contains(row.TiedWith, o.City.Code) && abs(o.Rank-row.Rank) < far {
				t.Errorf("%s (rank %d) names a city %d ranks away but not %s (rank %d)", row.City.Code, row.Rank, far, o.City.Code, o.Rank)
			}
		}
	}
}

// TestTiesMeanSomething: the tie rule ties neighbours only when the
// replications do not confirm their order and their bands share enough
// ranks; wide bands in a confirmed order are no tie.
func TestTiesMeanSomething(t *testing.T) {
	row := func(rank int, q5, med, q95 float64) RankingRow {
		return RankingRow{Rank: rank, City: City{Code: fmt.Sprintf("C%d", rank)}, RankBand: Band{ptr(q5), ptr(med), ptr(q95)}}
	}
	for _, c := range []struct {
		name    string
		rows    []RankingRow
		overlap float64
		sizes   []int
	}{
		{"wide bands, order confirmed by the medians", []RankingRow{row(1, 1, 2, 20), row(2, 1, 4, 22), row(3, 1, 6, 24), row(4, 2, 8, 25)}, 0, []int{1, 1, 1, 1}},
		{"medians reversed, bands alike", []RankingRow{row(1, 1, 3, 6), row(2, 1, 2, 6), row(3, 5, 9, 14)}, 0, []int{2, 2, 1}},
		{"medians equal but bands apart", []RankingRow{row(1, 1, 3, 4), row(2, 3, 3, 12)}, 0, []int{1, 1}},
		{"a stricter edition setting", []RankingRow{row(1, 1, 3, 6), row(2, 2, 2, 8)}, 0.9, []int{1, 1}},
		{"a looser one", []RankingRow{row(1, 1, 3, 6), row(2, 2, 2, 8)}, 0.5, []int{2, 2}},
	} {
		r := &Release{}
		r.d.Config.TieOverlap = c.overlap
		r.tieRows(c.rows)
		var got []int
		for _, row := range c.rows {
			got = append(got, row.TieSize)
			if row.TieSize == 1 && (row.TieGroup != 0 || len(row.TiedWith) != 0) {
				t.Errorf("%s: %s untied but in group %d with %v", c.name, row.City.Code, row.TieGroup, row.TiedWith)
			}
		}
		if !slices.Equal(got, c.sizes) {
			t.Errorf("%s: group sizes %v, want %v", c.name, got, c.sizes)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
