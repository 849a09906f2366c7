// Package synthetic makes deterministic synthetic indices for benchmarks,
// tests and demo data: a balanced tree of any depth over units whose
// indicators share latent factors, so aggregates correlate as real ones do.
package synthetic

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/citylens/citylens/internal/engine"
)

// Index makes units x indicators with levels levels (2 = indicators under one
// index; 3 = indicators, pillars, index; ...). About 2% of values are missing,
// a tenth of indicators are skewed, a fifth point downwards. Same seed, same index.
func Index(units, indicators, levels int, seed uint64) (*engine.Framework, *engine.Data, error) {
	if units < 2 || indicators < 1 || levels < 2 {
		return nil, nil, fmt.Errorf("synthetic: need at least 2 units, 1 indicator and 2 levels")
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var nodes []engine.Node
	// Level sizes shrink geometrically from the indicators to one index.
	sizes := make([]int, levels+1)
	sizes[1] = indicators
	sizes[levels] = 1
	for l := 2; l < levels; l++ {
		ratio := math.Pow(float64(indicators), 1/float64(levels-1))
		sizes[l] = max(1, int(math.Round(float64(indicators)/math.Pow(ratio, float64(l-1)))))
	}
	code := func(l, k int) string {
		if l == 1 {
			return fmt.Sprintf("i%04d", k+1)
		}
		if l == levels {
			return "Index"
		}
		return fmt.Sprintf("L%d_%03d", l, k+1)
	}
	parentOf := func(l, k int) string {
		if l == levels {
			return ""
		}
		return code(l+1, k*sizes[l+1]/sizes[l])
	}
	for l := levels; l >= 1; l-- {
		for k := 0; k < sizes[l]; k++ {
			n := engine.Node{Code: code(l, k), Name: code(l, k), Parent: parentOf(l, k), Weight: 1}
			if l == 1 {
				n.Kind = engine.Indicator
				n.Direction = 1
				if k%5 == 4 {
					n.Direction = -1
				}
				n.Weight = 0.5 + rng.Float64()
			} else {
				n.Kind = engine.Aggregate
			}
			nodes = append(nodes, n)
		}
	}
	f, err := engine.NewFramework(nodes)
	if err != nil {
		return nil, nil, err
	}
	d := &engine.Data{Units: make([]string, units), Groups: map[string][]string{"region": make([]string, units)}, Columns: map[string][]float64{}}
	regions := []string{"Africa", "Americas", "Asia", "Europe", "Oceania"}
	latent := make([][]float64, sizes[2])
	general := make([]float64, units)
	for u := range units {
		d.Units[u] = fmt.Sprintf("U%05d", u+1)
		d.Groups["region"][u] = regions[u%len(regions)]
		general[u] = rng.NormFloat64()
	}
	for p := range latent {
		latent[p] = make([]float64, units)
		for u := range units {
			latent[p][u] = 0.6*general[u] + 0.8*rng.NormFloat64()
		}
	}
	for k := range indicators {
		col := make([]float64, units)
		p := k * sizes[2] / sizes[1]
		skewed := k%10 == 3
		for u := range units {
			z := 0.7*latent[p][u] + 0.7*rng.NormFloat64()
			v := 50 + 10*z
			if skewed {
				v = math.Exp(1 + 0.9*z)
			}
			if k%5 == 4 {
				v = 100 - v // points the other way: lower is better
			}
			if rng.Float64() < 0.02 {
				v = engine.NA
			}
			col[u] = v
		}
		d.Columns[code(1, k)] = col
	}
	return f, d, nil
}
