// Package app wires CityLens together: the domain services, built once from
// a store, and the web server with one area per part of the platform. The
// binary (cmd/citylens) and the tests (internal/web/webtest) both start the
// platform through it, so they run the same assembly.
package app

import (
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/adminweb"
	"github.com/citylens/citylens/internal/web/apiweb"
	"github.com/citylens/citylens/internal/web/datacallweb"
	"github.com/citylens/citylens/internal/web/membersweb"
)

// NewServer builds the web server with every area on cfg's store: the
// services are built once (cfg.WithDefaults) and shared by the core and the
// areas.
func NewServer(cfg web.Config) (*web.Server, error) {
	if cfg.Store == nil {
		return web.New(cfg)
	}
	cfg = cfg.WithDefaults()
	return web.New(cfg, Areas(cfg)...)
}

// Services builds the domain services on cfg's store, as the server does,
// for commands that need them without a web server (user add, import).
func Services(cfg web.Config) web.Services { return cfg.WithDefaults().Services }

// Areas are the web layer's areas, each holding the services it calls;
// cfg has its defaults (web.Config.WithDefaults).
func Areas(cfg web.Config) []web.Area {
	var areas []web.Area
	areas = append(areas,
		membersweb.New(cfg.Store),
		datacallweb.New(cfg.Store, cfg.Services.DataCall),
		adminweb.New(cfg.Store, cfg.Services.Catalogue),
		apiweb.New(cfg.Store),
	)
	return areas
}
