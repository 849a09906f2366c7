package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// HTTP delivery of every GET and HEAD: a strong ETag on each successful
// answer and 304 when If-None-Match names it, Cache-Control by the route's
// policy (hash-addressed release content public and immutable, "latest"
// and other public pages briefly public and revalidated, a signed-in
// reader's pages private), and compression (brotli or gzip, as the client
// asks) of every compressible body over a kilobyte.

// CachePolicy is how long shared caches and browsers may keep a route's
// successful answers to anonymous readers.
type CachePolicy int

const (
	// CacheRevalidate (the default): kept, but revalidated on every use.
	CacheRevalidate CachePolicy = iota
	// CacheShort: public for a minute ("latest" pages, lists that grow).
	CacheShort
	// CacheRelease: under a release's hash the answer is fixed by the
	// release; under "latest" (or no hash) it is CacheShort. Pages get a
	// day (a new version of CityLens may lay them out anew), API answers
	// and files a year; both immutable.
	CacheRelease
	// CacheNever: not stored (health probes, metrics).
	CacheNever
)

// Cache-Control values.
const (
	ccImmutableYear = "public, max-age=31536000, immutable"
	ccImmutableDay  = "public, max-age=86400, immutable"
	ccShort         = "public, max-age=60, must-revalidate"
	ccRevalidate    = "no-cache"
	ccPrivate       = "private, no-cache"
	ccNever         = "no-store"
)

// WithCache sets a route's cache policy.
func WithCache(p CachePolicy) RouteOption { return func(r *Route) { r.Cache = p } }

// minCompress is the smallest body worth compressing.
const minCompress = 1024

// cacheControl is the Cache-Control of a successful GET of rt.
func cacheControl(rt Route, r *http.Request, v Viewer, setCookie bool) string {
	if rt.Cache == CacheNever {
		return ccNever
	}
	if v.SignedIn() || setCookie || r.Header.Get("Authorization") != "" {
		return ccPrivate
	}
	switch rt.Cache {
	case CacheShort:
		return ccShort
	case CacheRelease:
		if h := r.PathValue("hash"); h == "" || h == "latest" {
			return ccShort
		}
		if rt.API || strings.Contains(rt.Path, "/download/") {
			return ccImmutableYear
		}
		return ccImmutableDay
	}
	return ccRevalidate
}

// deliveryWriter holds a GET's answer until the handler is done.
type deliveryWriter struct {
	w      http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (d *deliveryWriter) Header() http.Header { return d.w.Header() }
func (d *deliveryWriter) WriteHeader(status int) {
	if d.status == 0 {
		d.status = status
	}
}
func (d *deliveryWriter) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return d.buf.Write(b)
}

