package release

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// matrix is an engine data set as a release stores it: units by columns,
// stored by column, missing values written as null. Numbers are written in
// their shortest exact form, so a matrix reads back bit for bit.
type matrix struct {
	Units []string
	Codes []string
	Cols  [][]float64
}

func fromEngine(m *engine.Matrix) *matrix {
	if m == nil {
		return nil
	}
	out := &matrix{Units: append([]string(nil), m.Units...), Codes: append([]string(nil), m.Codes...), Cols: make([][]float64, len(m.Cols))}
	for j, c := range m.Cols {
		out.Cols[j] = append([]float64(nil), c...)
	}
	return out
}

func appendFloat(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

func (m *matrix) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"units":`)
	u, _ := json.Marshal(m.Units)
	b.Write(u)
	b.WriteString(`,"codes":`)
	c, _ := json.Marshal(m.Codes)
	b.Write(c)
	b.WriteString(`,"cols":[`)
	buf := make([]byte, 0, 32)
	for j, col := range m.Cols {
		if j > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		for i, v := range col {
			if i > 0 {
				b.WriteByte(',')
			}
			switch {
			case math.IsNaN(v):
				b.WriteString("null")
			case math.IsInf(v, 0):
				return nil, citylens.Errorf(citylens.EINTERNAL, "release: infinite value in column %q", m.Codes[j])
			default:
				b.Write(appendFloat(buf[:0], v))
			}
		}
		b.WriteByte(']')
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

func (m *matrix) UnmarshalJSON(data []byte) error {
	var raw struct {
		Units []string          `json:"units"`
		Codes []string          `json:"codes"`
		Cols  []json.RawMessage `json:"cols"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if len(raw.Cols) != len(raw.Codes) {
		return citylens.Errorf(citylens.EINVALID, "release: a data set has %d columns for %d codes", len(raw.Cols), len(raw.Codes))
	}
	m.Units, m.Codes, m.Cols = raw.Units, raw.Codes, make([][]float64, len(raw.Cols))
	for j, rc := range raw.Cols {
		col, err := parseColumn(rc, len(raw.Units))
		if err != nil {
			return citylens.Errorf(citylens.EINVALID, "release: column %q: %v", raw.Codes[j], err)
		}
		m.Cols[j] = col
	}
	return nil
}

// parseColumn reads a JSON array of numbers and nulls.
func parseColumn(b []byte, n int) ([]float64, error) {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return nil, citylens.Errorf(citylens.EINVALID, "not an array")
	}
	b = bytes.TrimSpace(b[1 : len(b)-1])
	out := make([]float64, 0, n)
	for len(b) > 0 {
		k := bytes.IndexByte(b, ',')
		tok := b
		if k >= 0 {
			tok, b = b[:k], b[k+1:]
		} else {
			b = nil
		}
		tok = bytes.TrimSpace(tok)
		if string(tok) == "null" {
			out = append(out, math.NaN())
			continue
		}
		v, err := strconv.ParseFloat(string(tok), 64)
		if err != nil {
			return nil, citylens.Errorf(citylens.EINVALID, "%q is not a number", tok)
		}
		out = append(out, v)
	}
	if len(out) != n {
		return nil, citylens.Errorf(citylens.EINVALID, "%d values for %d units", len(out), n)
	}
	return out, nil
}
