package indexfile

import (
	"io"
	"math"
	"sort"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// COINr's iMeta types.
const (
	typeIndicator   = "Indicator"
	typeAggregate   = "Aggregate"
	typeGroup       = "Group"
	typeDenominator = "Denominator"
	typeOther       = "Other"
)

// Meta is what iMeta.csv declares besides the framework: which iData columns
// are groups and which are denominators.
type Meta struct {
	Framework    *engine.Framework
	Groups       []string
	Denominators []string
}

// ReadMeta reads COINr's iMeta layout: Level, iCode, iName, Direction, Weight,
// Unit, Target, Denominator, Parent, Type (plus optional Goalpost_low and
// Goalpost_high). name is used in error messages.
func ReadMeta(name string, r io.Reader) (*Meta, error) {
	t, err := readTable(name, r)
	if err != nil {
		return nil, err
	}
	if err := t.need("iCode", "Type"); err != nil {
		return nil, err
	}
	meta := &Meta{}
	var nodes []engine.Node
	rowOf := map[string]int{}
	for i := range t.rows {
		code := t.cell(i, "iCode")
		if code == "" {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d: iCode is empty", name, line(i))
		}
		if prev, dup := rowOf[code]; dup {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d: iCode %q appears twice (first on line %d)", name, line(i), code, line(prev))
		}
		rowOf[code] = i
		typ := t.cell(i, "Type")
		switch typ {
		case typeGroup:
			meta.Groups = append(meta.Groups, code)
			continue
		case typeDenominator:
			meta.Denominators = append(meta.Denominators, code)
			continue
		case typeOther:
			continue
		case typeIndicator, typeAggregate:
		default:
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"Type\": %q is not Indicator, Aggregate, Group, Denominator or Other", name, line(i), typ)
		}
		n := engine.Node{Code: code, Name: t.cell(i, "iName"), Parent: naToEmpty(t.cell(i, "Parent")), Unit: naToEmpty(t.cell(i, "Unit")), Weight: 1}
		if typ == typeIndicator {
			n.Kind = engine.Indicator
		} else {
			n.Kind = engine.Aggregate
		}
		if _, ok := t.col["Weight"]; ok {
			w, ok, err := t.number(i, "Weight")
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"Weight\": %s has no weight", name, line(i), code)
			}
			n.Weight = w
		}
		if _, ok := t.col["Level"]; ok {
			l, ok, err := t.number(i, "Level")
			if err != nil {
				return nil, err
			}
			if ok {
				if l != math.Trunc(l) || l < 1 || l > 100 {
					return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"Level\": %s: a level is a whole number from 1, got %v", name, line(i), code, l)
				}
				n.Level = int(l)
			}
		}
		if n.Kind == engine.Indicator {
			n.Direction = 1
			if _, ok := t.col["Direction"]; ok {
				d, ok, err := t.number(i, "Direction")
				if err != nil {
					return nil, err
				}
				if ok {
					if d != 1 && d != -1 {
						return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"Direction\": %s must be 1 or -1, got %v", name, line(i), code, d)
					}
					n.Direction = int(d)
				}
			}
			n.Denominator = naToEmpty(t.cell(i, "Denominator"))
			if _, ok := t.col["Target"]; ok {
				v, ok, err := t.number(i, "Target")
				if err != nil {
					return nil, err
				}
				if ok {
					n.Target = &v
				}
			}
			// CityLens's Goalpost_low/Goalpost_high, or COINr's goalpost_lower/goalpost_upper.
			if loCol := t.firstCol("Goalpost_low", "goalpost_lower"); loCol != "" || t.firstCol("Goalpost_high", "goalpost_upper") != "" {
				hiCol := t.firstCol("Goalpost_high", "goalpost_upper")
				if loCol == "" || hiCol == "" {
					return nil, citylens.Errorf(citylens.EINVALID, "%s: the goalposts need both a low (Goalpost_low or goalpost_lower) and a high (Goalpost_high or goalpost_upper) column", name)
				}
				lo, okLo, err := t.number(i, loCol)
				if err != nil {
					return nil, err
				}
				hi, okHi, err := t.number(i, hiCol)
				if err != nil {
					return nil, err
				}
				if okLo != okHi {
					return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d: %s needs both %s and %s", name, line(i), code, loCol, hiCol)
				}
				if okLo {
					if !(lo < hi) {
						return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d: %s: %s (%v) must be below %s (%v): goalposts are numeric bounds, and Direction says which end is good", name, line(i), code, loCol, lo, hiCol, hi)
					}
					g := &engine.Goalposts{Low: lo, High: hi}
					if c := t.firstCol("Goalpost_scale", "goalpost_scale"); c != "" {
						v, ok, err := t.number(i, c)
						if err != nil {
							return nil, err
						}
						if ok {
							if !(v > 0) {
								return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column %q: %s: the scale must be positive, got %v", name, line(i), c, code, v)
							}
							g.Scale = v
						}
					}
					if c := t.firstCol("Goalpost_truncate", "goalpost_trunc2posts"); c != "" {
						v, ok, err := t.boolean(i, c)
						if err != nil {
							return nil, err
						}
						if ok {
							g.Truncate = &v
						}
					}
					n.Goalposts = g
				}
			}
			if _, ok := t.col["Contextual"]; ok {
				v, _, err := t.boolean(i, "Contextual")
				if err != nil {
					return nil, err
				}
				n.Contextual = v
			}
		}
		nodes = append(nodes, n)
	}
	f, err := engine.NewFramework(nodes)
	if err != nil {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: %s", name, citylens.ErrorMessage(err))
	}
	for _, code := range f.Indicators() {
		n, _ := f.Node(code)
		if n.Denominator != "" && !contains(meta.Denominators, n.Denominator) {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"Denominator\": %s names %q, which is not declared with Type Denominator", name, line(rowOf[code]), code, n.Denominator)
		}
	}
	meta.Framework = f
	return meta, nil
}

