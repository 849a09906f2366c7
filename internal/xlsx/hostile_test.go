package xlsx

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/citylens/citylens"
)

const header = `<row r="1"><c r="A1" t="inlineStr"><is><t>City code</t></is></c><c r="B1" t="s"><v>0</v></c></row>`

var oneString = part{text: sstHead + `<si><t>Value</t></si>` + sstTail}

// The bombs are built once: deflating tens of megabytes takes a while.
var (
	sstBomb = sync.OnceValue(func() []byte {
		// 64 MB of <si/>, 13 million strings, in 95 KB.
		return mustZip(book(part{text: sheetHead + header + sheetTail}, part{reader: repeated(sstHead, "<si/>", (64<<20)/5, sstTail)}))
	})
	sheetBomb = sync.OnceValue(func() []byte {
		// 64 MB of empty rows, 11 million of them, in 95 KB.
		return mustZip(book(part{reader: repeated(sheetHead+header, "<row/>", (64<<20)/6, sheetTail)}, oneString))
	})
)

// limits returns the data call's limits, changed by fn.
func limits(fn func(*Limits)) Limits {
	l := defaultLimits
	if fn != nil {
		fn(&l)
	}
	return l
}

func noExpansionLimit(l *Limits) { l.MaxExpansion = 1 << 40 }

