package datacall

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
)

// handWorkbook writes a workbook the way other spreadsheet programs do: a
// namespace prefix on every element, rich-text shared strings with phonetic
// runs, entities, formulas, booleans, gaps and cells without references.
func handWorkbook(t *testing.T, sheetRows string) []byte {
	t.Helper()
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/workbook.xml": `<?xml version="1.0" encoding="UTF-8"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<x:sheets><x:sheet name="Notes" sheetId="1" rel:id="R1"/><x:sheet name="Data" sheetId="2" rel:id="R2"/></x:sheets></x:workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="R1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/notes.xml"/>
<Relationship Id="R2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/>
<Relationship Id="R3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/></Relationships>`,
		"xl/strings.xml": `<?xml version="1.0"?><x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:si><x:t>City code</x:t></x:si>
<x:si><x:t>Indicator code</x:t></x:si>
<x:si><x:r><x:rPr><x:b/></x:rPr><x:t>Val</x:t></x:r><x:r><x:t xml:space="preserve">ue</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ヴァ</x:t></x:rPh></x:si>
<x:si><x:t>Unit</x:t></x:si>
<x:si><x:t>Source</x:t></x:si>
<x:si><x:t>Data year</x:t></x:si>
<x:si><x:t>Estimated (yes/no)</x:t></x:si>
<x:si><x:t>Comment</x:t></x:si>
<x:si><x:t>% of households</x:t></x:si>
<x:si><x:t>Statistics &amp; Census &#x2014; table &lt;7&gt;</x:t></x:si>
<x:si><x:t/></x:si>
<x:si><x:t>line one&#13;
line two</x:t></x:si>
</x:sst>`,
		"xl/worksheets/notes.xml": `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData/></x:worksheet>`,
		"xl/worksheets/data.xml": `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:cols><x:col min="1" max="2" width="12"/></x:cols><x:sheetData>` +
			`<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c><x:c r="D1" t="s"><x:v>3</x:v></x:c><x:c r="E1" t="s"><x:v>4</x:v></x:c><x:c r="F1" t="s"><x:v>5</x:v></x:c><x:c r="G1" t="s"><x:v>6</x:v></x:c><x:c r="H1" t="s"><x:v>7</x:v></x:c></x:row>` +
			sheetRows + `</x:sheetData></x:worksheet>`,
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/strings.xml", "xl/worksheets/notes.xml", "xl/worksheets/data.xml"} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadHandWrittenWorkbook(t *testing.T) {
	rows := `<x:row r="2" spans="1:8"><x:c r="A2" t="inlineStr"><x:is><x:t>SEO</x:t></x:is></x:c><x:c r="B2" t="str"><x:f>"SH"&amp;"ARE"</x:f><x:v>SHARE</x:v></x:c>` +
		`<x:c r="C2" s="3"><x:v>85.500000000000014</x:v></x:c><x:c r="D2" t="s"><x:v>8</x:v></x:c><x:c r="E2" t="s"><x:v>9</x:v></x:c><x:c r="F2"><x:v>2024</x:v></x:c><x:c r="G2" t="b"><x:v>1</x:v></x:c><x:c r="H2" t="s"><x:v>11</x:v></x:c></x:row>` +
		`<x:row r="3"/>` + // an empty row
		`<x:row r="5"><x:c t="inlineStr"><x:is><x:t>SEO</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>RATE</x:t></x:is></x:c><x:c><x:v>3</x:v></x:c><x:c t="inlineStr"><x:is><x:t>per 100,000 inhabitants</x:t></x:is></x:c>` +
		`<x:c t="inlineStr"><x:is><x:r><x:t>Po</x:t></x:r><x:r><x:t>lice</x:t></x:r></x:is></x:c><x:c><x:v>2025</x:v></x:c><x:c/><x:c t="s"><x:v>10</x:v></x:c></x:row>` +
		`<x:row r="7"><x:c r="A7" t="inlineStr"><x:is><x:t>SEO</x:t></x:is></x:c><x:c r="B7" t="inlineStr"><x:is><x:t>PLAN</x:t></x:is></x:c></x:row>` // no value: blank
	p := mustParse(t, "book.xlsx", handWorkbook(t, rows))
	want := []Entry{
		{Row: 2, City: "SEO", Indicator: "SHARE", Value: "85.500000000000014", Unit: "% of households", Source: "Statistics & Census — table <7>", DataYear: "2024", Estimated: "1", Comment: "line one\r\nline two"},
		{Row: 5, City: "SEO", Indicator: "RATE", Value: "3", Unit: "per 100,000 inhabitants", Source: "Police", DataYear: "2025"},
		{Row: 7, City: "SEO", Indicator: "PLAN"},
	}
	if diff := cmp.Diff(want, p.Entries); diff != "" {
		t.Fatalf("entries (-want +got):\n%s", diff)
	}
	changes, _, err := Plan(p.Entries, testRules(t, "SEO"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].New.Value != 85.500000000000014 || !changes[0].New.Estimated {
		t.Fatalf("changes %+v", changes)
	}
}

func TestReadBrokenWorkbook(t *testing.T) {
	tests := []struct {
		name, rows, want string
	}{
		{"missing shared string", `<x:row r="2"><x:c r="A2" t="s"><x:v>99</x:v></x:c></x:row>`, `sheet "Data", row 2, column A: shared string "99" does not exist`},
		{"rows out of order", `<x:row r="4"></x:row><x:row r="3"></x:row>`, `sheet "Data", the row after row 4: bad row number "3"`},
		{"cells out of order", `<x:row r="2"><x:c r="C2"><x:v>1</x:v></x:c><x:c r="A2"><x:v>1</x:v></x:c></x:row>`, `sheet "Data", row 2: bad cell reference "A2" after column C`},
		{"unterminated row", `<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c>`, `sheet "Data", row 2 has no end tag`},
		{"row beyond the sheet", `<x:row r="1048577"></x:row>`, `sheet "Data" is too large: row 1048577 is beyond the 1048576 rows a sheet may have`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUpload(context.Background(), "book.xlsx", handWorkbook(t, tt.rows), DefaultMaxUploadBytes)
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

// TestUploadHostileWorkbook checks that uploads are read within limits
// derived from the upload limit: a workbook of a few kilobytes whose sheet
// expands to megabytes of empty rows is refused, naming what is too large.
func TestUploadHostileWorkbook(t *testing.T) {
	bomb := handWorkbook(t, strings.Repeat(`<x:row/>`, 300_000)) // 2.4 MB of rows in a few KB
	tests := []struct {
		name string
		max  int64
		want string
	}{
		{"expands too much", DefaultMaxUploadBytes, "the workbook is too large: xl/worksheets/data.xml expands"},
		{"expands past 16 times the upload limit", 64 << 10, "the workbook is too large: its parts expand to more than 1 MB (at xl/worksheets/data.xml)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUpload(context.Background(), "book.xlsx", bomb, tt.max)
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}
