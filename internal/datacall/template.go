package datacall

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
)

// TemplateCity is a city a template asks data of.
type TemplateCity struct {
	Code, Name string
}

// TemplateInput is what a template shows.
type TemplateInput struct {
	Edition   *catalogue.Edition
	Catalogue map[string]catalogue.Indicator
	Cities    []TemplateCity  // one for a focal point; many for the secretariat
	Last      map[Key]float64 // last edition's values
	Current   map[Key]Value   // values entered so far, filled in so a re-upload changes nothing
}

// WriteTemplate writes the data-call workbook: a Data sheet with one row per
// city and indicator (reference columns and header locked, input columns
// open) and an Instructions sheet that also records the edition.
func WriteTemplate(w io.Writer, in TemplateInput) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeTemplate(f, in); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "writing the template: %v", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "writing the template: %v", err)
	}
	return nil
}

func writeTemplate(f *excelize.File, in TemplateInput) error {
	if err := f.SetSheetName("Sheet1", SheetData); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:       &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
		Alignment:  &excelize.Alignment{WrapText: true, Vertical: "top"},
		Protection: &excelize.Protection{Locked: true},
	})
	if err != nil {
		return err
	}
	ref, err := f.NewStyle(&excelize.Style{
		Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}},
		Protection: &excelize.Protection{Locked: true},
	})
	if err != nil {
		return err
	}
	input, err := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: false}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(SheetData)
	if err != nil {
		return err
	}
	widths := []float64{12, 20, 16, 36, 18, 14, 12, 50, 12, 30, 10, 30, 12, 30}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(templateHeader))
	for i, h := range templateHeader {
		row[i] = excelize.Cell{StyleID: header, Value: h}
	}
	if err := sw.SetRow("A1", row, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	inds := in.Edition.Indicators()
	r := 1
	for _, c := range in.Cities {
		for _, n := range inds {
			ind := in.Catalogue[n.Code]
			k := Key{c.Code, n.Code}
			var last any
			if v, ok := in.Last[k]; ok {
				last = v
			}
			row = row[:0]
			for _, v := range []any{c.Code, c.Name, ind.Code, ind.Name, ind.Unit, ind.RangeText(), last, ind.Guidance} {
				row = append(row, excelize.Cell{StyleID: ref, Value: v})
			}
			vals := []any{nil, nil, nil, nil, nil, nil}
			if cur, ok := in.Current[k]; ok {
				vals = []any{cur.Value, cur.Source, cur.DataYear, cur.MethodNote, yesNo(cur.Estimated), cur.Comment}
			}
			for _, v := range vals {
				row = append(row, excelize.Cell{StyleID: input, Value: v})
			}
			r++
			if err := sw.SetRow("A"+strconv.Itoa(r), row); err != nil {
				return err
			}
		}
	}
	if r > 1 {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("M2:M%d", r)
		if err := dv.SetDropList([]string{"yes", "no"}); err != nil {
			return err
		}
		if err := f.AddDataValidation(SheetData, dv); err != nil {
			return err
		}
	}
	// No password: the protection guards against slips, not against the city.
	if err := f.ProtectSheet(SheetData, &excelize.SheetProtectionOptions{
		SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true, AutoFilter: true, Sort: true,
	}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return writeInstructions(f, in)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func writeInstructions(f *excelize.File, in TemplateInput) error {
	if _, err := f.NewSheet(SheetInstructions); err != nil {
		return err
	}
	e := in.Edition
	lines := [][]any{
		{"CityLens data call", ""},
		{"Edition", e.Code},
		{"Edition name", e.Name},
		{"Reference year", e.ReferenceYear},
		{"Data call window", e.Opens.Format("2 January 2006") + " to " + e.Closes.Format("2 January 2006")},
		{"", ""},
		{"How to fill in this workbook", ""},
		{"1.", "Fill in the white columns of the Data sheet (Value to Comment) for each indicator; the grey columns are locked."},
		{"2.", "Value: a plain number in the indicator's unit, within the valid range; a dot for decimals, no thousands separators."},
		{"3.", "Source: the publication, agency or utility the value comes from. Data year: the year the value describes (at most the reference year)."},
		{"4.", "Method note: how the value was computed, and the data points for indicators that have several."},
		{"5.", "Estimated: yes when the value is modelled or extrapolated rather than measured."},
		{"6.", fmt.Sprintf("Comment: required when a value changes by more than %s from last edition's value; explain why.", percent(e.JumpThreshold))},
		{"7.", "Leave a row's white cells empty when you have no value. Do not add, remove or reorder columns."},
		{"8.", "Upload the workbook (or the Data sheet saved as CSV, UTF-8) on your city's data-call page. If any row has a problem, nothing is imported and every problem is listed with its row and column; uploading the same file again changes nothing."},
		{"", ""},
		{"Catalogue", catalogue.U4SSCAttribution},
	}
	for i, l := range lines {
		if err := f.SetSheetRow(SheetInstructions, "A"+strconv.Itoa(i+1), &l); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(SheetInstructions, "A", "A", 28); err != nil {
		return err
	}
	return f.SetColWidth(SheetInstructions, "B", "B", 110)
}
