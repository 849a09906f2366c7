package web_test

import (
	"context"
	"io"
	"net/http"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// BenchmarkCityHome serves the focal point's home at a steady 200 requests
// a second (open loop: a request starts every 5 ms whether or not the last
// one ended) on the demo network with a closing data call and prize
// endorsements in the inbox. The target: p99 at most 30 ms.
// cpu-ms/req is the process's CPU time (server and client, user and
// system) per request.
func BenchmarkCityHome(b *testing.B) {
	for _, o := range storetest.Openers {
		b.Run(o.Name, func(b *testing.B) { benchHome(b, o.Open(b)) })
	}
}

func benchHome(b *testing.B, s storetest.Store) {
	env, clk := notifyEnv(b, s)
	ctx := context.Background()
	ed, err := env.Store.Edition(ctx, "2026")
	if err != nil {
		b.Fatal(err)
	}
	clk.Set(ed.Closes.Add(-6 * 24 * time.Hour))
	if _, err := env.Services.Notify.Remind(ctx, clk.Now()); err != nil {
		b.Fatal(err)
	}
	c := env.ClientAs(webtest.Focal)
	if res, _ := c.Get("/home"); res.StatusCode != http.StatusOK {
		b.Fatalf("/home: %d", res.StatusCode)
	}
	const every = 5 * time.Millisecond // 200 requests a second
	lat := make([]time.Duration, b.N)
	var failed sync.Once
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range b.N {
		time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			req, _ := http.NewRequest(http.MethodGet, env.URL("/home"), nil)
			res, err := c.HTTP.Do(req)
			if err != nil || res.StatusCode != http.StatusOK {
				failed.Do(func() { b.Errorf("/home: %v %v", err, res) })
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			lat[i] = time.Since(t0)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano()-ru0.Utime.Nano()) + time.Duration(ru1.Stime.Nano()-ru0.Stime.Nano())
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/req")
}
