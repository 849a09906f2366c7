// Command explorer measures the public explorer under load: it publishes a
// synthetic release of --cities × --indicators into a fresh SQLite
// database, starts the real `citylens serve` on it (loopback), and sends
// rankings and city-profile page requests at a fixed rate (open loop: a
// slow answer does not slow the sender) for a bounded time, then prints
// p50/p90/p99/max latency per page kind, the achieved rate and the errors.
//
//	go build -o /tmp/citylens ./cmd/citylens
//	go run ./bench/explorer --bin /tmp/citylens --rate 1000 --duration 20s
//
// To see where the server spends its time, build it with the benchprofile
// tag (net/http/pprof on a separate loopback listener, never in release
// builds) and name a file for the CPU profile of the measured run:
//
//	go build -tags benchprofile -o /tmp/citylens-prof ./cmd/citylens
//	go run ./bench/explorer --bin /tmp/citylens-prof --cpuprofile /tmp/serve.pprof
package main

import (
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/sqlite"
	"github.com/citylens/citylens/internal/synthetic"
)

func main() {
	bin := flag.String("bin", "", "the citylens binary to run (required)")
	cities := flag.Int("cities", 1000, "cities in the release")
	inds := flag.Int("indicators", 300, "indicators in the release")
	n := flag.Int("n", 100, "uncertainty replications when publishing (the pages' cost does not depend on it)")
	rate := flag.Int("rate", 1000, "requests per second (at most 5000)")
	duration := flag.Duration("duration", 20*time.Second, "how long to send (at most 2m)")
	warmup := flag.Duration("warmup", 3*time.Second, "unmeasured load first (fills the page cache)")
	profiles := flag.Int("profiles", 1000, "distinct city profiles requested")
	flag.BoolVar(&askGzip, "gzip", true, "ask for gzipped pages and unpack them, as a browser does (false: plain pages, as wrk or curl ask)")
	flag.Float64Var(&conditional, "conditional", 0, "share of requests sent with If-None-Match and the ETag of the page's earlier answer (answered 304), 0 to 1")
	cpuprofile := flag.String("cpuprofile", "", "write the server's CPU profile of the measured run here (needs a -tags benchprofile binary)")
	flag.Parse()
	if conditional < 0 || conditional > 1 {
		fmt.Fprintln(os.Stderr, "explorer: --conditional is a share from 0 to 1")
		os.Exit(2)
	}
	if *bin == "" || *rate <= 0 || *rate > 5000 || *duration <= 0 || *duration > 2*time.Minute || *cities < 10 || *inds < 3 {
		fmt.Fprintln(os.Stderr, "usage: explorer --bin PATH [--cities 1000] [--indicators 300] [--rate 1000 (≤5000)] [--duration 20s (≤2m)]")
		os.Exit(2)
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "citylens-bench-explorer-")
	check(err)
	defer os.RemoveAll(dir)

	start := time.Now()
	rel := publish(ctx, *cities, *inds, *n)
	fmt.Printf("published %d cities × %d indicators (N=%d) in %s; hash %s\n", *cities, *inds, *n, time.Since(start).Round(time.Millisecond), rel.Hash()[:12])
	db, err := sqlite.Open(ctx, filepath.Join(dir, "citylens.db"))
	check(err)
	_, err = db.Migrate(ctx)
	check(err)
	wf := &release.Workflow{Store: db, Audit: db}
	_, err = wf.Save(ctx, auditlog.System("bench"), release.PublishRequest{Release: rel, Title: "Synthetic benchmark release"})
	check(err)
	check(db.Close())

	addr := freeAddr()
	// The load comes from one address: fair use (per address) out of its way.
	cmd := exec.Command(*bin, "serve", "--addr", addr, "--data", dir, "--workers", "1", "--fair-use-anonymous", "100000000")
	pprofAddr := ""
	if *cpuprofile != "" {
		pprofAddr = freeAddr()
		cmd.Env = append(os.Environ(), "CITYLENS_PPROF_ADDR="+pprofAddr)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	check(cmd.Start())
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	server = cmd.Process
	base := "http://" + addr
	waitReady(base)

	var urls []target
	for _, q := range []string{"", "?page=2", "?page=3", "?sort=name", "?sort=score&reverse=1", "?region=Europe", "?region=Asia&page=2",
		"?population_class=1m-5m", "?sort=change", "?stage=Advanced"} {
		urls = append(urls, target{"rankings", base + "/rankings" + q})
	}
	codes := rel.Cities()
	for i := 0; i < *profiles && i < len(codes); i++ {
		urls = append(urls, target{"city", base + "/cities/" + codes[i].Code})
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 0, DisableCompression: true},
		Timeout: 10 * time.Second}
	// Published releases never change, so the server renders each page
	// once and serves it from memory; the first pass fills that cache and
	// is timed on its own (first renders), then a short unmeasured burst.
	t0 := time.Now()
	first := warm(client, urls)
	slices.Sort(first)
	fmt.Printf("first render of %d pages (2 at a time): %s total, p50 %s, p99 %s\n", len(urls), time.Since(t0).Round(time.Millisecond),
		fmtDur(first[len(first)/2]), fmtDur(first[len(first)*99/100]))
	fmt.Printf("mean page: rankings %d kB, city profile %d kB (unpacked); %d of %d answers gzipped\n",
		pageBytes["rankings"].Load()/10/1000, pageBytes["city"].Load()/int64(len(urls)-10)/1000, gzippedN.Load(), len(urls))
	fmt.Printf("warming up %s at %d req/s...\n", *warmup, *rate)
	run(client, urls, *rate, *warmup)
	fmt.Printf("measuring %s at %d req/s over %d URLs (%d profiles, half the requests rankings pages)\n", *duration, *rate, len(urls), len(urls)-10)
	var prof chan error
	if pprofAddr != "" {
		prof = make(chan error, 1)
		go func() { prof <- cpuProfile(pprofAddr, *duration, *cpuprofile) }()
	}
	before := serverBuckets(base)
	res := run(client, urls, *rate, *duration)
	report(res, *duration)
	reportServer(before, serverBuckets(base))
	if prof != nil {
		check(<-prof)
		fmt.Printf("server CPU profile: %s\n", *cpuprofile)
	}
}

