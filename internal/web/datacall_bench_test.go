package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// BenchmarkDataCallBoards measures the review queue and the coverage board
// of an edition with 1,000 cities × 300 indicators (300,000 values, a
// third of the cities submitted, a third accepted), rendered through HTTP
// for the secretariat, on each database.
func BenchmarkDataCallBoards(b *testing.B) {
	for _, o := range storetest.Openers {
		b.Run(o.Name, func(b *testing.B) {
			s := o.Open(b)
			env := webtest.New(b, s)
			ctx := context.Background()
			st := env.Store
			lo, hi := 0.0, 100.0
			e := &catalogue.Edition{Code: "2026", Name: "Bulk", ReferenceYear: 2025, Status: catalogue.StatusOpen, JumpThreshold: 0.5,
				Opens: time.Now().AddDate(0, -1, 0), Closes: time.Now().AddDate(0, 1, 0), Method: catalogue.DefaultMethod(),
				Framework: []catalogue.Node{{Code: "INDEX", Kind: catalogue.KindAggregate, Weight: 1}}}
			var inds []catalogue.Indicator
			for i := range 300 {
				code := fmt.Sprintf("IND-%03d", i+1)
				inds = append(inds, catalogue.Indicator{Code: code, Name: "Indicator " + code, Unit: "%", Direction: 1, Min: &lo, Max: &hi,
					Xwalk: catalogue.Crosswalk{Pillar: "E"}})
				e.Framework = append(e.Framework, catalogue.Node{Code: code, Parent: "INDEX", Kind: catalogue.KindIndicator, Weight: 1})
			}
			err := st.InTx(ctx, func(ctx context.Context) error {
				if err := st.PutIndicators(ctx, inds); err != nil {
					return err
				}
				if err := st.CreateEdition(ctx, e); err != nil {
					return err
				}
				var vals []datacall.Value
				for c := range 1000 {
					code := fmt.Sprintf("c-%04d", c+1)
					if err := st.PutCity(ctx, members.City{Code: code, Name: "City " + code, Country: "KR", RegionCode: "AS", Status: members.StatusMember}); err != nil {
						return err
					}
					for _, ind := range inds[:300-c%10] {
						vals = append(vals, datacall.Value{Edition: "2026", City: code, Indicator: ind.Code, Value: float64(c % 100), Unit: "%",
							Provenance: datacall.Provenance{Source: "statistics", DataYear: 2025}})
					}
					if state := []string{"", datacall.StateSubmitted, datacall.StateAccepted}[c%3]; state != "" {
						if err := st.PutSubmission(ctx, datacall.Submission{Edition: "2026", City: code, State: state, UpdatedAt: time.Now()}); err != nil {
							return err
						}
					}
				}
				return st.PutValues(ctx, vals) // the database counts them
			})
			if err != nil {
				b.Fatal(err)
			}
			admin := env.ClientAs(webtest.Admin)
			for _, page := range []string{"review", "coverage"} {
				b.Run(page, func(b *testing.B) {
					for b.Loop() {
						res, body := admin.Get("/datacall/2026/" + page)
						if res.StatusCode != http.StatusOK || len(body) < 10000 {
							b.Fatalf("status %d, %d bytes", res.StatusCode, len(body))
						}
					}
				})
			}
		})
	}
}