// ReadData reads COINr's iData layout: uCode (and optional uName, Time), one
// column per group, denominator and indicator that meta declares.
func ReadData(name string, r io.Reader, meta *Meta) (*engine.Data, error) {
	t, err := readTable(name, r)
	if err != nil {
		return nil, err
	}
	if err := t.need("uCode"); err != nil {
		return nil, err
	}
	f := meta.Framework
	numeric := append(append([]string(nil), f.Indicators()...), meta.Denominators...)
	if err := t.need(numeric...); err != nil {
		return nil, err
	}
	if err := t.need(meta.Groups...); err != nil {
		return nil, err
	}
	known := map[string]bool{"uCode": true, "uName": true, "Time": true}
	for _, c := range numeric {
		known[c] = true
	}
	for _, c := range meta.Groups {
		known[c] = true
	}
	for _, agg := range f.Aggregates() {
		known[agg] = true // a column of precomputed aggregates is ignored
	}
	for _, h := range t.header {
		if !known[h] {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: column %q is not declared in the metadata (iMeta)", name, h)
		}
	}
	d := &engine.Data{Groups: map[string][]string{}, Columns: map[string][]float64{}}
	_, hasName := t.col["uName"]
	seen := map[string]int{}
	for i := range t.rows {
		u := t.cell(i, "uCode")
		if u == "" || u == "NA" {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d: uCode is empty", name, line(i))
		}
		if prev, dup := seen[u]; dup {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d: unit code %q appears twice (first on line %d)", name, line(i), u, line(prev))
		}
		seen[u] = i
		d.Units = append(d.Units, u)
		if hasName {
			d.Names = append(d.Names, t.cell(i, "uName"))
		}
	}
	// COINr presents units sorted by code.
	order := make([]int, len(d.Units))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return d.Units[order[a]] < d.Units[order[b]] })
	units := make([]string, len(order))
	var names []string
	if hasName {
		names = make([]string, len(order))
	}
	for k, i := range order {
		units[k] = d.Units[i]
		if hasName {
			names[k] = d.Names[i]
		}
	}
	d.Units, d.Names = units, names
	for _, g := range meta.Groups {
		col := make([]string, len(order))
		for k, i := range order {
			col[k] = naToEmpty(t.cell(i, g))
		}
		d.Groups[g] = col
	}
	for _, c := range numeric {
		col := make([]float64, len(order))
		for k, i := range order {
			v, _, err := t.number(i, c)
			if err != nil {
				return nil, err
			}
			col[k] = v
		}
		d.Columns[c] = col
	}
	return d, nil
}

func naToEmpty(s string) string {
	if s == "NA" {
		return ""
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
