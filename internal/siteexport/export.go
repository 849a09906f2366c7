// Package siteexport writes a published release as a static site: every
// public page of the release in each language, its files and its API
// answers, at the URLs the live server uses, with a _headers file of the
// cache headers, ready for any object store or CDN. It asks the platform's
// own HTTP handler for each URL (in process), so a static page is exactly
// the page the server sends.
//
// What a static host cannot do is left to the live server: a what-if (a
// computation) becomes a link to it; rankings filtered or sorted in a way
// not written out link to it too. Korean pages live under /ko/ (a static
// host cannot choose a language by cookie), and the language switch links
// between the two.
package siteexport

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
)

//go:embed export.js
var exportJS embed.FS

// Options say what to export.
type Options struct {
	// Handler is the platform's HTTP handler (app.New(...).Server.Handler()).
	Handler http.Handler
	// Release is the release's hash, or "latest".
	Release string
	// Out is the directory written (created if missing; files in it are
	// replaced).
	Out string
	// LiveURL is the live server's address (https://citylens.example.org),
	// the what-if's and other live-only views' target; empty: links stay
	// relative (the static host then needs to pass them to the server).
	LiveURL string
	// Workers render pages in parallel (default 2).
	Workers int
}

// Result counts what was written.
type Result struct {
	Hash   string
	Latest bool // the release is the latest: its "latest" URLs were written too
	Files  int
	Bytes  int64
}

// exporter holds an export's state.
type exporter struct {
	opts    Options
	cat     *i18n.Catalog
	hash    string
	latest  bool
	pages   map[string]bool // HTML page paths (English form), for link rewriting
	mu      sync.Mutex
	res     Result
	headers []headerRule
}

type headerRule struct{ pattern, contentType, cacheControl string }

// exportGCPercent is the garbage collector's target while an export runs:
// it renders thousands of pages, each garbage once written, over a heap
// that holds the release, so collections are frequent and each scans the
// release again; a higher target collects a quarter as often, for a peak
// a few hundred MB higher.
const exportGCPercent = 400

// Export writes the release's static site to opts.Out. While it runs the
// process's garbage collector target is exportGCPercent (the command's
// one job); it is restored after.
func Export(ctx context.Context, opts Options) (Result, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(exportGCPercent))
	if opts.Handler == nil || opts.Out == "" || opts.Release == "" {
		return Result{}, citylens.Errorf(citylens.EINVALID, "export site: a handler, a release and an output directory are required")
	}
	if opts.Workers <= 0 {
		opts.Workers = 2
	}
	opts.LiveURL = strings.TrimRight(opts.LiveURL, "/")
	cat, err := i18n.Load()
	if err != nil {
		return Result{}, err
	}
	e := &exporter{opts: opts, cat: cat, pages: map[string]bool{}}
	return e.run(ctx)
}

// get asks the handler for a URL as an anonymous reader in lang.
func (e *exporter) get(ctx context.Context, u string, lang i18n.Lang) (*http.Response, []byte, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.RemoteAddr = "127.0.0.1:1"
	req.AddCookie(&http.Cookie{Name: "lang", Value: string(lang)})
	req.Header.Set("Accept-Language", string(lang))
	rec := httptest.NewRecorder()
	e.opts.Handler.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return res, body, citylens.Errorf(citylens.EINTERNAL, "export site: GET %s answered %d: %.300s", u, res.StatusCode, body)
	}
	return res, body, nil
}

func (e *exporter) getJSON(ctx context.Context, u string, v any) error {
	_, body, err := e.get(ctx, u, i18n.English)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}

// item is one URL to write.
type item struct {
	url  string // path and query as the server takes it
	file string // path under Out (without /ko)
	html bool   // a page: written in every language, links rewritten
	// variant is a rankings page's query (url is then the page's path).
	variant string
}

