package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// rawGet sends a GET with the given headers and reads the body as sent
// (no transparent decompression).
func rawGet(t *testing.T, env *webtest.Env, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func decompress(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	default:
		return b
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s body: %v", enc, err)
	}
	return out
}

// TestHTTPCaching: strong ETags and 304s, immutable release content under
// its hash, short revalidated caching under "latest", private signed-in
// pages.
func TestHTTPCaching(t *testing.T) {
	env := demoEnv(t, storetest.OpenSQLite(t))
	var rk rankingsBody
	getJSON(t, env.Client(), "/api/v1/releases/latest/rankings", &rk)
	hash := rk.Release
	city := rk.Rows[0].City.Code

	for _, tt := range []struct {
		path, cacheControl string
	}{
		{"/releases/" + hash + "/rankings", "public, max-age=86400, immutable"},
		{"/releases/" + hash + "/methodology", "public, max-age=86400, immutable"},
		{"/releases/" + hash + "/download/results.csv", "public, max-age=31536000, immutable"},
		{"/api/v1/releases/" + hash + "/rankings", "public, max-age=31536000, immutable"},
		{"/api/v1/releases/" + hash + "/methodology", "public, max-age=31536000, immutable"},
		{"/rankings", "public, max-age=60, must-revalidate"},
		{"/", "public, max-age=60, must-revalidate"},
		{"/cities/" + city, "public, max-age=60, must-revalidate"},
		{"/releases/" + hash + "/cities/" + city, "public, max-age=60, must-revalidate"}, // its trend grows
		{"/api/v1/releases/latest/rankings", "public, max-age=60, must-revalidate"},
		{"/api/v1/cities", "public, max-age=60, must-revalidate"},
		{"/members", "public, max-age=60, must-revalidate"},
		{"/healthz", "no-store"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res, body := rawGet(t, env, tt.path, "Accept-Encoding", "gzip")
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			if cc := res.Header.Get("Cache-Control"); cc != tt.cacheControl {
				t.Errorf("Cache-Control %q, want %q", cc, tt.cacheControl)
			}
			etag := res.Header.Get("ETag")
			if tt.cacheControl == "no-store" {
				return
			}
			if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
				t.Fatalf("ETag %q: want a strong validator", etag)
			}
			// The same request with the validator: 304, no body.
			res2, body2 := rawGet(t, env, tt.path, "Accept-Encoding", "gzip", "If-None-Match", etag)
			if res2.StatusCode != http.StatusNotModified || len(body2) != 0 {
				t.Errorf("with If-None-Match %s: %d and %d bytes, want 304 and none", etag, res2.StatusCode, len(body2))
			}
			if res2.Header.Get("ETag") != etag {
				t.Errorf("304's ETag %q, want %q", res2.Header.Get("ETag"), etag)
			}
			// Another encoding's validator names the same content.
			res3, _ := rawGet(t, env, tt.path, "If-None-Match", etag)
			if res3.StatusCode != http.StatusNotModified {
				t.Errorf("identity request with the gzip ETag: %d, want 304", res3.StatusCode)
			}
			// A stale validator gets the content.
			res4, body4 := rawGet(t, env, tt.path, "Accept-Encoding", "gzip", "If-None-Match", `"stale"`)
			if res4.StatusCode != 200 || !bytes.Equal(body4, body) {
				t.Errorf("with a stale ETag: %d, %d bytes (first answer %d)", res4.StatusCode, len(body4), len(body))
			}
		})
	}

	t.Run("signed-in pages are private", func(t *testing.T) {
		c := env.ClientAs(webtest.Admin)
		for _, p := range []string{"/rankings", "/releases/" + hash + "/rankings", "/account/tokens", "/admin/users"} {
			res, _ := c.Get(p)
			if res.StatusCode != 200 {
				t.Errorf("%s: %d", p, res.StatusCode)
				continue
			}
			if cc := res.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
				t.Errorf("%s signed in: Cache-Control %q, want private", p, cc)
			}
		}
		token := env.APIToken(webtest.Admin, "read")
		res, _ := c.API(http.MethodGet, "/api/v1/releases/"+hash+"/rankings", token, "")
		if cc := res.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
			t.Errorf("API with a token: Cache-Control %q, want private", cc)
		}
	})

	t.Run("errors are not stored", func(t *testing.T) {
		res, _ := rawGet(t, env, "/api/v1/releases/"+strings.Repeat("0", 64)+"/rankings")
		if res.StatusCode != 404 || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("ETag") != "" {
			t.Errorf("404: Cache-Control %q, ETag %q", res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
		}
	})
}

// formTokens are a page's form tokens (a fresh one per anonymous answer).
var formTokens = regexp.MustCompile(`(name="csrf" value|name="csrf-token" content)="[^"]*"`)

