package web

import (
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/i18n"
)

// An Area is one part of the web layer (the explorer, the data call, the
// release workflow, administration, the platform API, and next the survey,
// the prize and knowledge exchange), in a package of its own under
// internal/web. It holds the domain services it calls, and registers its
// routes on the core: every route through Server.Page or Server.API with
// an access rule, so the route table stays complete.
type Area interface {
	// Register adds the area's routes (s.Page, s.API); the area keeps s to
	// render pages and answer errors.
	Register(s *Server)
}

// AreaTemplates is an Area with pages: page templates (files
// templates/*.html of Templates, usually the area's embedded files, each
// defining "title" and "content", drawn in the core's layout). Page file
// names are unique across areas; an area prefixes its own.
type AreaTemplates interface {
	Templates() fs.FS
}

// AreaFuncs is an Area whose templates need functions besides the core's.
// Every page shares them, so a name must be new: one the core or another
// area already defines is refused when the server starts.
type AreaFuncs interface {
	TemplateFuncs() template.FuncMap
}

// AreaNav is an Area with links in the navigation bar for a viewer. Labels
// are message keys (nav.*).
type AreaNav interface {
	Nav(v Viewer) []NavLink
}

// AreaAPI is an Area with JSON API routes described in the OpenAPI
// document.
type AreaAPI interface {
	APIOperations() []APIOperation
}

// Page registers an HTML route: session cookie auth; anonymous users
// denied a page are sent to /login; unsafe methods need the CSRF token.
func (s *Server) Page(pattern string, access Access, h HandlerFunc, opts ...RouteOption) {
	s.register(s.mux, pattern, access, false, h, opts)
}

// API registers a JSON API route: bearer API tokens (read scope for GET,
// write scope otherwise), JSON bodies, JSON errors.
func (s *Server) API(pattern string, access Access, h HandlerFunc, opts ...RouteOption) {
	s.register(s.mux, pattern, access, true, h, opts)
}

// Render writes page (a template file name) in the layout with status 200.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, page string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, page, data)
}

// RenderStatus writes page in the layout with status.
func (s *Server) RenderStatus(w http.ResponseWriter, r *http.Request, status int, page string, data any) error {
	return s.renderStatus(w, r, status, page, data)
}

// RenderLayout writes page in the layout for r's viewer in lang to w, with
// csrf as its forms' token ("" for a page without forms): for areas that
// cache what they render.
func (s *Server) RenderLayout(w io.Writer, r *http.Request, lang i18n.Lang, page string, data any, csrf string) error {
	return s.renderLayout(w, r, lang, page, data, csrf)
}

// ExecutePage runs one named template of page in lang (an area's cached
// fragments: a page's "title" and "content").
func (s *Server) ExecutePage(w io.Writer, lang i18n.Lang, page, name string, data any) error {
	t, ok := s.pages[pageKey(lang, page)]
	if !ok {
		return errNoTemplate(page)
	}
	return t.ExecuteTemplate(w, name, data)
}

// RedirectFlash redirects to target with a flash message: the catalogue's
// key in the reader's language.
func (s *Server) RedirectFlash(w http.ResponseWriter, r *http.Request, target, key string, args ...any) {
	s.redirectFlash(w, r, target, key, args...)
}

// T is the catalogue's message key, with args, in the reader's language.
func (s *Server) T(r *http.Request, key string, args ...any) string { return s.tr(r, key, args...) }

// Catalog is the message catalogues.
func (s *Server) Catalog() *i18n.Catalog { return s.cat }

// Message is err's message in lang, as the error page or API shows it.
func (s *Server) Message(lang i18n.Lang, err error) string { return s.messageOf(lang, err) }

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.now() }

// Demo reports whether the server shows demo data.
func (s *Server) Demo() bool { return s.cfg.Demo }

// Gauge adds a gauge to /metrics: name and help as Prometheus prints them,
// value read at each scrape.
func (s *Server) Gauge(name, help string, value func() float64) {
	s.metrics.addGauge(name, help, value)
}

// ViewerOf is the request's viewer.
func ViewerOf(r *http.Request) Viewer { return viewer(r) }

// ActorOf is the request's viewer as the audit log records it.
func ActorOf(r *http.Request) auditlog.Actor { return actor(r) }

// ReaderLang is the reader's language for texts made in Go (flash
// messages, form errors), without setting the language cookie.
func ReaderLang(r *http.Request) i18n.Lang { return readerLang(r) }

// RequestLang is the page language (?lang=, which also sets the cookie,
// the cookie, then Accept-Language).
func RequestLang(w http.ResponseWriter, r *http.Request) i18n.Lang { return requestLang(w, r) }

// Label is the name of a code (a role, a status, a state) in lang: the
// message "<prefix>.<code>", or the code itself when unknown.
func Label(cat *i18n.Catalog, lang i18n.Lang, prefix string, v any) string {
	return label(cat, lang, prefix, v)
}

// WriteJSON writes v as indented JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// DecodeJSON reads a JSON request body into v, strictly.
func DecodeJSON(r *http.Request, v any) error { return decodeJSON(r, v) }

// FormError maps an error of reading a request body to 413 or 400.
func FormError(err error) error { return formError(err) }

// PathID reads a positive integer path value.
func PathID(r *http.Request, name string) (int64, error) { return pathID(r, name) }

// CanEditCity reports whether the viewer may change a city: admins any,
// regional officers their region's, focal points their own.
func CanEditCity(v Viewer, cityCode, cityRegion string) bool {
	return canEditCity(v, cityCode, cityRegion)
}

// Itoa formats an integer.
func Itoa[T ~int | ~int64](n T) string { return itoa(n) }
