package explorerweb

import (
	"math"

	"github.com/citylens/citylens/internal/release"
)

func derefOr(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// bandSVG is a rank's 5–95 % band drawn on a strip centred on the rank,
// at the same scale on every row (bandSpan ranks either side), so a band's
// length reads as its uncertainty in ranks, whatever the ranking's size: a
// band of 3 ranks is a short bar, one of 30 a long one. The strip's line
// covers only ranks that exist (it ends at rank 1 and at the last rank,
// with an end cap), ticks mark every 10th rank; a band reaching beyond the
// strip is cut at its edge.
type bandSVG struct {
	AxisX1, AxisX2 float64
	X1, W, X       float64
	Ticks          []float64 // every 10th rank
	Ends           []float64 // rank 1 and the last rank, when in view
	Ok             bool
}

const (
	bandWidth = 168.0
	bandPad   = 6.0
	bandSpan  = 20.0 // ranks either side of the city's
)

func bandBar(rank int, b release.Band, n int) bandSVG {
	center := bandWidth / 2
	per := (bandWidth - 2*bandPad) / (2 * bandSpan)
	clip := func(x float64) float64 { return round1(math.Max(bandPad, math.Min(bandWidth-bandPad, x))) }
	pos := func(r float64) float64 { return center + (r-float64(rank))*per }
	out := bandSVG{X: center, AxisX1: clip(pos(1)), AxisX2: clip(pos(float64(max(n, rank))))}
	for r := math.Ceil((float64(rank)-bandSpan)/10) * 10; r <= float64(rank)+bandSpan; r += 10 {
		if r >= 1 && r <= float64(max(n, rank)) {
			out.Ticks = append(out.Ticks, round1(pos(r)))
		}
	}
	for _, r := range []int{1, n} {
		if r >= 1 && math.Abs(float64(r-rank)) <= bandSpan {
			out.Ends = append(out.Ends, round1(pos(float64(r))))
		}
	}
	if b.Q5 == nil || b.Q95 == nil {
		return out
	}
	x1, x2 := clip(pos(*b.Q5)), clip(pos(*b.Q95))
	if x2-x1 < 4 {
		mid := (x1 + x2) / 2
		x1, x2 = mid-2, mid+2
	}
	out.X1, out.W, out.Ok = round1(x1), round1(x2-x1), true
	return out
}
