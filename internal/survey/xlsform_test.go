package survey

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func formBytes(t *testing.T, in *Instrument) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := in.WriteXLSForm(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXLSFormRoundTrip(t *testing.T) {
	in := DefaultInstrument()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	got, err := ParseXLSForm(formBytes(t, in), 1<<20, in, "analyst@example.org", now)
	if err != nil {
		t.Fatal(err, problemFields(err))
	}
	want := in.Clone()
	want.Version = 2
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("round trip changed the instrument (-want +got):\n%s", d)
	}
}

// A language added by upload, a Korean text changed: each new text is
// credited to the translations sheet's translator; unchanged texts keep
// their provenance.
func TestXLSFormAddsLanguageWithProvenance(t *testing.T) {
	in := DefaultInstrument()
	x, err := excelize.OpenReader(bytes.NewReader(formBytes(t, in)))
	if err != nil {
		t.Fatal(err)
	}
	for _, sheet := range []string{SheetSurvey, SheetChoices, SheetAreas} {
		rows, _ := x.GetRows(sheet)
		col := len(rows[0]) + 1
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(col, i+1)
			v := "es:" + r[1]
			if sheet == SheetAreas {
				v = "es:" + r[0]
			}
			if i == 0 {
				v = "label::es"
			}
			x.SetCellValue(sheet, cell, v)
		}
	}
	x.SetCellValue(SheetSurvey, "L2", "새 문장입니다.") // hs_s1's Korean (label::ko is column L)
	x.SetCellValue(SheetTranslations, "A4", "es")
	x.SetCellValue(SheetTranslations, "B4", "Ana Traductora")
	x.SetCellValue(SheetTranslations, "C4", "2026-02-20")
	var b bytes.Buffer
	x.Write(&b)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	got, err := ParseXLSForm(b.Bytes(), 1<<20, in, "analyst@example.org", now)
	if err != nil {
		t.Fatal(err, problemFields(err))
	}
	if strings.Join(got.Languages, ",") != "en,ko,es" {
		t.Errorf("languages %v", got.Languages)
	}
	hs, _ := got.Item("hs_s1")
	if es := hs.Label["es"]; es.Text != "es:hs_s1" || es.By != "Ana Traductora" || !es.At.Equal(time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Spanish text %+v", es)
	}
	if ko := hs.Label["ko"]; ko.Text != "새 문장입니다." || ko.By != "analyst@example.org" || !ko.At.Equal(now) {
		t.Errorf("changed Korean text %+v", ko)
	}
	if en := hs.Label["en"]; en.By != SeedAuthor {
		t.Errorf("unchanged English text lost its provenance: %+v", en)
	}
}

func TestXLSFormProblems(t *testing.T) {
	in := DefaultInstrument()
	x, _ := excelize.OpenReader(bytes.NewReader(formBytes(t, in)))
	x.SetCellValue(SheetSurvey, "A3", "text")  // hs_s2's type
	x.SetCellValue(SheetSurvey, "F4", "maybe") // hs_s3's reverse
	var b bytes.Buffer
	x.Write(&b)
	_, err := ParseXLSForm(b.Bytes(), 1<<20, in, "a", time.Now())
	got := strings.Join(problemFields(err), "\n")
	for _, want := range []string{"row 3, column survey!type", "row 4, column survey!reverse: yes or no"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if _, err := ParseXLSForm([]byte("not a workbook"), 1<<20, in, "a", time.Now()); err == nil {
		t.Error("a non-workbook accepted")
	}
}
