package sqlstore

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/exchange"
)

// topHits gives the k best hits in order, the same as sorting them all,
// whether it sorts (k large beside the hits) or keeps a heap.
func TestTopHits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	order := func(a, b exchangeHit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(b.doc, a.doc)
	}
	for i := range 500 {
		n := r.IntN(200)
		hits := make([]exchangeHit, n)
		for j := range hits {
			hits[j] = exchangeHit{doc: int32(j), score: float64(r.IntN(10))}
		}
		want := slices.Clone(hits)
		slices.SortFunc(want, order)
		k := r.IntN(n + 1)
		got := topHits(slices.Clone(hits), k, order)
		if !slices.Equal(got, want[:k]) {
			t.Fatalf("case %d: %d hits, k %d: got %v, want %v", i, n, k, got, want[:k])
		}
	}
}

// BenchmarkExchangeIndexMatches is the text match and ranking alone, on
// an index of 100,000 cases like the store suite's benchmark (no
// database): English, Korean, and broad queries of many short prefixes
// (a query has at most 12 terms).
func BenchmarkExchangeIndexMatches(b *testing.B) {
	ix := &exchangeIndex{}
	n := 100000
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"mobility", "traffic", "sensor", "water", "flood", "energy", "solar", "housing", "health", "care",
		"school", "waste", "recycling", "port", "logistics", "bus", "bike", "data", "platform", "citizen"}
	korean := []string{"교통혼잡", "공유자전거", "스마트항만", "돌봄", "재활용", "태양광", "홍수", "주거", "데이터", "시민참여"}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	ix.apply(n*2, func(yield func(id, seq int64, vis, fld, val, title string)) {
		for i := range n {
			title := fmt.Sprintf("%s %s %d %s을 위한 %s", pick(words), pick(words), i, pick(korean), pick(korean))
			terms := exchange.Terms(title+" "+pick(words)+" "+pick(words)+" "+pick(korean)+"와 "+pick(korean)+" City "+fmt.Sprint(i%1000)+" KOR", false)
			yield(int64(i+1), int64(i+1), "public", "", strings.Join(terms, " "), title)
			yield(int64(i+1), int64(i+1), "public", "region", "asia", "")
		}
	})
	ix.sortDict()
	for _, q := range []string{"traffic sensor", "교통혼잡", "a b c d e f g h i j k l", "1 2 3 4 5 6 7 8 9", "s c d p w t b h e r m l", "s c"} {
		b.Run(q, func(b *testing.B) {
			terms := exchange.Terms(q, true)
			var hits int
			for b.Loop() {
				hits = len(ix.matches(terms))
			}
			b.ReportMetric(float64(hits), "hits")
		})
	}
}
