// Package indexfile reads and writes index data files: COINr's iMeta/iData
// layout, the long layout (unit,indicator,year,value) and COINr's wide output
// layout, one CSV per pipeline step.
package indexfile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// table is a CSV file read whole, with its header indexed.
type table struct {
	name   string
	header []string
	col    map[string]int
	rows   [][]string
}

func readTable(name string, r io.Reader) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // every row as long as the header
	cr.ReuseRecord = false
	all, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
		}
		return nil, citylens.Errorf(citylens.EINVALID, "%s: %v", name, err)
	}
	if len(all) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: empty file: a header row is needed", name)
	}
	t := &table{name: name, header: all[0], col: map[string]int{}, rows: all[1:]}
	for j, h := range t.header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		t.header[j] = h
		if h == "" {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: header column %d is empty", name, j+1)
		}
		if _, dup := t.col[h]; dup {
			return nil, citylens.Errorf(citylens.EINVALID, "%s: header column %q appears twice", name, h)
		}
		t.col[h] = j
	}
	return t, nil
}

func (t *table) need(cols ...string) error {
	for _, c := range cols {
		if _, ok := t.col[c]; !ok {
			return citylens.Errorf(citylens.EINVALID, "%s: column %q is missing from the header", t.name, c)
		}
	}
	return nil
}

// cell returns a trimmed cell; row is 0-based over data rows.
func (t *table) cell(row int, col string) string {
	j, ok := t.col[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(t.rows[row][j])
}

// line is the 1-based file line of data row i (header is line 1).
func line(i int) int { return i + 2 }

// ParseNumber reads a cell: "", "NA" and "NaN" are missing; anything else must be a finite number.
func ParseNumber(s string) (float64, bool, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "NA", "NaN", "na", "N/A":
		return engine.NA, false, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%q is not a number", s)
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false, fmt.Errorf("%q is not a finite number", s)
	}
	return v, true, nil
}

func (t *table) number(row int, col string) (float64, bool, error) {
	v, ok, err := ParseNumber(t.cell(row, col))
	if err != nil {
		return 0, false, citylens.Errorf(citylens.EINVALID, "%s: line %d, column %q: %v", t.name, line(row), col, err)
	}
	return v, ok, nil
}

// boolean reads a TRUE/FALSE cell (also true/false, 1/0, yes/no); ok is
// false for an empty or NA cell.
func (t *table) boolean(row int, col string) (v, ok bool, err error) {
	switch strings.ToLower(t.cell(row, col)) {
	case "", "na":
		return false, false, nil
	case "true", "t", "1", "yes":
		return true, true, nil
	case "false", "f", "0", "no":
		return false, true, nil
	}
	return false, false, citylens.Errorf(citylens.EINVALID, "%s: line %d, column %q: %q is not TRUE or FALSE", t.name, line(row), col, t.cell(row, col))
}

// firstCol returns the first of names that the header has, or "".
func (t *table) firstCol(names ...string) string {
	for _, n := range names {
		if _, ok := t.col[n]; ok {
			return n
		}
	}
	return ""
}

// FormatNumber prints v so that it reads back exactly; NA for missing.
func FormatNumber(v float64) string {
	if engine.IsNA(v) {
		return "NA"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// ReadRecords reads a CSV file with a header into one map per row.
func ReadRecords(name string, r io.Reader) ([]map[string]string, error) {
	t, err := readTable(name, r)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(t.rows))
	for i, row := range t.rows {
		m := make(map[string]string, len(t.header))
		for j, h := range t.header {
			m[h] = strings.TrimSpace(row[j])
		}
		out[i] = m
	}
	return out, nil
}
