package datacall

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/xlsx"
)

// DefaultMaxUploadBytes bounds an upload: a template of 1,000 cities × 300
// indicators is about 25 MB.
const DefaultMaxUploadBytes = 64 << 20

// File types of an upload.
const (
	TypeXLSX = "xlsx"
	TypeCSV  = "csv"
)

// ReadLimited reads all of r, refusing more than max bytes with an EINVALID
// error that says the limit.
func ReadLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, citylens.Ef(citylens.EINVALID, "dc.file.read", "reading the upload: %s", err.Error())
	}
	if int64(len(b)) > max {
		return nil, tooLarge(max)
	}
	return b, nil
}

func tooLarge(max int64) error {
	return citylens.Ef(citylens.EINVALID, "dc.file.too_large", "the file is larger than the %s limit: split it by city", sizeText(max))
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(1, n>>10))
}

// DetectType tells an XLSX workbook from a CSV file by their content (the
// name's extension only breaks a tie), with a clear error for anything else.
func DetectType(name string, data []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(data) == 0:
		return "", citylens.Ef(citylens.EINVALID, "dc.file.empty", "the file %q is empty", name)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return TypeXLSX, nil
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		return "", citylens.Ef(citylens.EINVALID, "dc.file.xls", "the file %q is an old Excel workbook (.xls) or a password-protected one: save it as .xlsx without a password, or as CSV", name)
	case bytes.HasPrefix(data, []byte("%PDF")):
		return "", citylens.Ef(citylens.EINVALID, "dc.file.pdf", "the file %q is a PDF: upload the XLSX template or a CSV file", name)
	case ext == ".xlsx":
		return "", citylens.Ef(citylens.EINVALID, "dc.file.not_xlsx", "the file %q is named .xlsx but is not an XLSX workbook", name)
	}
	sample := data[:min(len(data), 64<<10)]
	for i := 0; i < 3 && len(sample) < len(data) && !utf8.Valid(sample); i++ {
		sample = sample[:len(sample)-1] // a rune cut at the sample's end
	}
	if !utf8.Valid(sample) || bytes.IndexByte(sample, 0) >= 0 {
		return "", citylens.Ef(citylens.EINVALID, "dc.file.not_csv", "the file %q is neither an XLSX workbook nor a UTF-8 CSV file: upload the template as .xlsx, or save it as CSV (UTF-8)", name)
	}
	switch ext {
	case ".csv", ".txt", "":
		return TypeCSV, nil
	}
	return "", citylens.Ef(citylens.EINVALID, "dc.file.type", "the file %q has type %s: upload the XLSX template or a CSV file", name, ext)
}

// Parsed is the content of an upload.
type Parsed struct {
	Type    string
	Edition string // the edition the template was made for ("" for CSV or an unmarked workbook)
	Entries []Entry

	maxEntries int
}

// add keeps an entry, refusing one more than maxEntries.
func (p *Parsed) add(e Entry) error {
	if p.maxEntries > 0 && len(p.Entries) >= p.maxEntries {
		return citylens.Ef(citylens.EINVALID, "dc.error.too_many_entries",
			"row %d: the file has more than %d rows with values, more than its cities and the edition's indicators allow (one row each): nothing was saved", e.Row, p.maxEntries)
	}
	p.Entries = append(p.Entries, e)
	return nil
}

// ParseUpload reads an XLSX template or a CSV file of the same columns.
// Rows with every input cell empty are left out. Errors about the file's
// shape (no header, a missing column) are EINVALID and name the column.
func ParseUpload(ctx context.Context, name string, data []byte, maxBytes int64) (*Parsed, error) {
	return parseUpload(ctx, name, data, maxBytes, maxUploadRows)
}

