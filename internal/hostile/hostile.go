// Package hostile builds the hostile uploads of the hardening issue, for
// the security tests and bench/uploads: workbooks whose parts expand far
// beyond their compressed size, CSV files of millions of invalid rows or
// of one row of a million columns. The files are made as they are
// compressed, never held expanded.
package hostile

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
)

const (
	mainNS      = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	contentXML  = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`
	workbookXML = `<?xml version="1.0" encoding="UTF-8"?><workbook ` + mainNS + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`
	relsXML     = `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	sheetHead = `<?xml version="1.0"?><worksheet ` + mainNS + `><sheetData>`
	sheetTail = `</sheetData></worksheet>`
	sstHead   = `<?xml version="1.0"?><sst ` + mainNS + `>`
	sstTail   = `</sst>`
	// header is the template's header row (inline strings).
	header = `<row r="1">` +
		`<c r="A1" t="inlineStr"><is><t>City code</t></is></c><c r="B1" t="inlineStr"><is><t>Indicator code</t></is></c>` +
		`<c r="C1" t="inlineStr"><is><t>Unit</t></is></c><c r="D1" t="inlineStr"><is><t>Value</t></is></c>` +
		`<c r="E1" t="inlineStr"><is><t>Source</t></is></c><c r="F1" t="inlineStr"><is><t>Data year</t></is></c></row>`
)

// repeat is head, then unit n times, then tail, as a reader.
func repeat(head, unit string, n int, tail string) io.Reader {
	const chunk = 1 << 16
	per := max(1, chunk/len(unit))
	block := strings.Repeat(unit, per)
	var rs []io.Reader
	rs = append(rs, strings.NewReader(head))
	full, rest := n/per, n%per
	rs = append(rs, &repeatReader{block: block, left: full})
	rs = append(rs, strings.NewReader(strings.Repeat(unit, rest)), strings.NewReader(tail))
	return io.MultiReader(rs...)
}

type repeatReader struct {
	block string
	left  int
	off   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.block[r.off:])
	r.off += n
	if r.off == len(r.block) {
		r.off = 0
		r.left--
	}
	return n, nil
}

func workbook(sheet, sst io.Reader) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range []struct {
		name string
		r    io.Reader
	}{
		{"[Content_Types].xml", strings.NewReader(contentXML)},
		{"xl/workbook.xml", strings.NewReader(workbookXML)},
		{"xl/_rels/workbook.xml.rels", strings.NewReader(relsXML)},
		{"xl/worksheets/sheet1.xml", sheet},
		{"xl/sharedStrings.xml", sst},
	} {
		w, err := zw.Create(p.name)
		if err != nil {
			panic(err)
		}
		if _, err := io.Copy(w, p.r); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// SharedStringsBomb is a workbook whose xl/sharedStrings.xml expands to
// about expanded bytes of empty strings (<si/>, 5 bytes each): case 1 of
// the issue is 512 MiB in 0.78 MB.
func SharedStringsBomb(expanded int) []byte {
	return workbook(strings.NewReader(sheetHead+header+sheetTail), repeat(sstHead, "<si/>", expanded/5, sstTail))
}

// SheetBomb is a workbook whose sheet expands to about expanded bytes of
// empty rows: case 3 is 1,000 MiB in 1.5 MB.
func SheetBomb(expanded int) []byte {
	return workbook(repeat(sheetHead+header, "<row/>", expanded/6, sheetTail), strings.NewReader(sstHead+sstTail))
}

// InvalidRowsCSV is a CSV file of the template's columns and about size
// bytes of invalid rows (an unknown city and indicator, a value that is
// not a number, a year that is not one): case 2 is 60 MB.
func InvalidRowsCSV(size int) []byte {
	const head = "City code,Indicator code,Value,Unit,Source,Data year,Comment\n"
	const row = "zz-nowhere,NOPE,abc,?,,99999,\n"
	b, _ := io.ReadAll(repeat(head, row, max(1, (size-len(head))/len(row)), ""))
	return b
}

// WideRowCSV is a CSV file whose second row has columns cells: case 4 is
// a million.
func WideRowCSV(columns int) []byte {
	const head = "City code,Indicator code,Value,Unit,Source,Data year\n"
	b, _ := io.ReadAll(repeat(head+"x", ",x", columns-1, "\n"))
	return b
}
