package web

import (
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/citylens/citylens"
)

// recoverPanics turns a handler panic into a logged 500: no panic reaches
// a user.
func (s *Server) recoverPanics(rt Route, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				s.writeError(w, withRoute(r, rt), citylens.Errorf(citylens.EINTERNAL, "panic: %v", p)) // an API route answers JSON
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// withCommonHeaders sets security headers on every response.
func (s *Server) withCommonHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		h.ServeHTTP(w, r)
	})
}
