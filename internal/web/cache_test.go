package web

import (
	"bytes"
	"compress/gzip"
	"html/template"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/release"
)

// TestResponseCacheCompressesOnDemand: a cached page is compressed only
// when a reader asks for that encoding, the compressed bytes are counted in
// the cache's size once, eviction takes every counted byte back, and each
// encoding decodes to the page.
func TestResponseCacheCompressesOnDemand(t *testing.T) {
	c := NewResponseCache(100, 1<<30)
	page := []byte(strings.Repeat("<p>Seoul 서울 42.5</p>\n", 2000))
	serve := func(enc string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/p", nil)
		if enc != "" {
			r.Header.Set("Accept-Encoding", enc)
		}
		w := httptest.NewRecorder()
		if err := c.Serve(w, r, "k", func() ([]byte, string, error) { return page, "en", nil }); err != nil {
			t.Fatal(err)
		}
		return w
	}
	plainSize := int64(len(page) + len("k"))
	if w := serve(""); !bytes.Equal(w.Body.Bytes(), page) || w.Header().Get("Content-Encoding") != "" {
		t.Fatalf("plain answer: encoding %q, %d bytes", w.Header().Get("Content-Encoding"), w.Body.Len())
	}
	if got := c.Stats().Bytes; got != plainSize {
		t.Fatalf("after a plain answer the cache counts %d bytes, want %d (nothing compressed yet)", got, plainSize)
	}
	var wg sync.WaitGroup
	for range 8 { // concurrent first requests compress once
		wg.Add(1)
		go func() { defer wg.Done(); serve("br") }()
	}
	wg.Wait()
	w := serve("br")
	brSize := int64(w.Body.Len())
	br, err := io.ReadAll(brotli.NewReader(w.Body))
	if err != nil || !bytes.Equal(br, page) || w.Header().Get("Content-Encoding") != "br" {
		t.Fatalf("brotli answer does not decode to the page: %v", err)
	}
	if got := c.Stats().Bytes; got != plainSize+brSize {
		t.Fatalf("after brotli answers the cache counts %d bytes, want %d", got, plainSize+brSize)
	}
	w = serve("gzip")
	gzSize := int64(w.Body.Len())
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(gz, page) {
		t.Fatalf("gzip answer does not decode to the page: %v", err)
	}
	if got, want := c.Stats().Bytes, plainSize+brSize+gzSize; got != want {
		t.Fatalf("after a gzip answer the cache counts %d bytes, want %d", got, want)
	}
	// Evict everything: the count returns to zero.
	c.maxBytes = 0
	c.shrink()
	if st := c.Stats(); st.Bytes != 0 || st.Entries != 0 {
		t.Fatalf("after eviction: %d entries, %d bytes; want none", st.Entries, st.Bytes)
	}
}

type funcsArea struct{ funcs template.FuncMap }

func (funcsArea) Register(*Server)                  {}
func (a funcsArea) TemplateFuncs() template.FuncMap { return a.funcs }

// TestAreaFuncsCannotShadow: an area's template function named like the
// core's (num, which every explorer page calls with a value that may be
// missing) or like another area's is refused, naming the function; a new
// name is accepted.
func TestAreaFuncsCannotShadow(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	own := template.FuncMap{"evidenceNum": func(float64) string { return "" }}
	if _, err := parsePages(cat, []Area{funcsArea{own}}); err != nil {
		t.Fatalf("a new function name: %v", err)
	}
	for name, areas := range map[string][]Area{
		"num":         {funcsArea{template.FuncMap{"num": func(float64) string { return "" }}}},
		"evidenceNum": {funcsArea{own}, funcsArea{own}},
	} {
		_, err := parsePages(cat, areas)
		if err == nil || !strings.Contains(err.Error(), `"`+name+`"`) {
			t.Errorf("%s defined twice: %v, want an error naming it", name, err)
		}
	}
}

// TestFigureFunctions: a band or number that is missing or not a number
// prints "—", never 0 or NaN; changes carry their sign.
func TestFigureFunctions(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	nan := math.NaN()
	for _, c := range []struct{ got, want string }{
		{RankBand(release.Band{Q5: f(3), Q95: f(12.4)}), "3–12"},
		{RankBand(release.Band{Q5: f(3)}), "—"},
		{RankBand(release.Band{Q5: f(nan), Q95: f(4)}), "—"},
		{FormatNumber(f(nan), 1), "—"},
		{FormatNumber((*float64)(nil), 1), "—"},
		{FormatNumber(0.0, 1), "0.0"},
		{SignedChange(nil), "—"},
		{SignedChange(new(int)), "0"},
		{TieNames([]string{"a", "b"}, map[string]string{"a": "Bamako"}), "Bamako, b"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	three, minus := 3, -2
	if SignedChange(&three) != "+3" || SignedChange(&minus) != "−2" {
		t.Errorf("signed changes: %q %q", SignedChange(&three), SignedChange(&minus))
	}
}
