package release

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func readCSV(t *testing.T, write func(*bytes.Buffer) error) [][]string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func column(head []string, name string) int {
	for k, h := range head {
		if h == name {
			return k
		}
	}
	return -1
}

func TestResultsCSV(t *testing.T) {
	r := testRelease(t)
	recs := readCSV(t, func(b *bytes.Buffer) error { return r.ResultsCSV(b) })
	head := recs[0]
	for _, c := range []string{"rank", "rank_q5", "rank_q95", "tie_group", "city", "stage", "rating", "change", "score_INDEX", "score_E", "score_S", "score_G", "stage_E", "value_E1", "value_G2"} {
		if column(head, c) < 0 {
			t.Errorf("no column %s in %v", c, head)
		}
	}
	if len(recs) != 13 {
		t.Fatalf("%d rows, want a header and 12 cities", len(recs))
	}
	rows, _ := r.Rankings(RankingQuery{})
	for k, row := range rows {
		rec := recs[k+1]
		score, _ := strconv.ParseFloat(rec[column(head, "score_INDEX")], 64)
		q95, _ := strconv.ParseFloat(rec[column(head, "rank_q95")], 64)
		if rec[column(head, "city")] != row.City.Code || rec[column(head, "rank")] != strconv.Itoa(row.Rank) || math.Abs(score-row.Score) > 1e-12*math.Abs(row.Score) ||
			math.Abs(q95-*row.RankBand.Q95) > 1e-9 || rec[column(head, "stage")] != row.Stage || rec[column(head, "rating")] != row.Rating || rec[column(head, "ranked")] != "true" {
			t.Errorf("row %d: %v, want %+v", k+1, rec, row)
		}
		vals, _ := r.Values(row.City.Code)
		for _, v := range vals {
			cell := rec[column(head, "value_"+v.Indicator)]
			if (v.Value == nil) != (cell == "") || v.Value != nil && cell != num(*v.Value) {
				t.Errorf("%s %s: cell %q, value %v", row.City.Code, v.Indicator, cell, v.Value)
			}
		}
	}
	last := recs[12]
	if last[column(head, "city")] != "KGL" || last[column(head, "rank")] != "" || last[column(head, "ranked")] != "false" || last[column(head, "score_INDEX")] != "" || last[column(head, "value_S1")] != "36.6" {
		t.Errorf("unranked Kigali: %v", last)
	}
}

func TestValuesCSV(t *testing.T) {
	r := testRelease(t)
	recs := readCSV(t, func(b *bytes.Buffer) error { return r.ValuesCSV(b) })
	if len(recs) != 1+12*7 {
		t.Fatalf("%d rows, want 1 + 12 cities × 7 indicators", len(recs))
	}
	head := recs[0]
	points := map[[2]string]DataPoint{}
	for _, p := range testDraft(t).Data {
		points[[2]string{p.City, p.Indicator}] = p
	}
	for _, rec := range recs[1:] {
		key := [2]string{rec[column(head, "city")], rec[column(head, "indicator")]}
		p, ok := points[key]
		want := []string{"", "", "", "false"}
		if ok {
			want = []string{num(p.Value), p.Source, strconv.Itoa(p.DataYear), strconv.FormatBool(p.Estimated)}
		}
		got := []string{rec[column(head, "value")], rec[column(head, "source")], rec[column(head, "data_year")], rec[column(head, "estimated")]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", key, diff)
		}
	}
}

