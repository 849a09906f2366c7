package web

import (
	"bytes"
	"compress/gzip"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
)

// Explorer pages are cached at two levels. A page's content depends only
// on the release (immutable), the member list, the URL and the language, so
// it is rendered once. For anonymous readers (most of the explorer's
// traffic) the whole response — layout included, gzipped — is kept too: a
// hit is a map read and one write, with no template, no allocation of the
// page and no cookie. Signed-in readers get the layout per request (their
// name, their navigation, their forms' token).

// responseCache keeps whole anonymous responses by key; reads take no lock.
type responseCache struct {
	m     sync.Map // key → *cachedResponse
	bytes atomic.Int64
	n     atomic.Int64
	evict sync.Mutex // one eviction at a time
}

type cachedResponse struct {
	gz    []byte // the page, gzipped
	plain []byte // the page as it is
	lang  string
}

const (
	maxCachedResponses     = 20000
	maxResponseCacheBytes  = 192 << 20
	responseCacheKeepShare = 4 // evict down to (share-1)/share of the bounds
)

func (c *responseCache) get(key string) (*cachedResponse, bool) {
	v, ok := c.m.Load(key)
	if !ok {
		return nil, false
	}
	return v.(*cachedResponse), true
}

func (c *responseCache) put(key string, cr *cachedResponse) {
	size := int64(len(cr.gz) + len(cr.plain) + len(key))
	if _, loaded := c.m.LoadOrStore(key, cr); loaded {
		return
	}
	c.n.Add(1)
	if c.bytes.Add(size) <= maxResponseCacheBytes && c.n.Load() <= maxCachedResponses {
		return
	}
	// Over the bounds: drop entries at random (map order) down to three
	// quarters, so hot pages come back at once and no burst of first
	// renders follows as it would after emptying the cache.
	c.evict.Lock()
	defer c.evict.Unlock()
	c.m.Range(func(k, v any) bool {
		if c.bytes.Load() <= maxResponseCacheBytes*(responseCacheKeepShare-1)/responseCacheKeepShare &&
			c.n.Load() <= maxCachedResponses*(responseCacheKeepShare-1)/responseCacheKeepShare {
			return false
		}
		if _, ok := c.m.LoadAndDelete(k); ok {
			old := v.(*cachedResponse)
			c.bytes.Add(-int64(len(old.gz) + len(old.plain) + len(k.(string))))
			c.n.Add(-1)
		}
		return true
	})
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// ("gzip", not with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			enc, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
				continue
			}
			if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				f, err := strconv.ParseFloat(q, 64)
				return err == nil && f > 0
			}
			return true
		}
	}
	return false
}

func (cr *cachedResponse) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", cr.lang)
	h.Set("Vary", "Accept-Encoding, Accept-Language, Cookie")
	h.Set("Cache-Control", "no-store")
	body := cr.plain
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = cr.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// cacheableResponse reports whether r's whole response may be cached and
// shared: an anonymous GET (or HEAD) without a flash message.
func cacheableResponse(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && !viewer(r).SignedIn() &&
		!strings.Contains(r.URL.RawQuery, "flash=")
}

// renderExplorer renders a page of a published release: from the response
// cache for anonymous readers, else the content from the page cache in a
// layout rendered for the reader. build makes the page's data on a miss.
func (s *Server) renderExplorer(w http.ResponseWriter, r *http.Request, page string, v *relView, build func() (any, error)) error {
	lang := requestLang(w, r)
	digest := ""
	if v.snap != nil {
		digest = v.snap.digest
	}
	respKey := ""
	if cacheableResponse(r) {
		respKey = string(lang) + "|" + v.Rec.Hash + "|" + digest + "|" + r.URL.Path + "?" + r.URL.RawQuery
		if cr, ok := s.explorer.responses.get(respKey); ok {
			cr.write(w, r)
			return nil
		}
	}
	q := r.URL.Query()
	q.Del("lang")
	q.Del("flash")
	key := string(lang) + "|" + v.Rec.Hash + "|" + digest + "|" + r.URL.Path + "?" + q.Encode()
	cp, err := s.explorerContent(key, lang, page, build)
	if err != nil {
		return err
	}
	if respKey == "" {
		return s.render(w, r, "explorer_cached.html", "", cp)
	}
	var plain bytes.Buffer
	if err := s.renderLayout(&plain, r, lang, "explorer_cached.html", "", cp, ""); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "template %s: %v", page, err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	io.Copy(zw, bytes.NewReader(plain.Bytes()))
	zw.Close()
	cr := &cachedResponse{gz: bytes.Clone(gz.Bytes()), plain: bytes.Clone(plain.Bytes()), lang: string(lang)}
	s.explorer.responses.put(respKey, cr)
	cr.write(w, r)
	return nil
}

// explorerContent returns a page's rendered title and content, rendering
// them on the first request.
func (s *Server) explorerContent(key string, lang i18n.Lang, page string, build func() (any, error)) (cachedPage, error) {
	e := &s.explorer
	e.mu.Lock()
	cp, ok := e.pages[key]
	e.mu.Unlock()
	if ok {
		return cp, nil
	}
	data, err := build()
	if err != nil {
		return cp, err
	}
	t := s.pages[pageKey(lang, page)]
	if t == nil {
		return cp, citylens.Errorf(citylens.EINTERNAL, "web: no template %s", page)
	}
	pd := PageData{Data: data, Demo: s.cfg.Demo, Lang: string(lang)}
	var title, content bytes.Buffer
	if err := t.ExecuteTemplate(&title, "title", pd); err != nil {
		return cp, citylens.Errorf(citylens.EINTERNAL, "template %s: %v", page, err)
	}
	if err := t.ExecuteTemplate(&content, "content", pd); err != nil {
		return cp, citylens.Errorf(citylens.EINTERNAL, "template %s: %v", page, err)
	}
	cp = cachedPage{Title: template.HTML(title.String()), HTML: template.HTML(content.String())}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pages == nil {
		e.pages = map[string]cachedPage{}
	}
	for k, old := range e.pages {
		if len(e.pages) < maxCachedPages*3/4 && e.pageBytes < maxPageCacheBytes*3/4 {
			break
		}
		if len(e.pages) < maxCachedPages && e.pageBytes < maxPageCacheBytes {
			break
		}
		delete(e.pages, k)
		e.pageBytes -= len(old.HTML) + len(k)
	}
	e.pages[key] = cp
	e.pageBytes += len(cp.HTML) + len(key)
	return cp, nil
}