func TestHostileWorkbooks(t *testing.T) {
	valid := zipBook(t, book(part{text: sheetHead + header + sheetTail}, oneString))
	withoutPart := func(name string) []byte {
		p := book(part{text: sheetHead + header + sheetTail}, oneString)
		delete(p, name)
		return zipBook(t, p)
	}
	millionColumns := func(cell string) []byte {
		return zipBook(t, book(part{reader: repeated(sheetHead+`<row r="1">`, cell, 1_000_000, `</row>`+sheetTail)}, oneString))
	}
	tests := []struct {
		name string
		data func() []byte
		lim  Limits
		want string
		// maxUnzipped bounds what was read before the error (0: not checked).
		maxUnzipped int64
	}{
		{name: "not a zip", data: func() []byte { return []byte("City code,Value\nSEO,1\n") }, want: "the file is not a readable XLSX workbook: it is not a zip archive"},
		{name: "truncated zip", data: func() []byte { return valid[:len(valid)/2] }, want: "it is not a zip archive"},
		{name: "no workbook part", data: func() []byte { return withoutPart("xl/workbook.xml") }, want: "it has no part xl/workbook.xml"},
		{name: "no sheet part", data: func() []byte { return withoutPart("xl/worksheets/sheet1.xml") }, want: "it has no part xl/worksheets/sheet1.xml"},
		{name: "no shared strings part", data: func() []byte { return withoutPart("xl/sharedStrings.xml") }, want: "it has no part xl/sharedStrings.xml"},
		{name: "malformed workbook part", data: func() []byte {
			p := book(part{text: sheetHead + sheetTail}, oneString)
			p["xl/workbook.xml"] = part{text: `<workbook><sheets><sheet name="Data" r:id=`}
			return zipBook(t, p)
		}, want: "xl/workbook.xml is malformed"},
		{name: "unterminated row", data: func() []byte {
			return zipBook(t, book(part{text: sheetHead + `<row r="1"><c r="A1"><v>1</v></c>`}, oneString))
		}, want: `sheet "Data", row 1 has no end tag`},
		{name: "unterminated shared string", data: func() []byte {
			return zipBook(t, book(part{text: sheetHead + sheetTail}, part{text: sstHead + `<si><t>cut`}))
		}, want: "xl/sharedStrings.xml: shared string 0 has no end tag"},
		{name: "sheet longer than it declares", data: func() []byte {
			return zipBook(t, book(part{text: sheetHead + header + sheetTail, declared: 100}, oneString))
		},
			want: "xl/worksheets/sheet1.xml is damaged (zip: not a valid zip file)"},
		{name: "sheet declaring a huge size", data: func() []byte {
			return zipBook(t, book(part{text: sheetHead + header + sheetTail, declared: 1 << 40}, oneString))
		},
			want: "the workbook is too large: its parts expand to more than 1024 MB (at xl/worksheets/sheet1.xml)", maxUnzipped: 1 << 10},
		{name: "millions of empty shared strings", data: sstBomb,
			want: "the workbook is too large: xl/sharedStrings.xml expands 685 times, from 95 KB to 64 MB; a part may expand at most 100 times"},
		{name: "millions of empty shared strings, expansion allowed", data: sstBomb, lim: limits(noExpansionLimit),
			want:        "the workbook is too large: it has more than 4194304 shared strings",
			maxUnzipped: 4194304*5 + 2*streamChunk},
		{name: "shared strings over their text limit", data: func() []byte {
			return zipBook(t, book(part{text: sheetHead + sheetTail}, part{reader: repeated(sstHead, "<si><t>"+strings.Repeat("x", 1000)+"</t></si>", 1000, sstTail)}))
		}, lim: limits(func(l *Limits) { l.MaxSharedStringBytes = 128 << 10 }), want: "its shared strings hold more than 128 KB of text"},
		{name: "a shared string over the element limit", data: func() []byte {
			return zipBook(t, book(part{text: sheetHead + sheetTail}, part{reader: repeated(sstHead+"<si><t>", "x", 5<<20, "</t></si>"+sstTail)}))
		}, lim: limits(noExpansionLimit), want: "the workbook is too large: shared string 0 is more than 4 MB of XML", maxUnzipped: 4<<20 + 2*streamChunk},
		{name: "zip bomb sheet", data: sheetBomb,
			want: "the workbook is too large: xl/worksheets/sheet1.xml expands 685 times, from 95 KB to 64 MB; a part may expand at most 100 times"},
		{name: "zip bomb sheet under a smaller total", data: sheetBomb, lim: limits(func(l *Limits) { noExpansionLimit(l); l.MaxUnzippedBytes = 16 << 20 }),
			want: "the workbook is too large: its parts expand to more than 16 MB (at xl/worksheets/sheet1.xml)"},
		{name: "zip bomb sheet, expansion allowed", data: sheetBomb, lim: limits(noExpansionLimit),
			want:        `sheet "Data" is too large: row 1048577 is beyond the 1048576 rows a sheet may have`,
			maxUnzipped: 1048577*6 + 2*streamChunk},
		{name: "a row of a million columns", data: func() []byte { return millionColumns("<c/>") }, lim: limits(noExpansionLimit),
			want:        `sheet "Data" is too large: row 1 has a cell in column XFE, beyond the 16384 columns a sheet may have`,
			maxUnzipped: 4_000_000 + 2*streamChunk},
		{name: "a row over the element limit", data: func() []byte { return millionColumns("<c><v>1</v></c>") }, lim: limits(noExpansionLimit),
			want:        `sheet "Data" is too large: row 1 is more than 4 MB of XML`,
			maxUnzipped: 4<<20 + 2*streamChunk},
		{name: "too many cells", data: func() []byte {
			return zipBook(t, book(part{reader: repeated(sheetHead, `<row><c><v>1</v></c><c><v>2</v></c></row>`, 1000, sheetTail)}, oneString))
		}, lim: limits(func(l *Limits) { l.MaxCells = 1000 }), want: `sheet "Data" is too large: it has more than 1000 cells`},
		{name: "a missing shared string", data: func() []byte {
			return zipBook(t, book(part{text: sheetHead + `<row r="3"><c r="C3" t="s"><v>7</v></c></row>` + sheetTail}, oneString))
		}, want: `sheet "Data", row 3, column C: shared string "7" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := tt.lim
			if lim == (Limits{}) {
				lim = defaultLimits
			}
			b, err := Open(tt.data(), lim)
			if err == nil {
				_, err = readSheet(b, "Data")
			}
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, tt.want)
			}
			if b != nil && tt.maxUnzipped > 0 && b.Unzipped() > tt.maxUnzipped {
				t.Errorf("read %d bytes before refusing the file, want at most %d", b.Unzipped(), tt.maxUnzipped)
			}
		})
	}
}

// TestSharedStringsMemory reads the shared-string bomb with its expansion
// allowed: what it allocates stays within the shared-string limits (4 bytes
// a string, here 16 MB, bounded at twice that), far below the 64 MB it
// expands to and the 210 MB of 16-byte string headers of a []string.
func TestSharedStringsMemory(t *testing.T) {
	data := sstBomb()
	lim := limits(noExpansionLimit)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Open(data, lim)
	runtime.ReadMemStats(&after)
	if !strings.Contains(citylens.ErrorMessage(err), "more than 4194304 shared strings") {
		t.Fatalf("got %v", err)
	}
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KB reading %d shared strings", got>>10, lim.MaxSharedStrings)
	if bound := uint64(2*4*lim.MaxSharedStrings + (1 << 20)); got > bound {
		t.Errorf("allocated %d MB, want at most %d MB", got>>20, bound>>20)
	}
}

// TestBudget reads parts through the budget whatever their zip headers say.
func TestBudget(t *testing.T) {
	zeros := func() io.ReadCloser { return io.NopCloser(io.LimitReader(zeroReader{}, 1<<40)) }
	b := &Workbook{lim: Limits{MaxUnzippedBytes: 10 << 20, MaxExpansion: 100}}
	n, err := io.Copy(io.Discard, &budgeted{rc: zeros(), b: b, name: "a.xml", compressed: 1 << 20})
	if !strings.Contains(citylens.ErrorMessage(err), "its parts expand to more than 10 MB (at a.xml)") || n > 10<<20 || b.unzipped > 10<<20+1 {
		t.Errorf("first part: read %d, counted %d, %v", n, b.unzipped, err)
	}
	// The budget is the workbook's: a second part has none left.
	n, err = io.Copy(io.Discard, &budgeted{rc: zeros(), b: b, name: "b.xml", compressed: 1 << 20})
	if !strings.Contains(citylens.ErrorMessage(err), "(at b.xml)") || n != 0 {
		t.Errorf("second part: read %d, %v", n, err)
	}
	// A part that expands more than it may is stopped as it expands.
	b = &Workbook{lim: Limits{MaxUnzippedBytes: 1 << 30, MaxExpansion: 100}}
	n, err = io.Copy(io.Discard, &budgeted{rc: zeros(), b: b, name: "c.xml", compressed: 10 << 10})
	if !strings.Contains(citylens.ErrorMessage(err), "c.xml expands") || n > 2<<20 {
		t.Errorf("expanding part: read %d, %v", n, err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestEmptyAndOddSheets reads sheets without rows, with a namespace
// prefix, without row and cell references, and rows after the sheet data.
func TestEmptyAndOddSheets(t *testing.T) {
	tests := []struct {
		name, sheet string
		want        []row
	}{
		{"self-closing sheet data", `<worksheet ` + mainNS + `><sheetData/></worksheet>`, nil},
		{"no sheet data", `<worksheet ` + mainNS + `/>`, nil},
		{"prefixed", `<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row><x:row/><x:row><x:c r="C3"><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
			[]row{{1, []string{"a", "2"}}, {2, nil}, {3, []string{"", "", "3"}}}},
		{"rows after the sheet data are not read", sheetHead + `<row r="1"><c><v>1</v></c></row>` + sheetTail + `<row r="2"><c><v>2</v></c></row>`,
			[]row{{1, []string{"1"}}}},
		{"rowBreaks are not rows", sheetHead + `<row r="1"><c><v>1</v></c></row></sheetData><rowBreaks count="1"><brk id="1"/></rowBreaks></worksheet>`,
			[]row{{1, []string{"1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Open(zipBook(t, book(part{text: tt.sheet}, oneString)), defaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readSheet(b, "Data")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i].N != tt.want[i].N || strings.Join(got[i].Cells, "|") != strings.Join(tt.want[i].Cells, "|") {
					t.Errorf("row %d: got %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
	// The sheet data's tag cut by the end of the reader's buffer, at every
	// place: its prefix must survive the buffer's moves.
	for pad := streamChunk - 80; pad < streamChunk; pad++ {
		sheet := `<x:worksheet xmlns:x="m"><x:sheetPr>` + strings.Repeat(" ", pad) + `</x:sheetPr><x:sheetData a="b"><x:row><x:c><x:v>7</x:v></x:c></x:row></x:sheetData>` +
			`<x:extLst>` + strings.Repeat(" ", streamChunk) + `</x:extLst></x:worksheet>`
		b, err := Open(zipBook(t, book(part{text: sheet}, oneString)), defaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := readSheet(b, "Data"); err != nil || len(got) != 1 || len(got[0].Cells) != 1 || got[0].Cells[0] != "7" {
			t.Fatalf("padding %d: got %v, %v", pad, got, err)
		}
	}
	if _, err := Open(bytes.Repeat([]byte("PK"), 10), defaultLimits); citylens.ErrorCode(err) != citylens.EINVALID {
		t.Errorf("got %v", err)
	}
}