// parseUpload is ParseUpload keeping at most maxEntries rows with values:
// one more is refused, as a file of that many could not be valid.
func parseUpload(ctx context.Context, name string, data []byte, maxBytes int64, maxEntries int) (*Parsed, error) {
	if maxBytes > 0 && int64(len(data)) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	typ, err := DetectType(name, data)
	if err != nil {
		return nil, err
	}
	p := &Parsed{Type: typ, maxEntries: maxEntries}
	switch typ {
	case TypeXLSX:
		err = parseXLSX(ctx, data, maxBytes, p)
	case TypeCSV:
		err = parseCSV(ctx, data, p)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Header labels of the template, in order. Uploads find columns by label, so
// a CSV may order or omit the reference columns.
var templateHeader = []string{
	"City code", "City", "Indicator code", "Indicator", "Unit", "Valid range", "Last edition's value", "Guidance",
	"Value", "Source", "Data year", "Method note", "Estimated (yes/no)", "Comment",
}

// headerKeys maps normalised header labels to columns.
var headerKeys = map[string]string{
	"city code": ColCity, "city": "", "indicator code": ColIndicator, "indicator": "",
	"unit": ColUnit, "value": ColValue, "source": ColSource, "data year": ColDataYear,
	"method note": ColMethodNote, "estimated": ColEstimated, "comment": ColComment,
}

var requiredCols = []string{ColCity, ColIndicator, ColValue, ColUnit, ColSource, ColDataYear}

func normaliseHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	if i := strings.Index(h, "("); i > 0 {
		h = strings.TrimSpace(h[:i])
	}
	return strings.Join(strings.Fields(h), " ")
}

// columnMap finds each known column in a header row.
type columnMap map[string]int

func mapHeader(header []string) (columnMap, error) {
	m := columnMap{}
	for i, h := range header {
		key, known := headerKeys[normaliseHeader(h)]
		if !known || key == "" {
			continue
		}
		if _, dup := m[key]; dup {
			return nil, citylens.Ef(citylens.EINVALID, "dc.file.header_twice", "row 1: the header names column %q twice", key)
		}
		m[key] = i
	}
	var missing []string
	for _, c := range requiredCols {
		if _, ok := m[c]; !ok {
			missing = append(missing, fmt.Sprintf("%q", c))
		}
	}
	if len(missing) > 0 {
		key, format := "dc.file.header_lacks", "row 1: the header lacks the columns %s (expected the template's header: %s)"
		if len(missing) == 1 {
			key, format = "dc.file.header_lacks_one", "row 1: the header lacks the column %s (expected the template's header: %s)"
		}
		return nil, citylens.Ef(citylens.EINVALID, key, format, strings.Join(missing, ", "), strings.Join(templateHeader, ", "))
	}
	return m, nil
}

// mask marks the columns an entry reads.
func (m columnMap) mask() []bool {
	n := 0
	for _, i := range m {
		n = max(n, i+1)
	}
	out := make([]bool, n)
	for _, i := range m {
		out[i] = true
	}
	return out
}

func (m columnMap) entry(row int, cells []string) (Entry, bool) {
	get := func(col string) string {
		if i, ok := m[col]; ok && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	e := Entry{
		Row: row, City: get(ColCity), Indicator: get(ColIndicator), Value: get(ColValue), Unit: get(ColUnit),
		Source: get(ColSource), DataYear: get(ColDataYear), MethodNote: get(ColMethodNote),
		Estimated: get(ColEstimated), Comment: get(ColComment),
	}
	for _, f := range [...]string{e.City, e.Indicator, e.Value, e.Source, e.DataYear, e.MethodNote, e.Estimated, e.Comment} {
		if strings.TrimSpace(f) != "" {
			return e, true
		}
	}
	return e, false
}

// Sheet names of the template.
const (
	SheetData         = "Data"
	SheetInstructions = "Instructions" // its cell B2 names the edition
)

// parseXLSX reads the Data sheet (or the first) row by row, within limits
// derived from the upload limit, so that a small file that expands to
// gigabytes is refused early rather than read.
func parseXLSX(ctx context.Context, data []byte, maxBytes int64, p *Parsed) error {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxUploadBytes
	}
	book, err := xlsx.Open(data, xlsx.LimitsFor(maxBytes))
	if err != nil {
		return workbookError(err)
	}
	sheet := SheetData
	if !book.HasSheet(sheet) {
		if len(book.Sheets()) == 0 {
			return citylens.Ef(citylens.EINVALID, "dc.file.no_sheets", "the workbook has no sheets")
		}
		sheet = book.Sheets()[0]
	}
	if book.HasSheet(SheetInstructions) {
		edition, err := book.Cell(SheetInstructions, 2, 1) // B2
		if err != nil {
			return workbookError(err)
		}
		p.Edition = strings.TrimSpace(edition)
	}
	rows, err := book.Rows(sheet)
	if err != nil {
		return workbookError(err)
	}
	defer rows.Close()
	var cols columnMap // from the header: the first row with cells
	for n := 1; rows.Next(); n++ {
		cells := rows.Cells()
		if cols == nil {
			if len(cells) == 0 {
				continue
			}
			if cols, err = mapHeader(cells); err != nil {
				return citylens.Ef(citylens.EINVALID, "dc.file.sheet", "sheet %q, %s", sheet, citylens.MessageArg(err))
			}
			rows.Keep(cols.mask()) // the reference columns need no reading
			continue
		}
		if n%10000 == 0 && ctx.Err() != nil {
			return citylens.Errorf(citylens.ECANCELED, "upload cancelled: %v", ctx.Err())
		}
		if e, ok := cols.entry(rows.Row(), cells); ok {
			if err := p.add(e); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return workbookError(err)
	}
	if cols == nil {
		return citylens.Ef(citylens.EINVALID, "dc.file.sheet_empty", "sheet %q is empty: it needs the template's header row", sheet)
	}
	return nil
}

// workbookError words a problem the workbook reader found (a part over
// its limit, a malformed part, a cell that names no shared string) for the
// catalogues: its text names what and where, in English, inside a keyed
// message; cancellation stays as it is.
func workbookError(err error) error {
	if e := citylens.AsError(err); e != nil && (e.Key != "" || e.Code != citylens.EINVALID) {
		return err
	}
	return citylens.Ef(citylens.EINVALID, "dc.file.workbook", "%s", citylens.ErrorMessage(err))
}

// An upload's rows and columns at most, whatever its format: a sheet's
// own bounds (1,048,576 rows, 16,384 columns, which the workbook reader
// applies too).
const (
	maxUploadRows    = 1 << 20
	maxUploadColumns = 1 << 14
)

func parseCSV(ctx context.Context, data []byte, p *Parsed) error {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	// Spreadsheets in many locales save CSV with semicolons.
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	// encoding/csv holds a whole record: a row of a million columns is
	// refused before it is read (a line with more separators than a sheet
	// has columns; quoted separators count too, which no template cell
	// comes near).
	for line, rest := 1, data; len(rest) > 0; line++ {
		l, next, _ := bytes.Cut(rest, []byte("\n"))
		if n := bytes.Count(l, []byte{byte(r.Comma)}); n >= maxUploadColumns {
			return citylens.Ef(citylens.EINVALID, "dc.file.too_many_columns", "row %d has %d columns, more than %d", line, n+1, maxUploadColumns)
		}
		rest = next
	}
	var cols columnMap
	for rows := 0; ; rows++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return citylens.Ef(citylens.EINVALID, "dc.file.csv_malformed", "row %d: the CSV is malformed: %s", pe.StartLine, pe.Err.Error())
			}
			return citylens.Ef(citylens.EINVALID, "dc.file.csv_read", "reading the CSV: %s", err.Error())
		}
		line, _ := r.FieldPos(0) // (it panics after a failed read)
		// The same bounds as a workbook's sheet: a file of tiny rows or of
		// one very wide row cannot make entries beyond them.
		if rows >= maxUploadRows {
			return citylens.Ef(citylens.EINVALID, "dc.file.too_many_rows", "the file has more than %d rows: split it by city", maxUploadRows)
		}
		if len(rec) > maxUploadColumns {
			return citylens.Ef(citylens.EINVALID, "dc.file.too_many_columns", "row %d has %d columns, more than %d", line, len(rec), maxUploadColumns)
		}
		if cols == nil {
			if cols, err = mapHeader(rec); err != nil {
				return err
			}
			continue
		}
		if rows%10000 == 0 && ctx.Err() != nil {
			return citylens.Errorf(citylens.ECANCELED, "upload cancelled: %v", ctx.Err())
		}
		if e, ok := cols.entry(line, rec); ok {
			if err := p.add(e); err != nil {
				return err
			}
		}
	}
	if cols == nil {
		return citylens.Ef(citylens.EINVALID, "dc.file.csv_empty", "the CSV is empty: it needs the template's header row")
	}
	return nil
}
