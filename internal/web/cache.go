package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"github.com/citylens/citylens"
)

// ResponseCache keeps whole responses to anonymous readers (a page that is
// the same for every one of them: the explorer's), as they are and, from
// the first reader who asks for each, compressed with brotli or gzip: a hit is a map read and one write, with no template, no
// allocation of the page and no cookie. Reads take no lock; concurrent
// misses of one key render it once. Its memory is bounded by entries and
// bytes. Signed-in readers are not served from it (their name, their
// navigation, their forms' token are in the layout).
type ResponseCache struct {
	m          sync.Map // key → *cachedResponse
	bytes      atomic.Int64
	n          atomic.Int64
	hits       atomic.Uint64
	misses     atomic.Uint64
	evict      sync.Mutex // one eviction at a time
	flight     singleflight.Group
	maxEntries int64
	maxBytes   int64
}

type cachedResponse struct {
	plain []byte // the page as it is
	lang  string
	etag  string // strong validator of plain
	cache *ResponseCache

	// The compressed forms are made on the first request that asks for
	// each (a static export or an API client asking for the page as it is
	// never pays for them), then kept with the entry and counted in the
	// cache's bytes.
	gzOnce, brOnce sync.Once
	gz, br         []byte
	mu             sync.Mutex // size and evicted
	size           int64      // bytes counted in the cache for this entry
	evicted        bool
}

// responseCacheKeepShare: an eviction drops entries down to (share-1)/share
// of the bounds.
const responseCacheKeepShare = 4

// NewResponseCache makes a cache of at most maxEntries responses and
// maxBytes bytes (bodies and keys).
func NewResponseCache(maxEntries int, maxBytes int64) *ResponseCache {
	return &ResponseCache{maxEntries: int64(maxEntries), maxBytes: maxBytes}
}

// CacheStats describe a cache for /metrics.
type CacheStats struct {
	Entries, Bytes       int64
	MaxEntries, MaxBytes int64
	Hits, Misses         uint64
}

// Stats are the cache's size, bounds and use since the start.
func (c *ResponseCache) Stats() CacheStats {
	return CacheStats{Entries: c.n.Load(), Bytes: c.bytes.Load(), MaxEntries: c.maxEntries, MaxBytes: c.maxBytes,
		Hits: c.hits.Load(), Misses: c.misses.Load()}
}

// CacheableResponse reports whether r's whole response may be cached and
// shared: an anonymous GET (or HEAD) without a flash message.
func CacheableResponse(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && !viewer(r).SignedIn() &&
		!strings.Contains(r.URL.RawQuery, "flash=")
}

// Write answers r with the response cached under key, if there is one.
func (c *ResponseCache) Write(w http.ResponseWriter, r *http.Request, key string) bool {
	v, ok := c.m.Load(key)
	if ok {
		c.hits.Add(1)
		v.(*cachedResponse).write(w, r)
	}
	return ok
}

// Serve answers r with the response cached under key; on a miss, render
// makes the page (its HTML and language), once for concurrent misses of
// the key. key must name everything the page depends on. (Calling Write
// first spares a hit the allocation of render's closure.)
func (c *ResponseCache) Serve(w http.ResponseWriter, r *http.Request, key string, render func() ([]byte, string, error)) error {
	if c.Write(w, r, key) {
		return nil
	}
	c.misses.Add(1)
	fill := func() (v any, err error) {
		// singleflight re-panics a DoChan function's panic on a goroutine
		// of its own, where nothing could recover it: recover here, so a
		// page that panics fails its requests, not the server.
		defer func() {
			if p := recover(); p != nil {
				v, err = nil, citylens.Recovered("rendering "+r.URL.Path, p)
			}
		}()
		if v, ok := c.m.Load(key); ok { // filled since the read above
			return v, nil
		}
		plain, lang, err := render()
		if err != nil {
			return nil, err
		}
		cr := c.newCachedResponse(plain, lang)
		c.put(key, cr)
		return cr, nil
	}
	select {
	case res := <-c.flight.DoChan(key, fill):
		if res.Err != nil && res.Shared && citylens.ErrorCode(res.Err) == citylens.ECANCELED && r.Context().Err() == nil {
			// The request that rendered for all left before it was done.
			res.Val, res.Err = fill()
		}
		if res.Err != nil {
			return res.Err
		}
		res.Val.(*cachedResponse).write(w, r)
		return nil
	case <-r.Context().Done():
		return citylens.Errorf(citylens.ECANCELED, "rendering %s: %v", r.URL.Path, r.Context().Err())
	}
}

