package web

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// metrics counts requests and their latency by route and status, written
// in Prometheus' text exposition format (no client library needed).
type metrics struct {
	start   time.Time
	byRoute sync.Map // routeStatus → *histogram; requests record without a shared lock
	gaugeMu sync.Mutex
	gauges  []gauge // areas' gauges (Server.Gauge)
}

type gauge struct {
	name, help string
	value      func() float64
}

func (m *metrics) addGauge(name, help string, value func() float64) {
	m.gaugeMu.Lock()
	defer m.gaugeMu.Unlock()
	m.gauges = append(m.gauges, gauge{name, help, value})
}

type routeStatus struct {
	route  string
	status int
}

var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts []atomic.Uint64 // per bucket, cumulative at write time
	sum    atomic.Uint64   // float64 bits
	n      atomic.Uint64
}

func newMetrics() *metrics {
	return &metrics{start: time.Now()}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument records each request of route.
func (m *metrics) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			m.observe(route, status, time.Since(start).Seconds())
		}()
		h.ServeHTTP(rec, r)
	})
}

func (m *metrics) observe(route string, status int, seconds float64) {
	k := routeStatus{route, status}
	v, ok := m.byRoute.Load(k)
	if !ok {
		v, _ = m.byRoute.LoadOrStore(k, &histogram{counts: make([]atomic.Uint64, len(latencyBuckets))})
	}
	hg := v.(*histogram)
	for i, b := range latencyBuckets {
		if seconds <= b {
			hg.counts[i].Add(1)
		}
	}
	for {
		old := hg.sum.Load()
		if hg.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+seconds)) {
			break
		}
	}
	hg.n.Add(1)
}

// write prints the metrics; jobCounts are the job queue's counts by state.
func (m *metrics) write(w io.Writer, jobCounts map[string]int) {
	var keys []routeStatus
	hists := map[routeStatus]*histogram{}
	m.byRoute.Range(func(k, v any) bool {
		keys = append(keys, k.(routeStatus))
		hists[k.(routeStatus)] = v.(*histogram)
		return true
	})
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].status < keys[j].status
	})
	fmt.Fprintln(w, "# HELP citylens_http_requests_total HTTP requests by route and status.")
	fmt.Fprintln(w, "# TYPE citylens_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "citylens_http_requests_total{route=%q,status=\"%d\"} %d\n", k.route, k.status, hists[k].n.Load())
	}
	fmt.Fprintln(w, "# HELP citylens_http_request_duration_seconds HTTP request latency by route and status.")
	fmt.Fprintln(w, "# TYPE citylens_http_request_duration_seconds histogram")
	for _, k := range keys {
		hg := hists[k]
		for i, b := range latencyBuckets {
			fmt.Fprintf(w, "citylens_http_request_duration_seconds_bucket{route=%q,status=\"%d\",le=\"%s\"} %d\n",
				k.route, k.status, strconv.FormatFloat(b, 'g', -1, 64), hg.counts[i].Load())
		}
		fmt.Fprintf(w, "citylens_http_request_duration_seconds_bucket{route=%q,status=\"%d\",le=\"+Inf\"} %d\n", k.route, k.status, hg.n.Load())
		fmt.Fprintf(w, "citylens_http_request_duration_seconds_sum{route=%q,status=\"%d\"} %g\n", k.route, k.status, math.Float64frombits(hg.sum.Load()))
		fmt.Fprintf(w, "citylens_http_request_duration_seconds_count{route=%q,status=\"%d\"} %d\n", k.route, k.status, hg.n.Load())
	}

	states := make([]string, 0, len(jobCounts))
	for s := range jobCounts {
		states = append(states, s)
	}
	sort.Strings(states)
	fmt.Fprintln(w, "# HELP citylens_jobs Jobs in the queue by state.")
	fmt.Fprintln(w, "# TYPE citylens_jobs gauge")
	for _, s := range states {
		fmt.Fprintf(w, "citylens_jobs{state=%q} %d\n", s, jobCounts[s])
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.gaugeMu.Lock()
	gauges := append([]gauge(nil), m.gauges...)
	m.gaugeMu.Unlock()
	for _, g := range gauges {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", g.name, g.help, g.name, g.name, strconv.FormatFloat(g.value(), 'g', -1, 64))
	}

	fmt.Fprintln(w, "# HELP go_goroutines Number of goroutines.")
	fmt.Fprintln(w, "# TYPE go_goroutines gauge")
	fmt.Fprintf(w, "go_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintln(w, "# HELP go_memstats_heap_alloc_bytes Heap bytes allocated and in use.")
	fmt.Fprintln(w, "# TYPE go_memstats_heap_alloc_bytes gauge")
	fmt.Fprintf(w, "go_memstats_heap_alloc_bytes %d\n", ms.HeapAlloc)
	fmt.Fprintln(w, "# HELP go_memstats_sys_bytes Bytes obtained from the system.")
	fmt.Fprintln(w, "# TYPE go_memstats_sys_bytes gauge")
	fmt.Fprintf(w, "go_memstats_sys_bytes %d\n", ms.Sys)
	fmt.Fprintln(w, "# HELP go_gc_cycles_total Completed GC cycles.")
	fmt.Fprintln(w, "# TYPE go_gc_cycles_total counter")
	fmt.Fprintf(w, "go_gc_cycles_total %d\n", ms.NumGC)
	fmt.Fprintln(w, "# HELP process_start_time_seconds Start time of the process since the Unix epoch.")
	fmt.Fprintln(w, "# TYPE process_start_time_seconds gauge")
	fmt.Fprintf(w, "process_start_time_seconds %d\n", m.start.Unix())
}
