// Command platform is a load script for a running `citylens serve --demo`
// on loopback: N concurrent clients each sign in (POST /login) and read a
// page (GET /members), for a bounded time, then print p50/p99 latency per
// operation and the error count.
//
//	go run ./cmd/citylens serve --demo --data /tmp/bench &
//	go run ./bench/platform --url http://127.0.0.1:8080 --clients 100 --duration 30s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sync"
	"time"
)

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

type sample struct {
	op  string
	dur time.Duration
	err bool
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server URL (loopback only)")
	clients := flag.Int("clients", 100, "concurrent clients (at most 500)")
	duration := flag.Duration("duration", 30*time.Second, "how long (at most 5m)")
	email := flag.String("email", "admin@demo.citylens", "account to sign in as")
	password := flag.String("password", "citylens-demo", "its password")
	page := flag.String("page", "/members", "page to read after signing in")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || u.Hostname() == "" {
		fmt.Fprintln(os.Stderr, "bad --url")
		os.Exit(2)
	}
	if ip := net.ParseIP(u.Hostname()); (ip == nil || !ip.IsLoopback()) && u.Hostname() != "localhost" {
		fmt.Fprintln(os.Stderr, "refusing a non-loopback server: this script is for local measurements")
		os.Exit(2)
	}
	if *clients < 1 || *clients > 500 || *duration <= 0 || *duration > 5*time.Minute {
		fmt.Fprintln(os.Stderr, "clients must be 1..500 and duration up to 5m")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	transport := &http.Transport{MaxIdleConnsPerHost: *clients}
	results := make(chan sample, 4096)
	var wg sync.WaitGroup
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			csrf := ""
			get := func(path string) (int, string, error) {
				res, err := c.Get(*base + path)
				if err != nil {
					return 0, "", err
				}
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				if m := csrfMeta.FindSubmatch(b); m != nil {
					csrf = string(m[1])
				}
				return res.StatusCode, string(b), err
			}
			if _, _, err := get("/login"); err != nil {
				results <- sample{"setup", 0, true}
				return
			}
			for ctx.Err() == nil {
				start := time.Now()
				res, err := c.PostForm(*base+"/login", url.Values{"csrf": {csrf}, "email": {*email}, "password": {*password}})
				ok := err == nil && res.StatusCode == http.StatusSeeOther
				if res != nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				results <- sample{"login", time.Since(start), !ok}
				start = time.Now()
				status, _, err := get(*page)
				results <- sample{"read " + *page, time.Since(start), err != nil || status != http.StatusOK}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	byOp := map[string][]time.Duration{}
	errs := map[string]int{}
	for s := range results {
		if s.err {
			errs[s.op]++
			continue
		}
		byOp[s.op] = append(byOp[s.op], s.dur)
	}
	fmt.Printf("%d clients, %s, %s\n", *clients, *duration, *base)
	for _, op := range []string{"login", "read " + *page} {
		ds := byOp[op]
		slices.Sort(ds)
		q := func(p float64) time.Duration {
			if len(ds) == 0 {
				return 0
			}
			return ds[min(len(ds)-1, int(p*float64(len(ds))))]
		}
		fmt.Printf("%-16s n=%-7d errors=%-5d p50=%-10s p99=%-10s rate=%.0f/s\n", op, len(ds), errs[op],
			q(0.50).Round(time.Microsecond), q(0.99).Round(time.Microsecond), float64(len(ds))/duration.Seconds())
	}
	if errs["setup"] > 0 {
		fmt.Printf("setup errors: %d\n", errs["setup"])
	}
}
