package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestExplorerResponseCache: anonymous readers get whole cached pages
// (gzipped when they ask, the same page either way, no cookie, no form
// token); a signed-in reader still gets a layout of their own.
func TestExplorerResponseCache(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		get := func(path, enc string, cookies ...*http.Cookie) (*http.Response, string) {
			t.Helper()
			req, err := http.NewRequest(http.MethodGet, env.URL(path), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept-Encoding", enc)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body io.Reader = res.Body
			switch res.Header.Get("Content-Encoding") {
			case "gzip":
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatalf("GET %s: gzip: %v", path, err)
				}
				body = zr
			case "br":
				body = brotli.NewReader(res.Body)
			}
			b, err := io.ReadAll(body)
			if err != nil {
				t.Fatal(err)
			}
			return res, string(b)
		}
		for _, path := range []string{"/rankings", "/rankings?region=EU&sort=name", "/methodology", "/rankings?lang=ko"} {
			var pages []string
			for i, enc := range []string{"gzip", "identity", "gzip;q=0", "br, gzip;q=0.5"} {
				res, body := get(path, enc)
				if res.StatusCode != 200 {
					t.Fatalf("GET %s (%s): %d", path, enc, res.StatusCode)
				}
				// brotli when the reader takes it, else gzip, else none.
				want := map[int]string{0: "gzip", 3: "br"}[i]
				if got := res.Header.Get("Content-Encoding"); got != want {
					t.Errorf("GET %s, Accept-Encoding %q: Content-Encoding %q, want %q", path, enc, got, want)
				}
				if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("GET %s: Vary %q", path, res.Header.Get("Vary"))
				}
				for _, c := range res.Cookies() {
					if c.Name != "lang" {
						t.Errorf("GET %s sets cookie %s for an anonymous reader", path, c.Name)
					}
				}
				if strings.Contains(body, `name="csrf-token" content="`) && !strings.Contains(body, `name="csrf-token" content=""`) {
					t.Errorf("GET %s: a cached anonymous page carries a form token", path)
				}
				pages = append(pages, body)
			}
			for i := range pages {
				if pages[i] != pages[0] {
					t.Errorf("GET %s: response %d differs from the first", path, i)
				}
			}
		}
		// Korean and English pages are cached apart, by the reader's language.
		_, en := get("/rankings", "gzip")
		_, ko := get("/rankings", "gzip", &http.Cookie{Name: "lang", Value: "ko"})
		if en == ko || !strings.Contains(ko, `lang="ko"`) {
			t.Errorf("the Korean reader got the English page")
		}
		// A signed-in reader sees their own layout around the same content.
		_, body := env.ClientAs(webtest.Admin).Get("/rankings")
		if !strings.Contains(body, "admin@test.citylens") {
			t.Errorf("signed-in rankings page lacks the reader's name")
		}
		if strings.Contains(en, "admin@test.citylens") {
			t.Errorf("the anonymous page shows a signed-in reader")
		}
		if !bytes.Contains([]byte(body), []byte(`id="rankings"`)) {
			t.Errorf("signed-in rankings page lacks the table")
		}
	})
}

// TestExplorerResponseCacheConcurrent: readers hitting the same and
// different pages at once all get the page as a single reader would
// (run with -race).
func TestExplorerResponseCacheConcurrent(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		paths := []string{"/rankings", "/rankings?page=2", "/rankings?region=EU", "/methodology", "/rankings?lang=ko", "/compare"}
		want := map[string]string{}
		for _, p := range paths {
			_, want[p] = env.Client().Get(p)
		}
		errs := make(chan string, 64)
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := &http.Client{}
				for i := range 30 {
					p := paths[(g+i)%len(paths)]
					res, err := c.Get(env.URL(p))
					if err != nil {
						errs <- err.Error()
						return
					}
					b, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != 200 || string(b) != want[p] {
						errs <- p
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Errorf("concurrent GET %s: not the page a single reader gets", e)
		}
	})
}

// metricValue reads a gauge from /metrics.
func metricValue(t *testing.T, env *webtest.Env, name string) float64 {
	t.Helper()
	_, body := env.Client().Get("/metrics")
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("/metrics: %s", line)
			}
			return f
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}