// TestCompression: every public page and API answer over 1 KB is
// compressed (brotli when asked, else gzip) and decompresses to the
// identity answer; small and binary answers are sent as they are.
func TestCompression(t *testing.T) {
	env := demoEnv(t, storetest.OpenSQLite(t))
	var rk rankingsBody
	getJSON(t, env.Client(), "/api/v1/releases/latest/rankings", &rk)
	hash, a, b := rk.Release, rk.Rows[0].City.Code, rk.Rows[1].City.Code
	fill := strings.NewReplacer("{hash}", hash, "{code}", a, "{file}", "results.csv")
	paths := map[string]string{
		"GET /releases/{hash}/indicators/{code}":                  "/releases/" + hash + "/indicators/EC-ICT-ICT-1C",
		"GET /indicators/{code}":                                  "/indicators/EC-ICT-ICT-1C",
		"GET /indicators/{code}/distribution.csv":                 "/indicators/EC-ICT-ICT-1C/distribution.csv",
		"GET /releases/{hash}/indicators/{code}/distribution.csv": "/releases/" + hash + "/indicators/EC-ICT-ICT-1C/distribution.csv",
		"GET /compare":                                  "/compare?c=" + a + "&c=" + b,
		"GET /compare.csv":                              "/compare.csv?c=" + a + "&c=" + b,
		"GET /releases/{hash}/compare":                  "/releases/" + hash + "/compare?c=" + a + "&c=" + b,
		"GET /releases/{hash}/compare.csv":              "/releases/" + hash + "/compare.csv?c=" + a + "&c=" + b,
		"GET /api/v1/releases/{hash}/compare":           "/api/v1/releases/" + hash + "/compare?c=" + a + "&c=" + b,
		"GET /api/v1/releases/{hash}/indicators/{code}": "/api/v1/releases/" + hash + "/indicators/EC-ICT-ICT-1C",
		"GET /members/{code}":                           "/members/" + a,
		"GET /catalogue/{code}":                         "/catalogue/EC-ICT-ICT-1C",
	}
	// Pages with an anonymous form carry the reader's form token: one
	// reader (one cookie) gets the same page each time.
	// (The token is the server's, signed: a made-up one would be replaced.)
	first, _ := rawGet(t, env, "/login")
	cookie := ""
	for _, c := range first.Cookies() {
		if c.Name == "citylens_csrf" {
			cookie = c.Name + "=" + c.Value
		}
	}
	checked := 0
	for _, rt := range env.Server.Routes() {
		if rt.Method != http.MethodGet || !rt.Access.Public || strings.Contains(rt.Path, "/static/") ||
			rt.Pattern == "GET /" || strings.Contains(rt.Path, "{entity") || strings.Contains(rt.Path, "/datacall/") ||
			rt.Path == "/invitations/accept" || rt.Path == "/password/reset" { // these need a one-time token
			continue
		}
		path, ok := paths[rt.Pattern]
		if !ok {
			path = strings.TrimSuffix(fill.Replace(rt.Path), "{$}")
		}
		if strings.Contains(path, "{") {
			continue // a parameter the demo has no value for (an edition's survey, a chart's name)
		}
		for _, enc := range []string{"br", "gzip"} {
			res, body := rawGet(t, env, path, "Accept-Encoding", enc, "Cookie", cookie)
			if res.StatusCode != 200 {
				t.Logf("%s (%s): %d, not checked", path, rt.Pattern, res.StatusCode)
				break
			}
			_, plain := rawGet(t, env, path, "Cookie", cookie)
			ct := res.Header.Get("Content-Type")
			binary := strings.Contains(ct, "spreadsheetml") || strings.Contains(ct, "pdf") || strings.HasPrefix(ct, "image/png")
			got := res.Header.Get("Content-Encoding")
			switch {
			case len(plain) > 1024 && !binary && got != enc:
				t.Errorf("%s: %d bytes of %s sent with Content-Encoding %q, want %s", path, len(plain), ct, got, enc)
			case got != "":
				// Form tokens differ from answer to answer; counters move.
				if d := decompress(t, got, body); !bytes.Equal(formTokens.ReplaceAll(d, nil), formTokens.ReplaceAll(plain, nil)) && rt.Path != "/metrics" {
					t.Errorf("%s: the %s body does not decompress to the plain one", path, got)
				}
				if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("%s: compressed without Vary: Accept-Encoding", path)
				}
				checked++
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d compressed answers checked", checked)
	}
	// The home page and the member directory, named by the issue.
	for _, p := range []string{"/", "/members"} {
		res, body := rawGet(t, env, p, "Accept-Encoding", "gzip, deflate, br")
		if res.Header.Get("Content-Encoding") != "br" || len(body) == 0 {
			t.Errorf("%s: Content-Encoding %q", p, res.Header.Get("Content-Encoding"))
		}
	}
}

// TestFairUse: anonymous API and download clients are limited per
// address with RateLimit headers and 429 + Retry-After over the limit; an
// API token has a higher limit; pages are not limited.
func TestFairUse(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t), func(c *web.Config) {
		c.Demo = true
		c.FairUse = web.FairUse{Anonymous: 3, Token: 6}
	})
	env.SeedDemo()
	c := env.Client()
	for i := range 3 {
		res, _ := c.API(http.MethodGet, "/api/v1/releases", "", "")
		if res.StatusCode != 200 {
			t.Fatalf("request %d: %d", i+1, res.StatusCode)
		}
		if p := res.Header.Get("RateLimit-Policy"); p != `"default";q=3;w=60` {
			t.Errorf("RateLimit-Policy %q", p)
		}
		if rl := res.Header.Get("RateLimit"); !strings.HasPrefix(rl, `"default";r=`+strconv.Itoa(2-i)+";t=") {
			t.Errorf("request %d: RateLimit %q, want r=%d", i+1, rl, 2-i)
		}
	}
	res, body := c.API(http.MethodGet, "/api/v1/releases", "", "")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th request: %d, want 429", res.StatusCode)
	}
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "rate_limited") || !strings.Contains(body, "at most 3 a minute") {
		t.Errorf("429 body: %s", body)
	}
	// Downloads share the address's bucket.
	if res, _ := c.Get("/releases/latest/download/results.csv"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("download over the limit: %d", res.StatusCode)
	}
	// Pages are not limited.
	if res, _ := c.Get("/rankings"); res.StatusCode != 200 {
		t.Errorf("page: %d", res.StatusCode)
	}
	// A token has its own, larger bucket.
	token := env.APIToken(webtest.Admin, "read")
	for i := range 6 {
		res, _ := c.API(http.MethodGet, "/api/v1/releases", token, "")
		if res.StatusCode != 200 {
			t.Fatalf("token request %d: %d", i+1, res.StatusCode)
		}
		if p := res.Header.Get("RateLimit-Policy"); p != `"default";q=6;w=60` {
			t.Errorf("token RateLimit-Policy %q", p)
		}
	}
	if res, _ := c.API(http.MethodGet, "/api/v1/releases", token, ""); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("7th token request: %d, want 429", res.StatusCode)
	}
}

