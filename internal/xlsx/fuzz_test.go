package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens"
)

// fuzzLimits are small, so that inputs of a few hundred bytes reach them:
// the fuzzer minimises what it finds by running it thousands of times, for
// a time that grows fast with the input's length.
var fuzzLimits = Limits{
	MaxUnzippedBytes:     16 << 10,
	MaxExpansion:         100,
	MaxSharedStrings:     20,
	MaxSharedStringBytes: 256,
	MaxRows:              20,
	MaxColumns:           20,
	MaxCells:             100,
	MaxElementBytes:      1 << 10, // the workbook's relationships take 500 bytes
}

// Fuzzing modes.
const (
	fuzzDeflate = 1 << iota // the parts are compressed (else stored, so that changes reach the XML)
	fuzzRaw                 // the file is sheet itself, not a workbook
)

// FuzzRead reads a workbook of the given sheet and shared-string XML, its
// sheet's header declaring declared bytes when not 0, or (in fuzzRaw mode)
// sheet as the whole file. Reading must not panic, must fail only with
// EINVALID and must stay within the limits.
func FuzzRead(f *testing.F) {
	sheet, sst := excelizeParts(f)
	f.Add(sheet, sst, uint8(fuzzDeflate), uint64(0)) // a small valid workbook
	f.Add([]byte(`<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:r><x:t>a&amp;</x:t></x:r><x:rPh><x:t>x</x:t></x:rPh><x:r><x:t>b</x:t></x:r></x:is></x:c>`+
		`<x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row><x:row/><x:row r="9"><x:c t="b"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`),
		[]byte(`<x:sst xmlns:x="m"><x:si><x:t>&#x2014;&#13;</x:t></x:si><x:si><x:r><x:t>t</x:t></x:r><x:r><x:t>wo</x:t></x:r></x:si><x:si/></x:sst>`), uint8(0), uint64(0))
	// Files that are not workbooks.
	f.Add([]byte("City code,Value\nSEO,1\n"), []byte(nil), uint8(fuzzRaw), uint64(0))
	f.Add([]byte("PK\x03\x04garbage"), []byte(nil), uint8(fuzzRaw), uint64(0))
	// The hostile cases, scaled to the fuzzing limits.
	f.Add([]byte(sheetHead+header+sheetTail), []byte(sstHead+strings.Repeat("<si/>", 21)+sstTail), uint8(fuzzDeflate), uint64(0))
	f.Add([]byte(sheetHead+header+sheetTail), []byte(sstHead+strings.Repeat("<si><t>"+strings.Repeat("x", 100)+"</t></si>", 3)+sstTail), uint8(fuzzDeflate), uint64(0))
	f.Add([]byte(sheetHead+`<row r="1">`+strings.Repeat("<c/>", 21)+`</row>`+sheetTail), []byte(oneString.text), uint8(0), uint64(0))
	f.Add([]byte(sheetHead+header+strings.Repeat("<row/>", 21)+sheetTail), []byte(oneString.text), uint8(fuzzDeflate), uint64(0))
	f.Add([]byte(sheetHead+`<row r="21"/>`+sheetTail), []byte(oneString.text), uint8(0), uint64(0))
	f.Add([]byte(sheetHead+header+sheetTail), []byte(oneString.text), uint8(fuzzDeflate), uint64(1<<40))
	f.Add([]byte(sheetHead+header+sheetTail), []byte(oneString.text), uint8(fuzzDeflate), uint64(10))
	f.Add([]byte(sheetHead+`<row r="1"><c r="A1"><v>1</v></c>`), []byte(sstHead+`<si><t>cut`), uint8(0), uint64(0))
	f.Add([]byte(sheetHead+`<row r="2"><c r="C2"/><c r="A2"/></row><row r="1"/>`+sheetTail), []byte(`<sst/>`), uint8(0), uint64(0))
	f.Fuzz(func(t *testing.T, sheet, sst []byte, mode uint8, declared uint64) {
		if mode&fuzzRaw != 0 {
			readFuzzed(t, sheet)
			return
		}
		parts := book(part{text: string(sheet), declared: declared}, part{text: string(sst)})
		for name, p := range parts {
			p.stored = mode&fuzzDeflate == 0
			parts[name] = p
		}
		readFuzzed(t, zipBook(t, parts))
	})
}

// excelizeParts returns the sheet and shared strings of a small workbook
// as excelize writes it.
func excelizeParts(tb testing.TB) (sheet, sst []byte) {
	x := excelize.NewFile()
	defer x.Close()
	x.SetCellValue("Sheet1", "A1", "City code")
	x.SetCellValue("Sheet1", "B1", 12.5)
	x.SetCellValue("Sheet1", "C3", true)
	x.SetCellValue("Sheet1", "D3", "a & b")
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		tb.Fatal(err)
	}
	read := func(name string) []byte {
		rc, err := z.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	return read("xl/worksheets/sheet1.xml"), read("xl/sharedStrings.xml")
}

func readFuzzed(t *testing.T, data []byte) {
	lim := fuzzLimits
	check := func(err error) {
		t.Helper()
		var ce *citylens.Error
		if err != nil && (!errors.As(err, &ce) || ce.Code != citylens.EINVALID) {
			t.Fatalf("error %v is not EINVALID", err)
		}
	}
	b, err := Open(data, lim)
	check(err)
	if err != nil {
		return
	}
	if b.shared.n > lim.MaxSharedStrings || int64(b.shared.total()) > lim.MaxSharedStringBytes {
		t.Fatalf("%d shared strings of %d bytes", b.shared.n, b.shared.total())
	}
	for _, sheet := range b.Sheets() {
		rows, err := b.Rows(sheet)
		check(err)
		if err != nil {
			continue
		}
		last := 0
		for rows.Next() {
			if rows.Row() <= last || rows.Row() > lim.MaxRows || len(rows.Cells()) > lim.MaxColumns {
				t.Fatalf("row %d after %d with %d cells", rows.Row(), last, len(rows.Cells()))
			}
			if len(rows.s.buf) > max(lim.MaxElementBytes, 64) {
				t.Fatalf("buffer of %d bytes", len(rows.s.buf))
			}
			last = rows.Row()
		}
		check(rows.Err())
		if rows.nCells > lim.MaxCells {
			t.Fatalf("%d cells", rows.nCells)
		}
	}
	if b.Unzipped() > lim.MaxUnzippedBytes+1 {
		t.Fatalf("decompressed %d bytes", b.Unzipped())
	}
}