// TestExplorerCacheKeys: a page's cache key holds only the parameters the
// page reads, in a fixed order, so unknown parameters and their order
// neither miss the caches nor add entries to them (their sizes are in
// /metrics); the language switch of a shared response carries no junk.
func TestExplorerCacheKeys(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		const (
			responses = "citylens_explorer_response_cache_entries"
			hits      = "citylens_explorer_response_cache_hits"
			misses    = "citylens_explorer_response_cache_misses"
			pages     = "citylens_explorer_page_cache_entries"
			pageHits  = "citylens_explorer_page_cache_hits"
		)
		_, first := env.Client().Get("/rankings?region=EU&sort=name")
		if !strings.Contains(first, `id="rankings"`) {
			t.Fatalf("rankings page:\n%s", first)
		}
		n, p, h, m := metricValue(t, env, responses), metricValue(t, env, pages), metricValue(t, env, hits), metricValue(t, env, misses)
		if n < 1 || p < 1 {
			t.Fatalf("after a first page, %s %v, %s %v", responses, n, pages, p)
		}
		variants := []string{"/rankings?sort=name&region=EU", "/rankings?region=EU&sort=name&junk=1",
			"/rankings?utm_source=mail&sort=name&region=EU&page=", "/rankings?region=EU&flash_=x&sort=name&c=seoul"}
		for i := range 20 {
			variants = append(variants, "/rankings?region=EU&sort=name&junk="+strconv.Itoa(i))
		}
		for _, path := range variants {
			res, body := env.Client().Get(path)
			if res.StatusCode != 200 || body != first {
				t.Errorf("GET %s: %d, not the page of /rankings?region=EU&sort=name", path, res.StatusCode)
			}
		}
		if got := metricValue(t, env, responses); got != n {
			t.Errorf("%s = %v after junk parameters, want %v", responses, got, n)
		}
		if got := metricValue(t, env, misses); got != m {
			t.Errorf("%s = %v after junk parameters, want %v", misses, got, m)
		}
		if got := metricValue(t, env, hits); got != h+float64(len(variants)) {
			t.Errorf("%s = %v, want %v", hits, got, h+float64(len(variants)))
		}
		// The first reader asked with junk: the shared page's language
		// links do not carry it.
		_, body := env.Client().Get("/methodology?junk=zzz")
		if strings.Contains(body, "zzz") {
			t.Errorf("the shared methodology page carries its first reader's junk parameter")
		}
		// Signed-in readers get the cached content under the same key.
		ph := metricValue(t, env, pageHits)
		p = metricValue(t, env, pages)
		admin := env.ClientAs(webtest.Admin)
		for _, path := range []string{"/rankings?region=EU&sort=name&junk=2", "/rankings?sort=name&region=EU"} {
			if res, body := admin.Get(path); res.StatusCode != 200 || !strings.Contains(body, `id="rankings"`) {
				t.Errorf("signed-in GET %s: %d", path, res.StatusCode)
			}
		}
		if got := metricValue(t, env, pages); got != p {
			t.Errorf("%s = %v after signed-in junk parameters, want %v", pages, got, p)
		}
		if got := metricValue(t, env, pageHits); got != ph+2 {
			t.Errorf("%s = %v, want %v", pageHits, got, ph+2)
		}
		// A parameter the page reads is a different page.
		n = metricValue(t, env, responses)
		env.Client().Get("/rankings?region=EU&sort=score")
		if got := metricValue(t, env, responses); got != n+1 {
			t.Errorf("%s = %v after another sort, want %v", responses, got, n+1)
		}
	})
}

