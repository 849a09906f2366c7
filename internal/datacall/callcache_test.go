package datacall

import (
	"context"
	"testing"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
)

// countingCatalogue serves one edition and counts the loads of the
// catalogue; version, when set, makes it a CatalogueVersioner.
type countingCatalogue struct {
	catalogue.Store
	catalogue.EditionStore
	t       testing.TB
	loads   int
	unit    string // of SHARE, to see which load a call came from
	version *int64
}

func (c *countingCatalogue) Edition(ctx context.Context, code string) (*catalogue.Edition, error) {
	if code != "2026" {
		return nil, citylens.Errorf(citylens.ENOTFOUND, "edition %q not found", code)
	}
	return testEdition(c.t), nil
}

func (c *countingCatalogue) Indicators(ctx context.Context) ([]catalogue.Indicator, error) {
	c.loads++
	var out []catalogue.Indicator
	for _, ind := range testCatalogue() {
		if ind.Code == "SHARE" && c.unit != "" {
			ind.Unit = c.unit
		}
		out = append(out, ind)
	}
	return out, nil
}

type versionedCatalogue struct{ *countingCatalogue }

func (c versionedCatalogue) CatalogueVersion(ctx context.Context) (int64, error) {
	return *c.version, nil
}

func TestCallCache(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	unit := func(t *testing.T, svc *Service) string {
		t.Helper()
		call, err := svc.LoadCall(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		return call.Catalogue["SHARE"].Unit
	}

	t.Run("ttl and invalidate", func(t *testing.T) {
		cat := &countingCatalogue{t: t}
		cache := &CallCache{TTL: time.Second, Now: func() time.Time { return now }}
		svc := &Service{Catalogue: cat, Calls: cache}
		unit(t, svc)
		unit(t, svc)
		if cat.loads != 1 {
			t.Fatalf("%d loads of the catalogue, want 1 (the second from the cache)", cat.loads)
		}
		cat.unit = "edited"
		cache.Invalidate()
		if got := unit(t, svc); got != "edited" || cat.loads != 2 {
			t.Fatalf("after Invalidate: unit %q, %d loads; want the edit, 2 loads", got, cat.loads)
		}
		cat.unit = "edited elsewhere"
		cache.Now = func() time.Time { return now.Add(2 * time.Second) }
		if got := unit(t, svc); got != "edited elsewhere" {
			t.Fatalf("past the TTL: unit %q, want the edit", got)
		}
		if _, err := svc.LoadCall(ctx, "1999"); citylens.ErrorCode(err) != citylens.ENOTFOUND {
			t.Fatalf("unknown edition: %v, want ENOTFOUND", err)
		}
	})

	t.Run("version", func(t *testing.T) {
		v := int64(7)
		cat := &countingCatalogue{t: t, version: &v}
		// No TTL applies: the version decides.
		cache := &CallCache{TTL: time.Nanosecond, Now: func() time.Time { return now }}
		svc := &Service{Catalogue: versionedCatalogue{cat}, Calls: cache}
		unit(t, svc)
		cache.Now = func() time.Time { return now.Add(time.Hour) }
		unit(t, svc)
		if cat.loads != 1 {
			t.Fatalf("%d loads at an unchanged version, want 1", cat.loads)
		}
		cat.unit, v = "edited on another replica", 8
		if got := unit(t, svc); got != "edited on another replica" || cat.loads != 2 {
			t.Fatalf("after a new version: unit %q, %d loads; want the edit, 2 loads", got, cat.loads)
		}
	})
}
