package xlsx

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"
)

// defaultLimits are the data call's: uploads of at most 64 MB.
var defaultLimits = LimitsFor(64 << 20)

type row struct {
	N     int
	Cells []string
}

// readSheet reads every row of a sheet.
func readSheet(b *Workbook, sheet string) ([]row, error) {
	rows, err := b.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		out = append(out, row{rows.Row(), append([]string(nil), rows.Cells()...)})
	}
	return out, rows.Err()
}

func TestReadExcelizeWorkbook(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	set := func(sheet, cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetSheetName("Sheet1", "Data"); err != nil {
		t.Fatal(err)
	}
	set("Data", "A1", "City code")
	set("Data", "B1", 12.5)
	set("Data", "C1", true)
	set("Data", "D1", "Statistics & Census <7> — ünïcode")
	set("Data", "A2", "City code") // the same shared string again
	set("Data", "C2", " leading space")
	set("Data", "B5", 2024)
	set("Data", "E5", "line one\nline two")
	if err := f.SetCellRichText("Data", "A6", []excelize.RichTextRun{{Text: "Po"}, {Text: "lice", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Instructions"); err != nil {
		t.Fatal(err)
	}
	set("Instructions", "B2", "2026")
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}

	b, err := Open(buf.Bytes(), defaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Data", "Instructions"}, b.Sheets()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	got, err := readSheet(b, "Data")
	if err != nil {
		t.Fatal(err)
	}
	want := []row{
		{1, []string{"City code", "12.5", "1", "Statistics & Census <7> — ünïcode"}},
		{2, []string{"City code", "", " leading space"}},
		{5, []string{"", "2024", "", "", "line one\nline two"}},
		{6, []string{"Police"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if ed, err := b.Cell("Instructions", 2, 1); err != nil || ed != "2026" {
		t.Errorf("Instructions B2 = %q, %v", ed, err)
	}
	if ed, err := b.Cell("Instructions", 9, 1); err != nil || ed != "" {
		t.Errorf("Instructions B9 = %q, %v", ed, err)
	}

	// Keep leaves the columns not asked for empty.
	rows, err := b.Rows("Data")
	if err != nil {
		t.Fatal(err)
	}
	rows.Keep([]bool{false, true})
	var kept [][]string
	for rows.Next() {
		kept = append(kept, append([]string(nil), rows.Cells()...))
	}
	if diff := cmp.Diff([][]string{{"", "12.5"}, {}, {"", "2024"}, {}}, kept, cmpopts.EquateEmpty()); diff != "" || rows.Err() != nil {
		t.Errorf("kept (-want +got):\n%s %v", diff, rows.Err())
	}
}

func TestText(t *testing.T) {
	n := newNames("x:")
	tests := []struct{ name, in, want string }{
		{"plain", `<x:t>Seoul</x:t>`, "Seoul"},
		{"empty", `<x:t/>`, ""},
		{"runs", `<x:r><x:rPr><x:b/></x:rPr><x:t>Val</x:t></x:r><x:r><x:t xml:space="preserve">ue</x:t></x:r>`, "Value"},
		{"phonetic runs left out", `<x:t>東京</x:t><x:rPh sb="0" eb="2"><x:t>トウキョウ</x:t></x:rPh><x:phoneticPr fontId="1"/>`, "東京"},
		{"entities", `<x:t>a &amp; b &lt;7&gt; &quot;q&quot; &apos;s&apos; &#x2014; &#169;</x:t>`, `a & b <7> "q" 's' — ©`},
		{"line ends", "<x:t>one\r\ntwo\rthree&#13;</x:t>", "one\ntwo\nthree\r"},
		{"unknown entity kept", `<x:t>&nbsp; &#xZZ; & alone</x:t>`, "&nbsp; &#xZZ; & alone"},
		{"entity too long to be one", `<x:t>&` + strings.Repeat("a", 40) + `;</x:t>`, "&" + strings.Repeat("a", 40) + ";"},
		{"unterminated", `<x:t>cut`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.text([]byte(tt.in)); got != tt.want {
				t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestColumns(t *testing.T) {
	for ref, want := range map[string]int{"A1": 0, "H2": 7, "Z9": 25, "AA10": 26, "XFD1048576": 16383} {
		if got, err := columnIndex(ref); err != nil || got != want {
			t.Errorf("columnIndex(%q) = %d, %v; want %d", ref, got, err, want)
		}
		if got := ColumnName(want); got != strings.TrimRight(ref, "0123456789") {
			t.Errorf("ColumnName(%d) = %q", want, got)
		}
	}
	for _, ref := range []string{"", "12", "ABCD1", "a1"} {
		if _, err := columnIndex(ref); err == nil {
			t.Errorf("columnIndex(%q) accepted", ref)
		}
	}
}

// TestStreamAcrossBuffers reads rows and shared strings of every size,
// cut anywhere by the reader's buffer, some larger than the buffer.
func TestStreamAcrossBuffers(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	text := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab <&>\"é"[rng.IntN(8)]
		}
		return strings.ToValidUTF8(string(b), "?")
	}
	esc := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			switch r {
			case '<':
				b.WriteString("&lt;")
			case '>':
				b.WriteString("&gt;")
			case '&':
				b.WriteString("&amp;")
			case '"':
				b.WriteString("&quot;")
			default:
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	var shared []string
	var sst strings.Builder
	sst.WriteString(sstHead)
	for i := range 300 {
		n := rng.IntN(200)
		if i == 100 {
			n = 300 << 10 // larger than the buffer
		}
		s := text(n)
		shared = append(shared, s)
		fmt.Fprintf(&sst, "<si><t>%s</t></si>", esc(s))
	}
	sst.WriteString(sstTail)
	var sheet strings.Builder
	sheet.WriteString(sheetHead)
	var want []row
	r := 0
	for i := range 3000 {
		r += 1 + rng.IntN(3)
		cells := make([]string, rng.IntN(30))
		fmt.Fprintf(&sheet, `<row r="%d">`, r)
		written := 0
		for c := range cells {
			kind := rng.IntN(4)
			if kind != 0 {
				written = c + 1
			}
			switch kind {
			case 0: // empty, left out
			case 1:
				k := rng.IntN(len(shared))
				cells[c] = shared[k]
				fmt.Fprintf(&sheet, `<c r="%s%d" t="s"><v>%d</v></c>`, ColumnName(c), r, k)
			case 2:
				n := rng.IntN(100)
				if i == 2000 && c == 0 {
					n = 200 << 10
				}
				cells[c] = text(n)
				fmt.Fprintf(&sheet, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, ColumnName(c), r, esc(cells[c]))
			case 3:
				cells[c] = fmt.Sprint(rng.Float64())
				fmt.Fprintf(&sheet, `<c r="%s%d" s="3"><v>%s</v></c>`, ColumnName(c), r, cells[c])
			}
		}
		sheet.WriteString(`</row>`)
		want = append(want, row{r, cells[:written]})
	}
	sheet.WriteString(sheetTail)
	data := zipBook(t, book(part{text: sheet.String()}, part{text: sst.String()}))

	b, err := Open(data, defaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readSheet(b, "Data")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
}