// cpuProfile fetches the server's CPU profile over d into file.
func cpuProfile(addr string, d time.Duration, file string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		return fmt.Errorf("cpu profile (is the binary built with -tags benchprofile?): %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cpu profile: %s", resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type target struct{ kind, url string }

// askGzip makes the load ask for gzipped pages. The load unpacks them
// itself with pooled readers (as cheap as a load generator can be: it
// shares the cores with the server it measures).
var askGzip bool

// conditional is the share of requests sent with If-None-Match; etags
// holds each URL's ETag from the warm-up.
var (
	conditional float64
	etags       sync.Map // url → ETag
	notModified atomic.Int64
)

var gzipReaders sync.Pool

func get(client *http.Client, url string) (*http.Response, error) {
	return getIf(client, url, "")
}

func getIf(client *http.Client, url, etag string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if askGzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	return client.Do(req)
}

// readBody reads and closes a response's body, unpacking it when
// gzipped; it returns the unpacked size.
func readBody(resp *http.Response) (int64, error) {
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return io.Copy(io.Discard, resp.Body)
	}
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(resp.Body)
	} else {
		err = zr.Reset(resp.Body)
	}
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, zr)
	gzipReaders.Put(zr)
	return n, err
}

// Page sizes by kind and gzipped answers, counted while warming.
var (
	pageBytes = map[string]*atomic.Int64{"rankings": {}, "city": {}}
	gzippedN  atomic.Int64
)

// warm requests every URL once, two at a time, returning the latencies.
func warm(client *http.Client, urls []target) []time.Duration {
	out := make([]time.Duration, len(urls))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(urls) {
					return
				}
				s := time.Now()
				resp, err := get(client, urls[i].url)
				check(err)
				n, err := readBody(resp)
				check(err)
				pageBytes[urls[i].kind].Add(n)
				etags.Store(urls[i].url, resp.Header.Get("ETag"))
				if resp.Header.Get("Content-Encoding") == "gzip" {
					gzippedN.Add(1)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					check(fmt.Errorf("GET %s: %d", urls[i].url, resp.StatusCode))
				}
				out[i] = time.Since(s)
			}
		}()
	}
	wg.Wait()
	return out
}

type result struct {
	kind string
	dur  time.Duration
	err  bool
}

