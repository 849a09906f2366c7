package survey

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/xlsx"
)

// The XLSForm-like workbook of an instrument: sheet "survey" (one row per
// question: type "select_one <list>" or "select_multiple <list>", name,
// kind, area, pillar, reverse, required, expect, opposes, max, then
// label::<lang> columns), sheet "choices" (list_name, name, label::<lang>),
// sheet "areas" (name, label::<lang>) and, optional, sheet "translations"
// (language, translated_by, translated_at): the provenance of the
// languages' texts that the upload changes.
const (
	SheetSurvey       = "survey"
	SheetChoices      = "choices"
	SheetAreas        = "areas"
	SheetTranslations = "translations"
)

// Bounds of an instrument upload, beyond the workbook reader's.
const (
	MaxFormRows     = 2000 // rows per sheet
	MaxFormColumns  = 60
	MaxFormProblems = 200 // problems listed before the reading stops
)

type sheetRow struct {
	row   int
	cells map[string]string
}

type formReader struct {
	book     *xlsx.Workbook
	problems []citylens.Problem
}

func (f *formReader) problem(sheet string, row int, col, key, reason string, args ...any) {
	if len(f.problems) >= MaxFormProblems {
		return
	}
	f.problems = append(f.problems, citylens.Problem{Row: row, Column: sheet + "!" + col, Reason: reason, Key: key,
		Args: args})
}

func (f *formReader) full() bool { return len(f.problems) >= MaxFormProblems }

// sheet reads a sheet's rows under its header (lower-cased names), the
// header's names and whether the sheet exists.
func (f *formReader) sheet(name string) ([]sheetRow, []string, bool, error) {
	if !f.book.HasSheet(name) {
		return nil, nil, false, nil
	}
	rows, err := f.book.Rows(name)
	if err != nil {
		return nil, nil, true, formError(err)
	}
	defer rows.Close()
	var header []string
	var out []sheetRow
	for rows.Next() {
		cells := rows.Cells()
		if header == nil {
			if len(cells) == 0 {
				continue
			}
			for _, c := range cells {
				header = append(header, strings.ToLower(strings.TrimSpace(c)))
			}
			continue
		}
		m := map[string]string{}
		blank := true
		for j, c := range cells {
			if j < len(header) && header[j] != "" {
				c = strings.TrimSpace(c)
				m[header[j]] = c
				if c != "" {
					blank = false
				}
			}
		}
		if blank {
			continue
		}
		if len(out) >= MaxFormRows {
			return nil, nil, true, citylens.Ef(citylens.ETOOLARGE, "survey.error.form_rows", "sheet %q has more than %d rows", name, MaxFormRows)
		}
		out = append(out, sheetRow{row: rows.Row(), cells: m})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, true, formError(err)
	}
	return out, header, true, nil
}

func formError(err error) error {
	if e := citylens.AsError(err); e != nil && (e.Key != "" || e.Code != citylens.EINVALID) {
		return err
	}
	return citylens.Ef(citylens.EINVALID, "survey.error.workbook", "%s", citylens.ErrorMessage(err))
}

// labelLanguages are the languages of a header's label::<lang> columns.
func labelLanguages(header []string) []string {
	var out []string
	for _, h := range header {
		if lang, ok := strings.CutPrefix(h, "label::"); ok && lang != "" && !slices.Contains(out, lang) {
			out = append(out, lang)
		}
	}
	return out
}

