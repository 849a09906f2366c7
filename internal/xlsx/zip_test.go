package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"sort"
	"strings"
	"testing"
)

// Builders of workbooks by hand, for the cases no spreadsheet program
// writes: hostile sizes, missing and malformed parts.

const (
	mainNS      = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	workbookXML = `<?xml version="1.0" encoding="UTF-8"?><workbook ` + mainNS + ` xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`
	relsXML     = `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	sheetHead = `<?xml version="1.0"?><worksheet ` + mainNS + `><sheetData>`
	sheetTail = `</sheetData></worksheet>`
	sstHead   = `<?xml version="1.0"?><sst ` + mainNS + `>`
	sstTail   = `</sst>`
)

// part is one file of a workbook: its text, or a reader of a large text
// made as it is compressed.
type part struct {
	text     string
	reader   func() io.Reader
	stored   bool   // not compressed, so that a fuzzer's changes reach the XML
	declared uint64 // when not 0, the uncompressed size its header declares, true or not
}

func (p part) open() io.Reader {
	if p.reader != nil {
		return p.reader()
	}
	return strings.NewReader(p.text)
}

// book returns the parts of a one-sheet workbook ("Data") of the given
// sheet and shared-string XML.
func book(sheet, sst part) map[string]part {
	return map[string]part{
		"xl/workbook.xml":            {text: workbookXML},
		"xl/_rels/workbook.xml.rels": {text: relsXML},
		"xl/worksheets/sheet1.xml":   sheet,
		"xl/sharedStrings.xml":       sst,
	}
}

// zipBook writes parts as a zip archive, in name order.
func zipBook(tb testing.TB, parts map[string]part) []byte {
	tb.Helper()
	b, err := buildZip(parts)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// mustZip is zipBook for workbooks built once, outside a test.
func mustZip(parts map[string]part) []byte {
	b, err := buildZip(parts)
	if err != nil {
		panic(err)
	}
	return b
}

func buildZip(parts map[string]part) ([]byte, error) {
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, n := range names {
		p := parts[n]
		method := zip.Deflate
		if p.stored {
			method = zip.Store
		}
		if p.declared != 0 {
			if err := writeLying(z, n, p, method); err != nil {
				return nil, err
			}
			continue
		}
		w, err := z.CreateHeader(&zip.FileHeader{Name: n, Method: method})
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, p.open()); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeLying writes a part whose header declares p.declared bytes.
func writeLying(z *zip.Writer, name string, p part, method uint16) error {
	text, err := io.ReadAll(p.open())
	if err != nil {
		return err
	}
	data := text
	if method == zip.Deflate {
		var deflated bytes.Buffer
		fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
		fw.Write(text)
		fw.Close()
		data = deflated.Bytes()
	}
	w, err := z.CreateRaw(&zip.FileHeader{
		Name: name, Method: method, CRC32: crc32.ChecksumIEEE(text),
		CompressedSize64: uint64(len(data)), UncompressedSize64: p.declared,
	})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// repeated is a text of head, unit n times, tail, made as it is read.
func repeated(head, unit string, n int, tail string) func() io.Reader {
	return func() io.Reader {
		block := strings.Repeat(unit, 4096)
		rs := []io.Reader{strings.NewReader(head)}
		for i := 0; i < n/4096; i++ {
			rs = append(rs, strings.NewReader(block))
		}
		rs = append(rs, strings.NewReader(strings.Repeat(unit, n%4096)), strings.NewReader(tail))
		return io.MultiReader(rs...)
	}
}
