package survey

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/xlsx"
)

// Bounds of a response or margins upload (beyond the byte limit and the
// workbook reader's limits derived from it).
const (
	MaxUploadRows     = 100000 // data rows
	MaxUploadColumns  = 500
	MaxUploadProblems = 200 // problems listed before the check stops
	DefaultMaxUpload  = 16 << 20
)

// table is an uploaded sheet: its header (trimmed, lower-cased) and rows,
// each with its row number in the file.
type table struct {
	header []string
	rows   [][]string
	nums   []int
}

// readTable reads a CSV (UTF-8, comma or semicolon) or the first sheet of
// an XLSX workbook, refusing more than MaxUploadRows rows or
// MaxUploadColumns columns.
func readTable(ctx context.Context, name string, data []byte, maxBytes int64) (*table, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxUpload
	}
	if int64(len(data)) > maxBytes {
		return nil, citylens.Ef(citylens.ETOOLARGE, "survey.error.upload_size", "the file is larger than %d bytes", maxBytes)
	}
	if len(data) == 0 {
		return nil, citylens.Ef(citylens.EINVALID, "survey.error.upload_empty", "the file %q is empty", name)
	}
	t := &table{}
	add := func(row int, cells []string) error {
		if t.header == nil {
			if len(cells) == 0 {
				return nil
			}
			if len(cells) > MaxUploadColumns {
				return citylens.Ef(citylens.ETOOLARGE, "survey.error.upload_columns", "more than %d columns", MaxUploadColumns)
			}
			for _, c := range cells {
				t.header = append(t.header, strings.ToLower(strings.TrimSpace(c)))
			}
			return nil
		}
		blank := true
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				blank = false
				break
			}
		}
		if blank {
			return nil
		}
		if len(t.rows) >= MaxUploadRows {
			return citylens.Ef(citylens.ETOOLARGE, "survey.error.upload_rows", "more than %d rows", MaxUploadRows)
		}
		if len(cells) > len(t.header) {
			cells = cells[:len(t.header)]
		}
		r := make([]string, len(t.header))
		for j, c := range cells {
			r[j] = strings.TrimSpace(c)
		}
		t.rows = append(t.rows, r)
		t.nums = append(t.nums, row)
		if len(t.rows)%10000 == 0 && ctx.Err() != nil {
			return citylens.Errorf(citylens.ECANCELED, "upload cancelled: %v", ctx.Err())
		}
		return nil
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		lim := xlsx.LimitsFor(maxBytes)
		lim.MaxRows = MaxUploadRows + 1000
		lim.MaxColumns = MaxUploadColumns
		book, err := xlsx.Open(data, lim)
		if err != nil {
			return nil, formError(err)
		}
		if len(book.Sheets()) == 0 {
			return nil, citylens.Ef(citylens.EINVALID, "survey.error.upload_empty", "the file %q is empty", name)
		}
		rows, err := book.Rows(book.Sheets()[0])
		if err != nil {
			return nil, formError(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := add(rows.Row(), rows.Cells()); err != nil {
				return nil, err
			}
		}
		if err := rows.Err(); err != nil {
			return nil, formError(err)
		}
		return t, nil
	}
	sample := data[:min(len(data), 64<<10)]
	for i := 0; i < 3 && len(sample) < len(data) && !utf8.Valid(sample); i++ {
		sample = sample[:len(sample)-1]
	}
	if !utf8.Valid(sample) || bytes.IndexByte(sample, 0) >= 0 {
		return nil, citylens.Ef(citylens.EINVALID, "survey.error.upload_type", "the file %q is neither an XLSX workbook nor a UTF-8 CSV file", name)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// (FieldPos panics after a failed read: the error says where.)
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, citylens.Ef(citylens.EINVALID, "survey.error.csv", "the CSV file cannot be read at line %d: %s", line, err.Error())
		}
		line, _ := r.FieldPos(0)
		if t.header == nil && len(rec) > MaxUploadColumns {
			return nil, citylens.Ef(citylens.ETOOLARGE, "survey.error.upload_columns", "more than %d columns", MaxUploadColumns)
		}
		if err := add(line, rec); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// col is the index of a header name, -1 if absent.
func (t *table) col(name string) int {
	for i, h := range t.header {
		if h == name {
			return i
		}
	}
	return -1
}