func (c *ResponseCache) newCachedResponse(plain []byte, lang string) *cachedResponse {
	sum := sha256.Sum256(plain)
	return &cachedResponse{plain: bytes.Clone(plain), lang: lang, cache: c,
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
}

// encoded is the page in enc ("br" or "gzip"), compressed on the first call.
func (cr *cachedResponse) encoded(enc string) []byte {
	once, body := &cr.gzOnce, &cr.gz
	if enc == "br" {
		once, body = &cr.brOnce, &cr.br
	}
	once.Do(func() {
		*body = encode(enc, cr.plain)
		cr.grow(int64(len(*body)))
	})
	return *body
}

// grow counts n more bytes of the entry in its cache (unless it has been
// evicted: its bytes are no longer counted), evicting if over the bounds.
func (cr *cachedResponse) grow(n int64) {
	cr.mu.Lock()
	if cr.evicted {
		cr.mu.Unlock()
		return
	}
	cr.size += n
	cr.mu.Unlock()
	if cr.cache.bytes.Add(n) > cr.cache.maxBytes {
		cr.cache.shrink()
	}
}

func (c *ResponseCache) put(key string, cr *cachedResponse) {
	cr.size = int64(len(cr.plain) + len(key))
	if _, loaded := c.m.LoadOrStore(key, cr); loaded {
		return
	}
	c.n.Add(1)
	if c.bytes.Add(cr.size) <= c.maxBytes && c.n.Load() <= c.maxEntries {
		return
	}
	c.shrink()
}

// shrink drops entries when the cache is over its bounds.
func (c *ResponseCache) shrink() {
	// Over the bounds: drop entries at random (map order) down to three
	// quarters, so hot pages come back at once and no burst of first
	// renders follows as it would after emptying the cache.
	c.evict.Lock()
	defer c.evict.Unlock()
	c.m.Range(func(k, v any) bool {
		if c.bytes.Load() <= c.maxBytes*(responseCacheKeepShare-1)/responseCacheKeepShare &&
			c.n.Load() <= c.maxEntries*(responseCacheKeepShare-1)/responseCacheKeepShare {
			return false
		}
		if _, ok := c.m.LoadAndDelete(k); ok {
			old := v.(*cachedResponse)
			old.mu.Lock()
			old.evicted = true
			c.bytes.Add(-old.size)
			old.mu.Unlock()
			c.n.Add(-1)
		}
		return true
	})
}

func (cr *cachedResponse) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", cr.lang)
	h.Set("Vary", "Accept-Encoding, Accept-Language, Cookie")
	h.Set("ETag", cr.etag) // Cache-Control and 304s: the route's delivery
	body := cr.plain
	if enc := preferredEncoding(r); enc == "br" || enc == "gzip" {
		h.Set("Content-Encoding", enc)
		body = cr.encoded(enc)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// KnownParams is q reduced to the named parameters with a value: what a
// page depends on, for its cache key (Encode orders it), so that unknown
// parameters (?utm_source=, junk) and their order neither miss the cache
// nor add entries to it.
func KnownParams(q url.Values, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		for _, v := range q[n] {
			if v != "" {
				out[n] = append(out[n], v)
			}
		}
	}
	return out
}

// CacheGauges adds a cache's gauges to /metrics: <prefix>_entries,
// _bytes, _max_entries, _max_bytes, _hits and _misses; what names the
// cache in their help.
func (s *Server) CacheGauges(prefix, what string, stats func() CacheStats) {
	for _, g := range []struct {
		suffix, help string
		value        func(CacheStats) float64
	}{
		{"entries", "Entries in the %s.", func(c CacheStats) float64 { return float64(c.Entries) }},
		{"bytes", "Bytes held by the %s.", func(c CacheStats) float64 { return float64(c.Bytes) }},
		{"max_entries", "Bound on the entries of the %s.", func(c CacheStats) float64 { return float64(c.MaxEntries) }},
		{"max_bytes", "Bound on the bytes of the %s.", func(c CacheStats) float64 { return float64(c.MaxBytes) }},
		{"hits", "Reads served from the %s since the start.", func(c CacheStats) float64 { return float64(c.Hits) }},
		{"misses", "Reads not found in the %s since the start.", func(c CacheStats) float64 { return float64(c.Misses) }},
	} {
		s.Gauge(prefix+"_"+g.suffix, fmt.Sprintf(g.help, what), func() float64 { return g.value(stats()) })
	}
}
