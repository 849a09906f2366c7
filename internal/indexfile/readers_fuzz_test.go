package indexfile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
)

// The readers take files from users: whatever the bytes, they return data or
// an error, never panic. What they accept must also survive a build.

func FuzzReadMeta(f *testing.F) {
	f.Add([]byte(mustRead(f, asemInput+"iMeta.csv")))
	f.Add([]byte(smallMeta))
	f.Add([]byte("iCode,Type,Parent,Level\na,Indicator,b,1\nb,Aggregate,a,2\n"))
	f.Add([]byte("iCode,Type,Weight,Direction\na,Indicator,NaN,2\n"))
	f.Add([]byte("\ufeffiCode,Type,Goalpost_low\na,Indicator,1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := indexfile.ReadMeta("iMeta.csv", strings.NewReader(string(b)))
		if err == nil && (m.Framework == nil || len(m.Framework.Indicators()) == 0) {
			t.Fatal("a framework read without error has no indicators")
		}
	})
}

func FuzzReadData(f *testing.F) {
	f.Add([]byte(mustRead(f, asemInput+"iMeta.csv")), []byte(mustRead(f, asemInput+"iData.csv")))
	f.Add([]byte(smallMeta), []byte("uCode,uName,Pop,a,b\nX,Ex,10,1,2\nY,Why,0,NA,3\nZ,Zed,5,2,2\n"))
	f.Add([]byte(smallMeta), []byte("uCode,Pop,a,b\nX,1,1e308,-1e308\nY,1,1,1\n"))
	f.Fuzz(func(t *testing.T, metaText, dataText []byte) {
		m, err := indexfile.ReadMeta("iMeta.csv", strings.NewReader(string(metaText)))
		if err != nil {
			return
		}
		d, err := indexfile.ReadData("iData.csv", strings.NewReader(string(dataText)), m)
		if err != nil {
			return
		}
		method := engine.DefaultMethod()
		method.Denominate = true
		method.Treat = engine.Treatment{Method: engine.TreatWinsorise, Winmax: 5}
		r, err := engine.Build(context.Background(), m.Framework, d, method)
		if err == nil && r.Aggregated == nil {
			t.Fatal("a build without error has no results")
		}
	})
}

func FuzzReadWide(f *testing.F) {
	for _, p := range []string{"Aggregated.csv", "Ranks.csv", "Treat_details.csv", "Screen_summary.csv"} {
		f.Add([]byte(mustRead(f, "../../testdata/asem/results/default/"+p)))
	}
	f.Add([]byte("uCode,a\nX,1\nX,2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := indexfile.ReadWide("wide.csv", strings.NewReader(string(b)))
		if err != nil {
			return
		}
		for _, c := range m.Cols {
			if len(c) != len(m.Units) {
				t.Fatalf("column of %d values for %d units", len(c), len(m.Units))
			}
		}
	})
}

func FuzzReadLong(f *testing.F) {
	f.Add([]byte("unit,indicator,year,value\nX,a,2020,1\nX,a,2021,2\nY,b,2020,NA\nY,Pop,2020,3\n"), []byte(""), 0)
	f.Add([]byte("unit,indicator,year,value\nX,a,2020,1\nX,a,2021,2\nY,b,2020,NA\n"), []byte("uCode,uName,region\nX,Ex,N\nY,Why,S\n"), 2020)
	f.Add([]byte("Value,Unit,Indicator\n1,X,a\n"), []byte("uCode\nX\nX\n"), -3)
	f.Add([]byte("unit,indicator,year,value\nX,a,99999999999999999999,1\n"), []byte(""), 1<<40)
	meta := mustMeta(f, smallMeta)
	f.Fuzz(func(t *testing.T, values, unitsText []byte, year int) {
		var units *indexfile.Units
		if len(unitsText) > 0 {
			var err error
			if units, err = indexfile.ReadUnits("units.csv", strings.NewReader(string(unitsText))); err != nil {
				return
			}
		}
		d, err := indexfile.ReadLong("values.csv", strings.NewReader(string(values)), meta, units, year)
		if err != nil {
			return
		}
		if err := d.Validate(); err != nil && len(d.Units) > 0 {
			t.Fatalf("data read without error does not validate: %v", err)
		}
	})
}
