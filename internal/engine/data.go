package engine

import (
	"math"

	"github.com/citylens/citylens"
)

// NA is the missing value inside the engine. Readers turn "NA" and empty cells
// into NA; writers print it as NA. No step lets an unexpected NaN through: a
// computation that would make one returns an error instead.
var NA = math.NaN()

// IsNA reports whether v is missing.
func IsNA(v float64) bool { return v != v }

// Data is the input of a build: units, their group memberships and one column
// of values per indicator or denominator.
type Data struct {
	Units   []string             // unit codes, unique
	Names   []string             // unit names, optional (same length as Units when set)
	Groups  map[string][]string  // group column -> value per unit ("" when missing)
	Columns map[string][]float64 // indicator and denominator columns, NA for missing
}

// Validate checks that codes are unique and every column has one value per unit.
func (d *Data) Validate() error {
	if len(d.Units) == 0 {
		return citylens.Ef(citylens.EINVALID, "engine.data.no_units", "data: no units")
	}
	seen := make(map[string]bool, len(d.Units))
	for i, u := range d.Units {
		if u == "" {
			return citylens.Ef(citylens.EINVALID, "engine.data.empty_unit", "data: unit %d has an empty code", i+1)
		}
		if seen[u] {
			return citylens.Ef(citylens.EINVALID, "engine.data.unit_twice", "data: unit code %q appears twice", u)
		}
		seen[u] = true
	}
	if d.Names != nil && len(d.Names) != len(d.Units) {
		return citylens.Ef(citylens.EINVALID, "engine.data.names", "data: %d names for %d units", len(d.Names), len(d.Units))
	}
	for g, col := range d.Groups {
		if len(col) != len(d.Units) {
			return citylens.Ef(citylens.EINVALID, "engine.data.group_length", "data: group column %q has %d values for %d units", g, len(col), len(d.Units))
		}
	}
	for c, col := range d.Columns {
		if len(col) != len(d.Units) {
			return citylens.Ef(citylens.EINVALID, "engine.data.column_length", "data: column %q has %d values for %d units", c, len(col), len(d.Units))
		}
		for i, v := range col {
			if math.IsInf(v, 0) {
				return citylens.Ef(citylens.EINVALID, "engine.data.infinite", "data: column %q, unit %q: value is infinite", c, d.Units[i])
			}
		}
	}
	return nil
}

// Matrix is one data set of the pipeline: units by columns, stored by column.
type Matrix struct {
	Units []string
	Codes []string
	Cols  [][]float64 // Cols[j][i] is unit i's value of column j; NA for missing
}

// Col returns the column with the given code.
func (m *Matrix) Col(code string) ([]float64, bool) {
	for j, c := range m.Codes {
		if c == code {
			return m.Cols[j], true
		}
	}
	return nil, false
}

// Clone returns a deep copy of the values (codes and units are shared: they never change).
func (m *Matrix) Clone() *Matrix {
	out := &Matrix{Units: m.Units, Codes: m.Codes, Cols: make([][]float64, len(m.Cols))}
	buf := make([]float64, len(m.Cols)*len(m.Units))
	for j, c := range m.Cols {
		out.Cols[j] = buf[j*len(m.Units) : (j+1)*len(m.Units) : (j+1)*len(m.Units)]
		copy(out.Cols[j], c)
	}
	return out
}

// newMatrix allocates a matrix with one contiguous backing array.
func newMatrix(units, codes []string) *Matrix {
	m := &Matrix{Units: units, Codes: codes, Cols: make([][]float64, len(codes))}
	n := len(units)
	buf := make([]float64, len(codes)*n)
	for j := range codes {
		m.Cols[j] = buf[j*n : (j+1)*n : (j+1)*n]
	}
	return m
}

// CountNA returns the number of missing values.
func (m *Matrix) CountNA() int {
	k := 0
	for _, c := range m.Cols {
		for _, v := range c {
			if IsNA(v) {
				k++
			}
		}
	}
	return k
}
