package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/exchange"
)

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExchangeSearch measures the practice library's search (English
// and Korean queries, with and without a facet filter, as a visitor) over
// CITYLENS_BENCH_EXCHANGE_CASES cases (100,000 unless set) on each
// database, and reports the mean and 99th percentile of a search's wall
// time (mean-ms, p99-ms) and this process's CPU time a search (cpu-ms/op).
// Run it with -benchtime 300x or more: fewer give no real percentile.
func BenchmarkExchangeSearch(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("CITYLENS_BENCH_EXCHANGE_CASES")); err == nil && v > 0 {
		n = v
	}
	words := []string{"mobility", "traffic", "sensor", "water", "flood", "energy", "solar", "housing", "health", "care",
		"school", "waste", "recycling", "port", "logistics", "bus", "bike", "data", "platform", "citizen"}
	korean := []string{"교통혼잡", "공유자전거", "스마트항만", "돌봄", "재활용", "태양광", "홍수", "주거", "데이터", "시민참여"}
	themes := []string{"mobility", "environment", "health", "governance", "economy", "safety"}
	for _, o := range Openers {
		b.Run(o.Name, func(b *testing.B) {
			s, ok := o.Open(b).(ExchangeStore)
			if !ok {
				b.Fatal("the store lacks the practice library's records")
			}
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(1, 2))
			t0 := time.Now()
			err := s.InTx(ctx, func(ctx context.Context) error {
				for i := range n {
					pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
					vis := exchange.Public
					if i%5 == 0 {
						vis = exchange.Members
					}
					c := &exchange.Case{Source: "direct", Title: fmt.Sprintf("%s %s %d", pick(words), pick(words), i),
						TitleKO: pick(korean) + "을 위한 " + pick(korean), Summary: pick(words) + " " + pick(words) + " " + pick(words),
						SummaryKO: pick(korean) + "와 " + pick(korean), CityName: fmt.Sprintf("City %d", i%1000), Country: "KOR",
						Region: pick([]string{"asia", "europe", "africa", "americas"}), Visibility: vis, Stage: pick(exchange.Stages),
						Tags: map[string][]string{exchange.FieldThemes: {pick(themes), pick(themes)}}, CreatedAt: t0, UpdatedAt: t0}
					if err := c.Validate(); err != nil {
						return err
					}
					if err := s.CreateExchangeCase(ctx, c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%d cases stored in %v", n, time.Since(t0).Round(time.Millisecond))
			queries := []exchange.Query{
				{Text: "traffic sensor"}, {Text: "교통혼잡"}, {Text: "홍수 데이터"}, {Text: "bike", Filters: map[string][]string{"region": {"europe"}}},
				{Text: "", Filters: map[string][]string{exchange.FieldThemes: {"health"}}}, {Text: "platform citizen"},
			}
			// The first search reads every case's terms and facets into
			// the store's index (once per process); the figures are of
			// the searches after it, and the load (time, heap) is logged.
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			t1 := time.Now()
			if _, err := s.SearchExchangeCases(ctx, nil, exchange.Query{Limit: exchange.DefaultLimit}); err != nil {
				b.Fatal(err)
			}
			loaded := time.Since(t1)
			runtime.GC()
			runtime.ReadMemStats(&m1)
			b.Logf("search index loaded in %v; heap %+.1f MB", loaded.Round(time.Millisecond), (float64(m1.HeapAlloc)-float64(m0.HeapAlloc))/1e6)
			var times []time.Duration
			cpu0 := processCPU()
			// b.Loop: the 100,000 cases are stored once, not once more
			// for a first run of one search.
			for b.Loop() {
				q := queries[len(times)%len(queries)]
				q.Limit = exchange.DefaultLimit
				start := time.Now()
				if _, err := s.SearchExchangeCases(ctx, exchange.Terms(q.Text, true), q); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			b.StopTimer()
			var sum time.Duration
			for _, d := range times {
				sum += d
			}
			b.ReportMetric(float64(sum.Microseconds())/1000/float64(len(times)), "mean-ms")
			// This process's CPU time (the Go side and SQLite; not the
			// PostgreSQL server's) per search, next to the wall times
			// that a loaded machine stretches.
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(times)), "cpu-ms/op")
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