// ParseXLSForm reads an instrument from its workbook. A text the upload
// leaves as prev has it keeps its provenance; a new or changed one is
// credited to the translations sheet's translator and date for its
// language, else to by at now. Every problem is listed by sheet, row and
// column (up to MaxFormProblems); nothing is returned on a problem. The
// result's version is prev's + 1 (1 without prev).
func ParseXLSForm(data []byte, maxBytes int64, prev *Instrument, by string, now time.Time) (*Instrument, error) {
	lim := xlsx.LimitsFor(maxBytes)
	lim.MaxRows = MaxFormRows + 100 // blank rows allowed, within reason
	lim.MaxColumns = MaxFormColumns
	book, err := xlsx.Open(data, lim)
	if err != nil {
		return nil, formError(err)
	}
	f := &formReader{book: book}
	survey, sheader, ok, err := f.sheet(SheetSurvey)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, citylens.Ef(citylens.EINVALID, "survey.error.form_sheet", "the workbook has no sheet %q", SheetSurvey)
	}
	choices, cheader, _, err := f.sheet(SheetChoices)
	if err != nil {
		return nil, err
	}
	areas, aheader, _, err := f.sheet(SheetAreas)
	if err != nil {
		return nil, err
	}
	trans, _, _, err := f.sheet(SheetTranslations)
	if err != nil {
		return nil, err
	}
	langs := labelLanguages(sheader)
	for _, h := range [][]string{cheader, aheader} {
		for _, l := range labelLanguages(h) {
			if !slices.Contains(langs, l) {
				langs = append(langs, l)
			}
		}
	}
	in := &Instrument{Version: 1, Languages: langs}
	if prev != nil {
		in.Version = prev.Version + 1
	}
	type credit struct {
		by string
		at time.Time
	}
	credits := map[string]credit{}
	for _, r := range trans {
		lang := r.cells["language"]
		c := credit{by: r.cells["translated_by"], at: now}
		if c.by == "" {
			c.by = by
		}
		if s := r.cells["translated_at"]; s != "" {
			t, err := parseDate(s)
			if err != nil {
				f.problem(SheetTranslations, r.row, "translated_at", "survey.problem.date", "not a date (YYYY-MM-DD)", s)
				continue
			}
			c.at = t
		}
		credits[lang] = c
	}
	labels := func(cells map[string]string, old Labels) Labels {
		l := Labels{}
		for _, lang := range langs {
			text := cells["label::"+lang]
			if text == "" {
				continue
			}
			if o, ok := old[lang]; ok && o.Text == text {
				l[lang] = o
				continue
			}
			c, ok := credits[lang]
			if !ok {
				c = credit{by: by, at: now}
			}
			l[lang] = Text{Text: text, By: c.by, At: c.at}
		}
		return l
	}
	var old Instrument
	if prev != nil {
		old = *prev
	}
	for _, r := range areas {
		code := r.cells["name"]
		o, _ := old.AreaOf(code)
		in.Areas = append(in.Areas, Area{Code: code, Label: labels(r.cells, o.Label)})
	}
	for _, r := range choices {
		name, code := r.cells["list_name"], r.cells["name"]
		if name == "" {
			f.problem(SheetChoices, r.row, "list_name", "survey.problem.cell_required", "list_name is required", "list_name")
			continue
		}
		var oc Choice
		if ol, ok := old.ListOf(name); ok {
			for _, c := range ol.Choices {
				if c.Code == code {
					oc = c
				}
			}
		}
		k := slices.IndexFunc(in.Lists, func(l List) bool { return l.Name == name })
		if k < 0 {
			in.Lists = append(in.Lists, List{Name: name})
			k = len(in.Lists) - 1
		}
		in.Lists[k].Choices = append(in.Lists[k].Choices, Choice{Code: code, Label: labels(r.cells, oc.Label)})
	}
	for _, r := range survey {
		if f.full() {
			break
		}
		typ := strings.Fields(r.cells["type"])
		it := Item{Code: r.cells["name"], Kind: r.cells["kind"], Area: r.cells["area"], Pillar: r.cells["pillar"], Opposes: r.cells["opposes"]}
		if len(typ) != 2 || (typ[0] != "select_one" && typ[0] != "select_multiple") {
			f.problem(SheetSurvey, r.row, "type", "survey.problem.type", "type must be \"select_one <list>\" or \"select_multiple <list>\"", r.cells["type"])
			continue
		}
		it.List = typ[1]
		if (typ[0] == "select_multiple") != (it.Kind == KindPriorities) {
			f.problem(SheetSurvey, r.row, "type", "survey.problem.type_kind", "select_multiple goes with the kind priorities, and only with it")
		}
		for _, b := range []struct {
			col string
			dst *bool
		}{{"reverse", &it.Reverse}, {"required", &it.Required}} {
			switch strings.ToLower(r.cells[b.col]) {
			case "", "no", "false", "0":
			case "yes", "true", "1":
				*b.dst = true
			default:
				f.problem(SheetSurvey, r.row, b.col, "survey.problem.yesno", "yes or no", r.cells[b.col])
			}
		}
		for _, n := range []struct {
			col string
			dst *int
		}{{"expect", &it.Expect}, {"max", &it.Max}} {
			if s := r.cells[n.col]; s != "" {
				v, err := strconv.Atoi(s)
				if err != nil || v < 0 || v > 1000 {
					f.problem(SheetSurvey, r.row, n.col, "survey.problem.number", "a whole number from 0 to 1000", s)
				}
				*n.dst = v
			}
		}
		o, _ := old.Item(it.Code)
		it.Label = labels(r.cells, o.Label)
		in.Items = append(in.Items, it)
	}
	if len(f.problems) > 0 {
		return nil, &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.form", Message: "the instrument workbook has problems", Problems: f.problems}
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	// A date cell: days since 1899-12-30.
	if d, err := strconv.ParseFloat(s, 64); err == nil && d > 0 && d < 2958466 {
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(d * 24 * float64(time.Hour))), nil
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

// WriteXLSForm writes the instrument as its workbook (the sheets
// ParseXLSForm reads), with the sheet "translations" to credit the next
// changes, saying per language who last translated and when.
func (in *Instrument) WriteXLSForm(w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	put := func(sheet string, rows [][]any) error {
		if _, err := x.NewSheet(sheet); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := sw.SetRow(cell, r); err != nil {
				return err
			}
		}
		return sw.Flush()
	}
	labelHeader := func(h ...any) []any {
		for _, l := range in.Languages {
			h = append(h, "label::"+l)
		}
		return h
	}
	labelCells := func(r []any, l Labels) []any {
		for _, lang := range in.Languages {
			r = append(r, l[lang].Text)
		}
		return r
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return ""
	}
	num := func(n int) any {
		if n == 0 {
			return ""
		}
		return n
	}
	rows := [][]any{labelHeader("type", "name", "kind", "area", "pillar", "reverse", "required", "expect", "opposes", "max")}
	latest := map[string]Text{}
	note := func(l Labels) {
		for lang, t := range l {
			if t.At.After(latest[lang].At) || latest[lang].By == "" {
				latest[lang] = t
			}
		}
	}
	for _, it := range in.Items {
		typ := "select_one " + it.List
		if it.Kind == KindPriorities {
			typ = "select_multiple " + it.List
		}
		rows = append(rows, labelCells([]any{typ, it.Code, it.Kind, it.Area, it.Pillar, yes(it.Reverse), yes(it.Required), num(it.Expect), it.Opposes, num(it.Max)}, it.Label))
		note(it.Label)
	}
	if err := put(SheetSurvey, rows); err != nil {
		return err
	}
	rows = [][]any{labelHeader("list_name", "name")}
	for _, l := range in.Lists {
		for _, c := range l.Choices {
			rows = append(rows, labelCells([]any{l.Name, c.Code}, c.Label))
			note(c.Label)
		}
	}
	if err := put(SheetChoices, rows); err != nil {
		return err
	}
	rows = [][]any{labelHeader("name")}
	for _, a := range in.Areas {
		rows = append(rows, labelCells([]any{a.Code}, a.Label))
		note(a.Label)
	}
	if err := put(SheetAreas, rows); err != nil {
		return err
	}
	// translated_by and translated_at are left for the next translator to
	// fill (they credit the texts an upload changes); the last_ columns
	// say who last did, and are not read back.
	rows = [][]any{{"language", "translated_by", "translated_at", "last_translated_by", "last_translated_at"}}
	for _, lang := range in.Languages {
		rows = append(rows, []any{lang, "", "", latest[lang].By, latest[lang].At.Format("2006-01-02")})
	}
	if err := put(SheetTranslations, rows); err != nil {
		return err
	}
	x.DeleteSheet("Sheet1")
	return x.Write(w)
}
