// Command datacall is a load script for a running `citylens serve --demo` on
// loopback: N city focal points save values of their city's data-call form
// at once for a bounded time, and it prints the saves' p50/p99 latency,
// their rate and the error count.
//
// Phases, of which only the last is measured:
//
//  1. setup: the demo admin lists the editable (draft or returned) cities on
//     the coverage board and invites one focal-point account per client
//     (bench.focal-K@demo.citylens, spread over those cities) through the
//     admin's invitation flow, each accepted from the outbox's link with a
//     password; accounts left by an earlier run are reused;
//  2. warm-up: every client signs in (argon2id, deliberately slow) and opens
//     its city's page, then saves for --warmup;
//  3. measure: every client saves for --duration, each save a real change
//     of one value (POST /datacall/EDITION/cities/CITY/values: checked, and
//     written with its audit entry), waiting --think between saves.
//
// With --think 0 (the default) every client saves again as soon as its save
// returns: the server is saturated and, by Little's law, the latency is the
// clients over the rate. A person takes seconds per value; --think 1s still
// has 100 focal points saving 100 values a second.
//
// With --pprof (a server built with -tags benchprofile and started with
// CITYLENS_PPROF_ADDR) the server's CPU profile of the measured phase is
// written to --cpuprofile.
//
//	go build -tags benchprofile -o /tmp/citylens ./cmd/citylens
//	CITYLENS_PPROF_ADDR=127.0.0.1:6061 /tmp/citylens serve --demo --data /tmp/bench &
//	go run ./bench/datacall --url http://127.0.0.1:8080 --clients 100 --duration 60s \
//	    --pprof 127.0.0.1:6061 --cpuprofile /tmp/save.pprof
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	csrfMeta     = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)
	editableCity = regexp.MustCompile(`/datacall/[^/]+/cities/([a-z0-9-]+)">[^<]*</a></td><td>[A-Z]*</td><td>(?:draft|returned)</td>`)
	mailArticle  = regexp.MustCompile(`(?s)<article class="mail">(.*?)</article>`)
	inviteToken  = regexp.MustCompile(`/invitations/accept\?token=([A-Za-z0-9_-]+)`)
)

// benchPassword is the password of the bench's focal-point accounts.
const benchPassword = "citylens-bench-focal-point"

type sample struct {
	dur    time.Duration
	err    bool
	status string // of an error
}

type options struct {
	base, edition, indicator string
	adminEmail, adminPass    string
	accounts                 string
}

type client struct {
	http  *http.Client
	csrf  string
	city  string
	email string
}

