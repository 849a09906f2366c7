package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/release"
)

// Template functions for a release's figures, shared by every page that
// shows them (the explorer's, the release workflow's review).

func init() {
	for k, f := range figureFuncs {
		templateFuncs[k] = f
	}
}

var figureFuncs = map[string]any{
	// num prints a number (float64, *float64, int) with one decimal; nil is "—".
	"num": func(v any) string { return fmtNumber(v, 1) },
	// numd prints a number with d decimals.
	"numd": func(d int, v any) string { return fmtNumber(v, d) },
	// signed prints a rank change: "+3", "−2", "0"; nil is "—".
	"signed": func(c *int) string {
		switch {
		case c == nil:
			return "—"
		case *c > 0:
			return "+" + strconv.Itoa(*c)
		case *c < 0:
			return "−" + strconv.Itoa(-*c)
		}
		return "0"
	},
	// tieNames names a row's tied cities, by code through names, joined
	// with commas ("Bamako, Tehran").
	"tieNames": func(codes []string, names map[string]string) string {
		out := make([]string, 0, len(codes))
		for _, c := range codes {
			if n := names[c]; n != "" {
				out = append(out, n)
			} else {
				out = append(out, c)
			}
		}
		return strings.Join(out, ", ")
	},
	// flagGroups groups audit flags by kind, the most important first.
	"flagGroups": release.FlagGroups,
	// mod2 alternates tie groups' shading (0, 1).
	"mod2": func(n int) int { return n % 2 },
	"rankBand": func(b release.Band) string {
		if b.Q5 == nil || b.Q95 == nil {
			return "—"
		}
		return fmt.Sprintf("%.0f–%.0f", *b.Q5, *b.Q95)
	},
}

func fmtNumber(v any, d int) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case *float64:
		if x == nil {
			return "—"
		}
		return fmtNumber(*x, d)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "—"
		}
		return strconv.FormatFloat(x, 'f', d, 64)
	case int:
		return strconv.Itoa(x)
	}
	return fmt.Sprint(v)
}