func TestXLSX(t *testing.T) {
	r := testRelease(t)
	var b bytes.Buffer
	if err := r.XLSX(&b); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if diff := cmp.Diff([]string{SheetResults, SheetValues, SheetFramework, SheetMetadata}, x.GetSheetList()); diff != "" {
		t.Fatalf("sheets (-want +got):\n%s", diff)
	}
	for _, s := range []struct {
		sheet string
		write func(*bytes.Buffer) error
	}{{SheetResults, func(b *bytes.Buffer) error { return r.ResultsCSV(b) }}, {SheetValues, func(b *bytes.Buffer) error { return r.ValuesCSV(b) }}} {
		want := readCSV(t, s.write)
		got, err := x.GetRows(s.sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, CSV has %d", s.sheet, len(got), len(want))
		}
		for i := range want {
			for k := range want[i] {
				g := ""
				if k < len(got[i]) {
					g = got[i][k]
				}
				if g == want[i][k] {
					continue
				}
				// Numbers: equal as numbers; booleans: Excel's 1/0.
				wf, e1 := strconv.ParseFloat(want[i][k], 64)
				gf, e2 := strconv.ParseFloat(g, 64)
				wb := map[string]string{"true": "1", "false": "0"}[want[i][k]]
				if !(e1 == nil && e2 == nil && math.Abs(wf-gf) <= 1e-12*math.Max(1, math.Abs(wf))) && g != wb {
					t.Errorf("%s row %d column %s: %q, CSV %q", s.sheet, i+1, want[0][k], g, want[i][k])
				}
			}
		}
	}
	meta, _ := x.GetRows(SheetMetadata)
	found := false
	for _, row := range meta {
		if len(row) == 2 && row[0] == "hash" && row[1] == r.Hash() {
			found = true
		}
	}
	if !found {
		t.Errorf("metadata sheet has no hash row: %v", meta)
	}
	fw, _ := x.GetRows(SheetFramework)
	if len(fw) != 12 || fw[1][0] != "INDEX" {
		t.Errorf("framework sheet: %v", fw)
	}
}

func TestDataPackage(t *testing.T) {
	r := testRelease(t)
	var b bytes.Buffer
	if err := r.DataPackageJSON(&b); err != nil {
		t.Fatal(err)
	}
	var p struct {
		Profile  string `json:"profile"`
		Hash     string `json:"hash"`
		Licenses []struct {
			Name, Path string
		} `json:"licenses"`
		Sources   []struct{ Title string } `json:"sources"`
		Resources []struct {
			Name, Path, Format, Sheet string
			Schema                    *struct {
				Fields []Field `json:"fields"`
			} `json:"schema"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Profile != "tabular-data-package" || p.Hash != r.Hash() || len(p.Licenses) != 1 || p.Licenses[0].Name != "CC-BY-4.0" || len(p.Sources) != 1 || p.Sources[0].Title == "" {
		t.Errorf("package: %+v", p)
	}
	paths := map[string]bool{}
	for _, res := range p.Resources {
		paths[res.Path] = true
		if res.Format == "json" {
			continue
		}
		var head []string
		switch {
		case res.Path == FileResults || res.Sheet == SheetResults:
			head = readCSV(t, func(b *bytes.Buffer) error { return r.ResultsCSV(b) })[0]
		case res.Path == FileValues || res.Sheet == SheetValues:
			head = readCSV(t, func(b *bytes.Buffer) error { return r.ValuesCSV(b) })[0]
		}
		if res.Schema == nil {
			t.Fatalf("%s has no schema", res.Name)
		}
		var names []string
		for _, f := range res.Schema.Fields {
			names = append(names, f.Name)
			if f.Description == "" || (f.Type != "string" && f.Type != "integer" && f.Type != "number" && f.Type != "boolean") {
				t.Errorf("%s: field %+v", res.Name, f)
			}
		}
		if head != nil {
			if diff := cmp.Diff(head, names); diff != "" {
				t.Errorf("%s: schema fields are not the file's columns (-file +schema):\n%s", res.Name, diff)
			}
		}
	}
	for _, f := range []string{FileResults, FileValues, FileXLSX, FileJSON} {
		if !paths[f] {
			t.Errorf("package does not describe %s", f)
		}
	}
	// The value columns carry their unit.
	for _, f := range r.Package().Resources[0].Schema.Fields {
		if f.Name == "value_S1" && f.Unit != "% of households" {
			t.Errorf("value_S1 unit %q", f.Unit)
		}
	}
	var j bytes.Buffer
	if err := r.JSON(&j); err != nil {
		t.Fatal(err)
	}
	if back, err := Unmarshal(j.Bytes()); err != nil || back.Hash() != r.Hash() {
		t.Errorf("release.json reads back as %v, %v", back, err)
	}
}
