package indexfile_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
)

const asemInput = "../../testdata/asem/input/"

func mustMeta(t testing.TB, text string) *indexfile.Meta {
	t.Helper()
	m, err := indexfile.ReadMeta("iMeta.csv", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustRead(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// asemLong turns ASEM's iData into the long layout and a units file, with
// an older year (values times 10) that the latest-year rule must skip, and
// a newer year with only missing values that it must skip too.
func asemLong(t *testing.T) (values, units string) {
	t.Helper()
	all, err := csv.NewReader(strings.NewReader(mustRead(t, asemInput+"iData.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	h := all[0]
	var v, u bytes.Buffer
	fmt.Fprintln(&v, "unit,indicator,year,value,source")
	fmt.Fprintln(&u, "uCode,uName,GDP_group,GDPpc_group,Pop_group,EurAsia_group")
	for _, r := range all[1:] {
		fmt.Fprintf(&u, "%s,%q,%s,%s,%s,%s\n", r[1], r[0], r[2], r[3], r[4], r[5])
		for j := 7; j < len(h); j++ {
			old := "NA"
			if r[j] != "NA" {
				v, err := strconv.ParseFloat(r[j], 64)
				if err != nil {
					t.Fatal(err)
				}
				old = strconv.FormatFloat(10*v, 'g', -1, 64)
			}
			fmt.Fprintf(&v, "%s,%s,2017,%s,old survey\n", r[1], h[j], old)
			fmt.Fprintf(&v, "%s,%s,2018,%s,\n", r[1], h[j], r[j])
			fmt.Fprintf(&v, "%s,%s,2019,NA,not yet\n", r[1], h[j])
		}
	}
	return v.String(), u.String()
}

func TestReadLongMatchesCOINrLayout(t *testing.T) {
	metaText := mustRead(t, asemInput+"iMeta.csv")
	meta := mustMeta(t, metaText)
	want, err := indexfile.ReadData("iData.csv", strings.NewReader(mustRead(t, asemInput+"iData.csv")), meta)
	if err != nil {
		t.Fatal(err)
	}
	values, unitsText := asemLong(t)
	units, err := indexfile.ReadUnits("units.csv", strings.NewReader(unitsText))
	if err != nil {
		t.Fatal(err)
	}
	for _, year := range []int{0, 2018} {
		t.Run(fmt.Sprint("year ", year), func(t *testing.T) {
			got, err := indexfile.ReadLong("values.csv", strings.NewReader(values), meta, units, year)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("long layout differs from iData (-iData +long):\n%s", diff)
			}
		})
	}
	t.Run("year 2017", func(t *testing.T) {
		got, err := indexfile.ReadLong("values.csv", strings.NewReader(values), meta, units, 2017)
		if err != nil {
			t.Fatal(err)
		}
		for c, col := range want.Columns {
			for i, v := range col {
				g := got.Columns[c][i]
				if engine.IsNA(v) != engine.IsNA(g) || (!engine.IsNA(v) && g != 10*v) {
					t.Fatalf("%s/%s: 2017 value %v, 2018 value %v", want.Units[i], c, g, v)
				}
			}
		}
	})
}

const smallMeta = `Level,iCode,iName,Direction,Weight,Denominator,Parent,Type
1,a,A,1,1,Pop,Index,Indicator
1,b,B,-1,1,NA,Index,Indicator
2,Index,Index,NA,1,NA,NA,Aggregate
NA,Pop,Population,NA,NA,NA,NA,Denominator
`

func TestReadLong(t *testing.T) {
	meta := mustMeta(t, smallMeta)
	na := engine.NA
	tests := []struct {
		name   string
		values string
		units  string
		year   int
		want   *engine.Data
	}{
		{"latest year with a value, per unit and indicator",
			"unit,indicator,year,value\nY,a,2020,1\nX,a,2020,2\nX,a,2022,3\nX,b,2022,NA\nX,b,2021,4\nY,Pop,2019,10\n", "", 0,
			&engine.Data{Units: []string{"X", "Y"}, Groups: map[string][]string{},
				Columns: map[string][]float64{"a": {3, 1}, "b": {4, na}, "Pop": {na, 10}}}},
		{"one year",
			"unit,indicator,year,value\nX,a,2020,2\nX,a,2022,3\nX,b,2022,NA\nX,b,2021,4\n", "", 2022,
			&engine.Data{Units: []string{"X"}, Groups: map[string][]string{},
				Columns: map[string][]float64{"a": {3}, "b": {na}, "Pop": {na}}}},
		{"no year column, headers in any case, extra columns ignored",
			"Value,Unit,Indicator,Source\n5,X,b,census\n", "", 0,
			&engine.Data{Units: []string{"X"}, Groups: map[string][]string{},
				Columns: map[string][]float64{"a": {na}, "b": {5}, "Pop": {na}}}},
		{"units file: names, groups, a unit without values",
			"unit,indicator,year,value\nB1,a,2020,1\n", "uCode,uName,region\nZ9,Zed,North\nB1,Bee,NA\n", 0,
			&engine.Data{Units: []string{"B1", "Z9"}, Names: []string{"Bee", "Zed"}, Groups: map[string][]string{"region": {"", "North"}},
				Columns: map[string][]float64{"a": {1, na}, "b": {na, na}, "Pop": {na, na}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var units *indexfile.Units
			if tt.units != "" {
				var err error
				if units, err = indexfile.ReadUnits("units.csv", strings.NewReader(tt.units)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := indexfile.ReadLong("values.csv", strings.NewReader(tt.values), meta, units, tt.year)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateNaNs(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadLongErrors(t *testing.T) {
	meta := mustMeta(t, smallMeta)
	groupMeta := mustMeta(t, smallMeta+"NA,region,Region,NA,NA,NA,NA,Group\n")
	tests := []struct {
		name   string
		values string
		units  string
		meta   *indexfile.Meta
		year   int
		want   string
	}{
		{"empty file", "", "", meta, 0, "values.csv: empty file"},
		{"header only", "unit,indicator,year,value\n", "", meta, 0, "values.csv: no values"},
		{"missing column", "unit,indicator,year\nX,a,2020\n", "", meta, 0, `values.csv: column "value" is missing`},
		{"duplicate", "unit,indicator,year,value\nX,a,2020,1\nX,b,2020,1\nX,a,2020,2\n", "", meta, 0,
			`values.csv: line 4: unit "X", indicator "a", year 2020 appears twice (first on line 2)`},
		{"duplicate without year", "unit,indicator,value\nX,a,1\nX,a,1\n", "", meta, 0,
			`values.csv: line 3: unit "X", indicator "a" appears twice (first on line 2)`},
		{"non-numeric value", "unit,indicator,year,value\nX,a,2020,1\nX,b,2020,12%\n", "", meta, 0,
			`values.csv: line 3, column "value": "12%" is not a number`},
		{"infinite value", "unit,indicator,year,value\nX,a,2020,Inf\n", "", meta, 0,
			`values.csv: line 2, column "value": "Inf" is not a finite number`},
		{"unknown indicator", "unit,indicator,year,value\nX,a,2020,1\nX,c,2020,1\n", "", meta, 0,
			`values.csv: line 3, column "indicator": "c" is not an indicator or denominator of the framework`},
		{"aggregate as data", "unit,indicator,year,value\nX,Index,2020,1\n", "", meta, 0,
			`values.csv: line 2, column "indicator": "Index" is an aggregate`},
		{"bad year", "unit,indicator,year,value\nX,a,20x0,1\n", "", meta, 0,
			`values.csv: line 2, column "year": "20x0" is not a year`},
		{"empty unit", "unit,indicator,year,value\n,a,2020,1\n", "", meta, 0,
			`values.csv: line 2, column "unit": the unit code is empty`},
		{"unit not in the units file", "unit,indicator,year,value\nX,a,2020,1\nY,a,2020,1\n", "uCode\nX\n", meta, 0,
			`values.csv: line 3, column "unit": unit "Y" is not in the units file`},
		{"unit twice in the units file", "unit,indicator,year,value\nX,a,2020,1\n", "uCode\nX\nX\n", meta, 0,
			`units.csv: line 3, column "uCode": unit code "X" appears twice (first on line 2)`},
		{"declared group missing from units", "unit,indicator,year,value\nX,a,2020,1\n", "uCode,income\nX,high\n", groupMeta, 0,
			`values.csv: the metadata declares group "region" but the units file has no such column`},
		{"declared group without units file", "unit,indicator,year,value\nX,a,2020,1\n", "", groupMeta, 0,
			`values.csv: the metadata declares group "region": give a units file`},
		{"year asked, no year column", "unit,indicator,value\nX,a,1\n", "", meta, 2020,
			"values.csv: year 2020 is asked for but the file has no year column"},
		{"no values for the year", "unit,indicator,year,value\nX,a,2020,1\n", "", meta, 2021,
			"values.csv: no values for year 2021"},
		{"malformed CSV", "unit,indicator,year,value\nX,\"a,2020,1\n", "", meta, 0,
			"values.csv: line 2, column 13: extraneous or missing \" in quoted-field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var units *indexfile.Units
			var err error
			if tt.units != "" {
				units, err = indexfile.ReadUnits("units.csv", strings.NewReader(tt.units))
			}
			if err == nil {
				_, err = indexfile.ReadLong("values.csv", strings.NewReader(tt.values), tt.meta, units, tt.year)
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if citylens.ErrorCode(err) != citylens.EINVALID {
				t.Errorf("code %q, want %q", citylens.ErrorCode(err), citylens.EINVALID)
			}
			if msg := citylens.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
		})
	}
}
