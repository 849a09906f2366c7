package sqlstore

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
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
