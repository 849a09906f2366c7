package datacall

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// A streaming reader of XLSX cell values. excelize reads cells through
// encoding/xml, about 100 µs a row: 30 s for the 300,000 rows of a
// network-wide upload. Cells are simple enough to scan directly, which is
// about fifty times faster. Only values are read: numbers as stored (no
// number formats), shared and inline strings, booleans as 1/0, formulas by
// their cached value.

// maxXLSXPart bounds one decompressed part of a workbook, against zip bombs.
const maxXLSXPart = 1 << 30

type xlsxBook struct {
	zip    *zip.Reader
	sheets map[string]string // sheet name → part path
	order  []string          // sheet names in workbook order
	shared []string
	// keep, when set, names the columns rows reads; the others stay "".
	keep []bool
}

func openXLSX(data []byte) (*xlsxBook, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a zip archive: %v", err)
	}
	b := &xlsxBook{zip: z, sheets: map[string]string{}}
	wb, err := b.part("xl/workbook.xml")
	if err != nil {
		return nil, err
	}
	rels, err := b.part("xl/_rels/workbook.xml.rels")
	if err != nil {
		return nil, err
	}
	var w struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wb, &w); err != nil {
		return nil, fmt.Errorf("xl/workbook.xml: %v", err)
	}
	var r struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
			Type   string `xml:"Type,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(rels, &r); err != nil {
		return nil, fmt.Errorf("xl/_rels/workbook.xml.rels: %v", err)
	}
	target := map[string]string{}
	sharedPath := ""
	for _, rel := range r.Rels {
		p := rel.Target
		if strings.HasPrefix(p, "/") {
			p = strings.TrimPrefix(p, "/")
		} else {
			p = path.Join("xl", p)
		}
		target[rel.ID] = p
		if strings.HasSuffix(rel.Type, "/sharedStrings") {
			sharedPath = p
		}
	}
	for _, s := range w.Sheets {
		if p, ok := target[s.ID]; ok {
			b.sheets[s.Name] = p
			b.order = append(b.order, s.Name)
		}
	}
	if sharedPath != "" {
		sst, err := b.part(sharedPath)
		if err != nil {
			return nil, err
		}
		b.shared = parseSharedStrings(sst)
	}
	return b, nil
}

func (b *xlsxBook) part(name string) ([]byte, error) {
	for _, f := range b.zip.File {
		if f.Name != name {
			continue
		}
		if f.UncompressedSize64 > maxXLSXPart {
			return nil, fmt.Errorf("%s is larger than %d MB uncompressed", name, maxXLSXPart>>20)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		defer rc.Close()
		// The declared size is only a hint: the limit holds whatever it says.
		buf := bytes.NewBuffer(make([]byte, 0, f.UncompressedSize64+512))
		if _, err := buf.ReadFrom(io.LimitReader(rc, maxXLSXPart+1)); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if buf.Len() > maxXLSXPart {
			return nil, fmt.Errorf("%s is larger than %d MB uncompressed", name, maxXLSXPart>>20)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("the workbook has no part %s", name)
}

// sheetXML is a worksheet's XML and the names of its elements.
type sheetXML struct {
	d                 []byte
	start             int // where sheetData begins; -1 for a sheet without cells
	prefix            string
	rowOpen, rowClose []byte
	cOpen, cClose     []byte
	vOpen, vClose     []byte
	tOpen, tClose     []byte
}

func (b *xlsxBook) sheetXML(sheet string) (*sheetXML, error) {
	p, ok := b.sheets[sheet]
	if !ok {
		return nil, fmt.Errorf("the workbook has no sheet %q", sheet)
	}
	d, err := b.part(p)
	if err != nil {
		return nil, err
	}
	sd := bytes.Index(d, []byte("sheetData"))
	if sd < 1 {
		return &sheetXML{d: d, start: -1}, nil
	}
	// The spreadsheetml prefix, usually none, "x:" from some writers.
	start := bytes.LastIndexByte(d[:sd], '<')
	prefix := string(d[start+1 : sd])
	return &sheetXML{d: d, start: sd, prefix: prefix,
		rowOpen: []byte("<" + prefix + "row"), rowClose: []byte("</" + prefix + "row>"),
		cOpen: []byte("<" + prefix + "c"), cClose: []byte("</" + prefix + "c>"),
		vOpen: []byte("<" + prefix + "v"), vClose: []byte("</" + prefix + "v>"),
		tOpen: []byte("<" + prefix + "t"), tClose: []byte("</" + prefix + "t>"),
	}, nil
}

// rows calls fn with each row's number and cells (by column, "" for empty
// cells) of the named sheet. cells is reused between calls.
func (b *xlsxBook) rows(sheet string, fn func(row int, cells []string) error) error {
	x, err := b.sheetXML(sheet)
	if err != nil || x.start < 0 {
		return err
	}
	_, _, err = b.scan(x, x.start, len(x.d), 0, 0, fn)
	return err
}

// rowNumberAt returns the number of the row whose tag starts at pos, if the
// tag carries one.
func (x *sheetXML) rowNumberAt(pos int) (int, bool) {
	attrs, _, end := tagAttrs(x.d, pos+len(x.rowOpen))
	if end < 0 {
		return 0, false
	}
	r, ok := attr(attrs, "r")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(r)
	return n, err == nil && n > 0
}

// scan reads the rows that start in [pos, limit), numbered after rowNum, at
// most maxRows of them (0: all). It returns the position after the last row
// read and its number.
func (b *xlsxBook) scan(x *sheetXML, pos, limit, rowNum, maxRows int, fn func(row int, cells []string) error) (int, int, error) {
	d := x.d
	var cells []string
	for n := 0; maxRows == 0 || n < maxRows; n++ {
		i := indexTag(d, pos, x.rowOpen)
		if i < 0 || i >= limit {
			return pos, rowNum, nil
		}
		attrs, selfClosing, end := tagAttrs(d, i+len(x.rowOpen))
		if end < 0 {
			return pos, rowNum, fmt.Errorf("row after row %d: unterminated tag", rowNum)
		}
		if r, ok := attr(attrs, "r"); ok {
			n, err := strconv.Atoi(r)
			if err != nil || n <= rowNum {
				return pos, rowNum, fmt.Errorf("row after row %d: bad row number %q", rowNum, r)
			}
			rowNum = n
		} else {
			rowNum++
		}
		if selfClosing {
			pos = end
			cells = cells[:0]
			if err := fn(rowNum, cells); err != nil {
				return pos, rowNum, err
			}
			continue
		}
		rowEnd := bytes.Index(d[end:], x.rowClose)
		if rowEnd < 0 {
			return pos, rowNum, fmt.Errorf("row %d: no end tag", rowNum)
		}
		row := d[end : end+rowEnd]
		pos = end + rowEnd + len(x.rowClose)
		cells = cells[:0]
		cpos, col := 0, -1
		for {
			j := indexTag(row, cpos, x.cOpen)
			if j < 0 {
				break
			}
			cattrs, cself, cend := tagAttrs(row, j+len(x.cOpen))
			if cend < 0 {
				return pos, rowNum, fmt.Errorf("row %d: unterminated cell tag", rowNum)
			}
			if ref, ok := attr(cattrs, "r"); ok {
				c, err := columnIndex(ref)
				if err != nil || c <= col {
					return pos, rowNum, fmt.Errorf("row %d: bad cell reference %q", rowNum, ref)
				}
				col = c
			} else {
				col++
			}
			if cself {
				cpos = cend
				continue
			}
			k := bytes.Index(row[cend:], x.cClose)
			if k < 0 {
				return pos, rowNum, fmt.Errorf("row %d: cell without an end tag", rowNum)
			}
			content := row[cend : cend+k]
			cpos = cend + k + len(x.cClose)
			if b.keep != nil && (col >= len(b.keep) || !b.keep[col]) {
				continue
			}
			typ, _ := attr(cattrs, "t")
			var val string
			switch typ {
			case "inlineStr":
				val = joinText(content, x.tOpen, x.tClose, x.prefix)
			default:
				raw, ok := elementText(content, 0, x.vOpen, x.vClose)
				if !ok {
					continue
				}
				val = unescapeXML(raw)
				if typ == "s" {
					n, err := strconv.Atoi(val)
					if err != nil || n < 0 || n >= len(b.shared) {
						return pos, rowNum, fmt.Errorf("row %d: shared string %q does not exist", rowNum, val)
					}
					val = b.shared[n]
				}
			}
			for len(cells) < col {
				cells = append(cells, "")
			}
			cells = append(cells, val)
		}
		if err := fn(rowNum, cells); err != nil {
			return pos, rowNum, err
		}
	}
	return pos, rowNum, nil
}

// chunks splits the rows from pos into at most n parts of about equal
// size, each starting at a row tag that carries its number (so parts can be
// read at once); it returns the parts' bounds and first row numbers, or one
// part when rows lack numbers.
func (x *sheetXML) chunks(pos, n int) (bounds []int, first []int) {
	bounds = []int{pos}
	for k := 1; k < n; k++ {
		at := indexTag(x.d, pos+(len(x.d)-pos)*k/n, x.rowOpen)
		if at < 0 || at <= bounds[len(bounds)-1] {
			break
		}
		bounds = append(bounds, at)
	}
	bounds = append(bounds, len(x.d))
	first = make([]int, len(bounds)-1)
	for k := 1; k < len(bounds)-1; k++ {
		r, ok := x.rowNumberAt(bounds[k])
		if !ok {
			return []int{pos, len(x.d)}, []int{0}
		}
		first[k] = r
	}
	return bounds, first
}

// cell returns one cell's value ("" when empty) of a small sheet.
func (b *xlsxBook) cell(sheet string, row, col int) string {
	var out string
	_ = b.rows(sheet, func(r int, cells []string) error {
		if r == row && col < len(cells) {
			out = cells[col]
		}
		return nil
	})
	return out
}

// indexTag finds the next tag named by open ("<c") at or after pos, not a
// longer name that starts the same ("<cols").
func indexTag(d []byte, pos int, open []byte) int {
	for pos < len(d) {
		i := bytes.Index(d[pos:], open)
		if i < 0 {
			return -1
		}
		i += pos
		if k := i + len(open); k < len(d) {
			switch d[k] {
			case ' ', '>', '/', '\t', '\n', '\r':
				return i
			}
		}
		pos = i + len(open)
	}
	return -1
}

// tagAttrs returns a tag's attribute text from pos (just after its name) to
// its '>', whether it closes itself, and the position after the '>'.
func tagAttrs(d []byte, pos int) (attrs []byte, selfClosing bool, end int) {
	inQuote := byte(0)
	for i := pos; i < len(d); i++ {
		c := d[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '"' || c == '\'':
			inQuote = c
		case c == '>':
			self := i > pos && d[i-1] == '/'
			a := d[pos:i]
			if self {
				a = d[pos : i-1]
			}
			return a, self, i + 1
		}
	}
	return nil, false, -1
}

// attr finds name="value" in a tag's attribute text.
func attr(attrs []byte, name string) (string, bool) {
	for i := 0; i < len(attrs); {
		for i < len(attrs) && (attrs[i] == ' ' || attrs[i] == '\t' || attrs[i] == '\n' || attrs[i] == '\r') {
			i++
		}
		ns := i
		for i < len(attrs) && attrs[i] != '=' && attrs[i] != ' ' {
			i++
		}
		key := attrs[ns:i]
		for i < len(attrs) && (attrs[i] == '=' || attrs[i] == ' ') {
			i++
		}
		if i >= len(attrs) {
			return "", false
		}
		q := attrs[i]
		if q != '"' && q != '\'' {
			return "", false
		}
		vs := i + 1
		ve := bytes.IndexByte(attrs[vs:], q)
		if ve < 0 {
			return "", false
		}
		if string(key) == name {
			return unescapeXML(attrs[vs : vs+ve]), true
		}
		i = vs + ve + 1
	}
	return "", false
}

// columnIndex turns a cell reference ("AB12") into a 0-based column.
func columnIndex(ref string) (int, error) {
	col := 0
	n := 0
	for _, r := range ref {
		if r >= 'A' && r <= 'Z' {
			col = col*26 + int(r-'A'+1)
			n++
			continue
		}
		break
	}
	if n == 0 || n > 3 {
		return 0, fmt.Errorf("bad cell reference %q", ref)
	}
	return col - 1, nil
}

// elementText returns the raw text of the first element opened by open.
func elementText(d []byte, pos int, open, close []byte) ([]byte, bool) {
	i := indexTag(d, pos, open)
	if i < 0 {
		return nil, false
	}
	_, self, end := tagAttrs(d, i+len(open))
	if end < 0 {
		return nil, false
	}
	if self {
		return nil, true
	}
	k := bytes.Index(d[end:], close)
	if k < 0 {
		return nil, false
	}
	return d[end : end+k], true
}

// joinText concatenates the <t> texts of a string item (plain or rich text),
// leaving out phonetic runs (<rPh>).
func joinText(d []byte, tOpen, tClose []byte, prefix string) string {
	if bytes.Contains(d, []byte("rPh")) {
		phOpen, phClose := []byte("<"+prefix+"rPh"), []byte("</"+prefix+"rPh>")
		var kept []byte
		for {
			i := indexTag(d, 0, phOpen)
			if i < 0 {
				break
			}
			k := bytes.Index(d[i:], phClose)
			if k < 0 {
				break
			}
			kept = append(append(kept, d[:i]...), d[i+k+len(phClose):]...)
			d, kept = kept, nil
		}
	}
	var parts [][]byte
	for pos := 0; ; {
		i := indexTag(d, pos, tOpen)
		if i < 0 {
			break
		}
		_, self, end := tagAttrs(d, i+len(tOpen))
		if end < 0 {
			break
		}
		if self {
			pos = end
			continue
		}
		k := bytes.Index(d[end:], tClose)
		if k < 0 {
			break
		}
		parts = append(parts, d[end:end+k])
		pos = end + k + len(tClose)
	}
	if len(parts) == 1 {
		return unescapeXML(parts[0])
	}
	return unescapeXML(bytes.Join(parts, nil))
}

func parseSharedStrings(d []byte) []string {
	sd := bytes.Index(d, []byte("sst"))
	prefix := ""
	if sd > 0 {
		start := bytes.LastIndexByte(d[:sd], '<')
		if start >= 0 {
			prefix = string(d[start+1 : sd])
		}
	}
	siOpen, siClose := []byte("<"+prefix+"si"), []byte("</"+prefix+"si>")
	tOpen, tClose := []byte("<"+prefix+"t"), []byte("</"+prefix+"t>")
	var out []string
	for pos := 0; ; {
		i := indexTag(d, pos, siOpen)
		if i < 0 {
			return out
		}
		_, self, end := tagAttrs(d, i+len(siOpen))
		if end < 0 {
			return out
		}
		if self {
			out = append(out, "")
			pos = end
			continue
		}
		k := bytes.Index(d[end:], siClose)
		if k < 0 {
			return out
		}
		out = append(out, joinText(d[end:end+k], tOpen, tClose, prefix))
		pos = end + k + len(siClose)
	}
}

// unescapeXML decodes XML character references and the five entities, and
// normalises line ends as XML does.
func unescapeXML(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			sb.WriteByte('\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		if c != '&' {
			sb.WriteByte(c)
			continue
		}
		semi := bytes.IndexByte(b[i:], ';')
		if semi < 0 {
			sb.WriteByte(c)
			continue
		}
		ent := string(b[i+1 : i+semi])
		switch {
		case ent == "amp":
			sb.WriteByte('&')
		case ent == "lt":
			sb.WriteByte('<')
		case ent == "gt":
			sb.WriteByte('>')
		case ent == "quot":
			sb.WriteByte('"')
		case ent == "apos":
			sb.WriteByte('\'')
		case strings.HasPrefix(ent, "#x"):
			n, err := strconv.ParseUint(ent[2:], 16, 32)
			if err != nil {
				sb.WriteByte(c)
				continue
			}
			sb.WriteRune(rune(n))
		case strings.HasPrefix(ent, "#"):
			n, err := strconv.ParseUint(ent[1:], 10, 32)
			if err != nil {
				sb.WriteByte(c)
				continue
			}
			sb.WriteRune(rune(n))
		default:
			sb.WriteByte(c)
			continue
		}
		i += semi
	}
	return sb.String()
}