// run sends rate requests a second for d, half to rankings pages, half to
// profiles, picked at random, and returns every request's result.
func run(client *http.Client, urls []target, rate int, d time.Duration) []result {
	total := int(float64(rate) * d.Seconds())
	out := make([]result, total)
	var wg sync.WaitGroup
	var inflight atomic.Int64
	rnd := rand.New(rand.NewPCG(1, 2))
	interval := time.Second / time.Duration(rate)
	t0 := time.Now()
	for i := range total {
		if wait := time.Until(t0.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		var tg target
		if i%2 == 0 {
			tg = urls[rnd.IntN(10)]
		} else {
			tg = urls[10+rnd.IntN(len(urls)-10)]
		}
		cond := rnd.Float64() < conditional
		wg.Add(1)
		inflight.Add(1)
		go func(i int, tg target) {
			defer wg.Done()
			defer inflight.Add(-1)
			etag := ""
			if cond {
				if v, ok := etags.Load(tg.url); ok {
					etag = v.(string)
				}
			}
			s := time.Now()
			resp, err := getIf(client, tg.url, etag)
			bad := err != nil
			if err == nil {
				_, err = readBody(resp)
				bad = err != nil || resp.StatusCode != http.StatusOK && !(etag != "" && resp.StatusCode == http.StatusNotModified)
				if resp.StatusCode == http.StatusNotModified {
					notModified.Add(1)
				}
			}
			out[i] = result{kind: tg.kind, dur: time.Since(s), err: bad}
		}(i, tg)
	}
	wg.Wait()
	return out
}

func report(res []result, d time.Duration) {
	by := map[string][]time.Duration{}
	errs := map[string]int{}
	for _, r := range res {
		by[r.kind] = append(by[r.kind], r.dur)
		by["all"] = append(by["all"], r.dur)
		if r.err {
			errs[r.kind]++
			errs["all"]++
		}
	}
	fmt.Printf("%-9s %8s %9s %9s %9s %9s %7s\n", "page", "requests", "p50", "p90", "p99", "max", "errors")
	for _, k := range []string{"rankings", "city", "all"} {
		ds := by[k]
		slices.Sort(ds)
		q := func(p float64) string {
			if len(ds) == 0 {
				return "-"
			}
			return fmtDur(ds[min(len(ds)-1, int(p*float64(len(ds))))])
		}
		fmt.Printf("%-9s %8d %9s %9s %9s %9s %7d\n", k, len(ds), q(0.5), q(0.9), q(0.99), q(1), errs[k])
	}
	fmt.Printf("achieved %.0f req/s; %d answered 304 Not Modified\n", float64(len(res))/d.Seconds(), notModified.Swap(0))
}

// serverBuckets reads the server's own latency histogram of the rankings
// and city routes from /metrics: requests by upper bound (le), summed.
func serverBuckets(base string) map[string]float64 {
	resp, err := http.Get(base + "/metrics")
	check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	check(err)
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "citylens_http_request_duration_seconds_bucket{") ||
			!(strings.Contains(line, `route="GET /rankings"`) || strings.Contains(line, `route="GET /cities/{code}"`)) {
			continue
		}
		_, rest, _ := strings.Cut(line, `le="`)
		le, count, _ := strings.Cut(rest, `"} `)
		n, err := strconv.ParseFloat(strings.TrimSpace(count), 64)
		check(err)
		out[le] += n
	}
	return out
}

// reportServer prints how long the server itself took over the measured
// run (from its /metrics histogram): the client's figures above add the
// time the load's own goroutines wait for a core.
func reportServer(before, after map[string]float64) {
	total := after["+Inf"] - before["+Inf"]
	if total <= 0 {
		return
	}
	fmt.Printf("server side (its /metrics, %.0f requests):", total)
	for _, le := range []string{"0.005", "0.01", "0.025", "0.05"} {
		fmt.Printf(" %.2f%% ≤ %sms", 100*(after[le]-before[le])/total, strconv.FormatFloat(mustFloat(le)*1000, 'f', -1, 64))
	}
	fmt.Println()
}

func mustFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	check(err)
	return f
}

func fmtDur(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + "ms"
}

// publish builds the synthetic release: a 3-level framework (indicators,
// pillars, index), cities with regions, populations and peer groups.
func publish(ctx context.Context, units, inds, n int) *release.Release {
	f, d, err := synthetic.Index(units, inds, 3, 42)
	check(err)
	dr := release.Draft{Edition: "bench", Framework: f.Nodes(), Method: engine.DefaultMethod(), Licence: release.Licence{Name: "CC0-1.0"}, Attribution: "synthetic benchmark data"}
	pops := []int64{150_000, 650_000, 2_300_000, 7_000_000, 14_000_000}
	groups := []string{"low", "medium", "high", "very-high"}
	for i, u := range d.Units {
		dr.Cities = append(dr.Cities, release.City{Code: u, Name: "City " + strconv.Itoa(i+1), Country: fmt.Sprintf("C%02d", i%40), Region: d.Groups["region"][i],
			Population: pops[i%len(pops)], Lat: float64(i%140) - 60, Lon: float64(i%360) - 180, PeerGroup: groups[(i/3)%len(groups)]})
	}
	for _, code := range f.Indicators() {
		for i, v := range d.Columns[code] {
			if !engine.IsNA(v) {
				dr.Data = append(dr.Data, release.DataPoint{City: d.Units[i], Indicator: code, Value: v, Source: "synthetic", DataYear: 2025})
			}
		}
	}
	r, err := release.Publish(ctx, release.PublishInput{Draft: dr, PublishedAt: time.Now().UTC(),
		Config: release.Config{Uncertainty: release.Uncertainty{N: n, Seed: 1, SkipSA: true}}})
	check(err)
	return r
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().String()
}

func waitReady(base string) {
	for range 600 {
		if r, err := http.Get(base + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	check(fmt.Errorf("citylens serve not ready after 60s"))
}

// server is the citylens process under test, killed when the bench fails
// (os.Exit runs no deferred function).
var server *os.Process

func check(err error) {
	if err != nil {
		if server != nil {
			server.Kill()
		}
		fmt.Fprintln(os.Stderr, "explorer bench:", err)
		os.Exit(1)
	}
}
