// Package app wires CityLens together: the domain services, built once from
// a store, the web server with one area per part of the platform, and the
// services' job kinds. The binary (cmd/citylens) and the tests
// (internal/web/webtest) both start the platform through it, so they run
// the same assembly.
package app

import (
	"github.com/citylens/citylens/internal/diagnostic"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/adminweb"
	"github.com/citylens/citylens/internal/web/apiweb"
	"github.com/citylens/citylens/internal/web/datacallweb"
	"github.com/citylens/citylens/internal/web/explorerweb"
	"github.com/citylens/citylens/internal/web/membersweb"
	"github.com/citylens/citylens/internal/web/releaseweb"
)

// NewServer builds the web server with every area on cfg's store, the
// server and the areas sharing one set of services (cfg.WithDefaults), and
// registers the services' job kinds on cfg's queue.
func NewServer(cfg web.Config) (*web.Server, error) {
	if cfg.Store == nil {
		return web.New(cfg)
	}
	cfg = cfg.WithDefaults()
	srv, err := web.New(cfg, Areas(cfg)...)
	if err != nil {
		return nil, err
	}
	RegisterJobs(cfg.Queue, cfg.Services, cfg)
	return srv, nil
}

// Services builds the domain services on cfg's store, as the server does,
// for commands that need them without a web server (user add, import).
func Services(cfg web.Config) web.Services { return cfg.WithDefaults().Services }

// Areas are the web layer's areas, each holding the services it calls; cfg
// has its defaults (web.Config.WithDefaults). Their order is the order of
// their links in the navigation bar.
func Areas(cfg web.Config) []web.Area {
	sv := cfg.Services
	return []web.Area{
		membersweb.New(cfg.Store),
		explorerweb.New(explorerweb.Config{Store: cfg.Store, Releases: sv.Releases, Publication: sv.Publication,
			Limits: explorerweb.LimitsOf(cfg.ExplorerCacheBytes)}),
		datacallweb.New(cfg.Store, sv.DataCall),
		releaseweb.New(cfg.Store, sv),
		adminweb.New(cfg.Store, sv.Catalogue),
		apiweb.New(cfg.Store),
	}
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
