// Package app wires CityLens together: the domain services, built once from
// a store, and the web server with one area per part of the platform. The
// binary (cmd/citylens) and the tests (internal/web/webtest) both start the
// platform through it, so they run the same assembly.
package app

import (
	"github.com/citylens/citylens/internal/diagnostic"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/releaseweb"
)

// NewServer builds the web server with every area on cfg's store, the
// server and the areas sharing one set of services, and registers the
// services' job kinds on the server's queue.
func NewServer(cfg web.Config) (*web.Server, error) {
	cfg.Services = web.DefaultServices(cfg)
	srv, err := web.New(cfg, Areas(cfg)...)
	if err != nil {
		return nil, err
	}
	RegisterJobs(srv.Queue(), srv.Services(), cfg)
	return srv, nil
}

// Areas are the web layer's areas, each holding the services it calls
// (cfg.Services, those left nil built as web.DefaultServices does).
func Areas(cfg web.Config) []web.Area {
	sv := web.DefaultServices(cfg)
	var areas []web.Area
	areas = append(areas, releaseweb.New(cfg.Store, sv))
	return areas
}

// RegisterJobs registers the services' job kinds on q (their handlers
// belong to the services) and, with cfg.DiagnosticJobs, the diagnostic
// ones (tests, drills).
func RegisterJobs(q *jobs.Queue, sv web.Services, cfg web.Config) {
	if cfg.DiagnosticJobs {
		(&diagnostic.Jobs{Store: cfg.Store, Now: cfg.Now}).RegisterJobs(q)
	}
	sv.Publication.RegisterJobs(q)
}