func (e *exporter) run(ctx context.Context) (Result, error) {
	var rel struct {
		Record struct {
			Hash string `json:"hash"`
		} `json:"record"`
	}
	if err := e.getJSON(ctx, "/api/v1/releases/"+url.PathEscape(e.opts.Release), &rel); err != nil {
		return Result{}, err
	}
	var list struct {
		Latest string `json:"latest"`
	}
	if err := e.getJSON(ctx, "/api/v1/releases", &list); err != nil {
		return Result{}, err
	}
	e.hash, e.latest = rel.Record.Hash, rel.Record.Hash == list.Latest
	e.res.Hash, e.res.Latest = e.hash, e.latest

	var rk struct {
		Rows []struct {
			City struct {
				Code, Region, PeerGroup string
			} `json:"city"`
			PopulationClass string `json:"population_class"`
			Stage           string `json:"stage"`
		} `json:"rows"`
		Unranked []struct {
			City struct{ Code string } `json:"city"`
		} `json:"unranked"`
	}
	if err := e.getJSON(ctx, "/api/v1/releases/"+e.hash+"/rankings", &rk); err != nil {
		return Result{}, err
	}
	var meth struct {
		Methodology struct {
			Summary struct {
				Pillars []string `json:"pillars"`
			} `json:"summary"`
			Tree []struct{ Code, Kind string } `json:"tree"`
		} `json:"methodology"`
	}
	if err := e.getJSON(ctx, "/api/v1/releases/"+e.hash+"/methodology", &meth); err != nil {
		return Result{}, err
	}
	var dl struct {
		Files []struct{ Name string } `json:"files"`
	}
	if err := e.getJSON(ctx, "/api/v1/releases/"+e.hash+"/downloads", &dl); err != nil {
		return Result{}, err
	}
	var cities, indicators []string
	for _, r := range rk.Rows {
		cities = append(cities, r.City.Code)
	}
	for _, u := range rk.Unranked {
		cities = append(cities, u.City.Code)
	}
	for _, n := range meth.Methodology.Tree {
		if n.Kind == "indicator" {
			indicators = append(indicators, n.Code)
		}
	}

	// The release's URLs under its hash, and under "latest" if it is.
	// The release's files first: a workbook takes seconds to write, and
	// started last it would leave the other workers idle at the end.
	var items []item
	for _, f := range dl.Files {
		items = append(items, item{url: "/releases/" + e.hash + "/download/" + url.PathEscape(f.Name)})
	}
	bases := []struct{ page, api string }{{"/releases/" + e.hash, "/api/v1/releases/" + e.hash}}
	if e.latest {
		bases = append(bases, struct{ page, api string }{"", "/api/v1/releases/latest"})
		for _, p := range []string{"/", "/releases", "/downloads"} {
			items = append(items, item{url: p, html: true})
		}
		items = append(items, item{url: "/api/v1/releases"})
	}
	items = append(items, item{url: "/releases/" + e.hash, html: true})
	for _, b := range bases {
		items = append(items, item{url: b.page + "/rankings", html: true}, item{url: b.page + "/methodology", html: true},
			item{url: b.page + "/rankings.csv"}, item{url: b.api}, item{url: b.api + "/rankings"},
			item{url: b.api + "/methodology"}, item{url: b.api + "/downloads"})
		for _, c := range cities {
			items = append(items, item{url: b.page + "/cities/" + url.PathEscape(c), html: true}, item{url: b.api + "/cities/" + url.PathEscape(c)})
		}
		for _, i := range indicators {
			ip := "/indicators/" + url.PathEscape(i)
			items = append(items, item{url: b.page + ip, html: true}, item{url: b.page + ip + "/distribution.csv"}, item{url: b.api + ip})
		}
	}
	for _, it := range items {
		if it.html {
			e.pages[it.url] = true
		}
	}
	// A path that is also a directory (/releases/H has /releases/H/rankings
	// under it) is written as its index.html.
	dirs := map[string]bool{}
	for _, it := range items {
		for d := path.Dir(it.url); d != "/" && d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for i := range items {
		items[i].file = items[i].url
		if items[i].url == "/" || dirs[items[i].url] {
			items[i].file = strings.TrimSuffix(items[i].url, "/") + "/index.html"
		}
	}
	if err := e.writeAll(ctx, items); err != nil {
		return e.res, err
	}
	// Rankings filtered and sorted, the variants the page's own controls
	// ask for: each sort both ways with all its pages, each filter value
	// with all its pages, and each filter value with each sort (its first
	// page). Other combinations link to the live server.
	const perPage = 50 // the rankings page's rows
	pages := func(n int) int { return max(1, (n+perPage-1)/perPage) }
	sorts := append([]string{"rank", "name", "score", "change"}, meth.Methodology.Summary.Pillars...)
	filters := map[string]map[string]int{"region": {}, "peer_group": {}, "population_class": {}, "stage": {}}
	for _, r := range rk.Rows {
		for k, v := range map[string]string{"region": r.City.Region, "peer_group": r.City.PeerGroup, "population_class": r.PopulationClass, "stage": r.Stage} {
			if v != "" {
				filters[k][v]++
			}
		}
	}
	var queries []url.Values
	withPages := func(q url.Values, n int) {
		for p := 1; p <= pages(n); p++ {
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			if p > 1 {
				v.Set("page", fmt.Sprint(p))
			}
			queries = append(queries, v)
		}
	}
	for _, srt := range sorts {
		withPages(url.Values{"sort": {srt}}, len(rk.Rows))
		withPages(url.Values{"sort": {srt}, "reverse": {"1"}}, len(rk.Rows))
	}
	for k, vs := range filters {
		for v, n := range vs {
			withPages(url.Values{k: {v}}, n)
			for _, srt := range sorts[1:] {
				queries = append(queries, url.Values{k: {v}, "sort": {srt}})
			}
		}
	}
	var variants []item
	for _, b := range bases {
		seen := map[string]bool{}
		for _, q := range queries {
			if k := variantKey(q); k != "" && !seen[k] {
				seen[k] = true
				variants = append(variants, item{url: b.page + "/rankings", variant: k, html: true})
			}
		}
	}
	if err := e.writeAll(ctx, variants); err != nil {
		return e.res, err
	}
	if err := e.writeStatic(ctx); err != nil {
		return e.res, err
	}
	return e.res, e.writeHeaders()
}

// writeAll writes items with opts.Workers workers.
func (e *exporter) writeAll(ctx context.Context, items []item) error {
	work := make(chan item)
	errs := make(chan error, e.opts.Workers)
	var wg sync.WaitGroup
	for range e.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if err := e.writeItem(ctx, it); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
send:
	for _, it := range items {
		select {
		case work <- it:
		case err = <-errs:
			break send
		case <-ctx.Done():
			err = ctx.Err()
			break send
		}
	}
	close(work)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

func (e *exporter) writeItem(ctx context.Context, it item) error {
	if !it.html {
		res, body, err := e.get(ctx, it.url, i18n.English)
		if err != nil {
			return err
		}
		e.rule(it.url, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		return e.write(it.file, body)
	}
	if it.variant != "" {
		for _, lang := range i18n.Languages() {
			_, body, err := e.get(ctx, it.url+"?"+it.variant, lang)
			if err != nil {
				return err
			}
			page := e.rewrite(string(body), it.url, lang, it.variant)
			if err := e.write(langPrefix(lang)+variantFile(it.url, it.variant), []byte(page)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, lang := range i18n.Languages() {
		res, body, err := e.get(ctx, it.url, lang)
		if err != nil {
			return err
		}
		page := e.rewrite(string(body), it.url, lang, "")
		if lang == i18n.English {
			e.rule(it.url, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		} else {
			e.rule(langPrefix(lang)+it.url, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		}
		if err := e.write(langPrefix(lang)+it.file, []byte(page)); err != nil {
			return err
		}
	}
	return nil
}

// variantKey is the canonical form of a rankings query: its known
// parameters with a value, sorted (the script computes the same).
func variantKey(q url.Values) string {
	out := url.Values{}
	for _, k := range []string{"page", "peer_group", "population_class", "region", "reverse", "sort", "stage"} {
		if v := q.Get(k); v != "" && !(k == "page" && v == "1") && !(k == "sort" && v == "rank") {
			out.Set(k, v)
		}
	}
	return out.Encode()
}

// variantFile is where a rankings page's variant is written.
func variantFile(pagePath, key string) string {
	return path.Join(path.Dir(pagePath), "_variants", path.Base(pagePath), key+".html")
}

// writeStatic writes the style sheets and scripts the pages load, and the
// export's own script.
func (e *exporter) writeStatic(ctx context.Context) error {
	for _, f := range []string{"style.css", "explorer.css", "explorer.js"} {
		res, body, err := e.get(ctx, "/static/"+f, i18n.English)
		if err != nil {
			return err
		}
		e.rule("/static/"+f, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
		if err := e.write("/static/"+f, body); err != nil {
			return err
		}
	}
	js, err := exportJS.ReadFile("export.js")
	if err != nil {
		return err
	}
	e.rule("/static/citylens-export.js", "text/javascript; charset=utf-8", "public, max-age=3600")
	return e.write("/static/citylens-export.js", js)
}

func langPrefix(lang i18n.Lang) string {
	if lang == i18n.English {
		return ""
	}
	return "/" + string(lang)
}

// whatifButton is the what-if's run button, which the static copy replaces
// by a link to the live server.
var whatifButton = regexp.MustCompile(`<button type="submit" id="whatif-run">[^<]*</button>`)

// replaceHrefs calls f with each site-relative link of page (the value of
// an href="/…" attribute, still HTML-escaped) and puts what f returns in
// its place: a single pass over the page, with no regular expression.
func replaceHrefs(page string, f func(escaped string) string) string {
	const open = `href="/`
	var b strings.Builder
	b.Grow(len(page) + len(page)/16)
	for {
		i := strings.Index(page, open)
		if i < 0 {
			break
		}
		start := i + len(open) - 1 // the value's leading "/"
		end := strings.IndexByte(page[start:], '"')
		if end < 0 {
			break
		}
		b.WriteString(page[:start])
		b.WriteString(f(page[start : start+end]))
		page = page[start+end:]
	}
	b.WriteString(page)
	return b.String()
}

// rewrite makes a page work from the static copy: its links to exported
// pages in its language (Korean ones under /ko/), the language switch to
// the other language's copy, the what-if to a link to the live server, and
// the export's script for the rankings' variants. variant is the rankings
// query the page was rendered for ("" for the page itself).
func (e *exporter) rewrite(page, pagePath string, lang i18n.Lang, variant string) string {
	page = replaceHrefs(page, func(m string) string {
		raw := html.UnescapeString(m)
		u, err := url.Parse(raw)
		if err != nil || !e.pages[u.Path] {
			return m
		}
		q := u.Query()
		target := lang
		if l, ok := i18n.Parse(q.Get("lang")); ok && q.Get("lang") != "" {
			target = l
		}
		q.Del("lang")
		u.Path = langPrefix(target) + u.Path
		u.RawQuery = q.Encode()
		return html.EscapeString(u.String())
	})
	// The what-if is a computation: the static copy links to the live
	// server's page instead.
	if strings.Contains(page, `<form id="whatif"`) {
		live := e.opts.LiveURL + pagePath
		page = strings.Replace(page, `<form id="whatif"`, `<form id="whatif-static"`, 1)
		page = whatifButton.ReplaceAllString(page,
			`<a id="whatif-live" href="`+html.EscapeString(live)+`">`+html.EscapeString(e.cat.T(lang, "export.whatif_live"))+`</a>`)
	}
	attrs := ` data-live="` + html.EscapeString(e.opts.LiveURL) + `" data-live-text="` + html.EscapeString(e.cat.T(lang, "export.live_only")) + `"`
	if strings.HasSuffix(pagePath, "/rankings") {
		attrs += ` data-variants="` + html.EscapeString(langPrefix(lang)+path.Join(path.Dir(pagePath), "_variants", path.Base(pagePath))+"/") + `"`
		if variant != "" {
			attrs += ` data-variant="` + html.EscapeString(variant) + `"`
		}
	}
	script := `<script src="/static/citylens-export.js" id="citylens-export"` + attrs + ` defer></script>`
	return strings.Replace(page, "</body>", script+"</body>", 1)
}

// write stores body at file (a URL path) under Out.
func (e *exporter) write(file string, body []byte) error {
	p := filepath.Join(e.opts.Out, filepath.FromSlash(strings.TrimPrefix(file, "/")))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "export site: %v", err)
	}
	if err := os.WriteFile(p, body, 0o644); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "export site: %v", err)
	}
	e.mu.Lock()
	e.res.Files++
	e.res.Bytes += int64(len(body))
	e.mu.Unlock()
	return nil
}

// rule records the headers a URL is served with.
func (e *exporter) rule(u, contentType, cacheControl string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.headers = append(e.headers, headerRule{pattern: u, contentType: contentType, cacheControl: cacheControl})
}

// writeHeaders writes _headers (Netlify's and Cloudflare Pages' format,
// which other hosts' tools read too): each URL's Content-Type (many have
// no extension) and Cache-Control, as the live server sends them; the
// rankings' variants as pages of the release.
func (e *exporter) writeHeaders() error {
	sort.Slice(e.headers, func(i, j int) bool { return e.headers[i].pattern < e.headers[j].pattern })
	var b strings.Builder
	b.WriteString("# Headers of the static copy of release " + e.hash + ", as the live server sends them.\n")
	seen := map[string]bool{}
	for _, h := range e.headers {
		if seen[h.pattern] {
			continue
		}
		seen[h.pattern] = true
		fmt.Fprintf(&b, "%s\n  Content-Type: %s\n", h.pattern, h.contentType)
		if h.cacheControl != "" {
			fmt.Fprintf(&b, "  Cache-Control: %s\n", h.cacheControl)
		}
	}
	for _, lang := range i18n.Languages() {
		fmt.Fprintf(&b, "%s/*/_variants/*\n  Content-Type: text/html; charset=utf-8\n  Cache-Control: public, max-age=60, must-revalidate\n", langPrefix(lang))
	}
	return e.write("/_headers", []byte(b.String()))
}

// Headers reads a _headers file into exact paths and their headers (the
// export's own rules are exact paths, plus the variants' pattern): for a
// static server that applies them (tests, the documentation's example).
func Headers(dir string) (map[string]http.Header, error) {
	b, err := os.ReadFile(filepath.Join(dir, "_headers"))
	if err != nil {
		return nil, err
	}
	out := map[string]http.Header{}
	var cur http.Header
	for line := range strings.SplitSeq(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " "):
			cur = http.Header{}
			out[line] = cur
		case cur != nil:
			k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
			cur.Set(k, strings.TrimSpace(v))
		}
	}
	return out, nil
}