// TestExplorerCacheBound: the caches' memory bound is the configured one,
// shown in /metrics, and holds whatever is asked.
func TestExplorerCacheBound(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		const budget = 700 << 10
		env := webtest.New(t, s, func(c *web.Config) { c.Demo, c.ExplorerCacheBytes = true, budget })
		env.SeedDemo()
		maxResp := metricValue(t, env, "citylens_explorer_response_cache_max_bytes")
		maxPages := metricValue(t, env, "citylens_explorer_page_cache_max_bytes")
		if maxResp+maxPages != budget || maxResp == 0 || maxPages == 0 {
			t.Fatalf("max bytes: responses %v + pages %v, want %d", maxResp, maxPages, budget)
		}
		if got := metricValue(t, env, "citylens_explorer_release_cache_max_entries"); got != 8 {
			t.Errorf("release cache bound %v, want 8", got)
		}
		var rows rankingsBody
		if getJSON(t, env.Client(), "/api/v1/releases/latest/rankings", &rows) != 200 || len(rows.Rows) < 10 {
			t.Fatalf("rankings: %d rows", len(rows.Rows))
		}
		for _, row := range rows.Rows {
			for _, path := range []string{"/cities/" + row.City.Code, "/cities/" + row.City.Code + "?lang=ko"} {
				if res, _ := env.Client().Get(path); res.StatusCode != 200 {
					t.Fatalf("GET %s: %d", path, res.StatusCode)
				}
				if got := metricValue(t, env, "citylens_explorer_response_cache_bytes"); got > maxResp || got <= 0 {
					t.Fatalf("after GET %s: response cache %v bytes, bound %v", path, got, maxResp)
				}
				if got := metricValue(t, env, "citylens_explorer_page_cache_bytes"); got > maxPages || got <= 0 {
					t.Fatalf("after GET %s: page cache %v bytes, bound %v", path, got, maxPages)
				}
			}
		}
		if got := metricValue(t, env, "citylens_explorer_release_cache_entries"); got < 1 || got > 8 {
			t.Errorf("releases in memory: %v", got)
		}
	})
}

// TestExplorerReleaseReadOnce: concurrent first reads of a release share
// one read of the store, and later ones read it from memory.
func TestExplorerReleaseReadOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		const reads = "citylens_explorer_release_reads"
		before := metricValue(t, env, reads)
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if res, _ := env.Client().API(http.MethodGet, "/api/v1/releases/latest/methodology", "", ""); res.StatusCode != 200 {
					t.Errorf("GET methodology: %d", res.StatusCode)
				}
			})
		}
		wg.Wait()
		env.Client().API(http.MethodGet, "/api/v1/releases/latest/downloads", "", "")
		if got := metricValue(t, env, reads); got != before+1 {
			t.Errorf("%s = %v after 17 requests of one release, want %v", reads, got, before+1)
		}
	})
}

// TestExplorerCacheNotPoisoned: a query whose parameters repeat or are
// empty is answered from exactly the parameters its cache key names, so it
// cannot store one page under another page's key for every later reader.
func TestExplorerCacheNotPoisoned(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		for _, attempt := range []string{"/rankings?region=&region=EU", "/rankings?region=EU&region=AS", "/rankings?region=EU&region="} {
			env.Client().Get(attempt)
		}
		res, eu := env.Client().Get("/rankings?region=EU")
		if res.StatusCode != 200 {
			t.Fatalf("/rankings?region=EU: %d", res.StatusCode)
		}
		rows := regexp.MustCompile(`<tr data-city="[^"]*" data-region="([^"]*)">`).FindAllStringSubmatch(eu, -1)
		if len(rows) == 0 {
			t.Fatalf("/rankings?region=EU after repeated parameters lists no city")
		}
		for _, m := range rows {
			if m[1] != "EU" {
				t.Fatalf("/rankings?region=EU after repeated parameters lists a city of region %s: another page was stored under its key", m[1])
			}
		}
	})
}

// TestResponseCacheRenderPanic: a page whose rendering panics fails its
// request with an internal error; the panic does not escape the shared
// render (which singleflight would re-panic where nothing recovers it).
func TestResponseCacheRenderPanic(t *testing.T) {
	c := web.NewResponseCache(10, 1<<20)
	req := httptest.NewRequest(http.MethodGet, "/rankings", nil)
	err := c.Serve(httptest.NewRecorder(), req, "k", func() ([]byte, string, error) { panic("template bug") })
	if citylens.ErrorCode(err) != citylens.EINTERNAL || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("a panicking render: %v", err)
	}
	rec := httptest.NewRecorder()
	if err := c.Serve(rec, req, "k", func() ([]byte, string, error) { return []byte("ok"), "en", nil }); err != nil || rec.Body.String() != "ok" {
		t.Fatalf("the next render of the same key: %v %q", err, rec.Body.String())
	}
}
