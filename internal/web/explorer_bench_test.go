package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/synthetic"
	"github.com/citylens/citylens/internal/web"
)

// benchServer serves a synthetic release of units × inds on SQLite: one
// handler with the explorer's caches as configured by default, one whose
// caches keep nothing, so every page is rendered (a cold page).
func benchServer(b *testing.B, units, inds int) (cached, cold http.Handler, cities []release.City) {
	b.Helper()
	f, d, err := synthetic.Index(units, inds, 3, 42)
	if err != nil {
		b.Fatal(err)
	}
	dr := release.Draft{Edition: "bench", Framework: f.Nodes(), Method: engine.DefaultMethod(), Licence: release.Licence{Name: "CC0-1.0"}}
	for i, u := range d.Units {
		dr.Cities = append(dr.Cities, release.City{Code: u, Name: "City " + strconv.Itoa(i+1), Region: d.Groups["region"][i],
			Population: int64(100_000 * (1 + i%50)), PeerGroup: fmt.Sprint(i % 4)})
	}
	for _, code := range f.Indicators() {
		for i, v := range d.Columns[code] {
			if !engine.IsNA(v) {
				dr.Data = append(dr.Data, release.DataPoint{City: d.Units[i], Indicator: code, Value: v, Source: "synthetic", DataYear: 2025})
			}
		}
	}
	rel, err := release.Publish(context.Background(), release.PublishInput{Draft: dr, PublishedAt: time.Now().UTC(),
		Config: release.Config{Uncertainty: release.Uncertainty{N: 50, Seed: 1, SkipSA: true}}})
	if err != nil {
		b.Fatal(err)
	}
	db := storetest.OpenSQLite(b)
	if _, err := (&release.Workflow{Store: db, Audit: db}).Save(context.Background(), auditlog.System("bench"), release.PublishRequest{Release: rel}); err != nil {
		b.Fatal(err)
	}
	for _, h := range []struct {
		h     *http.Handler
		bytes int64
	}{{&cached, 0}, {&cold, 1}} {
		// Many readers in one process: fair use (per address) out of the way.
		srv, err := app.NewServer(web.Config{Store: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ExplorerCacheBytes: h.bytes,
			FairUse: web.FairUse{Anonymous: 1 << 30, Token: 1 << 30}})
		if err != nil {
			b.Fatal(err)
		}
		*h.h = srv.Handler()
	}
	return cached, cold, rel.Cities()
}

func benchGet(b *testing.B, h http.Handler, path string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != 200 {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
}

// BenchmarkExplorerPages1000x300 measures a page's first render (cold:
// rendered, gzipped and stored, as on a cache miss) and a cached one.
func BenchmarkExplorerPages1000x300(b *testing.B) {
	h, cold, cities := benchServer(b, 1000, 300)
	benchGet(b, h, "/rankings") // loads the release
	benchGet(b, cold, "/rankings")
	b.Run("city-cold", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			benchGet(b, cold, "/cities/"+cities[i%len(cities)].Code+"?lang=en")
		}
	})
	b.Run("city-cached", func(b *testing.B) {
		for b.Loop() {
			benchGet(b, h, "/cities/"+cities[0].Code)
		}
	})
	b.Run("rankings-cold", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			benchGet(b, cold, "/rankings?page="+strconv.Itoa(1+i%20))
		}
	})
	b.Run("rankings-cached", func(b *testing.B) {
		for b.Loop() {
			benchGet(b, h, "/rankings")
		}
	})
}
