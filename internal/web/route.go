package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
)

// Access is who may call a route. Scope within a role (a regional officer's
// region, a focal point's city) is checked by the handler, which answers
// 403 for another region's or city's data.
type Access struct {
	Name   string          // shown in the route table and test failures
	Public bool            // anyone, signed in or not
	Roles  []accounts.Role // signed-in users with one of these roles; empty = any role
	Scoped bool            // the handler narrows further by region or city
}

// Access rules used by the platform's routes.
var (
	AccessPublic   = Access{Name: "public", Public: true}
	AccessSignedIn = Access{Name: "signed-in"}
	AccessAdmin    = Access{Name: "admin", Roles: []accounts.Role{accounts.RoleAdmin}}
	// AccessCityEditors: admins (all cities), regional officers (their
	// region's), focal points (their own city).
	AccessCityEditors = Access{Name: "city-editors", Roles: []accounts.Role{accounts.RoleAdmin, accounts.RoleRegional, accounts.RoleFocal}, Scoped: true}
)

// Allows reports whether a viewer's role passes the rule (scope aside).
func (a Access) Allows(v Viewer) bool {
	if a.Public {
		return true
	}
	if !v.SignedIn() {
		return false
	}
	if len(a.Roles) == 0 {
		return true
	}
	for _, r := range a.Roles {
		if v.User.Role == r {
			return true
		}
	}
	return false
}

// Route is one entry of the route table.
type Route struct {
	Pattern string // ServeMux pattern: "GET /admin/users"
	Method  string
	Path    string
	Access  Access
	API     bool  // JSON API: bearer tokens, JSON errors, 401 instead of redirect
	MaxBody int64 // request body limit
	Upload  bool  // reads an uploaded file: takes an upload slot (AsUpload)
	Stream  bool  // reads its multipart body as a stream (StreamsUpload)
	// SignedLink: an unsafe page route authorised by a signed token in its
	// own URL, which mail clients call without a form (SignedByLink).
	SignedLink bool
	// Cache is the policy of its successful GETs (delivery.go).
	Cache CachePolicy
}

// HandlerFunc is a route's handler: it returns an error instead of writing
// one, and writeError maps it to a status in one place.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// RouteOption adjusts a route.
type RouteOption func(*Route)

// WithMaxBody raises a route's body limit (uploads).
func WithMaxBody(n int64) RouteOption { return func(r *Route) { r.MaxBody = n } }

// AsUpload marks a route that reads an uploaded file: it takes one of the
// server's and the user's upload slots before its body is read, or
// answers 429 (Config.MaxUploads, MaxUploadsPerUser).
func AsUpload() RouteOption { return func(r *Route) { r.Upload = true } }

// StreamsUpload marks an upload route whose multipart body is read as a
// stream: the core reads only the fields before the first file (the CSRF
// token among them) and the handler reads the files with UploadOf, so no
// file is buffered in memory or in a temporary file. It implies AsUpload.
func StreamsUpload() RouteOption { return func(r *Route) { r.Upload, r.Stream = true, true } }

// SignedByLink marks a public page route whose POST is authorised by a
// signed token in its URL alone, such as the one-click unsubscribe of RFC
// 8058 that a mail client sends without a form or cookies: it takes no
// CSRF token (a forged request would need the token, which is the
// secret). The handler must verify the token and change nothing else.
func SignedByLink() RouteOption { return func(r *Route) { r.SignedLink = true } }

// page registers an HTML route: session cookie auth; anonymous users
// denied a page are sent to /login; unsafe methods need the CSRF token.
func (s *Server) page(mux *http.ServeMux, pattern string, access Access, h HandlerFunc, opts ...RouteOption) {
	s.register(mux, pattern, access, false, h, opts)
}

// api registers a JSON API route: bearer API tokens (read scope for GET,
// write scope otherwise), JSON bodies, JSON errors.
func (s *Server) api(mux *http.ServeMux, pattern string, access Access, h HandlerFunc, opts ...RouteOption) {
	s.register(mux, pattern, access, true, h, opts)
}

func (s *Server) register(mux *http.ServeMux, pattern string, access Access, api bool, h HandlerFunc, opts []RouteOption) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("web: route pattern needs a method: " + pattern)
	}
	rt := Route{Pattern: pattern, Method: method, Path: path, Access: access, API: api, MaxBody: s.cfg.MaxBodyBytes}
	for _, o := range opts {
		o(&rt)
	}
	s.routes = append(s.routes, rt)
	mux.Handle(pattern, s.metrics.instrument(pattern, s.recoverPanics(rt, s.serveRoute(rt, h))))
}

