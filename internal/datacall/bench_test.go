package datacall

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens/internal/catalogue"
)

// bulkCall makes an edition of nInd indicators and a filled-in workbook of
// nCities cities, as the secretariat would upload for a whole network.
func bulkCall(tb testing.TB, nCities, nInd int) (*Rules, []byte) {
	tb.Helper()
	var inds []catalogue.Indicator
	e := &catalogue.Edition{
		Code: "2026", Name: "Bulk", ReferenceYear: 2025, Status: catalogue.StatusOpen, JumpThreshold: 0.5,
		Opens: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Closes: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Method:    catalogue.DefaultMethod(),
		Framework: []catalogue.Node{{Code: "INDEX", Kind: catalogue.KindAggregate, Weight: 1}},
	}
	for i := range nInd {
		code := fmt.Sprintf("IND-%03d", i+1)
		inds = append(inds, catalogue.Indicator{Code: code, Name: "Indicator " + code, Unit: "%", Direction: 1, Min: fp(0), Max: fp(100),
			Guidance: "Use the city's official statistics.", Xwalk: catalogue.Crosswalk{Pillar: "E"}})
		e.Framework = append(e.Framework, catalogue.Node{Code: code, Parent: "INDEX", Kind: catalogue.KindIndicator, Weight: 1})
	}
	cat := catalogue.Index(inds)
	if err := e.Validate(cat); err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	r := &Rules{Edition: e, Catalogue: cat, Cities: map[string]bool{}, Last: map[Key]float64{}}
	in := TemplateInput{Edition: e, Catalogue: cat, Last: r.Last, Current: map[Key]Value{}}
	for c := range nCities {
		code := fmt.Sprintf("C%04d", c+1)
		r.Cities[code] = true
		in.Cities = append(in.Cities, TemplateCity{Code: code, Name: "City " + code})
		for _, ind := range inds {
			k := Key{code, ind.Code}
			v := float64(int(rng.Float64()*9000+500)) / 100
			r.Last[k] = v
			in.Current[k] = Value{Value: min(100, v*(0.9+0.2*rng.Float64())), Provenance: Provenance{Source: "National statistics office", DataYear: 2024}}
		}
	}
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, in); err != nil {
		tb.Fatal(err)
	}
	return r, buf.Bytes()
}

// BenchmarkParseValidateXLSX measures the upload of 1,000 cities × 300
// indicators (300,000 values): parse the workbook and check every value.
func BenchmarkParseValidateXLSX(b *testing.B) {
	r, data := bulkCall(b, 1000, 300)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		p, err := ParseUpload(context.Background(), "bulk.xlsx", data, DefaultMaxUploadBytes)
		if err != nil {
			b.Fatal(err)
		}
		changes, _, err := Plan(p.Entries, r, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(changes) != 300000 {
			b.Fatalf("%d changes", len(changes))
		}
	}
}

func TestBulkWorkbook(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk workbook: skipped in -short mode")
	}
	// Large enough for rows to cross the reader's buffer many times.
	r, data := bulkCall(t, 150, 120)
	p, err := ParseUpload(context.Background(), "bulk.xlsx", data, DefaultMaxUploadBytes)
	if err != nil {
		t.Fatal(err)
	}
	// The same sheet read by excelize, an independent reader: the rows
	// cross the streaming reader's buffer many times.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(SheetData)
	if err != nil {
		t.Fatal(err)
	}
	var cols columnMap
	var want []Entry
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		if cols == nil {
			if cols, err = mapHeader(cells); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if e, ok := cols.entry(n, cells); ok {
			want = append(want, e)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, p.Entries); diff != "" {
		t.Fatalf("entries (-excelize +ours):\n%s", diff)
	}
	if len(p.Entries) != 150*120 {
		t.Fatalf("%d entries, want %d", len(p.Entries), 150*120)
	}
	if diff := cmp.Diff(want, p.Entries); diff != "" {
		t.Fatalf("read in parts (-one part +parts):\n%s", diff)
	}
	changes, _, err := Plan(p.Entries, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := changes[len(changes)-1].New
	if len(changes) != 150*120 || last.City != "C0150" || last.Indicator != "IND-120" || last.Source != "National statistics office" {
		t.Fatalf("%d changes, last %+v", len(changes), last)
	}
}
