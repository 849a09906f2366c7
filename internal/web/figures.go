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
	"num": func(v any) string { return FormatNumber(v, 1) },
	// numd prints a number with d decimals.
	"numd": func(d int, v any) string { return FormatNumber(v, d) },
	// signed prints a rank change: "+3", "−2", "0"; nil is "—".
	"signed": SignedChange,
	// tieNames names a row's tied cities, by code through names, joined
	// with commas ("Bamako, Tehran").
	"tieNames": TieNames,
	// flagGroups groups audit flags by kind, the most important first.
	"flagGroups": release.FlagGroups,
	// mod2 alternates tie groups' shading (0, 1).
	"mod2":     func(n int) int { return n % 2 },
	"rankBand": RankBand,
}

// The figure functions are also called from Go by areas that write
// markup without a template (the explorer's long tables), so the two
// print a figure the same way.

// SignedChange prints a rank change: "+3", "−2", "0"; nil is "—".
func SignedChange(c *int) string {
	switch {
	case c == nil:
		return "—"
	case *c > 0:
		return "+" + strconv.Itoa(*c)
	case *c < 0:
		return "−" + strconv.Itoa(-*c)
	}
	return "0"
}

// TieNames names tied cities, by code through names, joined with commas
// ("Bamako, Tehran"); a code without a name stands for itself.
func TieNames(codes []string, names map[string]string) string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if n := names[c]; n != "" {
			out = append(out, n)
		} else {
			out = append(out, c)
		}
	}
	return strings.Join(out, ", ")
}

// RankBand prints a rank band "12–30"; a band with an end missing or not
// a number is "—", never "NaN".
func RankBand(b release.Band) string {
	if b.Q5 == nil || b.Q95 == nil || math.IsNaN(*b.Q5) || math.IsNaN(*b.Q95) {
		return "—"
	}
	return fmt.Sprintf("%.0f–%.0f", *b.Q5, *b.Q95)
}

// FormatNumber prints a number (float64, *float64, int) with d decimals;
// nil, NaN and infinities are "—".
func FormatNumber(v any, d int) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case *float64:
		if x == nil {
			return "—"
		}
		return FormatNumber(*x, d)
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
