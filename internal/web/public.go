package web

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/jobs"
)

func (s *Server) registerPublicRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /", AccessPublic, s.notFound)
	s.page(mux, "GET /static/", AccessPublic, s.static)
	s.page(mux, "GET /favicon.ico", AccessPublic, s.favicon)
	s.page(mux, "GET /healthz", AccessPublic, s.healthz, WithCache(CacheNever))
	s.page(mux, "GET /readyz", AccessPublic, s.readyz, WithCache(CacheNever))
	s.page(mux, "GET /metrics", AccessPublic, s.metricsPage, WithCache(CacheNever))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return worded(citylens.ENOTFOUND, "error.no_page", r.URL.Path)
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/static/", http.FileServerFS(sub)).ServeHTTP(w, r)
	return nil
}

// favicon answers browsers that ask for /favicon.ico without reading the
// page's icon link: the site's icon (an SVG).
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) error {
	b, err := staticFiles.ReadFile("static/favicon.svg")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b)
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ready(ctx); err != nil {
		s.log.Warn("not ready", "request_id", requestID(r), "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		// The cause is in the log: a probe needs only the answer.
		w.Write([]byte("not ready: " + s.store.Dialect() + " (see the log, request " + requestID(r) + ")\n"))
		return nil
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ready: " + s.store.Dialect() + "\n"))
	return nil
}

func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) error {
	counts, err := s.store.CountJobsByState(r.Context())
	if err != nil {
		return err
	}
	jc := map[string]int{}
	for _, st := range jobs.States {
		jc[string(st)] = counts[st]
	}
	var buf bytes.Buffer
	s.metrics.write(&buf, jc)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write(buf.Bytes())
	return nil
}
