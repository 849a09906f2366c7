// Command datacall is a load script for a running `citylens serve --demo` on
// loopback: N concurrent clients sign in once and then save a value of a
// city's data-call form (POST /datacall/EDITION/cities/CITY/values, each
// save a real change of one value, checked, written with its audit entry)
// for a bounded time, spread over the editable (draft or returned) demo
// cities; it prints p50/p99 latency and the error count.
//
//	go run ./cmd/citylens serve --demo --data /tmp/bench &
//	go run ./bench/datacall --url http://127.0.0.1:8080 --clients 100 --duration 60s
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
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var (
	csrfMeta     = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)
	editableCity = regexp.MustCompile(`/datacall/[^/]+/cities/([a-z0-9-]+)">[^<]*</a></td><td>[A-Z]*</td><td>(?:draft|returned)</td>`)
)

type sample struct {
	dur time.Duration
	err bool
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server URL (loopback only)")
	clients := flag.Int("clients", 100, "concurrent clients (at most 500)")
	duration := flag.Duration("duration", 60*time.Second, "how long (at most 5m)")
	edition := flag.String("edition", "2026", "edition whose data call is open")
	indicator := flag.String("indicator", "EC-ICT-ICT-1C", "indicator to save (a share, 0 to 100)")
	email := flag.String("email", "admin@demo.citylens", "account to sign in as (the secretariat may edit every draft city)")
	password := flag.String("password", "citylens-demo", "its password")
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
	transport := &http.Transport{MaxIdleConnsPerHost: *clients}
	login := func() (*http.Client, string, error) {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		csrf := func(path string) (string, string, error) {
			res, err := c.Get(*base + path)
			if err != nil {
				return "", "", err
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			m := csrfMeta.FindSubmatch(b)
			if m == nil {
				return "", string(b), fmt.Errorf("GET %s: no CSRF token (status %d)", path, res.StatusCode)
			}
			return string(m[1]), string(b), err
		}
		t, _, err := csrf("/login")
		if err != nil {
			return nil, "", err
		}
		res, err := c.PostForm(*base+"/login", url.Values{"csrf": {t}, "email": {*email}, "password": {*password}, "next": {"/"}})
		if err != nil {
			return nil, "", err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			return nil, "", fmt.Errorf("login: status %d", res.StatusCode)
		}
		t, _, err = csrf("/datacall")
		return c, t, err
	}
	// The editable cities, from the coverage board.
	c, _, err := login()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var cities []string
	seen := map[string]bool{}
	for page := 1; page <= 50; page++ {
		res, err := c.Get(fmt.Sprintf("%s/datacall/%s/coverage?page=%d", *base, *edition, page))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		n := len(cities)
		for _, m := range editableCity.FindAllSubmatch(b, -1) {
			if c := string(m[1]); !seen[c] {
				seen[c] = true
				cities = append(cities, c)
			}
		}
		if n == len(cities) && page > 1 {
			break // past the last page, which the board repeats
		}
	}
	if len(cities) == 0 {
		fmt.Fprintln(os.Stderr, "no draft or returned city in the data call")
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	results := make(chan sample, 4096)
	var saves atomic.Int64
	var wg sync.WaitGroup
	for k := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, csrf, err := login()
			if err != nil {
				results <- sample{0, true}
				return
			}
			city := cities[k%len(cities)]
			path := *base + "/datacall/" + url.PathEscape(*edition) + "/cities/" + city + "/values"
			for ctx.Err() == nil {
				n := saves.Add(1)
				form := url.Values{"csrf": {csrf},
					"v_" + *indicator:   {strconv.FormatFloat(40+float64(n%400)/10, 'f', 1, 64)},
					"src_" + *indicator: {"load test"}, "yr_" + *indicator: {"2025"},
					"com_" + *indicator: {"load test: a new value every save"}}
				start := time.Now()
				res, err := c.PostForm(path, form)
				ok := err == nil && res.StatusCode == http.StatusSeeOther
				if res != nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if ctx.Err() != nil && err != nil {
					return // cut off by the deadline
				}
				results <- sample{time.Since(start), !ok}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	var ds []time.Duration
	errs := 0
	for s := range results {
		if s.err {
			errs++
			continue
		}
		ds = append(ds, s.dur)
	}
	slices.Sort(ds)
	q := func(p float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		return ds[min(len(ds)-1, int(p*float64(len(ds))))]
	}
	fmt.Printf("%d clients on %d editable cities, %s, %s\n", *clients, len(cities), *duration, *base)
	fmt.Printf("save value  n=%-7d errors=%-5d p50=%-10s p99=%-10s rate=%.0f/s\n", len(ds), errs,
		q(0.50).Round(time.Microsecond), q(0.99).Round(time.Microsecond), float64(len(ds))/duration.Seconds())
}