// TestPagination: following next_cursor through a list reads each item
// once, in order, with a Link header to the next page; a bad limit or
// cursor is refused with a problem document naming it.
func TestPagination(t *testing.T) {
	env := demoEnv(t, storetest.OpenSQLite(t))
	c := env.Client()
	for _, list := range []struct{ path, field string }{
		{"/api/v1/cities?limit=7", "cities"},
		{"/api/v1/releases/latest/rankings?limit=9&region=EU", "rows"},
		{"/api/v1/releases?limit=1", "releases"},
	} {
		var all []string
		seen := map[string]bool{}
		next := list.path
		for pages := 0; next != ""; pages++ {
			if pages > 200 {
				t.Fatalf("%s: more than 200 pages", list.path)
			}
			res, body := c.API(http.MethodGet, next, "", "")
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", next, res.StatusCode, body)
			}
			var page map[string]json.RawMessage
			json.Unmarshal([]byte(body), &page)
			var items []map[string]any
			json.Unmarshal(page[list.field], &items)
			for _, it := range items {
				key := fmt.Sprint(it["code"], it["hash"], it["city"])
				if seen[key] {
					t.Errorf("%s: %s twice", list.path, key)
				}
				seen[key] = true
				all = append(all, key)
			}
			var cursor *string
			json.Unmarshal(page["next_cursor"], &cursor)
			next = ""
			if cursor != nil {
				link := res.Header.Get("Link")
				if !strings.Contains(link, `rel="next"`) || !strings.Contains(link, "cursor="+*cursor) {
					t.Errorf("%s: Link %q does not point at the next page", list.path, link)
				}
				base, _, _ := strings.Cut(list.path, "?")
				q, _ := url.ParseQuery(strings.SplitN(list.path, "?", 2)[1])
				q.Set("cursor", *cursor)
				next = base + "?" + q.Encode()
			}
		}
		// The same list in one page.
		base, query, _ := strings.Cut(list.path, "?")
		q, _ := url.ParseQuery(query)
		q.Set("limit", "1000")
		_, body := c.API(http.MethodGet, base+"?"+q.Encode(), "", "")
		var whole map[string]json.RawMessage
		json.Unmarshal([]byte(body), &whole)
		var items []map[string]any
		json.Unmarshal(whole[list.field], &items)
		if len(items) != len(all) || len(all) < 2 {
			t.Errorf("%s: %d items page by page, %d in one page", list.path, len(all), len(items))
		}
		for i, it := range items {
			if i < len(all) && fmt.Sprint(it["code"], it["hash"], it["city"]) != all[i] {
				t.Errorf("%s: item %d differs between the paged and the whole list", list.path, i)
				break
			}
		}
	}
	for _, bad := range []string{"/api/v1/cities?limit=0", "/api/v1/cities?limit=5000", "/api/v1/cities?cursor=nonsense", "/api/v1/audit?cursor=bm90LWEtY3Vyc29y"} {
		res, body := c.API(http.MethodGet, bad, env.APIToken(webtest.Admin, "read"), "")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"code": "invalid"`) ||
			!(strings.Contains(body, "limit:") || strings.Contains(body, "cursor:")) {
			t.Errorf("%s: %d %s", bad, res.StatusCode, body)
		}
	}
}
