package datacall

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

// csvFixture reads a CSV file of testdata/datacall at the repository's root.
func csvFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "datacall", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, name string, data []byte) *Parsed {
	t.Helper()
	p, err := ParseUpload(context.Background(), name, data, DefaultMaxUploadBytes)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUploadCSV(t *testing.T) {
	r := testRules(t, "SEO")
	p := mustParse(t, "seoul_good.csv", csvFixture(t, "seoul_good.csv"))
	if p.Type != TypeCSV || len(p.Entries) != 3 {
		t.Fatalf("type %s, %d entries", p.Type, len(p.Entries))
	}
	changes, unchanged, err := Plan(p.Entries, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []Value
	for _, c := range changes {
		got = append(got, c.New)
	}
	want := []Value{
		{Edition: "2026", City: "SEO", Indicator: "SHARE", Value: 85.5, Unit: "% of households", Provenance: Provenance{Source: "Statistics Korea", DataYear: 2024, MethodNote: "Household survey, question 12"}},
		{Edition: "2026", City: "SEO", Indicator: "RATE", Value: 3.9, Unit: "per 100,000 inhabitants", Provenance: Provenance{Source: "Korean National Police Agency", DataYear: 2025, Estimated: true}, Comment: "Estimated from January to October, scaled"},
	}
	if diff := cmp.Diff(want, got); diff != "" || unchanged != 0 {
		t.Fatalf("unchanged %d; values (-want +got):\n%s", unchanged, diff)
	}
	// The same file again, against what the first upload stored: nothing changes.
	changes, unchanged, err = Plan(p.Entries, r, Current(got))
	if err != nil || len(changes) != 0 || unchanged != 2 {
		t.Fatalf("second upload: err %v, %d changes, %d unchanged", err, len(changes), unchanged)
	}
}

func TestUploadCSVSemicolonsAndBOM(t *testing.T) {
	p := mustParse(t, "seoul_semicolon.csv", csvFixture(t, "seoul_semicolon.csv"))
	changes, _, err := Plan(p.Entries, testRules(t, "SEO"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[1].New.Source != "Seoul Resilience Strategy; 2023" {
		t.Fatalf("changes %+v", changes)
	}
}

func TestUploadCSVErrors(t *testing.T) {
	p := mustParse(t, "seoul_errors.csv", csvFixture(t, "seoul_errors.csv"))
	_, _, err := Plan(p.Entries, testRules(t, "SEO"), nil)
	ve := citylens.AsError(err)
	if ve == nil || ve.Code != citylens.EINVALID {
		t.Fatalf("got %v, want EINVALID with the problems", err)
	}
	want := []citylens.Problem{
		{Row: 3, Column: "value", City: "SEO", Indicator: "RATE", Reason: `"3,9" is not a number (use digits, a dot for decimals, no thousands separators)`},
		{Row: 3, Column: "unit", City: "SEO", Indicator: "RATE", Reason: `"per 1000 inhabitants" does not match the indicator's unit "per 100,000 inhabitants": convert the value to "per 100,000 inhabitants"`},
		{Row: 3, Column: "source", City: "SEO", Indicator: "RATE", Reason: "missing: say where the value comes from"},
		{Row: 3, Column: "data year", City: "SEO", Indicator: "RATE", Reason: "2027 is after the edition's reference year 2025"},
		{Row: 3, Column: "estimated", City: "SEO", Indicator: "RATE", Reason: `"maybe" is not yes or no`},
		{Row: 4, Column: "city", City: "BUS", Indicator: "SHARE", Reason: `city "BUS" is not one you may enter data for`},
	}
	// Row 2 (SHARE 80 → 30 without a comment) is checked too.
	want = append([]citylens.Problem{{Row: 2, Column: "comment", City: "SEO", Indicator: "SHARE", Reason: "the value changes from last edition's 80 to 30 (62.5%, more than 50%): explain the change in a comment"}}, want...)
	i18ntest.WantKeyed(t, err)
	if diff := cmp.Diff(want, ve.Problems, ignoreWording); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestUploadFileErrors(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		max        int64
		want       string
	}{
		{"missing columns", "missing_column.csv", csvFixture(t, "missing_column.csv"), 0, `row 1: the header lacks the columns "unit", "data year"`},
		{"malformed csv", "malformed.csv", csvFixture(t, "malformed.csv"), 0, `row 2: the CSV is malformed: extraneous or missing " in quoted-field`},
		{"empty", "x.csv", nil, 0, `the file "x.csv" is empty`},
		{"old xls", "x.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), 0, "old Excel workbook (.xls)"},
		{"pdf", "x.pdf", []byte("%PDF-1.7 ..."), 0, "is a PDF"},
		{"binary", "x.bin", []byte{0x7f, 'E', 'L', 'F', 0, 0, 1}, 0, "neither an XLSX workbook nor a UTF-8 CSV file"},
		{"latin-1 csv", "x.csv", []byte("City code,Indicator code\nSEO,Caf\xe9\n"), 0, "neither an XLSX workbook nor a UTF-8 CSV file"},
		{"text named xlsx", "x.xlsx", []byte("City code,Value\n"), 0, `named .xlsx but is not an XLSX workbook`},
		{"docx name", "x.docx", []byte("hello"), 0, "has type .docx"},
		{"broken zip", "x.xlsx", []byte("PK\x03\x04garbage"), 0, "not a readable XLSX workbook"},
		{"too large", "x.csv", bytes.Repeat([]byte("a"), 2<<10), 1 << 10, "larger than the 1 KB limit"},
		{"header only", "x.csv", []byte("nothing,here\n"), 0, `the header lacks the columns "city", "indicator", "value", "unit", "source", "data year"`},
		{"too many rows", "x.csv", append([]byte("City code,Indicator code,Value,Unit,Source,Data year\n"), bytes.Repeat([]byte("a\n"), maxUploadRows)...), 0,
			"more than 1048576 rows"},
		{"too wide a row", "x.csv", append([]byte("City code,Indicator code,Value,Unit,Source,Data year\n"), bytes.Repeat([]byte(","), maxUploadColumns)...), 0,
			"row 2 has 16385 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.max
			if max == 0 {
				max = DefaultMaxUploadBytes
			}
			_, err := ParseUpload(context.Background(), tt.file, tt.data, max)
			if citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want EINVALID containing %q", err, tt.want)
			}
			i18ntest.WantKeyed(t, err)
		})
	}
	if _, err := ReadLimited(bytes.NewReader(make([]byte, 3<<20)), 2<<20); err == nil || !strings.Contains(err.Error(), "larger than the 2 MB limit") {
		t.Errorf("ReadLimited: %v", err)
	} else {
		i18ntest.WantKeyed(t, err)
	}
}

// fillTemplate opens a template and fills in the input cells of the rows
// whose indicator is a key of vals, as a city would in Excel.
func fillTemplate(t *testing.T, tpl []byte, vals map[string][]any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(SheetData)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows[1:] {
		if v, ok := vals[row[2]]; ok {
			if err := f.SetSheetRow(SheetData, "I"+strconv.Itoa(i+2), &v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTemplateRoundTrip(t *testing.T) {
	r := testRules(t, "SEO")
	var buf bytes.Buffer
	err := WriteTemplate(&buf, TemplateInput{
		Edition: r.Edition, Catalogue: r.Catalogue, Cities: []TemplateCity{{"SEO", "Seoul"}}, Last: r.Last,
	})
	if err != nil {
		t.Fatal(err)
	}
	tpl := buf.Bytes()

	// What the city sees.
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(SheetData)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(templateHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	var refs [][]string
	for _, row := range rows[1:] {
		refs = append(refs, row[:7])
	}
	wantRefs := [][]string{
		{"SEO", "Seoul", "SHARE", "Household Internet Access", "% of households", "0 to 100", "80"},
		{"SEO", "Seoul", "RATE", "Traffic Fatalities", "per 100,000 inhabitants", "at least 0", "4"},
		{"SEO", "Seoul", "PLAN", "Resilience Plans", "yes/no", "0 to 1", ""},
	}
	if diff := cmp.Diff(wantRefs, refs); diff != "" {
		t.Errorf("reference columns (-want +got):\n%s", diff)
	}
	prot, err := f.GetSheetProtection(SheetData)
	if err != nil || !prot.SelectUnlockedCells {
		t.Errorf("Data sheet is not protected: %+v %v", prot, err)
	}
	locked := func(cell string) bool {
		id, err := f.GetCellStyle(SheetData, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Protection == nil || st.Protection.Locked
	}
	for cell, want := range map[string]bool{"A1": true, "I1": true, "C2": true, "G3": true, "I2": false, "N4": false} {
		if got := locked(cell); got != want {
			t.Errorf("cell %s locked = %v, want %v", cell, got, want)
		}
	}
	if ed, _ := f.GetCellValue(SheetInstructions, "B2"); ed != "2026" {
		t.Errorf("instructions name edition %q", ed)
	}
	f.Close()

	// The city fills it in and uploads it.
	filled := fillTemplate(t, tpl, map[string][]any{
		"SHARE": {85.5, "Statistics Korea", 2024, "survey", "no", ""},
		"RATE":  {1.5, "Police", 2025, "", "yes", "fewer crossings after the new law"},
	})
	p := mustParse(t, "seoul.xlsx", filled)
	if p.Type != TypeXLSX || p.Edition != "2026" {
		t.Fatalf("type %s, edition %q", p.Type, p.Edition)
	}
	changes, _, err := Plan(p.Entries, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	stored := make([]Value, len(changes))
	for i, c := range changes {
		stored[i] = c.New
	}
	want := []Value{
		{Edition: "2026", City: "SEO", Indicator: "SHARE", Value: 85.5, Unit: "% of households", Provenance: Provenance{Source: "Statistics Korea", DataYear: 2024, MethodNote: "survey"}},
		{Edition: "2026", City: "SEO", Indicator: "RATE", Value: 1.5, Unit: "per 100,000 inhabitants", Provenance: Provenance{Source: "Police", DataYear: 2025, Estimated: true}, Comment: "fewer crossings after the new law"},
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Fatalf("imported (-want +got):\n%s", diff)
	}
	// Uploading the same file twice changes nothing the second time.
	changes, unchanged, err := Plan(mustParse(t, "seoul.xlsx", filled).Entries, r, Current(stored))
	if err != nil || len(changes) != 0 || unchanged != 2 {
		t.Fatalf("second upload: %v, %d changes, %d unchanged", err, len(changes), unchanged)
	}
	// A template downloaded again carries the stored values: uploading it unchanged is a no-op too.
	buf.Reset()
	if err := WriteTemplate(&buf, TemplateInput{Edition: r.Edition, Catalogue: r.Catalogue, Cities: []TemplateCity{{"SEO", "Seoul"}}, Last: r.Last, Current: Current(stored)}); err != nil {
		t.Fatal(err)
	}
	changes, unchanged, err = Plan(mustParse(t, "again.xlsx", buf.Bytes()).Entries, r, Current(stored))
	if err != nil || len(changes) != 0 || unchanged != 2 {
		t.Fatalf("re-downloaded template: %v, %d changes, %d unchanged", err, len(changes), unchanged)
	}
}

func TestTemplateUploadErrors(t *testing.T) {
	r := testRules(t, "SEO")
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, TemplateInput{Edition: r.Edition, Catalogue: r.Catalogue, Cities: []TemplateCity{{"SEO", "Seoul"}}}); err != nil {
		t.Fatal(err)
	}
	filled := fillTemplate(t, buf.Bytes(), map[string][]any{
		"SHARE": {"lots", "Statistics Korea", 2024},
		"RATE":  {2.5, "", 2025},
		"PLAN":  {1, "Resilience strategy", 2025},
	})
	_, _, err := Plan(mustParse(t, "seoul.xlsx", filled).Entries, r, nil)
	ve := citylens.AsError(err)
	if ve == nil || ve.Code != citylens.EINVALID {
		t.Fatalf("got %v", err)
	}
	want := []citylens.Problem{
		{Row: 2, Column: "value", City: "SEO", Indicator: "SHARE", Reason: `"lots" is not a number (use digits, a dot for decimals, no thousands separators)`},
		{Row: 3, Column: "source", City: "SEO", Indicator: "RATE", Reason: "missing: say where the value comes from"},
	}
	i18ntest.WantKeyed(t, err)
	if diff := cmp.Diff(want, ve.Problems, ignoreWording); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
