package xlsx

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Rows reads a sheet's rows in order:
//
//	rows, err := book.Rows("Data")
//	...
//	defer rows.Close()
//	for rows.Next() {
//		use(rows.Row(), rows.Cells())
//	}
//	if err := rows.Err(); err != nil { ... }
type Rows struct {
	b      *Workbook
	sheet  string
	part   string
	rc     io.Closer
	s      *stream
	n      *names
	row    int
	cells  []string
	keep   []bool
	nCells int64
	err    error
	done   bool
}

// Rows starts reading the named sheet.
func (b *Workbook) Rows(sheet string) (*Rows, error) {
	p, ok := b.sheets[sheet]
	if !ok {
		return nil, invalid("the workbook has no sheet %q", sheet)
	}
	rc, err := b.open(p)
	if err != nil {
		return nil, err
	}
	r := &Rows{b: b, sheet: sheet, part: p, rc: rc, s: newStream(rc, b.lim.MaxElementBytes)}
	prefix, self, found, err := r.s.findStart("sheetData")
	switch {
	case errors.Is(err, errTooLarge):
		err = invalid("sheet %q is too large: a tag before its rows is more than %s", sheet, sizeText(int64(b.lim.MaxElementBytes)))
	case errors.Is(err, errUnterminated):
		err = unreadable("sheet %q has an unterminated tag", sheet)
	case err != nil:
		err = readErr(p, err)
	}
	if err != nil {
		rc.Close()
		return nil, err
	}
	if !found || self {
		r.finish(nil) // a sheet without cells
		return r, nil
	}
	r.n = newNames(prefix)
	return r, nil
}

// Keep names the columns the next rows read (true at a column's 0-based
// index): the others are left empty, unread. nil reads every column.
func (r *Rows) Keep(cols []bool) { r.keep = cols }

// Next reads the next row, false at the end of the sheet or at an error.
func (r *Rows) Next() bool {
	if r.done {
		return false
	}
	ok, err := r.next()
	if err != nil || !ok {
		r.finish(err)
		return false
	}
	return true
}

// Row returns the row's number, from 1.
func (r *Rows) Row() int { return r.row }

// Cells returns the row's cells by column, "" for an empty one, up to the
// last cell present. The slice is reused by Next.
func (r *Rows) Cells() []string { return r.cells }

// Err returns the error that ended the rows, nil at the end of the sheet.
func (r *Rows) Err() error { return r.err }

// Close ends the reading early.
func (r *Rows) Close() error {
	r.finish(nil)
	return nil
}

func (r *Rows) finish(err error) {
	if r.err == nil {
		r.err = err
	}
	r.done = true
	r.cells = r.cells[:0]
	if r.rc != nil {
		r.rc.Close()
		r.rc = nil
	}
}

func (r *Rows) next() (bool, error) {
	n := r.n
	attrs, content, found, err := r.s.next(n.rowOpen, n.rowClose, n.sheetDataClose)
	if err != nil && !errors.Is(err, errTooLarge) && !errors.Is(err, errUnterminated) {
		return false, readErr(r.part, err)
	}
	if err == nil && !found {
		return false, nil
	}
	row := r.row + 1
	if attrs != nil {
		if v, ok := attr(attrs, "r"); ok {
			k, err := strconv.Atoi(v)
			if err != nil || k <= r.row {
				return false, invalid("sheet %q, the row after row %d: bad row number %q", r.sheet, r.row, v)
			}
			row = k
		}
	}
	switch {
	case errors.Is(err, errTooLarge) && attrs == nil:
		return false, invalid("sheet %q is too large: the tag of the row after row %d is more than %s", r.sheet, r.row, sizeText(int64(r.b.lim.MaxElementBytes)))
	case errors.Is(err, errTooLarge):
		return false, invalid("sheet %q is too large: row %d is more than %s of XML", r.sheet, row, sizeText(int64(r.b.lim.MaxElementBytes)))
	case errors.Is(err, errUnterminated):
		return false, unreadable("sheet %q, row %d has no end tag", r.sheet, row)
	}
	if row > r.b.lim.MaxRows {
		return false, invalid("sheet %q is too large: row %d is beyond the %d rows a sheet may have", r.sheet, row, r.b.lim.MaxRows)
	}
	r.row = row
	return true, r.readCells(content)
}

// readCells reads a row's cells from its content.
func (r *Rows) readCells(row []byte) error {
	n := r.n
	r.cells = r.cells[:0]
	pos, col := 0, -1
	for {
		j := indexTag(row, pos, n.cOpen)
		if j < 0 {
			return nil
		}
		attrs, self, end := tagAttrs(row, j+len(n.cOpen))
		if end < 0 {
			return unreadable("sheet %q, row %d: a cell%s has an unterminated tag", r.sheet, r.row, afterColumn(col))
		}
		if ref, ok := attr(attrs, "r"); ok {
			c, err := columnIndex(ref)
			if err != nil || c <= col {
				return unreadable("sheet %q, row %d: bad cell reference %q%s", r.sheet, r.row, ref, afterColumn(col))
			}
			col = c
		} else {
			col++
		}
		if col >= r.b.lim.MaxColumns {
			return invalid("sheet %q is too large: row %d has a cell in column %s, beyond the %d columns a sheet may have", r.sheet, r.row, ColumnName(col), r.b.lim.MaxColumns)
		}
		if r.nCells++; r.nCells > r.b.lim.MaxCells {
			return invalid("sheet %q is too large: it has more than %d cells", r.sheet, r.b.lim.MaxCells)
		}
		if self {
			pos = end
			continue
		}
		k := bytes.Index(row[end:], n.cClose)
		if k < 0 {
			return unreadable("sheet %q, row %d, column %s: the cell has no end tag", r.sheet, r.row, ColumnName(col))
		}
		content := row[end : end+k]
		pos = end + k + len(n.cClose)
		if r.keep != nil && (col >= len(r.keep) || !r.keep[col]) {
			continue
		}
		typ, _ := attr(attrs, "t")
		var val string
		switch typ {
		case "inlineStr":
			val = n.text(content)
		default:
			raw, ok := elementText(content, 0, n.vOpen, n.vClose)
			if !ok {
				continue
			}
			if typ != "s" {
				val = unescapeXML(raw)
				break
			}
			i, err := strconv.Atoi(string(bytes.TrimSpace(raw)))
			if val, ok = r.b.shared.get(i); err != nil || !ok {
				return invalid("sheet %q, row %d, column %s: shared string %q does not exist", r.sheet, r.row, ColumnName(col), raw)
			}
		}
		for len(r.cells) < col {
			r.cells = append(r.cells, "")
		}
		r.cells = append(r.cells, val)
	}
}

func afterColumn(col int) string {
	if col < 0 {
		return ""
	}
	return " after column " + ColumnName(col)
}

// Cell returns one cell's value ("" when empty) by its row (from 1) and
// 0-based column, reading the sheet up to that row.
func (b *Workbook) Cell(sheet string, row, col int) (string, error) {
	rows, err := b.Rows(sheet)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() && rows.Row() <= row {
		if c := rows.Cells(); rows.Row() == row && col < len(c) {
			return c[col], nil
		}
	}
	return "", rows.Err()
}
