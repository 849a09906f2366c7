package explorerweb

import (
	"bytes"
	"html/template"
	"net/http"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/web"
)

// Explorer pages are cached at two levels. A page's content depends only
// on the release (immutable), the member list, the page's own query
// parameters and the language, so it is rendered once. For anonymous
// readers (most of the explorer's traffic) the whole response — layout
// included, gzipped — is kept too (web.ResponseCache). Signed-in readers
// get the layout per request (their name, their navigation, their forms'
// token). Keys hold only the parameters a page reads, in a fixed order:
// unknown parameters and their order neither miss the caches nor fill
// them.

// Limits bound the explorer's caches.
type Limits struct {
	Releases      int   // published releases kept in memory
	Pages         int   // rendered page contents
	PageBytes     int64 // their bytes
	Responses     int   // whole anonymous responses
	ResponseBytes int64 // their bytes, as they are and gzipped
}

// DefaultCacheBytes is the memory of the explorer's pages and responses
// when none is configured.
const DefaultCacheBytes = 448 << 20

// LimitsOf bounds the explorer's rendered pages and responses to n bytes
// (0 or less: DefaultCacheBytes), shared 4 to 3 (a page's content is kept
// for every reader, a whole response only for anonymous ones).
func LimitsOf(n int64) Limits {
	if n <= 0 {
		n = DefaultCacheBytes
	}
	l := Limits{Releases: 8, Pages: 20000, Responses: 20000, ResponseBytes: n * 3 / 7}
	l.PageBytes = n - l.ResponseBytes
	return l
}

type cachedPage struct {
	Title, HTML template.HTML
}

// size is what the page takes in the cache under key.
func (cp cachedPage) size(key string) int64 { return int64(len(cp.Title) + len(cp.HTML) + len(key)) }

// pageCache keeps pages' rendered content by key.
type pageCache struct {
	mu         sync.Mutex // guards m, bytes
	m          map[string]cachedPage
	bytes      int64
	maxEntries int
	maxBytes   int64
	hits       atomic.Uint64
	misses     atomic.Uint64
	flight     singleflight.Group
}

func (c *pageCache) stats() web.CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return web.CacheStats{Entries: int64(len(c.m)), Bytes: c.bytes, MaxEntries: int64(c.maxEntries), MaxBytes: c.maxBytes,
		Hits: c.hits.Load(), Misses: c.misses.Load()}
}

func (c *pageCache) get(key string) (cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp, ok := c.m[key]
	return cp, ok
}

func (c *pageCache) put(key string, cp cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedPage{}
	}
	if _, ok := c.m[key]; ok {
		return
	}
	c.m[key] = cp
	c.bytes += cp.size(key)
	if len(c.m) <= c.maxEntries && c.bytes <= c.maxBytes {
		return
	}
	// Over the bounds: drop entries at random (map order) down to three
	// quarters of them, as the response cache does.
	for k, old := range c.m {
		if len(c.m) <= c.maxEntries*3/4 && c.bytes <= c.maxBytes*3/4 {
			break
		}
		delete(c.m, k)
		c.bytes -= old.size(k)
	}
}

// renderExplorer renders a page of a published release: from the response
// cache for anonymous readers, else the content from the page cache in a
// layout rendered for the reader. params are the query parameters the
// page reads; build makes the page's data on a miss, in the language of
// the key it is cached under.
func (a *Explorer) renderExplorer(w http.ResponseWriter, r *http.Request, page string, v *relView, params []string, build func(i18n.Lang) (any, error)) error {
	lang := web.RequestLang(w, r)
	v.in(lang, a.s.Catalog())
	digest := ""
	if v.snap != nil {
		digest = v.snap.digest
	}
	query := ""
	if r.URL.RawQuery != "" {
		query = web.KnownParams(r.URL.Query(), append([]string{"lang"}, params...)...).Encode()
	}
	// The page is built from exactly the query its key names: a parameter
	// the page does not know, an empty or a repeated one can neither make
	// a new entry nor store one page under another's key.
	r.URL.RawQuery = query
	key := string(lang) + "|" + v.Rec.Hash + "|" + digest + "|" + r.URL.Path + "?" + query
	if !web.CacheableResponse(r) {
		cp, err := a.explorerContent(r, key, lang, page, build)
		if err != nil {
			return err
		}
		return a.s.Render(w, r, "explorer_cached.html", cp)
	}
	if a.responses.Write(w, r, key) {
		return nil
	}
	return a.responses.Serve(w, r, key, func() ([]byte, string, error) {
		cp, err := a.explorerContent(r, key, lang, page, build)
		if err != nil {
			return nil, "", err
		}
		// The layout's links (the language switch) carry the page's own
		// parameters only, as every reader sharing the response asked.
		shared := r.Clone(r.Context())
		shared.URL.RawQuery = query
		var plain bytes.Buffer
		if err := a.s.RenderLayout(&plain, shared, lang, "explorer_cached.html", cp, ""); err != nil {
			return nil, "", citylens.Errorf(citylens.EINTERNAL, "template %s: %v", page, err)
		}
		return plain.Bytes(), string(lang), nil
	})
}

// explorerContent returns a page's rendered title and content, rendering
// them on the first request (once for concurrent first requests).
func (a *Explorer) explorerContent(r *http.Request, key string, lang i18n.Lang, page string, build func(i18n.Lang) (any, error)) (cachedPage, error) {
	c := &a.pages
	if cp, ok := c.get(key); ok {
		c.hits.Add(1)
		return cp, nil
	}
	c.misses.Add(1)
	render := func() (any, error) {
		if cp, ok := c.get(key); ok { // rendered since the read above
			return cp, nil
		}
		data, err := build(lang) // the language of the key the page is cached under
		if err != nil {
			return nil, err
		}
		pd := web.PageData{Data: data, Demo: a.s.Demo(), Lang: string(lang)}
		var title, content bytes.Buffer
		if err := a.s.ExecutePage(&title, lang, page, "title", pd); err != nil {
			return nil, citylens.Errorf(citylens.EINTERNAL, "template %s: %v", page, err)
		}
		if err := a.s.ExecutePage(&content, lang, page, "content", pd); err != nil {
			return nil, citylens.Errorf(citylens.EINTERNAL, "template %s: %v", page, err)
		}
		cp := cachedPage{Title: template.HTML(title.String()), HTML: template.HTML(content.String())}
		c.put(key, cp)
		return cp, nil
	}
	v, err, shared := c.flight.Do(key, render)
	if err != nil && shared && citylens.ErrorCode(err) == citylens.ECANCELED && r.Context().Err() == nil {
		// The request that rendered for all left before it was done.
		v, err = render()
	}
	if err != nil {
		return cachedPage{}, err
	}
	return v.(cachedPage), nil
}
