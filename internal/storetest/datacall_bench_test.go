package storetest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/members"
)

// bulkNetwork stores nCities cities, a catalogue of nInd indicators and an
// open edition of them, and returns a filled-in workbook of every city's
// values as the secretariat would upload it.
func bulkNetwork(b *testing.B, s FeatureStore, nCities, nInd int) ([]datacall.CityRef, []byte) {
	b.Helper()
	ctx := context.Background()
	lo, hi := 0.0, 100.0
	var inds []catalogue.Indicator
	e := &catalogue.Edition{Code: "2026", Name: "Bulk", ReferenceYear: 2025, Status: catalogue.StatusOpen, JumpThreshold: 0.5,
		Opens: time.Now().AddDate(0, -1, 0), Closes: time.Now().AddDate(0, 1, 0), Method: catalogue.DefaultMethod(),
		Framework: []catalogue.Node{{Code: "INDEX", Kind: catalogue.KindAggregate, Weight: 1}}}
	for i := range nInd {
		code := fmt.Sprintf("IND-%03d", i+1)
		inds = append(inds, catalogue.Indicator{Code: code, Name: "Indicator " + code, Unit: "%", Direction: 1, Min: &lo, Max: &hi,
			Guidance: "Use the city's official statistics.", Xwalk: catalogue.Crosswalk{Pillar: "E"}})
		e.Framework = append(e.Framework, catalogue.Node{Code: code, Parent: "INDEX", Kind: catalogue.KindIndicator, Weight: 1})
	}
	if err := s.PutIndicators(ctx, inds); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateEdition(ctx, e); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	in := datacall.TemplateInput{Edition: e, Catalogue: catalogue.Index(inds), Current: map[datacall.Key]datacall.Value{}}
	var refs []datacall.CityRef
	err := s.InTx(ctx, func(ctx context.Context) error {
		for c := range nCities {
			code := fmt.Sprintf("c-%04d", c+1)
			if err := s.PutCity(ctx, members.City{Code: code, Name: "City " + code, Country: "KR", RegionCode: "AS", Status: members.StatusMember}); err != nil {
				return err
			}
			refs = append(refs, datacall.CityRef{Code: code, Region: "AS"})
			in.Cities = append(in.Cities, datacall.TemplateCity{Code: code, Name: "City " + code})
			for _, ind := range inds {
				in.Current[datacall.Key{City: code, Indicator: ind.Code}] = datacall.Value{Value: float64(int(rng.Float64()*10000)) / 100,
					Provenance: datacall.Provenance{Source: "National statistics office", DataYear: 2024}}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := datacall.WriteTemplate(&buf, in); err != nil {
		b.Fatal(err)
	}
	return refs, buf.Bytes()
}

// BenchmarkDataCallImport measures the secretariat's upload of 1,000 cities ×
// 300 indicators (300,000 values): parse, check every value, write every
// value and its audit entry in one transaction, on each database.
func BenchmarkDataCallImport(b *testing.B) {
	for _, o := range Openers {
		b.Run(o.Name, func(b *testing.B) {
			s := Feature(b, o.Open(b))
			refs, data := bulkNetwork(b, s, benchCities, 300)
			svc := &datacall.Service{Store: s, Catalogue: s, Audit: s}
			admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "bench@x"}
			b.SetBytes(int64(len(data)))
			for i := 0; b.Loop(); i++ {
				if i > 0 {
					// Every round imports for real: shift the stored values so the file changes them all again.
					b.StopTimer()
					err := s.InTx(context.Background(), func(ctx context.Context) error {
						return s.(interface {
							ExecRaw(context.Context, string) error
						}).ExecRaw(ctx, `UPDATE datacall_values SET value = value + 1000`)
					})
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				res, err := svc.Upload(context.Background(), admin, "2026", refs, "network.xlsx", data)
				if err != nil {
					b.Fatal(err)
				}
				if res.Changed != benchCities*300 {
					b.Fatalf("%d values changed", res.Changed)
				}
			}
			b.ReportMetric(float64(benchCities*300), "values/op")
		})
	}
}

// benchCities is the network size of BenchmarkDataCallImport.
var benchCities = 1000