func (s *Server) serveRoute(rt Route, h HandlerFunc) http.Handler {
	unsafe := rt.Method != http.MethodGet && rt.Method != http.MethodHead
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = withRoute(r, rt)
		v, err := s.authenticate(w, r, rt)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, v))
		if !rt.Access.Allows(v) {
			s.deny(w, r, v)
			return
		}
		if rt.API && unsafe && v.Token != nil && v.Token.Scope != accounts.ScopeWrite {
			s.writeError(w, r, citylens.Errorf(citylens.EFORBIDDEN, "this API token has the %s scope; this call needs write", v.Token.Scope))
			return
		}
		if unsafe && rt.Upload {
			release, err := s.uploads.acquire(v.User.ID)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			defer release()
		}
		if unsafe {
			r.Body = http.MaxBytesReader(w, r.Body, rt.MaxBody)
			if err := checkContentType(r, rt.API); err != nil {
				s.writeError(w, r, err)
				return
			}
			if rt.Stream && !rt.API {
				if r, err = openUpload(r); err != nil {
					s.writeError(w, r, err)
					return
				}
			}
			if !rt.API && !rt.SignedLink {
				if err := s.checkCSRF(r, v); err != nil {
					s.writeError(w, r, err)
					return
				}
			}
		}
		// The path, query and form (a JSON body is checked as it is decoded).
		if err := checkRequestText(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.fairUse(w, r, rt, v); err != nil {
			s.writeError(w, r, err)
			return
		}
		if unsafe {
			if err := h(w, r); err != nil {
				s.writeError(w, r, err)
			}
			return
		}
		s.deliver(w, r, rt, func(w http.ResponseWriter) {
			if err := h(w, r); err != nil {
				s.writeError(w, r, err)
			}
		})
	})
}

// deny answers a viewer a route does not allow: anonymous page visitors go
// to the login page; anonymous API callers get 401; others 403.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, v Viewer) {
	rt := routeOf(r)
	if !v.SignedIn() {
		if !rt.API && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.writeError(w, r, worded(citylens.EUNAUTHORIZED, "error.sign_in_first"))
		return
	}
	s.writeError(w, r, worded(citylens.EFORBIDDEN, "error.role_denied", v.User.Role))
}

func checkContentType(r *http.Request, api bool) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if r.ContentLength == 0 && ct == "" && !api {
		return nil // an empty form (a bare button)
	}
	if api {
		if r.ContentLength == 0 && ct == "" {
			return nil
		}
		if err != nil || mt != "application/json" {
			return wordedStatus(http.StatusUnsupportedMediaType, "error.api_content_type", quoteOrNone(ct))
		}
		return nil
	}
	if err != nil || (mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data") {
		return wordedStatus(http.StatusUnsupportedMediaType, "error.form_type", quoteOrNone(ct))
	}
	return nil
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return `"` + s + `"`
}

// parseForm parses a page form (multipart up to maxMemory), mapping a body
// over the limit to 413 and a malformed body to 400.
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	return formError(err)
}

func formError(err error) error {
	if err == nil {
		return nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return wordedStatus(http.StatusRequestEntityTooLarge, "error.too_large", byteSize(mbe.Limit))
	}
	return worded(citylens.EINVALID, "error.form_unreadable", err.Error())
}

// checkCSRF enforces the synchronizer token: a signed-in viewer's form must
// carry its session's token; an anonymous form (login, reset) must carry the
// value of the anonymous CSRF cookie (double submit).
func (s *Server) checkCSRF(r *http.Request, v Viewer) error {
	if UploadOf(r) == nil {
		if err := parseForm(r); err != nil {
			return err
		}
	}
	got := r.PostFormValue("csrf")
	want := ""
	if v.Session != nil {
		want = v.Session.CSRFToken
	} else if c, err := r.Cookie(anonCSRFCookie); err == nil && s.validAnonCSRF(c.Value) {
		want = c.Value // signed by this server: a planted cookie is not
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return worded(citylens.EFORBIDDEN, "error.csrf")
	}
	return nil
}

type routeKey struct{}

func withRoute(r *http.Request, rt Route) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), routeKey{}, rt))
}

func routeOf(r *http.Request) Route {
	rt, _ := r.Context().Value(routeKey{}).(Route)
	if rt.Pattern == "" && strings.HasPrefix(r.URL.Path, "/api/") {
		rt.API = true
	}
	return rt
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return itoa(n>>10) + " KiB"
	}
	return itoa(n) + " bytes"
}
