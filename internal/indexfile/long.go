package indexfile

import (
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// Units is the optional units file of the long layout: uCode, uName and any
// number of group columns (such as a region or an income group).
type Units struct {
	Codes  []string
	Names  []string            // "" where not given
	Groups map[string][]string // column -> value per unit ("" for NA or empty)
	line   map[string]int      // unit code -> file line, for error messages
}

// ReadUnits reads a units file: uCode (required), uName (optional) and every
// other column as a group column.
func ReadUnits(name string, r io.Reader) (*Units, error) {
	t, err := readTable(name, r)
	if err != nil {
		return nil, err
	}
	if err := t.need("uCode"); err != nil {
		return nil, err
	}
	if len(t.rows) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: no units: the file has a header but no rows", name)
	}
	u := &Units{Groups: map[string][]string{}, line: map[string]int{}}
	for _, h := range t.header {
		if h != "uCode" && h != "uName" {
			u.Groups[h] = make([]string, 0, len(t.rows))
		}
	}
	for i := range t.rows {
		code := t.cell(i, "uCode")
		if code == "" || code == "NA" {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"uCode\": the unit code is empty", name, line(i))
		}
		if prev, dup := u.line[code]; dup {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"uCode\": unit code %q appears twice (first on line %d)", name, line(i), code, prev)
		}
		u.line[code] = line(i)
		u.Codes = append(u.Codes, code)
		u.Names = append(u.Names, naToEmpty(t.cell(i, "uName")))
		for g := range u.Groups {
			u.Groups[g] = append(u.Groups[g], naToEmpty(t.cell(i, g)))
		}
	}
	return u, nil
}

// Long layout column names (matched without regard to case).
const (
	longUnit      = "unit"
	longIndicator = "indicator"
	longYear      = "year"
	longValue     = "value"
)

// ReadLong reads the long layout: one row per unit, indicator, year and
// value. Indicators and denominators are those meta declares. year > 0 picks
// that year; year == 0 picks, per unit and indicator, the latest year that has
// a value. The year column may be left out when each unit and indicator
// appears once. units, when given, lists every unit (a unit without values is
// kept, with its values missing) and its groups; without it the units are
// those of the values and there are no groups. Units come out sorted by code,
// as COINr presents them. Columns other than unit, indicator, year and value
// (a source, a note) are ignored.
func ReadLong(name string, r io.Reader, meta *Meta, units *Units, year int) (*engine.Data, error) {
	if meta == nil || meta.Framework == nil {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: no framework to read the values against", name)
	}
	if year < 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: year must be positive, got %d", name, year)
	}
	t, err := readTable(name, r)
	if err != nil {
		return nil, err
	}
	// Canonical column names, whatever their case.
	for j, h := range t.header {
		switch lh := strings.ToLower(h); lh {
		case longUnit, longIndicator, longYear, longValue:
			if j2, dup := t.col[lh]; dup && j2 != j {
				return nil, citylens.Errorf(citylens.EINVALID, "%s: header column %q appears twice", name, lh)
			}
			delete(t.col, h)
			t.col[lh] = j
			t.header[j] = lh
		}
		// Other columns (a source, a note) are kept in the file and ignored here.
	}
	if err := t.need(longUnit, longIndicator, longValue); err != nil {
		return nil, err
	}
	if len(t.rows) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: no values: the file has a header but no rows", name)
	}
	_, hasYear := t.col[longYear]
	if year > 0 && !hasYear {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: year %d is asked for but the file has no year column", name, year)
	}
	f := meta.Framework
	numeric := append(append([]string(nil), f.Indicators()...), meta.Denominators...)
	colOf := make(map[string]int, len(numeric))
	for k, c := range numeric {
		colOf[c] = k
	}

	// Units: from the units file, or as they appear in the values.
	d := &engine.Data{Groups: map[string][]string{}, Columns: map[string][]float64{}}
	unitOf := map[string]int{}
	if units != nil {
		for _, g := range meta.Groups {
			if _, ok := units.Groups[g]; !ok {
				return nil, citylens.Errorf(citylens.EINVALID, "%s: the metadata declares group %q but the units file has no such column", name, g)
			}
		}
		for i, c := range units.Codes {
			unitOf[c] = i
		}
		d.Units = append(d.Units, units.Codes...)
		d.Names = append(d.Names, units.Names...)
	} else {
		if len(meta.Groups) > 0 {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: the metadata declares group %q: give a units file with that column", name, meta.Groups[0])
		}
		for i := range t.rows {
			u := t.cell(i, longUnit)
			if _, ok := unitOf[u]; !ok && u != "" && u != "NA" {
				unitOf[u] = len(d.Units)
				d.Units = append(d.Units, u)
			}
		}
	}

	type key struct {
		unit, ind int
		year      int
	}
	type pick struct {
		year, line int
		value      float64
	}
	seen := map[key]int{} // -> file line
	best := map[[2]int]pick{}
	cols := make([][]float64, len(numeric))
	for k := range cols {
		cols[k] = make([]float64, len(d.Units))
		for i := range cols[k] {
			cols[k][i] = engine.NA
		}
	}
	for i := range t.rows {
		ln := line(i)
		u := t.cell(i, longUnit)
		if u == "" || u == "NA" {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"unit\": the unit code is empty", name, ln)
		}
		ui, ok := unitOf[u]
		if !ok {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"unit\": unit %q is not in the units file", name, ln, u)
		}
		ind := t.cell(i, longIndicator)
		k, ok := colOf[ind]
		if !ok {
			if n, isNode := f.Node(ind); isNode && n.Kind == engine.Aggregate {
				return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"indicator\": %q is an aggregate, computed from its children, not data", name, ln, ind)
			}
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"indicator\": %q is not an indicator or denominator of the framework", name, ln, ind)
		}
		y := 0
		if hasYear {
			ys := t.cell(i, longYear)
			v, err := strconv.Atoi(ys)
			if err != nil || v <= 0 {
				return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column \"year\": %q is not a year", name, ln, ys)
			}
			y = v
		}
		kk := key{ui, k, y}
		if prev, dup := seen[kk]; dup {
			what := "unit " + strconv.Quote(u) + ", indicator " + strconv.Quote(ind)
			if hasYear {
				what += ", year " + strconv.Itoa(y)
			}
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d: %s appears twice (first on line %d)", name, ln, what, prev)
		}
		seen[kk] = ln
		v, present, err := t.number(i, longValue)
		if err != nil {
			return nil, err
		}
		if year > 0 && y != year {
			continue
		}
		if year == 0 && !present {
			continue // the latest year with a value wins
		}
		cell := [2]int{ui, k}
		if p, ok := best[cell]; !ok || y > p.year {
			best[cell] = pick{year: y, line: ln, value: v}
		}
	}
	if year > 0 && len(best) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: no values for year %d", name, year)
	}
	for cell, p := range best {
		cols[cell[1]][cell[0]] = p.value
	}

	// COINr presents units sorted by code.
	order := make([]int, len(d.Units))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return d.Units[order[a]] < d.Units[order[b]] })
	permute := func(s []string) []string {
		out := make([]string, len(order))
		for k, i := range order {
			out[k] = s[i]
		}
		return out
	}
	d.Units = permute(d.Units)
	if units != nil {
		d.Names = permute(d.Names)
		for g, col := range units.Groups {
			d.Groups[g] = permute(col)
		}
	}
	for k, c := range numeric {
		col := make([]float64, len(order))
		for kk, i := range order {
			col[kk] = cols[k][i]
		}
		d.Columns[c] = col
	}
	return d, nil
}
