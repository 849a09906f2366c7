package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
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
			if res.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatalf("GET %s: gzip: %v", path, err)
				}
				body = zr
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
				gz := res.Header.Get("Content-Encoding") == "gzip"
				if want := i == 0 || i == 3; gz != want {
					t.Errorf("GET %s, Accept-Encoding %q: gzipped %v, want %v", path, enc, gz, want)
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