func main() {
	var o options
	flag.StringVar(&o.base, "url", "http://127.0.0.1:8080", "server URL (loopback only)")
	clients := flag.Int("clients", 100, "concurrent clients (at most 500)")
	duration := flag.Duration("duration", 60*time.Second, "how long to measure (at most 5m)")
	warmup := flag.Duration("warmup", 3*time.Second, "unmeasured saves after signing in (at most 1m)")
	think := flag.Duration("think", 0, "pause of each client between its saves (at most 1m)")
	flag.StringVar(&o.edition, "edition", "2026", "edition whose data call is open")
	flag.StringVar(&o.indicator, "indicator", "EC-ICT-ICT-1C", "indicator to save (a share, 0 to 100)")
	flag.StringVar(&o.accounts, "accounts", "focal", "who saves: focal (one focal-point account per client, invited by the admin) or admin (every client the admin)")
	flag.StringVar(&o.adminEmail, "email", "admin@demo.citylens", "the secretariat admin's account")
	flag.StringVar(&o.adminPass, "password", "citylens-demo", "its password")
	pprofAddr := flag.String("pprof", "", "the server's pprof address (loopback), to profile the measured phase")
	cpuprofile := flag.String("cpuprofile", "datacall-save.pprof", "where to write the server's CPU profile (with --pprof)")
	flag.Parse()
	u, err := url.Parse(o.base)
	if err != nil || u.Hostname() == "" || !loopback(u.Hostname()) {
		fail(fmt.Errorf("bad --url: this script is for local measurements on a loopback server"))
	}
	if *pprofAddr != "" {
		if host, _, err := net.SplitHostPort(*pprofAddr); err != nil || !loopback(host) {
			fail(fmt.Errorf("bad --pprof: a loopback host:port"))
		}
	}
	if *clients < 1 || *clients > 500 || *duration <= 0 || *duration > 5*time.Minute || *warmup < 0 || *warmup > time.Minute ||
		*think < 0 || *think > time.Minute || (o.accounts != "focal" && o.accounts != "admin") {
		fail(fmt.Errorf("clients must be 1..500, duration up to 5m, warmup and think up to 1m, accounts focal or admin"))
	}
	transport := &http.Transport{MaxIdleConnsPerHost: *clients + 8}

	// 1. Setup.
	admin, err := signIn(transport, o.base, o.adminEmail, o.adminPass)
	if err != nil {
		fail(fmt.Errorf("admin: %w", err))
	}
	cities, err := editableCities(admin, o.base, o.edition)
	if err != nil {
		fail(err)
	}
	emails := make([]string, *clients)
	for k := range emails {
		emails[k] = o.adminEmail
		if o.accounts == "focal" {
			emails[k] = fmt.Sprintf("bench.focal-%d@demo.citylens", k+1)
		}
	}
	t0 := time.Now()
	if o.accounts == "focal" {
		n, err := provision(admin, o.base, emails, cities)
		if err != nil {
			fail(err)
		}
		fmt.Printf("setup: %d focal-point accounts invited and accepted (%d reused) in %s\n", n, len(emails)-n, time.Since(t0).Round(time.Millisecond))
	}

	// 2. Warm-up: sign in, open the city's page, save a little.
	t0 = time.Now()
	cs := make([]*client, *clients)
	errs := make([]error, *clients)
	var wg sync.WaitGroup
	for k := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pass := o.adminPass
			if o.accounts == "focal" {
				pass = benchPassword
			}
			hc, err := signIn(transport, o.base, emails[k], pass)
			if err != nil {
				errs[k] = fmt.Errorf("%s: %w", emails[k], err)
				return
			}
			c := &client{http: hc, city: cities[k%len(cities)], email: emails[k]}
			c.csrf, _, err = page(hc, o.base+cityPath(o.edition, c.city))
			cs[k], errs[k] = c, err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		fail(err)
	}
	fmt.Printf("warm-up: %d clients signed in on %d editable cities in %s; saving for %s unmeasured\n",
		*clients, len(cities), time.Since(t0).Round(time.Millisecond), *warmup)
	var saves atomic.Int64
	if *warmup > 0 {
		run(cs, o, &saves, *warmup, *think)
	}

	// 3. Measure.
	load := loadAvg()
	var prof chan error
	if *pprofAddr != "" {
		prof = make(chan error, 1)
		go func() { prof <- cpuProfile(*pprofAddr, *duration, *cpuprofile) }()
	}
	res := run(cs, o, &saves, *duration, *think)
	var ds []time.Duration
	nerr := 0
	statuses := map[string]int{}
	for _, s := range res {
		if s.err {
			nerr++
			statuses[s.status]++
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
	fmt.Printf("%d clients (%s accounts) on %d editable cities, think %s, %s measured, %s; load average %s at start, %s at end\n",
		*clients, o.accounts, len(cities), *think, *duration, o.base, load, loadAvg())
	fmt.Printf("save value  n=%-7d errors=%-5d p50=%-10s p90=%-10s p99=%-10s max=%-10s rate=%.0f/s\n", len(ds), nerr,
		q(0.50).Round(time.Microsecond), q(0.90).Round(time.Microsecond), q(0.99).Round(time.Microsecond),
		q(1).Round(time.Microsecond), float64(len(ds))/duration.Seconds())
	for st, n := range statuses {
		fmt.Printf("  error %q ×%d\n", st, n)
	}
	if prof != nil {
		if err := <-prof; err != nil {
			fail(err)
		}
		fmt.Printf("server CPU profile of the measured phase: %s\n", *cpuprofile)
	}
	if nerr > 0 {
		os.Exit(1)
	}
}

// run has every client save until d has passed and returns the samples.
func run(cs []*client, o options, saves *atomic.Int64, d, think time.Duration) []sample {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	out := make([][]sample, len(cs))
	var wg sync.WaitGroup
	for k, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := o.base + cityPath(o.edition, c.city) + "/values"
			for ctx.Err() == nil {
				n := saves.Add(1)
				form := url.Values{"csrf": {c.csrf},
					"v_" + o.indicator:   {strconv.FormatFloat(40+float64(n%400)/10, 'f', 1, 64)},
					"src_" + o.indicator: {"load test"}, "yr_" + o.indicator: {"2025"},
					"com_" + o.indicator: {"load test: a new value every save"}}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				start := time.Now()
				res, err := c.http.Do(req)
				dur := time.Since(start)
				if err != nil && ctx.Err() != nil {
					return // cut off by the deadline
				}
				s := sample{dur: dur}
				if err != nil {
					s.err, s.status = true, err.Error()
				} else {
					if res.StatusCode != http.StatusSeeOther {
						s.err, s.status = true, res.Status
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				out[k] = append(out[k], s)
				if think > 0 {
					select {
					case <-ctx.Done():
					case <-time.After(think):
					}
				}
			}
		}()
	}
	wg.Wait()
	var all []sample
	for _, s := range out {
		all = append(all, s...)
	}
	return all
}

func cityPath(edition, city string) string {
	return "/datacall/" + url.PathEscape(edition) + "/cities/" + url.PathEscape(city)
}

// page GETs a page and returns its CSRF token and body.
func page(c *http.Client, u string) (string, string, error) {
	res, err := c.Get(u)
	if err != nil {
		return "", "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", "", err
	}
	m := csrfMeta.FindSubmatch(b)
	if res.StatusCode != http.StatusOK || m == nil {
		return "", string(b), fmt.Errorf("GET %s: status %d, no CSRF token", u, res.StatusCode)
	}
	return string(m[1]), string(b), nil
}

func newClient(transport http.RoundTripper) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// post submits a form with the CSRF token of the page at from.
func post(c *http.Client, base, from, to string, form url.Values) (*http.Response, error) {
	t, _, err := page(c, base+from)
	if err != nil {
		return nil, err
	}
	form.Set("csrf", t)
	res, err := c.PostForm(base+to, form)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res, nil
}

func signIn(transport http.RoundTripper, base, email, password string) (*http.Client, error) {
	c := newClient(transport)
	res, err := post(c, base, "/login", "/login", url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in: status %d", res.StatusCode)
	}
	return c, nil
}

// editableCities lists the draft or returned cities of the coverage board.
func editableCities(c *http.Client, base, edition string) ([]string, error) {
	var cities []string
	seen := map[string]bool{}
	for p := 1; p <= 50; p++ {
		_, body, err := page(c, fmt.Sprintf("%s/datacall/%s/coverage?page=%d", base, url.PathEscape(edition), p))
		if err != nil {
			return nil, err
		}
		n := len(cities)
		for _, m := range editableCity.FindAllStringSubmatch(body, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				cities = append(cities, m[1])
			}
		}
		if n == len(cities) && p > 1 {
			break // past the last page, which the board repeats
		}
	}
	if len(cities) == 0 {
		return nil, fmt.Errorf("no draft or returned city in the data call of edition %s", edition)
	}
	return cities, nil
}

