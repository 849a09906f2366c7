package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/citylens/citylens/internal/i18n"
)

// templates/layout.html is the frame; every other file in templates/ is a
// page defining "title" and "content". Feature modules add their pages
// there (e.g. templates/datacall_form.html) and render them by file name.
//
//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

var templateFuncs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"thousands": func(n int64) string {
		s := fmt.Sprint(n)
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		return b.String()
	},
	"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	// fieldError picks a form field's problem out of a page's problems by
	// field, for the "field_error" template of an edit form.
	"fieldError": func(errs map[string]string, field string) FieldError {
		return FieldError{Field: field, Message: errs[field]}
	},
}

// FieldError is a form field and what is wrong with it ("" for nothing).
type FieldError struct {
	Field, Message string
}

// parsePages parses every page once per language: the shared funcs plus the
// language's (langFuncs). Pages are keyed "<lang>/<file>" (see pageKey).
// Areas' pages (AreaTemplates) are parsed the same way, each with the
// core's layout; a page name used twice is an error.
func parsePages(cat *i18n.Catalog, areas []Area) (map[string]*template.Template, error) {
	type source struct {
		fsys fs.FS
		glob string
	}
	sources := []source{{templateFiles, "templates/*.html"}}
	extra := template.FuncMap{}
	for _, a := range areas {
		if at, ok := a.(AreaTemplates); ok {
			sources = append(sources, source{at.Templates(), "templates/*.html"})
		}
		if af, ok := a.(AreaFuncs); ok {
			// Every page shares one set of functions: an area's function
			// that took the name of the core's, or of another area's,
			// would change every page that calls it.
			for k, f := range af.TemplateFuncs() {
				if _, core := templateFuncs[k]; core || extra[k] != nil {
					return nil, fmt.Errorf("template function %q of area %T is already defined", k, a)
				}
				extra[k] = f
			}
		}
	}
	layout, err := fs.ReadFile(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, lang := range i18n.Languages() {
		funcs := template.FuncMap{}
		for _, m := range []template.FuncMap{templateFuncs, extra, langFuncs(cat, lang)} {
			for k, f := range m {
				funcs[k] = f
			}
		}
		for _, src := range sources {
			names, err := fs.Glob(src.fsys, src.glob)
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				base := path.Base(n)
				if base == "layout.html" {
					continue
				}
				if _, dup := pages[pageKey(lang, base)]; dup {
					return nil, fmt.Errorf("template %s: defined twice", base)
				}
				t, err := template.New(base).Funcs(funcs).Parse(string(layout))
				if err == nil {
					t, err = t.ParseFS(src.fsys, n)
				}
				if err != nil {
					return nil, fmt.Errorf("template %s: %w", base, err)
				}
				pages[pageKey(lang, base)] = t
			}
		}
	}
	return pages, nil
}

func errNoTemplate(page string) error { return fmt.Errorf("web: no template %s", page) }

func pageKey(lang i18n.Lang, page string) string { return string(lang) + "/" + page }

// langCookie remembers a reader's language choice.
const langCookie = "lang"

// requestLang picks the page language: ?lang= (which also sets the cookie,
// so the layout's switch links stick), the cookie, then Accept-Language.
func requestLang(w http.ResponseWriter, r *http.Request) i18n.Lang {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, ok := i18n.Parse(q); ok {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
			return l
		}
	}
	return readerLang(r)
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Lang, Name, Href string
	Current          bool
}

// langLinks are the switch's links: the current page in each language.
func langLinks(r *http.Request, cur i18n.Lang) []LangLink {
	var out []LangLink
	for _, l := range i18n.Languages() {
		q := r.URL.Query()
		q.Set("lang", string(l))
		out = append(out, LangLink{Lang: string(l), Name: l.Name(), Href: r.URL.Path + "?" + q.Encode(), Current: l == cur})
	}
	return out
}

// NavLink is one entry of the navigation bar. Label is a catalogue key
// (nav.*), shown in the reader's language; Count, when not 0, is shown
// beside it (the inbox's unread notices).
type NavLink struct {
	Href, Label string
	Count       int
}

// PageData is what every page template receives; Data is the page's own.
type PageData struct {
	Viewer      Viewer
	CSRF        string
	Demo        bool
	Attribution string
	Nav         []NavLink
	Flash       string
	Data        any
	Lang        string
	Langs       []LangLink
}

// render writes page (a templates/ file name) with status 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, page, data)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, page string, data any) error {
	lang := requestLang(w, r)
	if _, ok := s.pages[pageKey(lang, page)]; !ok {
		return fmt.Errorf("web: no template %s", page)
	}
	var buf bytes.Buffer
	// A public page shared by caches (a route with a public cache policy)
	// carries no anonymous form token: it has no form, and a token (and
	// its cookie) would make every answer different and private.
	csrf := ""
	if viewer(r).SignedIn() || routeOf(r).Cache == CacheRevalidate {
		csrf = s.csrfToken(w, r)
	}
	if err := s.renderLayout(&buf, r, lang, page, data, csrf); err != nil {
		s.log.Error("template", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", string(lang))
	w.Header().Set("Vary", "Accept-Language, Cookie")
	// Cache-Control: the route's policy (delivery.go); a signed-in
	// reader's page is private.
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// renderLayout writes page in the layout for r's viewer in lang; csrf is
// the token its forms carry ("" for a page without forms, which then sets
// no cookie).
func (s *Server) renderLayout(w io.Writer, r *http.Request, lang i18n.Lang, page string, data any, csrf string) error {
	t, ok := s.pages[pageKey(lang, page)]
	if !ok {
		return fmt.Errorf("web: no template %s", page)
	}
	v := viewer(r)
	nav := s.nav(v)
	for i := range nav {
		nav[i].Label = s.cat.T(lang, nav[i].Label)
	}
	pd := PageData{Viewer: v, CSRF: csrf, Demo: s.cfg.Demo, Nav: nav, Data: data,
		Flash: s.flashOf(r), Lang: string(lang), Langs: langLinks(r, lang)}
	if s.cfg.Demo {
		pd.Attribution = s.cat.T(lang, "layout.demo_sources")
	}
	return t.ExecuteTemplate(w, "layout", pd)
}

// nav is the navigation for a viewer: home, the areas' links (in
// their order), then the viewer's API tokens.
func (s *Server) nav(v Viewer) []NavLink {
	links := []NavLink{{Href: "/", Label: "nav.home"}}
	for _, a := range s.areas {
		if an, ok := a.(AreaNav); ok {
			links = append(links, an.Nav(v)...)
		}
	}
	if v.SignedIn() {
		links = append(links, NavLink{Href: "/account/tokens", Label: "nav.tokens"})
	}
	return links
}
