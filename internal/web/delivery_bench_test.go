package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/siteexport"
)

// BenchmarkExportSite1000x300 exports a synthetic release of 1,000 cities
// and 300 indicators as a static site (both languages, its "latest" URLs
// too, the rankings' variants, files and API answers). Run once:
//
//	go test ./internal/web -run '^$' -bench ExportSite -benchtime 1x
func BenchmarkExportSite1000x300(b *testing.B) {
	// As `citylens export site` runs it: page caches that keep nothing
	// (each page is asked for once).
	_, h, _ := benchServer(b, 1000, 300)
	for b.Loop() {
		out := b.TempDir()
		cpu0 := cpuTime()
		start := time.Now()
		res, err := siteexport.Export(context.Background(), siteexport.Options{Handler: h, Release: "latest", Out: out, LiveURL: "https://citylens.example.org"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Files), "files")
		b.ReportMetric(float64(res.Bytes)/1e6, "MB")
		b.ReportMetric(time.Since(start).Seconds(), "s/export")
		// CPU time of the whole process (the handler renders in it): what
		// the export costs whatever else the machine runs.
		b.ReportMetric((cpuTime() - cpu0).Seconds(), "cpu-s/export")
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLiveServerConditional drives a real server (TCP on loopback)
// with a 1,000-city release at a fixed rate of 2,000 requests a second for
// 10 seconds, half of them conditional (If-None-Match with the ETag of an
// earlier answer, answered 304), over the pages and API answers of the
// release, and reports the latency percentiles. The load generator runs
// on the same machine's cores. Run once:
//
//	go test ./internal/web -run '^$' -bench LiveServerConditional -benchtime 1x
func BenchmarkLiveServerConditional(b *testing.B) {
	h, _, cities := benchServer(b, 1000, 300)
	srv := httptest.NewServer(h)
	defer srv.Close()
	var paths []string
	for i, c := range cities[:200] {
		switch i % 4 {
		case 0:
			paths = append(paths, "/cities/"+c.Code)
		case 1:
			paths = append(paths, "/api/v1/releases/latest/cities/"+c.Code)
		case 2:
			paths = append(paths, fmt.Sprintf("/rankings?page=%d", 1+i%20))
		case 3:
			paths = append(paths, "/api/v1/releases/latest/rankings?limit=50&region=EU")
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: false}}
	get := func(path, etag string) (string, int, time.Duration, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip, br")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return "", 0, 0, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.Header.Get("ETag"), res.StatusCode, time.Since(start), nil
	}
	// Warm: every path once (renders and caches), keeping its ETag.
	etags := map[string]string{}
	for _, p := range paths {
		et, st, _, err := get(p, "")
		if err != nil || st != 200 {
			b.Fatalf("GET %s: %d %v", p, st, err)
		}
		etags[p] = et
	}
	const rate, seconds = 2000, 10
	for b.Loop() {
		var mu sync.Mutex
		var lat []time.Duration
		notModified, errors := 0, 0
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / rate)
		deadline := time.Now().Add(seconds * time.Second)
		for n := 0; time.Now().Before(deadline); n++ {
			<-tick.C
			p := paths[n%len(paths)]
			etag := ""
			if n%2 == 1 {
				etag = etags[p]
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, st, d, err := get(p, etag)
				mu.Lock()
				defer mu.Unlock()
				if err != nil || (st != 200 && st != 304) {
					errors++
					return
				}
				if st == 304 {
					notModified++
				}
				lat = append(lat, d)
			}()
		}
		tick.Stop()
		wg.Wait()
		slices.Sort(lat)
		pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(float64(len(lat))/seconds, "req/s")
		b.ReportMetric(pct(0.5), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(float64(notModified)/float64(len(lat))*100, "%304")
		b.ReportMetric(float64(errors), "errors")
	}
}