// provision invites the focal-point accounts that do not exist yet, one
// for each email, for the cities in turn, and accepts every invitation
// with benchPassword. It returns how many it created.
func provision(admin *http.Client, base string, emails, cities []string) (int, error) {
	var invited []string
	for k, email := range emails {
		res, err := post(admin, base, "/admin/users", "/admin/users/invite", url.Values{"email": {email},
			"name": {fmt.Sprintf("Bench focal point %d", k+1)}, "role": {"focal_point"}, "city": {cities[k%len(cities)]}})
		if err != nil {
			return 0, err
		}
		switch res.StatusCode {
		case http.StatusSeeOther:
			invited = append(invited, email)
		case http.StatusConflict: // left by an earlier run
		default:
			return 0, fmt.Errorf("inviting %s: status %d", email, res.StatusCode)
		}
	}
	if len(invited) == 0 {
		return 0, nil
	}
	_, outbox, err := page(admin, base+"/admin/outbox")
	if err != nil {
		return 0, err
	}
	tokens := map[string]string{}
	for _, m := range mailArticle.FindAllStringSubmatch(outbox, -1) {
		body := html.UnescapeString(m[1])
		t := inviteToken.FindStringSubmatch(body)
		if t == nil {
			continue
		}
		for _, email := range invited {
			if _, done := tokens[email]; !done && strings.Contains(body, email) {
				tokens[email] = t[1]
			}
		}
	}
	for _, email := range invited {
		t, ok := tokens[email]
		if !ok {
			return 0, fmt.Errorf("no invitation for %s in the outbox", email)
		}
		c := newClient(admin.Transport)
		res, err := post(c, base, "/invitations/accept?token="+t, "/invitations/accept",
			url.Values{"token": {t}, "password": {benchPassword}, "password_again": {benchPassword}})
		if err != nil {
			return 0, err
		}
		if res.StatusCode != http.StatusSeeOther {
			return 0, fmt.Errorf("accepting the invitation of %s: status %d", email, res.StatusCode)
		}
	}
	return len(invited), nil
}

// cpuProfile fetches the server's CPU profile over d into file.
func cpuProfile(addr string, d time.Duration, file string) error {
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d.Seconds())))
	if err != nil {
		return fmt.Errorf("cpu profile (is the server built with -tags benchprofile?): %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("cpu profile: %s", res.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
