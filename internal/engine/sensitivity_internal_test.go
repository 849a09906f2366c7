package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSobolEstimatorsOnKnownModels checks the estimators on models whose
// Sobol indices are known exactly.
func TestSobolEstimatorsOnKnownModels(t *testing.T) {
	ishigami := func(x []float64) float64 {
		// Inputs on [-π, π]; a = 7, b = 0.1.
		x1, x2, x3 := math.Pi*(2*x[0]-1), math.Pi*(2*x[1]-1), math.Pi*(2*x[2]-1)
		return math.Sin(x1) + 7*math.Pow(math.Sin(x2), 2) + 0.1*math.Pow(x3, 4)*math.Sin(x1)
	}
	// Ishigami: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2.
	a, b := 7.0, 0.1
	v := a*a/8 + b*math.Pow(math.Pi, 4)/5 + b*b*math.Pow(math.Pi, 8)/18 + 0.5
	v1 := 0.5 * math.Pow(1+b*math.Pow(math.Pi, 4)/5, 2)
	v2 := a * a / 8
	v13 := b * b * math.Pow(math.Pi, 8) * (1.0/18 - 1.0/50)
	tests := []struct {
		name     string
		f        func([]float64) float64
		d        int
		s1, st   []float64
		tolerate float64
	}{
		{"linear x1+2x2", func(x []float64) float64 { return x[0] + 2*x[1] }, 2, []float64{0.2, 0.8}, []float64{0.2, 0.8}, 0.03},
		{"ishigami", ishigami, 3, []float64{v1 / v, v2 / v, 0}, []float64{(v1 + v13) / v, v2 / v, v13 / v}, 0.05},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 20000
			y := make([]float64, 0, n*(tc.d+2))
			for j := 0; j < n; j++ {
				for _, u := range saPoints(7, j, tc.d) {
					y = append(y, tc.f(u))
				}
			}
			idx := sobol(y, n, tc.d, 200, rand.New(rand.NewPCG(1, 2)))
			for i := range idx {
				if math.Abs(idx[i].S1-tc.s1[i]) > tc.tolerate {
					t.Errorf("input %d: S1 = %.4f, want %.4f", i+1, idx[i].S1, tc.s1[i])
				}
				if math.Abs(idx[i].ST-tc.st[i]) > tc.tolerate {
					t.Errorf("input %d: ST = %.4f, want %.4f", i+1, idx[i].ST, tc.st[i])
				}
				if !(idx[i].S1Lo <= idx[i].S1 && idx[i].S1 <= idx[i].S1Hi) || !(idx[i].STLo <= idx[i].ST && idx[i].ST <= idx[i].STHi) {
					t.Errorf("input %d: estimate outside its interval: %+v", i+1, idx[i])
				}
				if idx[i].N != n {
					t.Errorf("input %d: used %d samples, want %d", i+1, idx[i].N, n)
				}
			}
		})
	}
}

func TestSobolSkipsFailedRuns(t *testing.T) {
	n, d := 1000, 2
	var y []float64
	for j := 0; j < n; j++ {
		for k, u := range saPoints(3, j, d) {
			v := u[0] + 2*u[1]
			if j%10 == 0 && k == 3 { // the AB_2 run of every tenth sample fails
				v = NA
			}
			y = append(y, v)
		}
	}
	idx := sobol(y, n, d, 0, rand.New(rand.NewPCG(1, 2)))
	if idx[0].N != n || idx[1].N != n-n/10 {
		t.Fatalf("samples used: %d and %d, want %d and %d", idx[0].N, idx[1].N, n, n-n/10)
	}
	if IsNA(idx[1].S1) || IsNA(idx[1].ST) {
		t.Fatalf("indices of input 2 missing: %+v", idx[1])
	}
}

func TestQuantilesBySelectionAndCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 3, 10, 101, 1000} {
		x := make([]float64, n)
		counts := make([]int, 60)
		for i := range x {
			v := rng.IntN(50) + 1
			x[i] = float64(v)
			counts[v]++
		}
		sorted := append([]float64(nil), x...)
		sortFloats(sorted)
		for _, p := range []float64{0, 0.05, 0.5, 0.95, 1} {
			want := quantile7(sorted, p)
			if got := selectQuantile7(append([]float64(nil), x...), p); got != want {
				t.Errorf("n=%d p=%v: selection %v, sorting %v", n, p, got, want)
			}
			if got := countQuantile7(counts, n, p); got != want {
				t.Errorf("n=%d p=%v: counting %v, sorting %v", n, p, got, want)
			}
		}
	}
}

func TestTieGroups(t *testing.T) {
	units := []UnitUncertainty{
		{Unit: "A", NominalRank: 1, Q5: 1, Q95: 1},
		{Unit: "B", NominalRank: 2, Q5: 2, Q95: 4},
		{Unit: "C", NominalRank: 3, Q5: 2, Q95: 5},
		{Unit: "D", NominalRank: 4, Q5: 4, Q95: 6}, // shares rank 4 with B and C
		{Unit: "E", NominalRank: 5, Q5: 5, Q95: 7}, // shares 5 with C and D but not with B: new group
		{Unit: "F", NominalRank: 0, Q5: NA, Q95: NA},
	}
	tieGroups(units)
	got := map[string]int{}
	for _, u := range units {
		got[u.Unit] = u.TieGroup
	}
	want := map[string]int{"A": 1, "B": 2, "C": 2, "D": 2, "E": 3, "F": 0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: group %d, want %d", k, got[k], v)
		}
	}
}
