package survey

import "math"

// plan is what flagging and estimating read of an instrument, worked out
// once for many cities: the scaled answers each needs as columns of a
// dense matrix, so a response's answer map is read once per city (by
// Flag and Estimate together) rather than once per use.
type plan struct {
	codes     []string // the matrix's columns
	col       map[string]int
	ratings   []int                   // KindRating items' columns, in item order
	attention []struct{ c, want int } // attention checks, in item order
	opposes   []struct{ a, b int }    // pairs that may not both be 5
	scored    []int                   // indexes into Items of the scored items
	scoredCol []int                   // their columns
}

func (in *Instrument) plan() *plan {
	p := &plan{col: map[string]int{}}
	column := func(code string) int {
		c, ok := p.col[code]
		if !ok {
			c = len(p.codes)
			p.col[code] = c
			p.codes = append(p.codes, code)
		}
		return c
	}
	for k, it := range in.Items {
		if it.Kind == KindRating {
			p.ratings = append(p.ratings, column(it.Code))
		}
		switch {
		case it.Kind == KindAttention:
			p.attention = append(p.attention, struct{ c, want int }{column(it.Code), it.Expect})
		case it.Opposes != "":
			p.opposes = append(p.opposes, struct{ a, b int }{column(it.Code), column(it.Opposes)})
		}
		if it.Scaled() && it.Kind != KindAttention {
			p.scored = append(p.scored, k)
			p.scoredCol = append(p.scoredCol, column(it.Code))
		}
	}
	return p
}

// dense is the answers of rs as a row-major matrix, len(rs) rows of
// len(p.codes) columns: the answer 1..5 as a number, NaN when there is
// none (as Rating reads it). buf is reused when it is large enough.
func (p *plan) dense(rs []Response, buf []float64) []float64 {
	k := len(p.codes)
	m := grow(buf, len(rs)*k)
	for i := range rs {
		row := m[i*k : (i+1)*k]
		for c, code := range p.codes {
			v, ok := Rating(rs[i].Answers, code)
			if !ok {
				v = math.NaN()
			}
			row[c] = v
		}
	}
	return m
}

// grow is buf resliced to n if it can hold n, a new slice otherwise.
func grow[T any](buf []T, n int) []T {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]T, n)
}

// scratch is one worker's reusable buffers: estimating city after city
// in the same memory spares the allocator and the page faults of fresh
// megabytes per city.
type scratch struct {
	mat, agree, score, y, sum []float64
	cnt                       []int
}
