package web

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
)

func (s *Server) registerPublicRoutes(mux *http.ServeMux) {
	s.api(mux, "GET /api/v1/openapi.json", AccessPublic, s.apiOpenAPI)
	s.page(mux, "GET /", AccessPublic, s.notFound)
	s.page(mux, "GET /members", AccessPublic, s.memberDirectory)
	s.page(mux, "GET /members/{code}", AccessPublic, s.memberPage)
	s.page(mux, "GET /static/", AccessPublic, s.static)
	s.page(mux, "GET /healthz", AccessPublic, s.healthz)
	s.page(mux, "GET /readyz", AccessPublic, s.readyz)
	s.page(mux, "GET /metrics", AccessPublic, s.metricsPage)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return worded(citylens.ENOTFOUND, "error.no_page", r.URL.Path)
}

type directoryData struct {
	Cities  []members.City
	Regions []members.Region
	Filter  members.CityFilter
}

func (s *Server) memberDirectory(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := members.CityFilter{RegionCode: q.Get("region"), Query: q.Get("q"), Status: q.Get("status")}
	cities, err := s.store.ListCities(r.Context(), f)
	if err != nil {
		return err
	}
	regions, err := s.store.ListRegions(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "members.html", "Member cities", directoryData{cities, regions, f})
}

func (s *Server) memberPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.City(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	var office members.Office
	if c.OfficeCode != "" {
		if office, err = s.store.Office(r.Context(), c.OfficeCode); err != nil {
			return err
		}
	}
	return s.render(w, r, "city.html", c.Name, map[string]any{"City": c, "Office": office,
		"CanEdit": canEditCity(viewer(r), c.Code, c.RegionCode)})
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

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready: " + s.store.Dialect() + ": " + citylens.ErrorMessage(err) + "\n"))
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
