package engine_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/engine"
)

// naiveRank is the definition: 1 + the number of values strictly higher; NA stays NA.
func naiveRank(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		if engine.IsNA(v) {
			out[i] = engine.NA
			continue
		}
		r := 1.0
		for _, w := range x {
			if !engine.IsNA(w) && w > v {
				r++
			}
		}
		out[i] = r
	}
	return out
}

// TestRanksMatchDefinition checks Ranks on short columns (comparison sort),
// long ones (radix sort) and matrices large enough to rank in parallel, with
// ties, missing values, signed zeros, negative and huge values.
func TestRanksMatchDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	value := func() float64 {
		switch rng.IntN(10) {
		case 0:
			return engine.NA
		case 1:
			return float64(rng.IntN(5)) // ties
		case 2:
			return math.Copysign(0, -1)
		case 3:
			return -rng.ExpFloat64() * 1e300
		case 4:
			return math.SmallestNonzeroFloat64 * float64(rng.IntN(3)-1)
		}
		return rng.NormFloat64() * 100
	}
	for _, size := range []struct{ units, cols int }{{1, 1}, {7, 3}, {51, 60}, {64, 4}, {65, 4}, {255, 2}, {256, 2}, {1000, 5}, {3000, 30}} {
		m := &engine.Matrix{}
		for i := 0; i < size.units; i++ {
			m.Units = append(m.Units, "u")
		}
		for j := 0; j < size.cols; j++ {
			m.Codes = append(m.Codes, "c")
			col := make([]float64, size.units)
			for i := range col {
				col[i] = value()
			}
			if j == 0 {
				for i := range col {
					col[i] = engine.NA // a column with nothing to rank
				}
			}
			m.Cols = append(m.Cols, col)
		}
		got, err := engine.Ranks(m)
		if err != nil {
			t.Fatal(err)
		}
		for j, col := range m.Cols {
			if diff := cmp.Diff(naiveRank(col), got.Cols[j], cmp.Comparer(func(a, b float64) bool {
				return a == b || (engine.IsNA(a) && engine.IsNA(b))
			})); diff != "" {
				t.Fatalf("%d units, column %d (-definition +Ranks):\n%s", size.units, j, diff)
			}
		}
	}
}