// deliver runs h for a GET or HEAD and sends its answer with validators,
// cache policy and compression.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request, rt Route, h func(w http.ResponseWriter)) {
	d := &deliveryWriter{w: w}
	h(d)
	if d.status == 0 {
		d.status = http.StatusOK
	}
	hd := w.Header()
	body := d.buf.Bytes()
	if d.status != http.StatusOK {
		if hd.Get("Cache-Control") == "" {
			hd.Set("Cache-Control", ccNever)
		}
		// An error page is compressed too (not kept: errors are not stored).
		if hd.Get("Content-Encoding") == "" && len(body) >= minCompress && compressible(hd.Get("Content-Type")) && d.status >= 400 {
			addVary(hd, "Accept-Encoding")
			if e := preferredEncoding(r); e != "" {
				if z := encode(e, body); len(z) < len(body) {
					body = z
					hd.Set("Content-Encoding", e)
				}
			}
		}
		hd.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(d.status)
		if r.Method != http.MethodHead {
			w.Write(body)
		}
		return
	}
	// A handler that set its own policy (static files, a no-store file)
	// keeps it; otherwise the route's.
	if cc := hd.Get("Cache-Control"); cc != ccNever && (cc == "" || rt.Cache != CacheRevalidate || viewer(r).SignedIn()) {
		hd.Set("Cache-Control", cacheControl(rt, r, viewer(r), len(hd.Values("Set-Cookie")) > 0))
	}
	enc := hd.Get("Content-Encoding") // a body the handler encoded itself (the response cache's)
	etag := hd.Get("ETag")
	if etag == "" {
		sum := sha256.Sum256(body)
		etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	}
	if enc == "" && compressible(hd.Get("Content-Type")) {
		addVary(hd, "Accept-Encoding")
		if len(body) >= minCompress {
			if e := preferredEncoding(r); e != "" {
				if z, ok := s.encoded.get(etag, e, body); ok {
					body, enc = z, e
					hd.Set("Content-Encoding", e)
				}
			}
		}
	}
	if enc != "" && !strings.HasSuffix(etag, "-"+enc+`"`) {
		etag = strings.TrimSuffix(etag, `"`) + "-" + enc + `"`
	}
	hd.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
		for _, k := range []string{"Content-Length", "Content-Encoding", "Content-Type"} {
			hd.Del(k)
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// etagMatches is If-None-Match's weak comparison of inm with etag: the
// same opaque tag, whatever its W/ prefix or its encoding suffix.
func etagMatches(inm, etag string) bool {
	base := func(t string) string {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		t = strings.Trim(t, `"`)
		for _, suf := range []string{"-br", "-gzip"} {
			t = strings.TrimSuffix(t, suf)
		}
		return t
	}
	want := base(etag)
	for part := range strings.SplitSeq(inm, ",") {
		if p := strings.TrimSpace(part); p == "*" || base(p) == want {
			return true
		}
	}
	return false
}

func addVary(h http.Header, v string) {
	for _, have := range h.Values("Vary") {
		for part := range strings.SplitSeq(have, ",") {
			if strings.EqualFold(strings.TrimSpace(part), v) {
				return
			}
		}
	}
	if have := h.Values("Vary"); len(have) > 0 {
		h.Set("Vary", strings.Join(have, ", ")+", "+v)
		return
	}
	h.Set("Vary", v)
}

// compressible reports whether a media type gains from compression.
func compressible(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(strings.ToLower(mt))
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/problem+json", mt == "application/javascript",
		mt == "image/svg+xml", mt == "application/xml", strings.HasSuffix(mt, "+json"):
		return true
	}
	return false
}

// acceptsEncoding reports whether r's Accept-Encoding allows enc (named,
// or by *, and not with q=0).
func acceptsEncoding(r *http.Request, enc string) bool {
	star := false
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			ok := true
			if q, found := strings.CutPrefix(strings.TrimSpace(params), "q="); found {
				f, err := strconv.ParseFloat(q, 64)
				ok = err == nil && f > 0
			}
			if strings.EqualFold(name, enc) {
				return ok
			}
			if name == "*" {
				star = ok
			}
		}
	}
	return star
}

// preferredEncoding is brotli if r takes it, else gzip if it takes that.
func preferredEncoding(r *http.Request) string {
	switch {
	case acceptsEncoding(r, "br"):
		return "br"
	case acceptsEncoding(r, "gzip"):
		return "gzip"
	}
	return ""
}

// encode compresses body with enc ("br" or "gzip").
func encode(enc string, body []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(body)/4 + 64)
	switch enc {
	case "br":
		zw := brotliWriters.Get().(*brotli.Writer)
		zw.Reset(&out)
		zw.Write(body)
		zw.Close()
		zw.Reset(nil)
		brotliWriters.Put(zw)
	default:
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&out)
		zw.Write(body)
		zw.Close()
		zw.Reset(nil)
		gzipWriters.Put(zw)
	}
	return out.Bytes()
}

// Compressors are reused: a new brotli writer allocates and clears its
// window and hash tables, which cost more than compressing a page. The
// window is 256 KiB (lgwin 18): pages and API answers are smaller, and a
// decoder needs no more memory than that.
var (
	brotliWriters = sync.Pool{New: func() any {
		return brotli.NewWriterOptions(nil, brotli.WriterOptions{Quality: 5, LGWin: 18})
	}}
	gzipWriters = sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
		return zw
	}}
)

// encodedCache keeps compressed bodies by ETag and encoding, so an answer
// asked for again (an API page, a download) is compressed once. Bounded
// in bytes; over the bound it starts again empty.
type encodedCache struct {
	mu       sync.Mutex
	m        map[string][]byte
	bytes    int64
	maxBytes int64
}

func (c *encodedCache) get(etag, enc string, body []byte) ([]byte, bool) {
	key := etag + enc
	c.mu.Lock()
	z, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return z, true
	}
	z = encode(enc, body)
	if len(z) >= len(body) {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.bytes+int64(len(z)) > c.maxBytes {
		c.m, c.bytes = map[string][]byte{}, 0
	}
	if int64(len(z)) <= c.maxBytes {
		c.m[key], c.bytes = z, c.bytes+int64(len(z))
	}
	return z, true
}
