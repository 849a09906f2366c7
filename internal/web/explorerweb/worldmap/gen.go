//go:build ignore

// gen converts world-atlas's land-110m.json (TopoJSON, from Natural Earth's
// 1:110m land polygons, public domain) into SVG path data in an
// equirectangular projection: x = (lon + 180) · 2, y = (90 − lat) · 2, on a
// 720 × 360 canvas. Run from this folder: go run gen.go > land.svgpath
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects map[string]struct {
		Geometries []struct {
			Type string          `json:"type"`
			Arcs json.RawMessage `json:"arcs"`
		} `json:"geometries"`
	} `json:"objects"`
}

func main() {
	b, err := os.ReadFile("land-110m.json")
	if err != nil {
		fail(err)
	}
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		fail(err)
	}
	// Decode the delta-encoded, quantised arcs into lon/lat.
	arcs := make([][][2]float64, len(t.Arcs))
	for i, a := range t.Arcs {
		var x, y float64
		for _, p := range a {
			x += p[0]
			y += p[1]
			arcs[i] = append(arcs[i], [2]float64{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]})
		}
	}
	ring := func(idx []int) [][2]float64 {
		var pts [][2]float64
		for _, i := range idx {
			var a [][2]float64
			if i >= 0 {
				a = arcs[i]
			} else {
				src := arcs[^i]
				for k := len(src) - 1; k >= 0; k-- {
					a = append(a, src[k])
				}
			}
			if len(pts) > 0 {
				a = a[1:]
			}
			pts = append(pts, a...)
		}
		return pts
	}
	var out strings.Builder
	for _, g := range t.Objects["land"].Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				fail(err)
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				fail(err)
			}
		}
		for _, p := range polys {
			for _, r := range p {
				for _, ring := range splitDateLine(ring(r)) {
					for k, pt := range ring {
						if k == 0 {
							out.WriteString("M")
						} else {
							out.WriteString("L")
						}
						fmt.Fprintf(&out, "%s %s", num((pt[0]+180)*2), num((90-pt[1])*2))
					}
					out.WriteString("Z")
				}
			}
		}
	}
	fmt.Println(out.String())
}

// splitDateLine draws a ring that crosses the date line without the
// stripes a jump from +180° to −180° would draw across the map: its
// longitudes are unwrapped into a continuous run (a ring around a pole,
// Antarctica's, is closed along the pole's edge), and the ring is drawn once
// for each whole turn of 360° it overlaps the map by; the map's viewBox
// clips what falls outside it. No segment then spans more than 180°.
func splitDateLine(pts [][2]float64) [][][2]float64 {
	if len(pts) == 0 {
		return nil
	}
	u := make([][2]float64, len(pts))
	u[0] = pts[0]
	for k := 1; k < len(pts); k++ {
		lon := pts[k][0]
		for lon-u[k-1][0] > 180 {
			lon -= 360
		}
		for lon-u[k-1][0] < -180 {
			lon += 360
		}
		u[k] = [2]float64{lon, pts[k][1]}
	}
	first, last := u[0], u[len(u)-1]
	if math.Abs(last[0]-first[0]) > 180 { // around a pole: close along its edge
		pole := 90.0
		var lat float64
		for _, p := range u {
			lat += p[1]
		}
		if lat < 0 {
			pole = -90
		}
		step := 10.0
		if first[0] < last[0] {
			step = -10
		}
		for lon := last[0]; (step < 0 && lon > first[0]) || (step > 0 && lon < first[0]); lon += step {
			u = append(u, [2]float64{lon, pole})
		}
		u = append(u, [2]float64{first[0], pole})
	}
	lo, hi := u[0][0], u[0][0]
	for _, p := range u {
		lo, hi = math.Min(lo, p[0]), math.Max(hi, p[0])
	}
	var out [][][2]float64
	for shift := -720.0; shift <= 720; shift += 360 {
		if hi+shift <= -180 || lo+shift >= 180 {
			continue
		}
		c := make([][2]float64, len(u))
		for k, p := range u {
			c[k] = [2]float64{p[0] + shift, p[1]}
		}
		out = append(out, c)
	}
	return out
}

func num(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", math.Round(v*10)/10), "0"), ".")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
