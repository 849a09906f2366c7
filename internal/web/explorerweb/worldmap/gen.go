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
				pts := ring(r)
				for k, pt := range pts {
					x := (pt[0] + 180) * 2
					y := (90 - pt[1]) * 2
					if k == 0 {
						out.WriteString("M")
					} else {
						out.WriteString("L")
					}
					fmt.Fprintf(&out, "%s %s", num(x), num(y))
				}
				out.WriteString("Z")
			}
		}
	}
	fmt.Println(out.String())
}

func num(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", math.Round(v*10)/10), "0"), ".")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
