package indexfile

import (
	"io"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/engine"
)

// WriteWide writes m in COINr's wide layout: uCode, then one column per code,
// numbers printed to round-trip exactly, NA for missing.
func WriteWide(w io.Writer, m *engine.Matrix) error {
	cw := csvsafe.NewWriter(w)
	rec := make([]string, 1+len(m.Codes))
	rec[0] = "uCode"
	copy(rec[1:], m.Codes)
	if err := cw.Write(rec); err != nil {
		return err
	}
	for i, u := range m.Units {
		rec[0] = u
		for j, c := range m.Cols {
			rec[1+j] = FormatNumber(c[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadWide reads a wide file (uCode then numeric columns), such as COINr's
// exported data sets. Columns named in skip are ignored.
func ReadWide(name string, r io.Reader, skip ...string) (*engine.Matrix, error) {
	t, err := readTable(name, r)
	if err != nil {
		return nil, err
	}
	if err := t.need("uCode"); err != nil {
		return nil, err
	}
	m := &engine.Matrix{}
	for _, h := range t.header {
		if h != "uCode" && !contains(skip, h) {
			m.Codes = append(m.Codes, h)
		}
	}
	m.Cols = make([][]float64, len(m.Codes))
	for j := range m.Cols {
		m.Cols[j] = make([]float64, len(t.rows))
	}
	seen := map[string]bool{}
	for i := range t.rows {
		u := t.cell(i, "uCode")
		if seen[u] {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d: unit code %q appears twice", name, line(i), u)
		}
		seen[u] = true
		m.Units = append(m.Units, u)
		for j, c := range m.Codes {
			v, _, err := t.number(i, c)
			if err != nil {
				return nil, err
			}
			m.Cols[j][i] = v
		}
	}
	return m, nil
}
