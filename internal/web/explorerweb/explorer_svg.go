package explorerweb

import (
	"html/template"
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

// bandCell is the band strip of a table row: the rank's 5–95 % band
// (bandBar) as inline SVG, its value in words for screen readers (aria)
// and for the hover tooltip (tip).
func bandCell(rank int, b release.Band, n int, aria, tip string) template.HTML {
	g := bandBar(rank, b, n)
	var w svgb
	// tabindex: the band's tooltip (the interval in words) is reached with
	// the keyboard as with the mouse.
	w.f(`<svg class="band" width="168" height="18" viewBox="0 0 168 18" role="img" tabindex="0" aria-label="%s" data-tip="%s">`, esc(aria), esc(tip))
	w.f(`<line class="axis" x1="%s" x2="%s" y1="9" y2="9"/>`, fx(g.AxisX1, 1), fx(g.AxisX2, 1))
	for _, x := range g.Ticks {
		w.f(`<line class="qtick" x1="%s" x2="%s" y1="6" y2="12"/>`, fx(x, 1), fx(x, 1))
	}
	for _, x := range g.Ends {
		w.f(`<line class="qend" x1="%s" x2="%s" y1="3" y2="15"/>`, fx(x, 1), fx(x, 1))
	}
	if g.Ok {
		w.f(`<rect class="band-rect" x="%s" y="4" width="%s" height="10" rx="3"/>`, fx(g.X1, 1), fx(g.W, 1))
	}
	w.f(`<circle class="band-dot" cx="%s" cy="9" r="4"/></svg>`, fx(g.X, 1))
	return template.HTML(w.String())
}
