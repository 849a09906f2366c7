package explorerweb

import (
	"github.com/citylens/citylens/internal/release"
)

func derefOr(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// bandSVG is a rank's 5–95 % band on a strip of the ranked cities, best
// left: the bar spans the band (at least a few pixels, so a narrow band
// still shows), the dot is the rank. Ticks mark the quarters of the
// ranking, so a band reads against the whole table at a glance.
type bandSVG struct {
	X1, W, X float64
	Ticks    []float64
	Ok       bool
}

const (
	bandWidth = 168.0
	bandPad   = 6.0
)

func bandBar(rank int, b release.Band, n int) bandSVG {
	out := bandSVG{X: bandPad}
	for q := 0; q <= 4; q++ {
		out.Ticks = append(out.Ticks, round1(bandPad+float64(q)/4*(bandWidth-2*bandPad)))
	}
	if n < 2 || b.Q5 == nil || b.Q95 == nil {
		return out
	}
	pos := func(r float64) float64 { return round1(bandPad + (r-1)/float64(n-1)*(bandWidth-2*bandPad)) }
	x1, x2 := pos(*b.Q5), pos(*b.Q95)
	if x2-x1 < 4 {
		mid := (x1 + x2) / 2
		x1, x2 = mid-2, mid+2
	}
	out.X1, out.W, out.X, out.Ok = round1(x1), round1(x2-x1), pos(float64(rank)), true
	return out
}
